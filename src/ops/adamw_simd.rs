//! The fast CPU AdamW step: the reference update
//! ([`adamw::step_cpu`](super::adamw::step_cpu)) on four parameters at a
//! time. Each lane does the reference's operations in the reference's order,
//! and `+ − × ÷ √` are correctly rounded on every target, so the result equals
//! the reference bit for bit (no fused multiply-add here, on purpose: the
//! optimizer state stays identical across builds and devices' CPU paths).

use super::adamw::AdamWConfig;
use super::simd::F32x4;

/// Same contract as the reference step.
pub fn step_simd(params: &mut [f32], grads: &[f32], m: &mut [f32], v: &mut [f32], step: u32, cfg: &AdamWConfig, grad_scale: f32) {
    let bias1 = 1.0 - cfg.beta1.powi(step as i32);
    let bias2 = 1.0 - cfg.beta2.powi(step as i32);
    let s = F32x4::splat;
    let (beta1, beta2, one_minus_beta1, one_minus_beta2) = (s(cfg.beta1), s(cfg.beta2), s(1.0 - cfg.beta1), s(1.0 - cfg.beta2));
    let (bias1_4, bias2_4, lr, eps, decay, scale) = (s(bias1), s(bias2), s(cfg.lr), s(cfg.eps), s(cfg.weight_decay), s(grad_scale));
    let whole = params.len() / 4 * 4;
    for i in (0..whole).step_by(4) {
        let g = F32x4::load(&grads[i..]) * scale;
        let m4 = beta1 * F32x4::load(&m[i..]) + one_minus_beta1 * g;
        let v4 = beta2 * F32x4::load(&v[i..]) + one_minus_beta2 * g * g;
        let (m_hat, v_hat) = (m4 / bias1_4, v4 / bias2_4);
        let p = F32x4::load(&params[i..]);
        (p - lr * (m_hat / (v_hat.sqrt() + eps) + decay * p)).store(&mut params[i..]);
        m4.store(&mut m[i..]);
        v4.store(&mut v[i..]);
    }
    // The last 1–3 parameters: the reference itself.
    let tail = whole..params.len();
    super::adamw::step_cpu(
        &mut params[tail.clone()],
        &grads[tail.clone()],
        &mut m[tail.clone()],
        &mut v[tail],
        step,
        cfg,
        grad_scale,
    );
}
