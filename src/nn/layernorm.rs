//! `LayerNorm` with a learned gain γ (init 1) and shift β (init 0); the math
//! lives in [`ops::layernorm`](crate::ops::layernorm).

use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::Result;
use crate::nn::params::{two_mut, Init, ParamRange, Params};
use crate::ops::layernorm;

/// Layer normalisation over `c` channels.
#[derive(Debug, Clone)]
pub struct LayerNorm {
    pub gamma: ParamRange,
    pub beta: ParamRange,
    pub c: usize,
    /// ε inside the square root ([`layernorm::EPS`] unless a checkpoint says otherwise).
    pub eps: f32,
}

/// What forward keeps for backward: per row mean and 1/std, `(N)` each.
#[derive(Debug, Clone)]
pub struct LayerNormActs {
    pub mean: Tensor,
    pub rstd: Tensor,
}

impl LayerNormActs {
    pub fn new(dev: &Device, n: usize) -> LayerNormActs {
        LayerNormActs {
            mean: Tensor::zeros(dev, n),
            rstd: Tensor::zeros(dev, n),
        }
    }
}

impl LayerNorm {
    pub fn new(params: &mut Params, name: &str, c: usize) -> LayerNorm {
        let gamma = params.add(&format!("{name}.weight"), &[c], Init::Ones);
        let beta = params.add(&format!("{name}.bias"), &[c], Init::Zeros);
        LayerNorm {
            gamma,
            beta,
            c,
            eps: layernorm::EPS,
        }
    }

    /// `out (N, C) = γ ⊙ normalise(x) + β`.
    pub fn forward(&self, dev: &Device, p: &Tensor, acts: &mut LayerNormActs, out: &mut Tensor, x: &Tensor, n: usize) -> Result<()> {
        match dev {
            Device::Cpu => {
                let p = p.host()?;
                let (mean, rstd) = (acts.mean.host_mut()?, acts.rstd.host_mut()?);
                layernorm::forward(
                    dev,
                    out.host_mut()?,
                    mean,
                    rstd,
                    x.host()?,
                    self.gamma.of(p),
                    self.beta.of(p),
                    n,
                    self.c,
                    self.eps,
                )
            }
            Device::Gpu(gpu) => {
                let (out, x, gamma, beta) = (out.gpu_all()?, x.gpu_all()?, self.gamma.gpu_slice(p)?, self.beta.gpu_slice(p)?);
                let (mean, rstd) = (acts.mean.gpu()?, acts.rstd.gpu()?);
                gpu.record(|e| layernorm::forward_gpu(gpu, e, out, mean, rstd, x, gamma, beta, n, self.c, self.eps))
            }
        }
    }

    /// Accumulates `dx (N, C)`, `dγ`, `dβ`.
    pub fn backward(
        &self,
        dev: &Device,
        p: &Tensor,
        g: &mut Tensor,
        acts: &LayerNormActs,
        dx: &mut Tensor,
        dout: &Tensor,
        x: &Tensor,
        n: usize,
    ) -> Result<()> {
        match dev {
            Device::Cpu => {
                let (dgamma, dbeta) = two_mut(g.host_mut()?, self.gamma, self.beta);
                let (mean, rstd) = (acts.mean.host()?, acts.rstd.host()?);
                layernorm::backward(
                    dev,
                    dx.host_mut()?,
                    dgamma,
                    dbeta,
                    dout.host()?,
                    x.host()?,
                    mean,
                    rstd,
                    self.gamma.of(p.host()?),
                    n,
                    self.c,
                )
            }
            Device::Gpu(gpu) => {
                let (dx, dgamma, dbeta) = (dx.gpu_all()?, self.gamma.gpu_slice(g)?, self.beta.gpu_slice(g)?);
                let (dout, x, gamma, mean, rstd) = (
                    dout.gpu_all()?,
                    x.gpu_all()?,
                    self.gamma.gpu_slice(p)?,
                    acts.mean.gpu()?,
                    acts.rstd.gpu()?,
                );
                gpu.record(|e| layernorm::backward_gpu(gpu, e, dx, dgamma, dbeta, dout, x, mean, rstd, gamma, n, self.c))
            }
        }
    }
}
