//! The fast CPU softmax: the reference's three passes over a row
//! ([`softmax_row`](super::softmax::softmax_row)), four lanes at a time.
//!
//! 1. `m = max x` (subtracting it keeps every `e^(x−m)` in (0, 1]);
//! 2. `e = exp(x − m)` with the vector [`F32x4::exp`], summed in four lanes;
//! 3. `y = e / Σ e`.
//!
//! The last 1–3 values of a row are padded with −∞ (whose exp is exactly 0)
//! so that they go through the same `exp` as the rest. A row that is all −∞
//! (every key masked) gives zeros, as in the reference. `F32x4::exp` is
//! within 2 ulp of `f32::exp` and the sum is taken in another order, so
//! results agree with the reference to rounding.

use super::simd::F32x4;

/// Softmax of `x` into `out` (equal lengths).
pub fn softmax_row_simd(out: &mut [f32], x: &[f32]) {
    out.copy_from_slice(x);
    softmax_in_place(out);
}

/// Softmax of `row`, overwriting it.
pub fn softmax_in_place(row: &mut [f32]) {
    softmax_in_place_with_log_sum(row);
}

/// Softmax of `row`, overwriting it; returns `ln Σ e^x` (the log-sum-exp,
/// which cross-entropy needs: `−ln p_y = lse − x_y`), or −∞ for an all-−∞ row.
pub fn softmax_in_place_with_log_sum(row: &mut [f32]) -> f32 {
    let whole = row.len() / 4 * 4;
    // 1. The row's maximum.
    let mut max4 = F32x4::splat(f32::NEG_INFINITY);
    for i in (0..whole).step_by(4) {
        max4 = max4.max(F32x4::load(&row[i..]));
    }
    let max = row[whole..].iter().copied().fold(max4.max_lane(), f32::max);
    if max == f32::NEG_INFINITY {
        row.fill(0.0);
        return f32::NEG_INFINITY;
    }
    // 2. Exponentials and their sum.
    let max4 = F32x4::splat(max);
    let mut sum4 = F32x4::splat(0.0);
    for i in (0..whole).step_by(4) {
        let e = (F32x4::load(&row[i..]) - max4).exp();
        e.store(&mut row[i..]);
        sum4 = sum4 + e;
    }
    let mut tail = [f32::NEG_INFINITY; 4];
    let rest = row.len() - whole;
    tail[..rest].copy_from_slice(&row[whole..]);
    let e = (F32x4::load(&tail) - max4).exp();
    e.store(&mut tail);
    row[whole..].copy_from_slice(&tail[..rest]);
    let sum = (sum4 + e).sum();
    // 3. Normalise.
    let sum4 = F32x4::splat(sum);
    for i in (0..whole).step_by(4) {
        (F32x4::load(&row[i..]) / sum4).store(&mut row[i..]);
    }
    for value in &mut row[whole..] {
        *value /= sum;
    }
    max + sum.ln()
}
