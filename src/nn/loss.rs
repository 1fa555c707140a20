//! `CrossEntropy`: the loss every model here trains with, on either device.
//!
//! For `N` rows of logits over `V` classes and one target class `y` per row,
//!
//! ```text
//! p = softmax(z)                                  probs: (N, V)
//! loss = mean over rows with y ≠ ignore of  −log p[y]
//! ∂loss/∂z = (p − onehot(y)) / count              dlogits: (N, V)
//! ```
//!
//! With label smoothing ε the target is `(1 − ε)·onehot(y) + ε/V` instead of
//! the one-hot vector (the original Transformer trains with ε = 0.1), which
//! keeps the model from becoming certain. Rows whose target is
//! [`IGNORE_INDEX`] (padding, unmasked BERT positions) count for nothing.
//!
//! The layer owns no parameters. On the CPU it runs the op's loops; on the
//! GPU its kernels, whose targets are uploaded once in `forward` and kept
//! for `backward` (a [`GpuTargets`]). Only `loss[0]` is ever read back.

use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::{Error, Result};
use crate::ops::cross_entropy::{self, GpuTargets, IGNORE_INDEX};

/// Mean cross-entropy over `classes`, with label smoothing `smoothing` (0: none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CrossEntropy {
    pub classes: usize,
    pub smoothing: f32,
}

impl CrossEntropy {
    /// Plain cross-entropy (no label smoothing).
    pub fn new(classes: usize) -> CrossEntropy {
        CrossEntropy { classes, smoothing: 0.0 }
    }

    /// `loss[0]` = the mean loss of `logits (N, V)` against `targets (N)`, and
    /// `probs (N, V)` = their softmax, kept for backward. On the GPU the
    /// uploaded targets are returned: pass them to [`CrossEntropy::backward`].
    pub fn forward(
        &self,
        dev: &Device,
        loss: &mut Tensor,
        probs: &mut Tensor,
        logits: &Tensor,
        targets: &[i32],
    ) -> Result<Option<GpuTargets>> {
        let v = self.classes;
        match dev {
            Device::Cpu => {
                let (mean, _) = cross_entropy::forward(dev, probs.host_mut()?, logits.host()?, targets, v, IGNORE_INDEX, self.smoothing)?;
                loss.host_mut()?[0] = mean;
                Ok(None)
            }
            Device::Gpu(gpu) => {
                let gpu_targets = GpuTargets::new(gpu, targets, v, IGNORE_INDEX, self.smoothing)?;
                let (loss, probs, logits) = (loss.gpu()?, probs.gpu()?, logits.gpu_all()?);
                gpu.record(|e| cross_entropy::forward_gpu(gpu, e, loss, probs, logits, &gpu_targets, v))?;
                Ok(Some(gpu_targets))
            }
        }
    }

    /// `dlogits (N, V)` of the mean loss, from forward's `probs` (and, on the
    /// GPU, the targets forward uploaded).
    pub fn backward(&self, dev: &Device, probs: &Tensor, targets: &[i32], gpu_targets: Option<&GpuTargets>) -> Result<Tensor> {
        let v = self.classes;
        // ∂loss/∂z = (p − q) / count, q the (smoothed) target distribution
        let mut dlogits = Tensor::zeros(dev, probs.len());
        match dev {
            Device::Cpu => cross_entropy::backward(dev, dlogits.host_mut()?, probs.host()?, targets, v, IGNORE_INDEX, self.smoothing)?,
            Device::Gpu(gpu) => {
                let targets = gpu_targets.ok_or_else(|| Error::Backend("cross_entropy backward: call forward first.".into()))?;
                let (dl, probs) = (dlogits.gpu()?, probs.gpu()?);
                gpu.record(|e| cross_entropy::backward_gpu(gpu, e, dl, probs, targets, v))?;
            }
        }
        Ok(dlogits)
    }
}
