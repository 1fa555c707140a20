//! ReLU, the activation of the original Transformer's feed-forward network
//! `FFN(x) = max(0, x W₁ + b₁) W₂ + b₂`.
//!
//! ```text
//! forward   y = max(0, x)
//! backward  dx += dout · [x > 0]     (the slope is 1 where x > 0, else 0)
//! ```

use crate::device::gpu::{Gpu, GpuSlice, Kernel};
use crate::device::Device;
use crate::error::{check_len, Result};

const KERNEL_FORWARD: Kernel = Kernel {
    file: "relu.wgsl",
    source: include_str!("relu.wgsl"),
    entry: "forward",
};
const KERNEL_BACKWARD: Kernel = Kernel {
    file: "relu.wgsl",
    source: include_str!("relu.wgsl"),
    entry: "backward",
};

/// `out = max(0, x)`, elementwise.
pub fn forward(dev: &Device, out: &mut [f32], x: &[f32]) -> Result<()> {
    check_len("relu", "output", out.len(), &[("N", x.len())])?;
    dev.ensure_cpu("relu")?;
    for (o, &v) in out.iter_mut().zip(x) {
        *o = v.max(0.0);
    }
    Ok(())
}

/// `dx += dout · [x > 0]`.
pub fn backward(dev: &Device, dx: &mut [f32], dout: &[f32], x: &[f32]) -> Result<()> {
    check_len("relu backward", "dout", dout.len(), &[("N", x.len())])?;
    check_len("relu backward", "dx", dx.len(), &[("N", x.len())])?;
    dev.ensure_cpu("relu")?;
    for ((d, &g), &v) in dx.iter_mut().zip(dout).zip(x) {
        if v > 0.0 {
            *d += g;
        }
    }
    Ok(())
}

/// GPU: `out = ReLU(x)`.
pub fn forward_gpu(gpu: &Gpu, encoder: &mut wgpu::CommandEncoder, out: GpuSlice, x: GpuSlice) -> Result<()> {
    super::unary_forward_gpu(gpu, encoder, &KERNEL_FORWARD, "relu", out, x)
}

/// GPU: `dx += dout · ReLU'(x)`.
pub fn backward_gpu(gpu: &Gpu, encoder: &mut wgpu::CommandEncoder, dx: GpuSlice, dout: GpuSlice, x: GpuSlice) -> Result<()> {
    super::unary_backward_gpu(gpu, encoder, &KERNEL_BACKWARD, "relu backward", dx, dout, x)
}
