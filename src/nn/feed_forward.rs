//! `FeedForward`: the position-wise network of every Transformer layer,
//!
//! ```text
//! FFN(x) = act(x W₁ᵀ + b₁) W₂ᵀ + b₂        x: (N, C),  hidden: (N, F),  out: (N, C)
//! ```
//! with `act = ReLU` in the original paper (`max(0, xW₁+b₁)W₂+b₂`) and GELU in
//! BERT and GPT. "Position-wise" means each of the `N` rows is transformed on
//! its own, with the same weights: the FFN never mixes tokens (attention does).

use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::{check_len, Result};
use crate::nn::elementwise::{activate, activate_backward};
use crate::nn::linear::Linear;
use crate::nn::params::Params;

/// The non-linearity between the two matrices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Relu,
    /// GELU, tanh approximation (GPT-2's `gelu_new`; our own models).
    Gelu,
    /// GELU, exact erf form (BERT's `gelu`).
    GeluExact,
}

/// Two linear layers with an activation between them.
#[derive(Debug, Clone)]
pub struct FeedForward {
    pub fc1: Linear,
    pub fc2: Linear,
    pub activation: Activation,
}

/// What forward keeps: the hidden layer before and after the activation.
#[derive(Debug, Clone)]
pub struct FeedForwardActs {
    pub pre: Tensor,    // (N, F)  x W₁ᵀ + b₁
    pub hidden: Tensor, // (N, F)  act(pre)
}

impl FeedForwardActs {
    pub fn new(dev: &Device, n: usize, f: usize) -> FeedForwardActs {
        FeedForwardActs {
            pre: Tensor::zeros(dev, n * f),
            hidden: Tensor::zeros(dev, n * f),
        }
    }
}

impl FeedForward {
    pub fn new(params: &mut Params, name: &str, c: usize, f: usize, activation: Activation) -> FeedForward {
        FeedForward {
            fc1: Linear::new(params, &format!("{name}.fc1"), c, f, true),
            fc2: Linear::new(params, &format!("{name}.fc2"), f, c, true),
            activation,
        }
    }

    /// A stand-alone FFN with given weights, written the way the paper
    /// writes them: `W1 (C, F)`, `b1 (F)`, `W2 (F, C)`, `b2 (C)`, so that
    /// `FFN(x) = act(x W1 + b1) W2 + b2`. The layer stores each weight as
    /// `(out, in)` (it computes `x Wᵀ`), so both matrices are transposed into
    /// a fresh parameter buffer on the CPU. Lengths must match the sizes.
    pub fn from_matrices(
        w1: &[f32],
        b1: &[f32],
        w2: &[f32],
        b2: &[f32],
        c: usize,
        f: usize,
        activation: Activation,
    ) -> Result<(FeedForward, Params)> {
        const OP: &str = "feed_forward";
        check_len(OP, "W1", w1.len(), &[("C", c), ("F", f)])?;
        check_len(OP, "b1", b1.len(), &[("F", f)])?;
        check_len(OP, "W2", w2.len(), &[("F", f), ("C", c)])?;
        check_len(OP, "b2", b2.len(), &[("C", c)])?;
        let mut params = Params::new(0);
        let ffn = FeedForward::new(&mut params, "ffn", c, f, activation);
        let mut values = params.values.host()?.to_vec();
        let transpose =
            |m: &[f32], rows: usize, cols: usize| -> Vec<f32> { (0..cols * rows).map(|i| m[(i % rows) * cols + i / rows]).collect() };
        ffn.fc1.weight.of_mut(&mut values).copy_from_slice(&transpose(w1, c, f)); // (F, C) = W1ᵀ
        ffn.fc2.weight.of_mut(&mut values).copy_from_slice(&transpose(w2, f, c)); // (C, F) = W2ᵀ
        for (linear, bias) in [(&ffn.fc1, b1), (&ffn.fc2, b2)] {
            if let Some(range) = linear.bias {
                range.of_mut(&mut values).copy_from_slice(bias);
            }
        }
        params.move_to(&Device::Cpu, values);
        Ok((ffn, params))
    }

    /// Hidden width `F`.
    pub fn hidden_size(&self) -> usize {
        self.fc1.c_out
    }

    /// `out (N, C) = FFN(x)`.
    pub fn forward(&self, dev: &Device, p: &Tensor, acts: &mut FeedForwardActs, out: &mut Tensor, x: &Tensor, n: usize) -> Result<()> {
        self.fc1.forward(dev, p, &mut acts.pre, x, n)?;
        activate(dev, self.activation, &mut acts.hidden, &acts.pre)?;
        self.fc2.forward(dev, p, out, &acts.hidden, n)
    }

    /// Accumulates `dx (N, C)` and the weights' gradients.
    pub fn backward(
        &self,
        dev: &Device,
        p: &Tensor,
        g: &mut Tensor,
        acts: &FeedForwardActs,
        dx: &mut Tensor,
        dout: &Tensor,
        x: &Tensor,
        n: usize,
    ) -> Result<()> {
        let mut dhidden = Tensor::zeros(dev, acts.hidden.len());
        self.fc2.backward(dev, p, g, &mut dhidden, dout, &acts.hidden, n)?;
        let mut dpre = Tensor::zeros(dev, acts.pre.len());
        activate_backward(dev, self.activation, &mut dpre, &dhidden, &acts.pre)?;
        self.fc1.backward(dev, p, g, dx, &dpre, x, n)
    }
}
