//! Elementwise ops on tensors: residual addition and the activations. Each
//! function sends the work to the CPU loops or to the GPU kernel, so that the
//! layers using them read as one list of steps.

use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::Result;
use crate::nn::feed_forward::Activation;
use crate::ops::{gelu, gelu_exact, relu, residual};

/// `out = a + b` (a residual connection).
pub fn add(dev: &Device, out: &mut Tensor, a: &Tensor, b: &Tensor) -> Result<()> {
    match dev {
        Device::Cpu => residual::forward(dev, out.host_mut()?, a.host()?, b.host()?),
        Device::Gpu(gpu) => {
            let (out, a, b) = (out.gpu_all()?, a.gpu_all()?, b.gpu_all()?);
            gpu.record(|e| residual::forward_gpu(gpu, e, out, a, b))
        }
    }
}

/// `da += dout`, `db += dout`: the backward of [`add`].
pub fn add_backward(dev: &Device, da: &mut Tensor, db: &mut Tensor, dout: &Tensor) -> Result<()> {
    match dev {
        Device::Cpu => residual::backward(dev, da.host_mut()?, db.host_mut()?, dout.host()?),
        Device::Gpu(gpu) => {
            let (da, db, dout) = (da.gpu_all()?, db.gpu_all()?, dout.gpu_all()?);
            gpu.record(|e| residual::backward_gpu(gpu, e, da, db, dout))
        }
    }
}

/// `out = act(x)`.
pub fn activate(dev: &Device, activation: Activation, out: &mut Tensor, x: &Tensor) -> Result<()> {
    match dev {
        Device::Cpu => match activation {
            Activation::Relu => relu::forward(dev, out.host_mut()?, x.host()?),
            Activation::Gelu => gelu::forward(dev, out.host_mut()?, x.host()?),
            Activation::GeluExact => gelu_exact::forward(dev, out.host_mut()?, x.host()?),
        },
        Device::Gpu(gpu) => {
            let (out, x) = (out.gpu_all()?, x.gpu_all()?);
            gpu.record(|e| match activation {
                Activation::Relu => relu::forward_gpu(gpu, e, out, x),
                Activation::Gelu => gelu::forward_gpu(gpu, e, out, x),
                Activation::GeluExact => gelu_exact::forward_gpu(gpu, e, out, x),
            })
        }
    }
}

/// `dx += dout · act'(x)`: the backward of [`activate`].
pub fn activate_backward(dev: &Device, activation: Activation, dx: &mut Tensor, dout: &Tensor, x: &Tensor) -> Result<()> {
    match dev {
        Device::Cpu => match activation {
            Activation::Relu => relu::backward(dev, dx.host_mut()?, dout.host()?, x.host()?),
            Activation::Gelu => gelu::backward(dev, dx.host_mut()?, dout.host()?, x.host()?),
            Activation::GeluExact => gelu_exact::backward(dev, dx.host_mut()?, dout.host()?, x.host()?),
        },
        Device::Gpu(gpu) => {
            let (dx, dout, x) = (dx.gpu_all()?, dout.gpu_all()?, x.gpu_all()?);
            gpu.record(|e| match activation {
                Activation::Relu => relu::backward_gpu(gpu, e, dx, dout, x),
                Activation::Gelu => gelu::backward_gpu(gpu, e, dx, dout, x),
                Activation::GeluExact => gelu_exact::backward_gpu(gpu, e, dx, dout, x),
            })
        }
    }
}
