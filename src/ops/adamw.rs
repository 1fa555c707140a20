//! AdamW with global-norm gradient clipping, over one flat parameter buffer.
//!
//! All parameters of a model live in one `Vec<f32>` and their gradients in
//! another of the same length, so one pass updates everything.
//!
//! **Clipping.** `‖g‖ = √(Σ g²)` over *all* gradients. If it exceeds
//! `max_norm`, every gradient is scaled by `max_norm / ‖g‖`: the direction is
//! kept, the step length bounded.
//!
//! **AdamW**, step `t = 1, 2, ...`, per parameter `θ` with gradient `g`:
//!
//! ```text
//! m = β₁ m + (1 − β₁) g             running mean of the gradient
//! v = β₂ v + (1 − β₂) g²            running mean of its square
//! m̂ = m / (1 − β₁ᵗ)   v̂ = v / (1 − β₂ᵗ)     undo the bias of starting at 0
//! θ = θ − lr · ( m̂ / (√v̂ + ε) + λ θ )
//! ```
//! The `λ θ` term is *decoupled* weight decay (Loshchilov & Hutter): it shrinks
//! weights directly instead of being added to `g`, so it is not rescaled by
//! `√v̂`.
//!
//! Worked example (`lr = 0.1, β₁ = 0.9, β₂ = 0.999, ε = 1e-8, λ = 0.01`,
//! `θ = 1, g = 0.5`, first step): `m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25`,
//! `θ = 1 − 0.1·(0.5/0.5 + 0.01) = 0.899`.

use crate::device::gpu::{grid_1d, Gpu, GpuBuffer, Kernel};
use crate::device::Device;
use crate::error::{check_len, invalid, Result};

/// Hyper-parameters of one AdamW step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamWConfig {
    pub lr: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    pub weight_decay: f32,
    /// Clip the global gradient norm to this; `None` disables clipping.
    pub max_grad_norm: Option<f32>,
}

impl Default for AdamWConfig {
    fn default() -> Self {
        AdamWConfig {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.01,
            max_grad_norm: Some(1.0),
        }
    }
}

/// `‖g‖ = √(Σ g²)`, accumulated in f64 so millions of terms lose no precision.
pub fn global_norm(dev: &Device, grads: &[f32]) -> Result<f32> {
    dev.ensure_cpu("adamw")?;
    Ok(grads.iter().map(|&g| (g as f64) * (g as f64)).sum::<f64>().sqrt() as f32)
}

/// The factor that clipping multiplies every gradient by (1 when not clipping).
pub fn clip_scale(norm: f32, max_norm: Option<f32>) -> f32 {
    match max_norm {
        Some(max) if norm > max => max / norm,
        _ => 1.0,
    }
}

/// One AdamW update of `params` in place; `m` and `v` are the moment buffers,
/// `step` counts from 1, `grad_scale` is the clipping factor.
pub fn step(
    dev: &Device,
    params: &mut [f32],
    grads: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    step: u32,
    cfg: &AdamWConfig,
    grad_scale: f32,
) -> Result<()> {
    check_step(params.len(), grads.len(), m.len(), v.len(), step)?;
    dev.ensure_cpu("adamw")?;
    // The SIMD twin of `step_cpu`, equal to it bit for bit.
    super::adamw_simd::step_simd(params, grads, m, v, step, cfg, grad_scale);
    Ok(())
}

/// Gradients and moments must match the parameters; steps count from 1.
fn check_step(n: usize, grads: usize, m: usize, v: usize, step: u32) -> Result<()> {
    check_len("adamw", "grads", grads, &[("P", n)])?;
    check_len("adamw", "m", m, &[("P", n)])?;
    check_len("adamw", "v", v, &[("P", n)])?;
    if step == 0 {
        return Err(invalid("adamw", "step counts from 1 (bias correction divides by 1 − β^step)."));
    }
    Ok(())
}

/// Reference update (the formulas in the module docs).
pub fn step_cpu(params: &mut [f32], grads: &[f32], m: &mut [f32], v: &mut [f32], step: u32, cfg: &AdamWConfig, grad_scale: f32) {
    let bias1 = 1.0 - cfg.beta1.powi(step as i32);
    let bias2 = 1.0 - cfg.beta2.powi(step as i32);
    for i in 0..params.len() {
        let g = grads[i] * grad_scale;
        m[i] = cfg.beta1 * m[i] + (1.0 - cfg.beta1) * g;
        v[i] = cfg.beta2 * v[i] + (1.0 - cfg.beta2) * g * g;
        let m_hat = m[i] / bias1;
        let v_hat = v[i] / bias2;
        params[i] -= cfg.lr * (m_hat / (v_hat.sqrt() + cfg.eps) + cfg.weight_decay * params[i]);
    }
}

/// The kernels, after the workgroup reductions they use.
const WGSL: &str = concat!(include_str!("reduce.wgsl"), include_str!("adamw.wgsl"));
const NORM_PARTIAL: Kernel = Kernel {
    file: "adamw.wgsl",
    source: WGSL,
    entry: "norm_partial",
};
const NORM_TOTAL: Kernel = Kernel {
    file: "adamw.wgsl",
    source: WGSL,
    entry: "norm_total",
};
const STEP: Kernel = Kernel {
    file: "adamw.wgsl",
    source: WGSL,
    entry: "step",
};

/// Gradients summed by one workgroup of the norm kernel (256 invocations × 16).
const NORM_CHUNK: usize = 256 * 16;

/// GPU: `norm_sq[0] = Σ g²` over all gradients (read it back for a chart, or
/// leave it on the GPU for [`step_gpu`]).
pub fn global_norm_sq_gpu(gpu: &Gpu, encoder: &mut wgpu::CommandEncoder, norm_sq: &GpuBuffer, grads: &GpuBuffer) -> Result<()> {
    let partials = grads.len().div_ceil(NORM_CHUNK).max(1);
    let partial = gpu.zeros(partials);
    let uniforms = uniform_words(grads.len(), partials, 1, &AdamWConfig::default());
    gpu.dispatch(
        encoder,
        &NORM_PARTIAL,
        &uniforms,
        &[(1, grads), (2, &partial)],
        grid_1d(partials, 1),
    );
    gpu.dispatch(encoder, &NORM_TOTAL, &uniforms, &[(3, &partial), (4, norm_sq)], [1, 1, 1]);
    Ok(())
}

/// GPU: clip by the global norm and update every parameter, all on the GPU.
pub fn step_gpu(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    params: &GpuBuffer,
    grads: &GpuBuffer,
    m: &GpuBuffer,
    v: &GpuBuffer,
    norm_sq: &GpuBuffer,
    step: u32,
    cfg: &AdamWConfig,
) -> Result<()> {
    check_step(params.len(), grads.len(), m.len(), v.len(), step)?;
    global_norm_sq_gpu(gpu, encoder, norm_sq, grads)?;
    let n = params.len();
    let uniforms = uniform_words(n, 0, step, cfg);
    let buffers = [(1, grads), (5, norm_sq), (6, params), (7, m), (8, v)];
    gpu.dispatch(encoder, &STEP, &uniforms, &buffers, grid_1d(n, 256));
    Ok(())
}

fn uniform_words(n: usize, partials: usize, step: u32, cfg: &AdamWConfig) -> [u32; 11] {
    let bias1 = 1.0 - cfg.beta1.powi(step as i32);
    let bias2 = 1.0 - cfg.beta2.powi(step as i32);
    [
        n as u32,
        partials as u32,
        cfg.max_grad_norm.is_some() as u32,
        cfg.max_grad_norm.unwrap_or(0.0).to_bits(),
        cfg.lr.to_bits(),
        cfg.beta1.to_bits(),
        cfg.beta2.to_bits(),
        cfg.eps.to_bits(),
        cfg.weight_decay.to_bits(),
        bias1.to_bits(),
        bias2.to_bits(),
    ]
}
