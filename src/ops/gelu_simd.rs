//! The fast CPU GELU: the formulas of [`gelu`](super::gelu), four values at a
//! time. The only function the vector unit lacks is `tanh`; it is built from
//! the vector [`F32x4::exp`]:
//!
//! ```text
//! tanh u = (e^{2u} − 1) / (e^{2u} + 1) = 1 − 2 / (e^{2u} + 1)
//! ```
//!
//! The second form never divides ∞ by ∞: for large `u`, `e^{2u}` is huge and
//! the fraction vanishes (tanh → 1); for very negative `u` it is 0 (tanh → −1).
//! Near `u = 0` it loses a few bits to cancellation (about 1e-7 absolute), so
//! results agree with the reference to rounding, not bit for bit. The last
//! 1–3 values go through the same vector code, padded.

use super::gelu::{CUBIC, SQRT_2_OVER_PI};
use super::simd::F32x4;

/// `tanh u`, lane by lane.
#[inline(always)]
fn tanh(u: F32x4) -> F32x4 {
    let one = F32x4::splat(1.0);
    one - F32x4::splat(2.0) / ((u + u).exp() + one)
}

/// `u = √(2/π)·(x + 0.044715·x³)`.
#[inline(always)]
fn inner(x: F32x4) -> F32x4 {
    F32x4::splat(SQRT_2_OVER_PI) * (F32x4::splat(CUBIC) * x * x * x + x)
}

/// Apply `f` to `x` four values at a time, writing `out`; the tail is padded with zeros.
#[inline(always)]
fn map4(out: &mut [f32], x: &[f32], f: impl Fn(F32x4, usize) -> F32x4) {
    let whole = x.len() / 4 * 4;
    for i in (0..whole).step_by(4) {
        f(F32x4::load(&x[i..]), i).store(&mut out[i..]);
    }
    if whole < x.len() {
        let rest = x.len() - whole;
        let (mut xs, mut ys) = ([0.0f32; 4], [0.0f32; 4]);
        xs[..rest].copy_from_slice(&x[whole..]);
        f(F32x4::load(&xs), whole).store(&mut ys);
        out[whole..].copy_from_slice(&ys[..rest]);
    }
}

/// `out = ½·x·(1 + tanh u)`, elementwise.
pub fn forward_simd(out: &mut [f32], x: &[f32]) {
    let half = F32x4::splat(0.5);
    map4(out, x, |v, _| half * v * (F32x4::splat(1.0) + tanh(inner(v))));
}

/// `dx += dout · GELU'(x)`, elementwise.
pub fn backward_simd(dx: &mut [f32], dout: &[f32], x: &[f32]) {
    let (half, one) = (F32x4::splat(0.5), F32x4::splat(1.0));
    let whole = x.len() / 4 * 4;
    let slope = |v: F32x4| {
        let th = tanh(inner(v));
        let du_dx = F32x4::splat(SQRT_2_OVER_PI) * (F32x4::splat(3.0 * CUBIC) * v * v + one);
        half * (one + th) + half * v * (one - th * th) * du_dx
    };
    for i in (0..whole).step_by(4) {
        let d = F32x4::load(&dx[i..]) + F32x4::load(&dout[i..]) * slope(F32x4::load(&x[i..]));
        d.store(&mut dx[i..]);
    }
    if whole < x.len() {
        let rest = x.len() - whole;
        let mut xs = [0.0f32; 4];
        xs[..rest].copy_from_slice(&x[whole..]);
        let mut slopes = [0.0f32; 4];
        slope(F32x4::load(&xs)).store(&mut slopes);
        for j in 0..rest {
            dx[whole + j] += dout[whole + j] * slopes[j];
        }
    }
}
