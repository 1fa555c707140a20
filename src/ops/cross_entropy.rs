//! Softmax cross-entropy over logits, with an ignore index.
//!
//! For one row of logits `z: (V)` and its target class `y`:
//!
//! ```text
//! p = softmax(z)           loss = −log p[y]
//! dloss/dz = p − onehot(y)
//! ```
//! The batch loss is the mean over the rows whose target is not
//! `ignore_index` (padding, or in BERT's masked LM the positions that were not
//! chosen for prediction). Ignored rows add nothing to the loss and get a zero
//! gradient. The log is taken as `z[y] − max − log Σ e^{z−max}`, which stays
//! finite even when `p[y]` underflows.

use crate::device::Device;
use crate::error::{check_len, check_nonzero, invalid, Result};
use crate::ops::softmax::softmax_row;

/// PyTorch's default ignore index, kept for familiarity.
pub const IGNORE_INDEX: i32 = -100;

/// Forward: fills `probs (N, V)` and returns `(mean loss, counted rows)`.
pub fn forward(dev: &Device, probs: &mut [f32], logits: &[f32], targets: &[i32], v: usize, ignore_index: i32) -> Result<(f32, usize)> {
    check_nonzero("cross_entropy", "vocabulary size V", v)?;
    let n = targets.len();
    check_len("cross_entropy", "logits", logits.len(), &[("N", n), ("V", v)])?;
    check_len("cross_entropy", "probs", probs.len(), &[("N", n), ("V", v)])?;
    if let Some(&bad) = targets.iter().find(|&&y| y != ignore_index && (y < 0 || y as usize >= v)) {
        return Err(invalid(
            "cross_entropy",
            format!(
                "target {bad} is not a class in 0..{} and is not the ignore index {ignore_index}.",
                v - 1
            ),
        ));
    }
    match dev {
        Device::Cpu => Ok(forward_cpu(probs, logits, targets, v, ignore_index)),
    }
}

/// Reference forward.
pub fn forward_cpu(probs: &mut [f32], logits: &[f32], targets: &[i32], v: usize, ignore_index: i32) -> (f32, usize) {
    let mut total = 0.0f64;
    let mut count = 0usize;
    for (row, &y) in targets.iter().enumerate() {
        let z = &logits[row * v..(row + 1) * v];
        softmax_row(&mut probs[row * v..(row + 1) * v], z);
        if y == ignore_index {
            continue;
        }
        let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let log_sum: f32 = z.iter().map(|x| (x - max).exp()).sum::<f32>().ln();
        total += (log_sum - (z[y as usize] - max)) as f64;
        count += 1;
    }
    let mean = if count == 0 { 0.0 } else { (total / count as f64) as f32 };
    (mean, count)
}

/// Backward of the mean loss: `dlogits += (p − onehot(y)) / count` on counted rows.
pub fn backward(dev: &Device, dlogits: &mut [f32], probs: &[f32], targets: &[i32], v: usize, ignore_index: i32) -> Result<()> {
    let n = targets.len();
    check_len("cross_entropy backward", "dlogits", dlogits.len(), &[("N", n), ("V", v)])?;
    check_len("cross_entropy backward", "probs", probs.len(), &[("N", n), ("V", v)])?;
    let count = targets.iter().filter(|&&y| y != ignore_index).count();
    if count == 0 {
        return Ok(());
    }
    let scale = 1.0 / count as f32;
    match dev {
        Device::Cpu => {
            for (row, &y) in targets.iter().enumerate() {
                if y == ignore_index {
                    continue;
                }
                for j in 0..v {
                    let onehot = if j == y as usize { 1.0 } else { 0.0 };
                    dlogits[row * v + j] += (probs[row * v + j] - onehot) * scale;
                }
            }
        }
    }
    Ok(())
}
