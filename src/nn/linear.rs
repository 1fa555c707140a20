//! `Linear`: `y = x Wᵀ + b`, the layer behind every projection (W_Q, W_K, W_V,
//! W_O, the two FFN matrices, the output head). The math lives in
//! [`ops::matmul`](crate::ops::matmul); this file owns the parameters.

use crate::device::Device;
use crate::error::Result;
use crate::nn::params::{two_mut, Init, ParamRange, Params};
use crate::ops::matmul;

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

    /// `out (N, c_out) = x (N, c_in) · Wᵀ + b`.
    pub fn forward(&self, dev: &Device, p: &[f32], out: &mut [f32], x: &[f32], n: usize) -> Result<()> {
        let bias = self.bias.map(|b| b.of(p));
        matmul::linear_forward(dev, out, x, self.weight.of(p), bias, n, self.c_in, self.c_out)
    }

    /// Accumulates `dx (N, c_in)` and this layer's gradients in `g`.
    pub fn backward(&self, dev: &Device, p: &[f32], g: &mut [f32], dx: &mut [f32], dout: &[f32], x: &[f32], n: usize) -> Result<()> {
        let (dweight, dbias) = match self.bias {
            Some(b) => {
                let (dw, db) = two_mut(g, self.weight, b);
                (dw, Some(db))
            }
            None => (self.weight.of_mut(g), None),
        };
        matmul::linear_backward(dev, dx, dweight, dbias, dout, x, self.weight.of(p), n, self.c_in, self.c_out)
    }
}
