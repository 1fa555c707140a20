//! Dropout: during training, zero each value with probability `p` and scale
//! the survivors by `1/(1−p)` so the expected value is unchanged; in
//! evaluation, do nothing.
//!
//! ```text
//! forward   keep ~ Bernoulli(1 − p)     mask = keep / (1 − p)     y = x ⊙ mask
//! backward  dx += dout ⊙ mask
//! ```
//! The coin flip of value `i` is a hash of `(seed, i)` rather than the next
//! draw of a sequential generator: a GPU flips all coins at once, in no
//! particular order, and this way the CPU and the GPU drop exactly the same
//! values for the same seed. Forward stores the mask (0 or `1/(1−p)` per
//! value) for the backward pass.

use crate::device::gpu::{grid_1d, Gpu, GpuSlice, Kernel};
use crate::device::Device;
use crate::error::{check_len, invalid, Result};

const KERNEL_FORWARD: Kernel = Kernel {
    file: "dropout.wgsl",
    source: include_str!("dropout.wgsl"),
    entry: "forward",
};
const KERNEL_BACKWARD: Kernel = Kernel {
    file: "dropout.wgsl",
    source: include_str!("dropout.wgsl"),
    entry: "backward",
};

/// PCG's output permutation (O'Neill; as a hash: Jarzynski & Olano 2020).
fn pcg_hash(v: u32) -> u32 {
    let state = v.wrapping_mul(747_796_405).wrapping_add(2_891_336_453);
    let word = ((state >> ((state >> 28) + 4)) ^ state).wrapping_mul(277_803_737);
    (word >> 22) ^ word
}

/// A number uniform in `[0, 1)` determined by `(seed, index)`; `dropout.wgsl`
/// computes the same bits.
pub fn uniform_hash(seed: u64, index: u32) -> f32 {
    let seed = (seed ^ (seed >> 32)) as u32;
    (pcg_hash(index ^ pcg_hash(seed)) >> 8) as f32 / 16_777_216.0
}

fn check_p(p: f32) -> Result<()> {
    if !(0.0..1.0).contains(&p) {
        return Err(invalid(
            "dropout",
            format!("p={p} must be in [0, 1): it is the probability of dropping a value."),
        ));
    }
    Ok(())
}

/// Apply dropout to `x` into `out`, writing the multiplier of each value to `mask`.
/// With `training` false (or `p == 0`) the mask is all ones and `out = x`.
pub fn forward(dev: &Device, out: &mut [f32], mask: &mut [f32], x: &[f32], p: f32, seed: u64, training: bool) -> Result<()> {
    check_p(p)?;
    check_len("dropout", "output", out.len(), &[("N", x.len())])?;
    check_len("dropout", "mask", mask.len(), &[("N", x.len())])?;
    dev.ensure_cpu("dropout")?;
    let keep_scale = 1.0 / (1.0 - p);
    for (i, m) in mask.iter_mut().enumerate() {
        let dropped = training && uniform_hash(seed, i as u32) < p;
        *m = if dropped {
            0.0
        } else if training {
            keep_scale
        } else {
            1.0
        };
    }
    for ((o, &v), &m) in out.iter_mut().zip(x).zip(mask.iter()) {
        *o = v * m;
    }
    Ok(())
}

/// `dx += dout ⊙ mask`.
pub fn backward(dev: &Device, dx: &mut [f32], dout: &[f32], mask: &[f32]) -> Result<()> {
    check_len("dropout backward", "mask", mask.len(), &[("N", dout.len())])?;
    check_len("dropout backward", "dx", dx.len(), &[("N", dout.len())])?;
    dev.ensure_cpu("dropout")?;
    for ((d, g), m) in dx.iter_mut().zip(dout).zip(mask) {
        *d += g * m;
    }
    Ok(())
}

/// GPU forward: fills `out` and `mask` exactly as the CPU does for the same seed.
pub fn forward_gpu(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    out: GpuSlice,
    mask: GpuSlice,
    x: GpuSlice,
    p: f32,
    seed: u64,
    training: bool,
) -> Result<()> {
    check_p(p)?;
    check_len("dropout", "output", out.len, &[("N", x.len)])?;
    check_len("dropout", "mask", mask.len, &[("N", x.len)])?;
    let seed32 = (seed ^ (seed >> 32)) as u32;
    let p_effective = if training { p } else { 0.0 };
    let scale = if training { 1.0 / (1.0 - p) } else { 1.0 };
    let uniforms = [
        x.len as u32,
        x.word(),
        out.word(),
        mask.word(),
        seed32,
        p_effective.to_bits(),
        scale.to_bits(),
    ];
    gpu.dispatch(
        encoder,
        &KERNEL_FORWARD,
        &uniforms,
        &[(1, x.buffer), (2, out.buffer), (3, mask.buffer)],
        grid_1d(x.len, 256),
    );
    Ok(())
}

/// GPU backward: `dx += dout ⊙ mask`.
pub fn backward_gpu(gpu: &Gpu, encoder: &mut wgpu::CommandEncoder, dx: GpuSlice, dout: GpuSlice, mask: GpuSlice) -> Result<()> {
    check_len("dropout backward", "mask", mask.len, &[("N", dout.len)])?;
    check_len("dropout backward", "dx", dx.len, &[("N", dout.len)])?;
    let uniforms = [dout.len as u32, dout.word(), dx.word(), mask.word(), 0, 0, 0]; // the whole Params struct
    gpu.dispatch(
        encoder,
        &KERNEL_BACKWARD,
        &uniforms,
        &[(4, dx.buffer), (5, dout.buffer), (6, mask.buffer)],
        grid_1d(dout.len, 256),
    );
    Ok(())
}
