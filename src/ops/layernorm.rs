//! Layer normalisation over the channel dimension.
//!
//! For each row `x` of `C` values (one token):
//!
//! ```text
//! μ = mean(x)          σ² = mean((x − μ)²)        r = 1 / √(σ² + ε)
//! x̂ = (x − μ) · r      y = γ ⊙ x̂ + β
//! ```
//!
//! Forward caches `μ` and `r` per row for the backward pass. With
//! `g = dout ⊙ γ` (the gradient arriving at `x̂`), the backward is
//!
//! ```text
//! dβ += dout            dγ += dout ⊙ x̂
//! dx += r · (g − mean(g) − x̂ · mean(g ⊙ x̂))
//! ```
//! The two subtracted means are the gradient flowing through `μ` and through
//! `σ²`: shifting or scaling a whole row changes nothing after normalising.

use crate::device::gpu::{grid_1d, Gpu, GpuBuffer, GpuSlice, Kernel};
use crate::device::Device;
use crate::error::{check_len, invalid, Result};

/// The kernels, after the workgroup reductions they use.
const WGSL: &str = concat!(include_str!("reduce.wgsl"), include_str!("layernorm.wgsl"));
const KERNEL_FORWARD: Kernel = Kernel {
    file: "layernorm.wgsl",
    source: WGSL,
    entry: "forward",
};
const KERNEL_BACKWARD_INPUT: Kernel = Kernel {
    file: "layernorm.wgsl",
    source: WGSL,
    entry: "backward_input",
};
const KERNEL_BACKWARD_PARAMS: Kernel = Kernel {
    file: "layernorm.wgsl",
    source: WGSL,
    entry: "backward_params",
};

/// ε inside the square root of our own models, and GPT-2's. Each layer norm
/// carries its own (Hugging Face's BERT checkpoints use 1e-12); it keeps a
/// row of equal values from dividing by zero.
pub const EPS: f32 = 1e-5;

/// Normalise `x: (N, C)` into `out`, caching `mean (N)` and `rstd (N)`.
pub fn forward(
    dev: &Device,
    out: &mut [f32],
    mean: &mut [f32],
    rstd: &mut [f32],
    x: &[f32],
    gamma: &[f32],
    beta: &[f32],
    n: usize,
    c: usize,
    eps: f32,
) -> Result<()> {
    check_len("layernorm", "input", x.len(), &[("N", n), ("C", c)])?;
    check_len("layernorm", "output", out.len(), &[("N", n), ("C", c)])?;
    check_len("layernorm", "gamma", gamma.len(), &[("C", c)])?;
    check_len("layernorm", "beta", beta.len(), &[("C", c)])?;
    check_len("layernorm", "mean cache", mean.len(), &[("N", n)])?;
    check_len("layernorm", "rstd cache", rstd.len(), &[("N", n)])?;
    dev.ensure_cpu("layernorm")?;
    // The SIMD twin of `forward_cpu`, equal to it within rounding.
    super::layernorm_simd::forward_simd(out, mean, rstd, x, gamma, beta, c, eps);
    Ok(())
}

/// Reference forward.
#[allow(clippy::too_many_arguments)]
pub fn forward_cpu(out: &mut [f32], mean: &mut [f32], rstd: &mut [f32], x: &[f32], gamma: &[f32], beta: &[f32], c: usize, eps: f32) {
    for (row, (x_row, out_row)) in x.chunks_exact(c).zip(out.chunks_exact_mut(c)).enumerate() {
        let mu = x_row.iter().sum::<f32>() / c as f32;
        let var = x_row.iter().map(|v| (v - mu) * (v - mu)).sum::<f32>() / c as f32;
        let r = 1.0 / (var + eps).sqrt();
        for j in 0..c {
            let x_hat = (x_row[j] - mu) * r;
            out_row[j] = gamma[j] * x_hat + beta[j];
        }
        mean[row] = mu;
        rstd[row] = r;
    }
}

/// Accumulate `dx`, `dgamma`, `dbeta` from `dout`.
pub fn backward(
    dev: &Device,
    dx: &mut [f32],
    dgamma: &mut [f32],
    dbeta: &mut [f32],
    dout: &[f32],
    x: &[f32],
    mean: &[f32],
    rstd: &[f32],
    gamma: &[f32],
    n: usize,
    c: usize,
) -> Result<()> {
    check_len("layernorm backward", "dout", dout.len(), &[("N", n), ("C", c)])?;
    check_len("layernorm backward", "dx", dx.len(), &[("N", n), ("C", c)])?;
    check_len("layernorm backward", "dgamma", dgamma.len(), &[("C", c)])?;
    check_len("layernorm backward", "dbeta", dbeta.len(), &[("C", c)])?;
    check_len("layernorm backward", "mean cache", mean.len(), &[("N", n)])?;
    dev.ensure_cpu("layernorm")?;
    super::layernorm_simd::backward_simd(dx, dgamma, dbeta, dout, x, mean, rstd, gamma, c);
    Ok(())
}

/// Reference backward (the formulas in the module docs).
pub fn backward_cpu(
    dx: &mut [f32],
    dgamma: &mut [f32],
    dbeta: &mut [f32],
    dout: &[f32],
    x: &[f32],
    mean: &[f32],
    rstd: &[f32],
    gamma: &[f32],
    c: usize,
) {
    for row in 0..mean.len() {
        let (x_row, dout_row) = (&x[row * c..(row + 1) * c], &dout[row * c..(row + 1) * c]);
        let (mu, r) = (mean[row], rstd[row]);
        // mean(g) and mean(g ⊙ x̂), with g = dout ⊙ γ.
        let (mut mean_g, mut mean_g_xhat) = (0.0f32, 0.0f32);
        for j in 0..c {
            let g = dout_row[j] * gamma[j];
            mean_g += g;
            mean_g_xhat += g * (x_row[j] - mu) * r;
        }
        mean_g /= c as f32;
        mean_g_xhat /= c as f32;
        for j in 0..c {
            let x_hat = (x_row[j] - mu) * r;
            dbeta[j] += dout_row[j];
            dgamma[j] += dout_row[j] * x_hat;
            let g = dout_row[j] * gamma[j];
            dx[row * c + j] += r * (g - mean_g - x_hat * mean_g_xhat);
        }
    }
}

/// GPU layer norm forward. `gamma` and `beta` must lie in one buffer (the
/// flat parameters); `mean` and `rstd` are `(N)` each.
pub fn forward_gpu(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    out: GpuSlice,
    mean: &GpuBuffer,
    rstd: &GpuBuffer,
    x: GpuSlice,
    gamma: GpuSlice,
    beta: GpuSlice,
    n: usize,
    c: usize,
    eps: f32,
) -> Result<()> {
    check_gpu_shapes("layernorm", x, out, gamma, beta, n, c)?;
    check_len("layernorm", "mean cache", mean.len(), &[("N", n)])?;
    check_len("layernorm", "rstd cache", rstd.len(), &[("N", n)])?;
    let uniforms = [
        n as u32,
        c as u32,
        x.word(),
        out.word(),
        gamma.word(),
        beta.word(),
        0,
        0,
        0,
        0,
        0,
        eps.to_bits(),
    ];
    let buffers = [(1, x.buffer), (2, gamma.buffer), (3, out.buffer), (4, mean), (5, rstd)];
    gpu.dispatch(encoder, &KERNEL_FORWARD, &uniforms, &buffers, grid_1d(n, 1));
    Ok(())
}

/// GPU layer norm backward: accumulates `dx`, and `dgamma`, `dbeta`, which must
/// lie in one buffer (the flat gradients).
pub fn backward_gpu(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    dx: GpuSlice,
    dgamma: GpuSlice,
    dbeta: GpuSlice,
    dout: GpuSlice,
    x: GpuSlice,
    mean: &GpuBuffer,
    rstd: &GpuBuffer,
    gamma: GpuSlice,
    n: usize,
    c: usize,
) -> Result<()> {
    check_gpu_shapes("layernorm backward", x, dx, dgamma, dbeta, n, c)?;
    check_len("layernorm backward", "dout", dout.len, &[("N", n), ("C", c)])?;
    check_len("layernorm backward", "gamma", gamma.len, &[("C", c)])?;
    let uniforms = [
        n as u32,
        c as u32,
        x.word(),
        0,
        gamma.word(),
        0,
        0,
        dout.word(),
        dx.word(),
        dgamma.word(),
        dbeta.word(),
    ];
    let stats = [(6, mean), (7, rstd), (8, dout.buffer)];
    let input_buffers = [(1, x.buffer), (2, gamma.buffer), stats[0], stats[1], stats[2], (9, dx.buffer)];
    gpu.dispatch(encoder, &KERNEL_BACKWARD_INPUT, &uniforms, &input_buffers, grid_1d(n, 1));
    let param_buffers = [(1, x.buffer), stats[0], stats[1], stats[2], (10, dgamma.buffer)];
    gpu.dispatch(encoder, &KERNEL_BACKWARD_PARAMS, &uniforms, &param_buffers, grid_1d(c, 256));
    Ok(())
}

/// Shapes shared by the GPU forward and backward; the two per-channel
/// tensors must share a buffer because they are bound once.
fn check_gpu_shapes(op: &'static str, x: GpuSlice, out: GpuSlice, first: GpuSlice, second: GpuSlice, n: usize, c: usize) -> Result<()> {
    check_len(op, "input", x.len, &[("N", n), ("C", c)])?;
    check_len(op, "output", out.len, &[("N", n), ("C", c)])?;
    check_len(op, "gamma", first.len, &[("C", c)])?;
    check_len(op, "beta", second.len, &[("C", c)])?;
    if !first.buffer.same_as(second.buffer) {
        return Err(invalid(
            op,
            "gamma and beta (and their gradients) must live in the same GPU buffer, the model's flat parameters.",
        ));
    }
    Ok(())
}
