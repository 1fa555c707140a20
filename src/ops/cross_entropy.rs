//! Softmax cross-entropy over logits, with an ignore index and optional
//! label smoothing.
//!
//! For one row of logits `z: (V)` and its target class `y`:
//!
//! ```text
//! p = softmax(z)           loss = −log p[y]
//! dloss/dz = p − onehot(y)
//! ```
//! **Label smoothing** ε (the original Transformer used 0.1) trains against
//! a softened target instead of the one-hot: `q = (1 − ε)·onehot(y) + ε/V`,
//! so the model is never pushed towards infinite confidence:
//!
//! ```text
//! loss = −Σⱼ qⱼ log pⱼ = (1 − ε)(lse − z[y]) + ε(lse − mean(z))     lse = log Σ e^z
//! dloss/dz = p − q
//! ```
//! With ε = 0 both lines are the plain ones above.
//! The batch loss is the mean over the rows whose target is not
//! `ignore_index` (padding, or in BERT's masked LM the positions that were not
//! chosen for prediction). Ignored rows add nothing to the loss and get a zero
//! gradient. The log is taken as `z[y] − max − log Σ e^{z−max}`, which stays
//! finite even when `p[y]` underflows.

use crate::device::gpu::{grid_1d, Gpu, GpuBuffer, GpuSlice, Kernel};
use crate::device::Device;
use crate::error::{check_len, check_nonzero, invalid, Result};
use crate::ops::softmax::softmax_row;

/// PyTorch's default ignore index, kept for familiarity.
pub const IGNORE_INDEX: i32 = -100;

/// Forward: fills `probs (N, V)` and returns `(mean loss, counted rows)`;
/// `smoothing` is the label smoothing ε (0 for plain cross-entropy).
pub fn forward(
    dev: &Device,
    probs: &mut [f32],
    logits: &[f32],
    targets: &[i32],
    v: usize,
    ignore_index: i32,
    smoothing: f32,
) -> Result<(f32, usize)> {
    check_nonzero("cross_entropy", "vocabulary size V", v)?;
    check_smoothing(smoothing)?;
    let n = targets.len();
    check_len("cross_entropy", "logits", logits.len(), &[("N", n), ("V", v)])?;
    check_len("cross_entropy", "probs", probs.len(), &[("N", n), ("V", v)])?;
    check_targets(targets, v, ignore_index)?;
    dev.ensure_cpu("cross_entropy")?;
    // The vector softmax also gives the log-sum-exp the loss needs.
    let (mut total, mut count) = (0.0f64, 0usize);
    for ((p, z), &y) in probs.chunks_exact_mut(v).zip(logits.chunks_exact(v)).zip(targets) {
        p.copy_from_slice(z);
        let log_sum = super::softmax_simd::softmax_in_place_with_log_sum(p);
        if y != ignore_index {
            let mean_z = if smoothing == 0.0 { 0.0 } else { z.iter().sum::<f32>() / v as f32 };
            total += (log_sum - (1.0 - smoothing) * z[y as usize] - smoothing * mean_z) as f64;
            count += 1;
        }
    }
    Ok((if count == 0 { 0.0 } else { (total / count as f64) as f32 }, count))
}

fn check_smoothing(smoothing: f32) -> Result<()> {
    if !(0.0..1.0).contains(&smoothing) {
        return Err(invalid(
            "cross_entropy",
            format!("label smoothing {smoothing} must be in [0, 1) (0.1 is usual; 0 turns it off)."),
        ));
    }
    Ok(())
}

/// Every target must be a class in `0..V` or the ignore index.
fn check_targets(targets: &[i32], v: usize, ignore_index: i32) -> Result<()> {
    check_nonzero("cross_entropy", "vocabulary size V", v)?;
    match targets.iter().find(|&&y| y != ignore_index && (y < 0 || y as usize >= v)) {
        Some(&bad) => Err(invalid(
            "cross_entropy",
            format!(
                "target {bad} is not a class in 0..{} and is not the ignore index {ignore_index}.",
                v - 1
            ),
        )),
        None => Ok(()),
    }
}

/// Reference forward: softmax and `−Σ q log p` row by row, the mean over
/// rows that are not ignored; returns (mean loss, rows counted).
pub fn forward_cpu(probs: &mut [f32], logits: &[f32], targets: &[i32], v: usize, ignore_index: i32, smoothing: f32) -> (f32, usize) {
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
        // −log pⱼ = log_sum − (zⱼ − max); weighted by q = (1 − ε)·onehot + ε/V.
        let nll_target = log_sum - (z[y as usize] - max);
        let nll_mean = z.iter().map(|&x| log_sum - (x - max)).sum::<f32>() / v as f32;
        total += ((1.0 - smoothing) * nll_target + smoothing * nll_mean) as f64;
        count += 1;
    }
    let mean = if count == 0 { 0.0 } else { (total / count as f64) as f32 };
    (mean, count)
}

/// Backward of the mean loss: `dlogits += (p − q) / count` on counted rows,
/// `q = (1 − ε)·onehot(y) + ε/V`.
pub fn backward(
    dev: &Device,
    dlogits: &mut [f32],
    probs: &[f32],
    targets: &[i32],
    v: usize,
    ignore_index: i32,
    smoothing: f32,
) -> Result<()> {
    check_smoothing(smoothing)?;
    let n = targets.len();
    check_len("cross_entropy backward", "dlogits", dlogits.len(), &[("N", n), ("V", v)])?;
    check_len("cross_entropy backward", "probs", probs.len(), &[("N", n), ("V", v)])?;
    let count = targets.iter().filter(|&&y| y != ignore_index).count();
    if count == 0 {
        return Ok(());
    }
    let scale = 1.0 / count as f32;
    let (hit, spread) = (1.0 - smoothing, smoothing / v as f32);
    dev.ensure_cpu("cross_entropy")?;
    for (row, &y) in targets.iter().enumerate() {
        if y == ignore_index {
            continue;
        }
        for j in 0..v {
            let q = if j == y as usize { hit + spread } else { spread };
            dlogits[row * v + j] += (probs[row * v + j] - q) * scale;
        }
    }
    Ok(())
}

/// The kernels, after the workgroup reductions they use.
const WGSL: &str = concat!(include_str!("reduce.wgsl"), include_str!("cross_entropy.wgsl"));
const FORWARD: Kernel = Kernel {
    file: "cross_entropy.wgsl",
    source: WGSL,
    entry: "forward",
};
const MEAN: Kernel = Kernel {
    file: "cross_entropy.wgsl",
    source: WGSL,
    entry: "mean",
};
const BACKWARD: Kernel = Kernel {
    file: "cross_entropy.wgsl",
    source: WGSL,
    entry: "backward",
};

/// The targets checked and uploaded once, with the `1/count` of the mean.
#[derive(Debug)]
pub struct GpuTargets {
    ids: GpuBuffer,
    n: usize,
    scale: f32,
    ignore_index: i32,
    smoothing: f32,
}

impl GpuTargets {
    /// Check `targets` against `V` and upload them, with the label smoothing ε.
    pub fn new(gpu: &Gpu, targets: &[i32], v: usize, ignore_index: i32, smoothing: f32) -> Result<GpuTargets> {
        check_targets(targets, v, ignore_index)?;
        check_smoothing(smoothing)?;
        let count = targets.iter().filter(|&&y| y != ignore_index).count();
        let bits: Vec<u32> = targets.iter().map(|&y| y as u32).collect();
        Ok(GpuTargets {
            ids: gpu.upload_u32(&bits),
            n: targets.len(),
            scale: if count == 0 { 0.0 } else { 1.0 / count as f32 },
            ignore_index,
            smoothing,
        })
    }
}

/// GPU forward: fills `probs (N, V)` and writes the mean loss into `loss[0]`
/// (a one-value buffer: the only number a training step reads back).
pub fn forward_gpu(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    loss: &GpuBuffer,
    probs: &GpuBuffer,
    logits: GpuSlice,
    targets: &GpuTargets,
    v: usize,
) -> Result<()> {
    let n = targets.n;
    check_len("cross_entropy", "logits", logits.len, &[("N", n), ("V", v)])?;
    check_len("cross_entropy", "probs", probs.len(), &[("N", n), ("V", v)])?;
    let losses = gpu.zeros(n);
    let uniforms = [
        n as u32,
        v as u32,
        logits.word(),
        targets.ignore_index as u32,
        targets.scale.to_bits(),
        targets.smoothing.to_bits(),
    ];
    let buffers = [(1, logits.buffer), (2, &targets.ids), (3, probs), (4, &losses)];
    gpu.dispatch(encoder, &FORWARD, &uniforms, &buffers, grid_1d(n, 1));
    gpu.dispatch(encoder, &MEAN, &uniforms, &[(5, &losses), (6, loss)], [1, 1, 1]);
    Ok(())
}

/// GPU backward of the mean loss: `dlogits += (p − q) / count`.
pub fn backward_gpu(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    dlogits: &GpuBuffer,
    probs: &GpuBuffer,
    targets: &GpuTargets,
    v: usize,
) -> Result<()> {
    let n = targets.n;
    check_len("cross_entropy backward", "dlogits", dlogits.len(), &[("N", n), ("V", v)])?;
    check_len("cross_entropy backward", "probs", probs.len(), &[("N", n), ("V", v)])?;
    let uniforms = [
        n as u32,
        v as u32,
        0,
        targets.ignore_index as u32,
        targets.scale.to_bits(),
        targets.smoothing.to_bits(),
    ];
    gpu.dispatch(
        encoder,
        &BACKWARD,
        &uniforms,
        &[(2, &targets.ids), (7, probs), (8, dlogits)],
        grid_1d(n * v, 256),
    );
    Ok(())
}
