//! The fast CPU attention forward: the loops of
//! [`attention::forward_cpu`](super::attention::forward_cpu) with the two
//! inner products over a head's `HS` channels done four at a time.
//!
//! - `q·k` for every key: four partial sums in one vector, added up at the end;
//! - `out += w · v` for every key: four channels updated per instruction.
//!
//! The softmax between them is the reference's own (`softmax_row`). Summing
//! `q·k` in four lanes adds in another order than the reference's one running
//! sum, so results agree to rounding (tested at 1e-6 + 1e-5·|x|), not bit for
//! bit; a masked key still gets a weight of exactly 0.

use super::attention::{AttentionShape, Mask};
use super::simd::F32x4;
use super::softmax::softmax_row;

/// `Σ x·y` over two equal-length slices, four lanes at a time.
#[inline(always)]
fn dot(x: &[f32], y: &[f32]) -> f32 {
    let (mut acc, mut i) = (F32x4::splat(0.0), 0);
    while i + 4 <= x.len() {
        acc = acc + F32x4::load(&x[i..]) * F32x4::load(&y[i..]);
        i += 4;
    }
    let tail: f32 = x[i..].iter().zip(&y[i..]).map(|(a, b)| a * b).sum();
    acc.sum() + tail
}

/// `out += w · x`, four lanes at a time.
#[inline(always)]
fn axpy(out: &mut [f32], w: f32, x: &[f32]) {
    let (wv, mut i) = (F32x4::splat(w), 0);
    while i + 4 <= out.len() {
        (F32x4::load(&out[i..]) + wv * F32x4::load(&x[i..])).store(&mut out[i..]);
        i += 4;
    }
    for (o, v) in out[i..].iter_mut().zip(&x[i..]) {
        *o += w * v;
    }
}

/// Same contract as the reference forward: `out (B,T,C)`, scaled `scores`
/// before the mask and `weights` after it, both `(B,NH,T,S)`.
pub fn forward_simd(
    out: &mut [f32],
    scores: &mut [f32],
    weights: &mut [f32],
    q: &[f32],
    k: &[f32],
    v: &[f32],
    shape: AttentionShape,
    mask: Mask,
) {
    let AttentionShape {
        b: bsz,
        t: tq,
        s: sk,
        c,
        nh,
    } = shape;
    let hs = shape.hs();
    let scale = 1.0 / (hs as f32).sqrt();
    let mut masked = vec![0.0f32; sk];
    for b in 0..bsz {
        for h in 0..nh {
            for t in 0..tq {
                let q_row = &q[(b * tq + t) * c + h * hs..][..hs];
                let row = ((b * nh + h) * tq + t) * sk;
                for s in 0..sk {
                    let score = dot(q_row, &k[(b * sk + s) * c + h * hs..][..hs]) * scale;
                    scores[row + s] = score;
                    masked[s] = if mask.visible(&shape, b, t, s) { score } else { f32::NEG_INFINITY };
                }
                softmax_row(&mut weights[row..row + sk], &masked);
                let out_row = &mut out[(b * tq + t) * c + h * hs..][..hs];
                out_row.fill(0.0);
                for s in 0..sk {
                    let w = weights[row + s];
                    if w != 0.0 {
                        axpy(out_row, w, &v[(b * sk + s) * c + h * hs..][..hs]);
                    }
                }
            }
        }
    }
}
