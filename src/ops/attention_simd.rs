//! The fast CPU attention: two forwards and a backward.
//!
//! **[`forward_simd`]** keeps the contract of the reference
//! ([`attention::forward_cpu`](super::attention::forward_cpu)): besides the
//! output it fills the `(B,NH,T,S)` score and weight matrices, which the
//! widgets draw and the backward pass reads. Its loops are the reference's,
//! with the two inner products over a head's `HS` channels four at a time
//! (`q·k` in four partial sums; `out += w · v` four channels per instruction)
//! and the vector softmax of [`softmax_simd`](super::softmax_simd).
//!
//! **[`backward_simd`]** is the reference backward with the same two inner
//! products four channels at a time, skipping keys of weight 0.
//!
//! **[`forward_fused`]** computes the output only, the way inference wants
//! it: per head and per block of 8 queries, their scores, softmax and
//! weighted sum of values are done while the block sits in a small scratch
//! buffer; the `(T, S)` matrices never exist in memory. Both products run on
//! the matmul's 4×8 register-blocked micro-kernel ([`block_4x8`]), computed
//! transposed so that one vector holds one key for four queries:
//!
//! ```text
//! scoresᵀ  (S, 8)  = K_h (S, HS) · (Q_blockᵀ / √HS) (HS, 8)   K_h packed in blocks of 4 keys
//! weightsᵀ (S, 8)  = softmax down each column, over that query's visible keys
//! outᵀ     (HS, 8) = V_hᵀ (HS, S) · weightsᵀ (S, 8)           V_hᵀ packed in blocks of 4 channels
//! ```
//!
//! The softmax then needs no horizontal sums. Masks hide a suffix of the
//! keys (see [`Mask::visible_keys`]), so a block only computes the keys its
//! queries can see: a causal mask halves the work. With the `threads`
//! feature, batch items are shared out over a thread pool.
//!
//! Sums are taken in another order than the reference's single running sum,
//! so all three agree with it to rounding (tested at 1e-6 + 1e-5·|x|), not
//! bit for bit; a masked key still gets a weight of exactly 0.

use std::cell::RefCell;

use super::attention::{AttentionShape, Mask};
use super::matmul_simd::{block_4x8, pack, Layout, MR, NR};
use super::simd::F32x4;
use super::softmax_simd::softmax_row_simd;

/// `Σ x·y` over two equal-length slices, four lanes at a time.
#[inline(always)]
fn dot(x: &[f32], y: &[f32]) -> f32 {
    let (mut acc, mut i) = (F32x4::splat(0.0), 0);
    while i + 4 <= x.len() {
        acc = F32x4::load(&x[i..]).mul_add(F32x4::load(&y[i..]), acc);
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
        wv.mul_add(F32x4::load(&x[i..]), F32x4::load(&out[i..])).store(&mut out[i..]);
        i += 4;
    }
    for (o, v) in out[i..].iter_mut().zip(&x[i..]) {
        *o += w * v;
    }
}

thread_local! {
    /// Rows of length `S` for [`forward_simd`] and [`backward_simd`], kept
    /// between calls so that training steps do not allocate.
    static ROW: RefCell<(Vec<f32>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// Same contract as the reference forward: `out (B,T,C)`, scaled `scores`
/// before the mask and `weights` after it, both `(B,NH,T,S)`. Batch items
/// are independent; with the `threads` feature they are shared out over the pool.
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
    let (per_out, per_matrix) = (shape.t * shape.c, shape.nh * shape.t * shape.s);
    if per_out == 0 || per_matrix == 0 {
        return;
    }
    let item = |(b, ((out_b, scores_b), weights_b)): ThreeSlices| {
        forward_item(b, out_b, scores_b, weights_b, q, k, v, shape, mask);
    };
    #[cfg(feature = "threads")]
    if worth_sharing(shape) {
        use rayon::prelude::*;
        let items = out
            .par_chunks_mut(per_out)
            .zip(scores.par_chunks_mut(per_matrix))
            .zip(weights.par_chunks_mut(per_matrix));
        items.enumerate().for_each(item);
        return;
    }
    let items = out
        .chunks_mut(per_out)
        .zip(scores.chunks_mut(per_matrix))
        .zip(weights.chunks_mut(per_matrix));
    items.enumerate().for_each(item);
}

/// A batch item's index and its three output slices, as the zipped chunk iterators give them.
type ThreeSlices<'a> = (usize, ((&'a mut [f32], &'a mut [f32]), &'a mut [f32]));

/// Enough work in several batch items to share them out over threads.
#[cfg(feature = "threads")]
fn worth_sharing(shape: AttentionShape) -> bool {
    shape.b > 1 && shape.b * shape.t * shape.s * shape.c >= 1 << 18 && rayon::current_num_threads() > 1
}

/// Batch item `b` of [`forward_simd`]: `out_b (T, C)`, `scores_b` and `weights_b (NH, T, S)`.
#[allow(clippy::too_many_arguments)]
fn forward_item(
    b: usize,
    out_b: &mut [f32],
    scores_b: &mut [f32],
    weights_b: &mut [f32],
    q: &[f32],
    k: &[f32],
    v: &[f32],
    shape: AttentionShape,
    mask: Mask,
) {
    let AttentionShape { t: tq, s: sk, c, nh, .. } = shape;
    let hs = shape.hs();
    let scale = 1.0 / (hs as f32).sqrt();
    ROW.with(|row| {
        let masked = &mut row.borrow_mut().0;
        masked.resize(sk, 0.0);
        for h in 0..nh {
            for t in 0..tq {
                let q_row = &q[(b * tq + t) * c + h * hs..][..hs];
                let row = (h * tq + t) * sk;
                for s in 0..sk {
                    let score = dot(q_row, &k[(b * sk + s) * c + h * hs..][..hs]) * scale;
                    scores_b[row + s] = score;
                    masked[s] = if mask.visible(&shape, b, t, s) { score } else { f32::NEG_INFINITY };
                }
                softmax_row_simd(&mut weights_b[row..row + sk], masked);
                let out_row = &mut out_b[t * c + h * hs..][..hs];
                out_row.fill(0.0);
                for s in 0..sk {
                    let w = weights_b[row + s];
                    if w != 0.0 {
                        axpy(out_row, w, &v[(b * sk + s) * c + h * hs..][..hs]);
                    }
                }
            }
        }
    });
}

/// Same contract as the reference backward
/// ([`attention::backward_cpu`](super::attention::backward_cpu)): accumulates
/// `dq`, `dk`, `dv`. Per query row, the reference's steps with every loop over
/// `HS` four channels at a time; keys a query cannot see have weight 0 and
/// are skipped (they would add exactly 0). Batch items are independent (each
/// writes only its own rows of `dq`, `dk`, `dv`): shared out like the forward.
#[allow(clippy::too_many_arguments)]
pub fn backward_simd(
    dq: &mut [f32],
    dk: &mut [f32],
    dv: &mut [f32],
    dout: &[f32],
    weights: &[f32],
    q: &[f32],
    k: &[f32],
    v: &[f32],
    shape: AttentionShape,
) {
    let (per_query, per_key) = (shape.t * shape.c, shape.s * shape.c);
    if per_query == 0 || per_key == 0 {
        return;
    }
    let item = |(b, ((dq_b, dk_b), dv_b)): ThreeSlices| {
        backward_item(b, dq_b, dk_b, dv_b, dout, weights, q, k, v, shape);
    };
    #[cfg(feature = "threads")]
    if worth_sharing(shape) {
        use rayon::prelude::*;
        let items = dq
            .par_chunks_mut(per_query)
            .zip(dk.par_chunks_mut(per_key))
            .zip(dv.par_chunks_mut(per_key));
        items.enumerate().for_each(item);
        return;
    }
    let items = dq.chunks_mut(per_query).zip(dk.chunks_mut(per_key)).zip(dv.chunks_mut(per_key));
    items.enumerate().for_each(item);
}

/// Batch item `b` of [`backward_simd`]: its rows `dq_b (T, C)`, `dk_b` and `dv_b (S, C)`.
#[allow(clippy::too_many_arguments)]
fn backward_item(
    b: usize,
    dq_b: &mut [f32],
    dk_b: &mut [f32],
    dv_b: &mut [f32],
    dout: &[f32],
    weights: &[f32],
    q: &[f32],
    k: &[f32],
    v: &[f32],
    shape: AttentionShape,
) {
    let AttentionShape { t: tq, s: sk, c, nh, .. } = shape;
    let hs = shape.hs();
    let scale = 1.0 / (hs as f32).sqrt();
    ROW.with(|row| {
        let (dweight, dscore) = &mut *row.borrow_mut();
        dweight.resize(sk, 0.0);
        dscore.resize(sk, 0.0);
        for h in 0..nh {
            for t in 0..tq {
                let row = ((b * nh + h) * tq + t) * sk;
                let w_row = &weights[row..row + sk];
                let q_at = (b * tq + t) * c + h * hs;
                let dout_row = &dout[q_at..][..hs];
                // dweight = dout · v ;  dv += weight · dout
                for s in 0..sk {
                    let v_at = (b * sk + s) * c + h * hs;
                    dweight[s] = dot(dout_row, &v[v_at..][..hs]);
                    if w_row[s] != 0.0 {
                        axpy(&mut dv_b[s * c + h * hs..][..hs], w_row[s], dout_row);
                    }
                }
                // through the softmax: dscore = w ⊙ (dweight − Σ dweight·w), then · 1/√HS
                let through = dot(dweight, w_row);
                for s in 0..sk {
                    dscore[s] = w_row[s] * (dweight[s] - through) * scale;
                }
                // through score = q·k / √HS
                for s in 0..sk {
                    let g = dscore[s];
                    if g != 0.0 {
                        let k_at = (b * sk + s) * c + h * hs;
                        axpy(&mut dq_b[t * c + h * hs..][..hs], g, &k[k_at..][..hs]);
                        axpy(&mut dk_b[s * c + h * hs..][..hs], g, &q[q_at..][..hs]);
                    }
                }
            }
        }
    });
}

/// Scratch buffers of [`forward_fused`], kept between calls so that
/// inference does not allocate.
#[derive(Default)]
struct Scratch {
    /// K_h in blocks of 4 keys: `keys[(block·HS + d)·4 + r] = K[s = block·4 + r][d]`.
    keys: Vec<f32>,
    /// V_hᵀ in blocks of 4 channels: `values[(block·S + s)·4 + r] = V[s][d = block·4 + r]`.
    values: Vec<f32>,
    /// The 8 queries of a block, scaled: `queries[d·8 + j] = Q[t0 + j][d] / √HS`.
    queries: Vec<f32>,
    /// Their scores, then weights, key by key: `weights[s·8 + j]`.
    weights: Vec<f32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Queries per block: the 8 columns of the micro-kernel.
const QB: usize = NR;

/// `out (B,T,C) = softmax(mask(Q·Kᵀ/√HS)) · V` per head, without the
/// intermediate matrices. Shapes as in the reference forward.
///
/// Both products are computed *transposed*, so that each vector holds one
/// key (or channel) for 4 of the block's 8 queries:
///
/// ```text
/// scoresᵀ (S, 8)  = K_h (S, HS) · (Q_blockᵀ/√HS) (HS, 8)
/// weightsᵀ (S, 8) = softmax down each column (one column per query)
/// outᵀ (HS, 8)    = V_hᵀ (HS, S) · weightsᵀ (S, 8)
/// ```
///
/// The softmax then needs no horizontal sums: the max, the exponentials and
/// the sum run down the columns, four queries per instruction.
pub fn forward_fused(out: &mut [f32], q: &[f32], k: &[f32], v: &[f32], shape: AttentionShape, mask: Mask) {
    let per_item = shape.t * shape.c; // one batch item's rows of `out`
    if per_item == 0 {
        return;
    }
    // Batch items are independent: with the `threads` feature they are shared
    // out over the pool, each thread with its own scratch.
    let item = |(b, out_item): (usize, &mut [f32])| {
        SCRATCH.with(|scratch| fused_item(out_item, b, q, k, v, shape, mask, &mut scratch.borrow_mut()));
    };
    #[cfg(feature = "threads")]
    if worth_sharing(shape) {
        use rayon::prelude::*;
        out.par_chunks_mut(per_item).enumerate().for_each(item);
        return;
    }
    out.chunks_mut(per_item).enumerate().for_each(item);
}

/// Batch item `b`: every head, every block of 8 queries; `out_item` is its `(T, C)` rows.
#[allow(clippy::too_many_arguments)]
fn fused_item(out_item: &mut [f32], b: usize, q: &[f32], k: &[f32], v: &[f32], shape: AttentionShape, mask: Mask, scratch: &mut Scratch) {
    let AttentionShape { t: tq, s: sk, c, nh, .. } = shape;
    let hs = shape.hs();
    let scale = 1.0 / (hs as f32).sqrt();
    let (key_blocks, channel_blocks) = (sk.div_ceil(MR), hs.div_ceil(MR));
    let Scratch {
        keys,
        values,
        queries,
        weights,
    } = scratch;
    keys.resize(key_blocks * hs * MR, 0.0);
    values.resize(channel_blocks * sk * MR, 0.0);
    queries.resize(hs * QB, 0.0);
    weights.resize(key_blocks * MR * QB, 0.0);

    for h in 0..nh {
        // Pack K_h and V_hᵀ; the padding past S keys or HS channels is zeros.
        // K_h's lines are keys (each contiguous over its HS channels); V_hᵀ's
        // lines are channels, neighbours in memory, one key row apart.
        let head = h * hs; // this head's first channel
        let (k_head, v_head) = (&k[b * sk * c + head..], &v[b * sk * c + head..]);
        let key_layout = Layout {
            line_stride: c,
            depth_stride: 1,
        };
        let value_layout = Layout {
            line_stride: 1,
            depth_stride: c,
        };
        for block in 0..key_blocks {
            pack(&mut keys[block * hs * MR..][..hs * MR], k_head, key_layout, block * MR, MR, sk);
        }
        for block in 0..channel_blocks {
            pack(&mut values[block * sk * MR..][..sk * MR], v_head, value_layout, block * MR, MR, hs);
        }
        for t0 in (0..tq).step_by(QB) {
            let rows = QB.min(tq - t0);
            // Keys each query sees (0 for the padding past T), as floats for the lane-wise mask.
            let mut visible = [0.0f32; QB];
            for (j, count) in visible.iter_mut().enumerate().take(rows) {
                *count = mask.visible_keys(&shape, b, t0 + j) as f32;
            }
            let reach = visible.iter().fold(0.0f32, |m, &x| m.max(x)) as usize;
            let all_see = visible[..rows].iter().fold(f32::INFINITY, |m, &x| m.min(x)) as usize;
            for d in 0..hs {
                for j in 0..QB {
                    queries[d * QB + j] = if j < rows {
                        q[(b * tq + t0 + j) * c + head + d] * scale
                    } else {
                        0.0
                    };
                }
            }
            // scoresᵀ: 4 keys × 8 queries per micro-kernel call.
            for block in 0..reach.div_ceil(MR) {
                let acc = block_4x8(&keys[block * hs * MR..][..hs * MR], queries);
                for (r, pair) in acc.iter().enumerate() {
                    pair[0].store(&mut weights[(block * MR + r) * QB..]);
                    pair[1].store(&mut weights[(block * MR + r) * QB + 4..]);
                }
            }
            softmax_columns(&mut weights[..reach * QB], &visible, all_see);
            // outᵀ: 4 channels × 8 queries per call, written back to (B, T, C).
            for block in 0..channel_blocks {
                let acc = block_4x8(&values[block * sk * MR..][..reach * MR], &weights[..reach * QB]);
                for (r, pair) in acc.iter().enumerate().take(hs - block * MR) {
                    let mut lanes = [0.0f32; QB];
                    pair[0].store(&mut lanes[..4]);
                    pair[1].store(&mut lanes[4..]);
                    for (j, &x) in lanes.iter().enumerate().take(rows) {
                        out_item[(t0 + j) * c + head + block * MR + r] = x;
                    }
                }
            }
        }
    }
}

/// Softmax down the 8 columns of `weights (reach, 8)` in place, column `j`
/// over its first `visible[j]` keys; the keys it cannot see get weight 0.
/// Keys below `all_see` are visible to every column, so need no mask.
fn softmax_columns(weights: &mut [f32], visible: &[f32; QB], all_see: usize) {
    let s = F32x4::splat;
    let limits = [F32x4::load(&visible[..4]), F32x4::load(&visible[4..])];
    let mut max = [s(f32::NEG_INFINITY); 2];
    for (key, row) in weights.chunks_exact_mut(QB).enumerate() {
        for half in 0..2 {
            let mut x = F32x4::load(&row[half * 4..]);
            if key >= all_see {
                // Lane j keeps its score if key < visible[j], i.e. visible[j] ≥ key + 1.
                x = F32x4::select_ge(limits[half], s((key + 1) as f32), x, s(f32::NEG_INFINITY));
                x.store(&mut row[half * 4..]);
            }
            max[half] = max[half].max(x);
        }
    }
    // A column with no visible key keeps max = −∞: use 0 so that exp(−∞ − 0) = 0.
    let max = max.map(|m| F32x4::select_ge(m, s(f32::MIN), m, s(0.0)));
    let mut sum = [s(0.0); 2];
    for row in weights.chunks_exact_mut(QB) {
        for half in 0..2 {
            let e = (F32x4::load(&row[half * 4..]) - max[half]).exp();
            e.store(&mut row[half * 4..]);
            sum[half] = sum[half] + e;
        }
    }
    // All-zero columns divide by 1 and stay zero.
    let sum = sum.map(|total| F32x4::select_ge(total, s(f32::MIN_POSITIVE), total, s(1.0)));
    for row in weights.chunks_exact_mut(QB) {
        for half in 0..2 {
            (F32x4::load(&row[half * 4..]) / sum[half]).store(&mut row[half * 4..]);
        }
    }
}
