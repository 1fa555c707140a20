//! `Dropout` as the layers use it: during training, each sub-layer's output
//! (and the embeddings) loses a random fraction `p` of its values before it
//! joins the residual stream, the survivors scaled by `1/(1−p)`
//! ([`ops::dropout`](crate::ops::dropout) has the math). Decoding and
//! evaluation use [`Dropout::OFF`], which passes values through untouched.
//!
//! Every place that drops values is a *site* with its own seed, derived from
//! the step's seed and the site's number, so no two sites (and no two steps)
//! drop the same pattern, while the same seed always drops the same values on
//! the CPU and on the GPU.

use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::Result;
use crate::ops::dropout;

/// The probability of dropping a value, and the seed of the coin flips.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dropout {
    pub p: f32,
    pub seed: u64,
}

/// What a dropout site keeps for backward: its output and its mask
/// (0 or `1/(1−p)` per value). Empty until the site first drops something.
#[derive(Debug, Clone)]
pub struct DropoutActs {
    pub out: Tensor,  // (N)
    pub mask: Tensor, // (N)
}

impl DropoutActs {
    pub fn new(dev: &Device) -> DropoutActs {
        DropoutActs {
            out: Tensor::zeros(dev, 0),
            mask: Tensor::zeros(dev, 0),
        }
    }
}

impl Dropout {
    /// No dropout (inference, or a model trained without it).
    pub const OFF: Dropout = Dropout { p: 0.0, seed: 0 };

    pub fn is_on(&self) -> bool {
        self.p > 0.0
    }

    /// The same probability with the seed of site number `site`.
    pub fn site(&self, site: u64) -> Dropout {
        // SplitMix64's finaliser: nearby (seed, site) pairs give unrelated seeds.
        let mut z = self.seed ^ site.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Dropout {
            p: self.p,
            seed: z ^ (z >> 31),
        }
    }

    /// The tensor to use downstream: `x` itself when off, otherwise
    /// `acts.out = x ⊙ mask` with a fresh mask kept in `acts`.
    pub fn forward<'a>(&self, dev: &Device, acts: &'a mut DropoutActs, x: &'a Tensor) -> Result<&'a Tensor> {
        if !self.is_on() {
            return Ok(x);
        }
        if acts.out.len() != x.len() {
            acts.out = Tensor::zeros(dev, x.len());
            acts.mask = Tensor::zeros(dev, x.len());
        }
        match dev {
            Device::Cpu => dropout::forward(dev, acts.out.host_mut()?, acts.mask.host_mut()?, x.host()?, self.p, self.seed, true)?,
            Device::Gpu(gpu) => {
                let (out, mask, x) = (acts.out.gpu_all()?, acts.mask.gpu_all()?, x.gpu_all()?);
                gpu.record(|e| dropout::forward_gpu(gpu, e, out, mask, x, self.p, self.seed, true))?;
            }
        }
        Ok(&acts.out)
    }

    /// The gradient for `x` from the gradient `dout` of the site's output:
    /// `dout ⊙ mask`, or `dout` itself when off.
    pub fn backward(&self, dev: &Device, acts: &DropoutActs, dout: Tensor) -> Result<Tensor> {
        if !self.is_on() {
            return Ok(dout);
        }
        let mut dx = Tensor::zeros(dev, dout.len());
        match dev {
            Device::Cpu => dropout::backward(dev, dx.host_mut()?, dout.host()?, acts.mask.host()?)?,
            Device::Gpu(gpu) => {
                let (dx, dout, mask) = (dx.gpu_all()?, dout.gpu_all()?, acts.mask.gpu_all()?);
                gpu.record(|e| dropout::backward_gpu(gpu, e, dx, dout, mask))?;
            }
        }
        Ok(dx)
    }
}
