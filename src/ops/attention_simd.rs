//! The fast CPU attention forward: one blocked kernel, three uses.
//!
//! Per batch item, head and block of 8 queries, the scores, their softmax and
//! the weighted sum of values are computed while the block sits in a small
//! scratch buffer. Both products run on the matmul's 4×8 register-blocked
//! micro-kernel ([`block_4x8`]), computed transposed so that one vector holds
//! one key for four queries:
//!
//! ```text
//! scoresᵀ  (S, 8)  = K_h (S, HS) · (Q_blockᵀ / √HS) (HS, 8)   K_h packed in blocks of 4 keys
//! weightsᵀ (S, 8)  = softmax down each column, over that query's visible keys
//! outᵀ     (HS, 8) = V_hᵀ (HS, S) · weightsᵀ (S, 8)           V_hᵀ packed in blocks of 4 channels
//! ```
//!
//! The softmax then needs no horizontal sums. Masks hide a suffix of the
//! keys (see [`Mask::visible_keys`]), so a block only computes the keys its
//! queries can see: a causal mask halves the work. What else the block
//! writes out decides the use:
//!
//! - [`forward_simd`] keeps the contract of the reference
//!   ([`attention::forward_cpu`](super::attention::forward_cpu)): the output
//!   plus the `(B,NH,T,S)` scaled scores before the mask (for every key, so
//!   that a widget can show what the mask hides) and weights after it;
//! - [`forward_weights`] (training) keeps the weights, which the backward
//!   pass ([`super::attention_simd_backward`]) reads, and skips the hidden scores;
//! - [`forward_fused`] (inference) keeps nothing but the output: the
//!   `(T, S)` matrices never exist in memory.
//!
//! With the `threads` feature, batch items are shared out over a thread pool.
//! Sums are taken in another order than the reference's single running sum,
//! so the results agree with it to rounding (tested at 1e-6 + 1e-5·|x|), not
//! bit for bit; a masked key still gets a weight of exactly 0.

use std::cell::RefCell;

use super::attention::{AttentionShape, Mask};
use super::matmul_simd::{block_4x8, pack, Layout, MR, NR};
use super::simd::F32x4;

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
    forward_blocked(out, Some(scores), Some(weights), q, k, v, shape, mask);
}

/// The training forward: `out (B,T,C)` and the `(B,NH,T,S)` weights the
/// backward pass needs; no scores.
pub fn forward_weights(out: &mut [f32], weights: &mut [f32], q: &[f32], k: &[f32], v: &[f32], shape: AttentionShape, mask: Mask) {
    forward_blocked(out, None, Some(weights), q, k, v, shape, mask);
}

/// The inference forward: `out (B,T,C) = softmax(mask(Q·Kᵀ/√HS)) · V` per
/// head, without the intermediate matrices.
pub fn forward_fused(out: &mut [f32], q: &[f32], k: &[f32], v: &[f32], shape: AttentionShape, mask: Mask) {
    forward_blocked(out, None, None, q, k, v, shape, mask);
}

/// One batch item's share of the outputs: its `(T, C)` rows of `out` and
/// its `(NH, T, S)` scores and weights where they are kept.
struct Item<'a> {
    b: usize,
    out: &'a mut [f32],
    scores: Option<&'a mut [f32]>,
    weights: Option<&'a mut [f32]>,
}

/// `x` cut into consecutive pieces of `per` values, then `None`s for ever
/// (only `None`s if `x` is absent): zipped with the items of `out`.
fn per_item(x: Option<&mut [f32]>, per: usize) -> impl Iterator<Item = Option<&mut [f32]>> {
    x.into_iter()
        .flat_map(move |x| x.chunks_mut(per))
        .map(Some)
        .chain(std::iter::repeat_with(|| None))
}

/// Enough work in several batch items to share them out over threads.
#[cfg(feature = "threads")]
pub(super) fn worth_sharing(shape: AttentionShape) -> bool {
    shape.b > 1 && shape.b * shape.t * shape.s * shape.c >= 1 << 18 && rayon::current_num_threads() > 1
}

#[allow(clippy::too_many_arguments)]
fn forward_blocked(
    out: &mut [f32],
    scores: Option<&mut [f32]>,
    weights: Option<&mut [f32]>,
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
    let items = out
        .chunks_mut(per_out)
        .zip(per_item(scores, per_matrix))
        .zip(per_item(weights, per_matrix))
        .enumerate()
        .map(|(b, ((out, scores), weights))| Item { b, out, scores, weights });
    // Each thread keeps its own scratch between calls, so steps do not allocate.
    let run = |item: Item| SCRATCH.with(|scratch| forward_item(item, q, k, v, shape, mask, &mut scratch.borrow_mut()));
    #[cfg(feature = "threads")]
    if worth_sharing(shape) {
        use rayon::prelude::*;
        // Handing items to the pool costs more than this small list of them.
        items.collect::<Vec<Item>>().into_par_iter().for_each(run);
        return;
    }
    items.for_each(run);
}

/// Scratch buffers of the forward kernel, one set per thread.
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

/// One batch item: every head, every block of 8 queries.
fn forward_item(item: Item, q: &[f32], k: &[f32], v: &[f32], shape: AttentionShape, mask: Mask, scratch: &mut Scratch) {
    let Item {
        b,
        out,
        mut scores,
        mut weights,
    } = item;
    let AttentionShape { t: tq, s: sk, c, nh, .. } = shape;
    let hs = shape.hs();
    let scale = 1.0 / (hs as f32).sqrt();
    let (key_blocks, channel_blocks) = (sk.div_ceil(MR), hs.div_ceil(MR));
    let Scratch {
        keys,
        values,
        queries,
        weights: block_weights,
    } = scratch;
    keys.resize(key_blocks * hs * MR, 0.0);
    values.resize(channel_blocks * sk * MR, 0.0);
    queries.resize(hs * QB, 0.0);
    block_weights.resize(key_blocks * MR * QB, 0.0);

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
            // scoresᵀ: 4 keys × 8 queries per micro-kernel call; every key
            // when the scores are kept, else only those some query sees.
            let scored = if scores.is_some() { sk } else { reach };
            for block in 0..scored.div_ceil(MR) {
                let acc = block_4x8(&keys[block * hs * MR..][..hs * MR], queries);
                for (r, pair) in acc.iter().enumerate() {
                    pair[0].store(&mut block_weights[(block * MR + r) * QB..]);
                    pair[1].store(&mut block_weights[(block * MR + r) * QB + 4..]);
                }
            }
            let matrix_rows = (h * tq + t0) * sk; // where (h, t0, 0) starts in a (NH, T, S) matrix
            if let Some(scores) = scores.as_deref_mut() {
                write_rows(&mut scores[matrix_rows..], block_weights, rows, sk, sk);
            }
            softmax_columns(&mut block_weights[..reach * QB], &visible, all_see);
            if let Some(weights) = weights.as_deref_mut() {
                write_rows(&mut weights[matrix_rows..], block_weights, rows, reach, sk);
            }
            // outᵀ: 4 channels × 8 queries per call, written back to (B, T, C).
            for block in 0..channel_blocks {
                let acc = block_4x8(&values[block * sk * MR..][..reach * MR], &block_weights[..reach * QB]);
                for (r, pair) in acc.iter().enumerate().take(hs - block * MR) {
                    let mut lanes = [0.0f32; QB];
                    pair[0].store(&mut lanes[..4]);
                    pair[1].store(&mut lanes[4..]);
                    for (j, &x) in lanes.iter().enumerate().take(rows) {
                        out[(t0 + j) * c + head + block * MR + r] = x;
                    }
                }
            }
        }
    }
}

/// Transpose the block's columns back into matrix rows: row `j` of `matrix`
/// (rows `sk` long) gets column `j` of `block (keys, 8)` for its first
/// `filled` keys and zeros after them.
fn write_rows(matrix: &mut [f32], block: &[f32], rows: usize, filled: usize, sk: usize) {
    for j in 0..rows {
        let row = &mut matrix[j * sk..][..sk];
        for (s, x) in row[..filled].iter_mut().enumerate() {
            *x = block[s * QB + j];
        }
        row[filled..].fill(0.0);
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
