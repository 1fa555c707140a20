//! `LayerNorm` with a learned gain γ (init 1) and shift β (init 0); the math
//! lives in [`ops::layernorm`](crate::ops::layernorm).

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
}

/// What forward keeps for backward: per row mean and 1/std, `(N)` each.
#[derive(Debug, Clone)]
pub struct LayerNormActs {
    pub mean: Vec<f32>,
    pub rstd: Vec<f32>,
}

impl LayerNormActs {
    pub fn new(n: usize) -> LayerNormActs {
        LayerNormActs {
            mean: vec![0.0; n],
            rstd: vec![0.0; n],
        }
    }
}

impl LayerNorm {
    pub fn new(params: &mut Params, name: &str, c: usize) -> LayerNorm {
        let gamma = params.add(&format!("{name}.weight"), &[c], Init::Ones);
        let beta = params.add(&format!("{name}.bias"), &[c], Init::Zeros);
        LayerNorm { gamma, beta, c }
    }

    /// `out (N, C) = γ ⊙ normalise(x) + β`.
    pub fn forward(&self, dev: &Device, p: &[f32], acts: &mut LayerNormActs, out: &mut [f32], x: &[f32], n: usize) -> Result<()> {
        layernorm::forward(
            dev,
            out,
            &mut acts.mean,
            &mut acts.rstd,
            x,
            self.gamma.of(p),
            self.beta.of(p),
            n,
            self.c,
        )
    }

    /// Accumulates `dx (N, C)`, `dγ`, `dβ`.
    pub fn backward(
        &self,
        dev: &Device,
        p: &[f32],
        g: &mut [f32],
        acts: &LayerNormActs,
        dx: &mut [f32],
        dout: &[f32],
        x: &[f32],
        n: usize,
    ) -> Result<()> {
        let (dgamma, dbeta) = two_mut(g, self.gamma, self.beta);
        layernorm::backward(dev, dx, dgamma, dbeta, dout, x, &acts.mean, &acts.rstd, self.gamma.of(p), n, self.c)
    }
}
