//! `Linear`: `y = x Wᵀ + b`, the layer behind every projection (W_Q, W_K, W_V,
//! W_O, the two FFN matrices, the output head). The math lives in
//! [`ops::matmul`](crate::ops::matmul); this file owns the parameters and
//! sends the work to the device: host loops on the CPU, the tiled WGSL matmul
//! on the GPU.

use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::Result;
use crate::nn::params::{two_mut, Init, ParamRange, Params};
use crate::ops::matmul::{self, MatmulShape};

/// A fully connected layer from `c_in` to `c_out` channels.
#[derive(Debug, Clone)]
pub struct Linear {
    /// `(c_out, c_in)`
    pub weight: ParamRange,
    /// `(c_out)`, absent for a bias-free projection.
    pub bias: Option<ParamRange>,
    pub c_in: usize,
    pub c_out: usize,
}

impl Linear {
    /// Weights from N(0, 0.02²), bias zero (the BERT/GPT-2 convention).
    pub fn new(params: &mut Params, name: &str, c_in: usize, c_out: usize, bias: bool) -> Linear {
        let weight = params.add(&format!("{name}.weight"), &[c_out, c_in], Init::Normal(0.02));
        let bias = bias.then(|| params.add(&format!("{name}.bias"), &[c_out], Init::Zeros));
        Linear { weight, bias, c_in, c_out }
    }

    /// An output head whose weight *is* an embedding table `(vocab, c)` —
    /// laid out as a weight `(c_out, c_in)` — with a bias of its own ("tied"
    /// embeddings). Both uses add their share to the one gradient range.
    pub fn tied(params: &mut Params, name: &str, table: ParamRange, c: usize, vocab: usize) -> Linear {
        Linear {
            weight: table,
            bias: Some(params.add(&format!("{name}.bias"), &[vocab], Init::Zeros)),
            c_in: c,
            c_out: vocab,
        }
    }

    /// `out (N, c_out) = x (N, c_in) · Wᵀ + b`.
    pub fn forward(&self, dev: &Device, p: &Tensor, out: &mut Tensor, x: &Tensor, n: usize) -> Result<()> {
        let (c, oc) = (self.c_in, self.c_out);
        match dev {
            Device::Cpu => {
                let p = p.host()?;
                matmul::linear_forward(
                    dev,
                    out.host_mut()?,
                    x.host()?,
                    self.weight.of(p),
                    self.bias.map(|b| b.of(p)),
                    n,
                    c,
                    oc,
                )
            }
            Device::Gpu(gpu) => {
                // One tiled matmul with W read transposed and the bias added on the way out.
                let shape = MatmulShape::linear_forward(n, c, oc);
                let bias = self.bias.map(|b| b.gpu_slice(p)).transpose()?;
                let (out, x, w) = (out.gpu_all()?, x.gpu_all()?, self.weight.gpu_slice(p)?);
                gpu.record(|e| matmul::matmul_gpu(gpu, e, out, x, w, bias, shape, false))
            }
        }
    }

    /// Accumulates `dx (N, c_in)` and this layer's gradients in `g`.
    pub fn backward(&self, dev: &Device, p: &Tensor, g: &mut Tensor, dx: &mut Tensor, dout: &Tensor, x: &Tensor, n: usize) -> Result<()> {
        let (c, oc) = (self.c_in, self.c_out);
        match dev {
            Device::Cpu => {
                let g = g.host_mut()?;
                let (dweight, dbias) = match self.bias {
                    Some(b) => {
                        let (dw, db) = two_mut(g, self.weight, b);
                        (dw, Some(db))
                    }
                    None => (self.weight.of_mut(g), None),
                };
                matmul::linear_backward(
                    dev,
                    dx.host_mut()?,
                    dweight,
                    dbias,
                    dout.host()?,
                    x.host()?,
                    self.weight.of(p.host()?),
                    n,
                    c,
                    oc,
                )
            }
            Device::Gpu(gpu) => {
                let (dx, dout, x, w, dw) = (
                    dx.gpu_all()?,
                    dout.gpu_all()?,
                    x.gpu_all()?,
                    self.weight.gpu_slice(p)?,
                    self.weight.gpu_slice(g)?,
                );
                gpu.record(|e| {
                    // dx(N, C) += dout(N, OC) · W(OC, C)
                    matmul::matmul_gpu(gpu, e, dx, dout, w, None, MatmulShape::linear_input_grad(n, c, oc), true)?;
                    // dW(OC, C) += doutᵀ(OC, N) · x(N, C)
                    matmul::matmul_gpu(gpu, e, dw, dout, x, None, MatmulShape::linear_weight_grad(n, c, oc), true)
                })?;
                if let Some(b) = self.bias {
                    // db(1, OC) += 1ᵀ(1, N) · dout(N, OC): a column sum as a matmul with ones.
                    let ones = gpu.upload(&vec![1.0; n]);
                    let db = b.gpu_slice(g)?;
                    gpu.record(|e| matmul::matmul_gpu(gpu, e, db, ones.all(), dout, None, MatmulShape::plain(1, n, oc), true))?;
                }
                Ok(())
            }
        }
    }
}
