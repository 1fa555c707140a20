//! The fast CPU attention backward: the reference's five lines as four small
//! matrix products per batch item and head, on the matmul's 4×8 micro-kernel.
//!
//! With `W (T, S)` the weights kept by the forward pass and `dO (T, HS)` the
//! gradient arriving at one head's output:
//!
//! ```text
//! dW (T, S)   = dO · V_hᵀ                                   (T, HS)·(HS, S)
//! dS (T, S)   = W ⊙ (dW − rowsum(W ⊙ dW)) / √HS             through the softmax and the scale
//! dQ_h       += dS · K_h                                    (T, S)·(S, HS)
//! dK_h       += dSᵀ · Q_h                                   (S, T)·(T, HS)
//! dV_h       += Wᵀ · dO                                     (S, T)·(T, HS)
//! ```
//!
//! A key a query cannot see has weight exactly 0, so its `dS` is 0 and it adds
//! nothing anywhere. The kernel uses that to skip work without being told the
//! mask: each query only goes as far as its last key of non-zero weight (its
//! *reach*; under a causal mask about half the keys), and each key only
//! meets the queries from the first one that reaches it. Skipped entries
//! would all have added exactly 0.
//!
//! Every operand is packed once per head in the micro-kernel's layout — `A`
//! in blocks of 4 lines, `B` in panels of 8 — and `dS` and `W` are written
//! straight into the packed layouts the products after them read. Batch items
//! write only their own rows of `dq`, `dk`, `dv`, so with the `threads`
//! feature they are shared out over the pool.

use std::cell::RefCell;

use super::attention::AttentionShape;
use super::matmul_simd::{block_4x8, pack, Layout, MR, NR};
use super::simd::F32x4;

/// Same contract as the reference backward
/// ([`attention::backward_cpu`](super::attention::backward_cpu)): accumulates
/// `dq (B,T,C)`, `dk` and `dv (B,S,C)` from `dout (B,T,C)` and the forward's
/// `weights (B,NH,T,S)`.
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
    let inputs = Inputs {
        dout,
        weights,
        q,
        k,
        v,
        shape,
    };
    let item = |(b, ((dq_b, dk_b), dv_b)): ItemGrads| {
        SCRATCH.with(|scratch| {
            let scratch = &mut scratch.borrow_mut();
            for h in 0..shape.nh {
                head_backward(dq_b, dk_b, dv_b, &inputs, b, h, scratch);
            }
        })
    };
    #[cfg(feature = "threads")]
    if super::attention_simd::worth_sharing(shape) {
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

/// A batch item's index and its rows of `dq`, `dk`, `dv`, as the zipped chunk iterators give them.
type ItemGrads<'a> = (usize, ((&'a mut [f32], &'a mut [f32]), &'a mut [f32]));

/// What every head reads.
struct Inputs<'a> {
    dout: &'a [f32],
    weights: &'a [f32],
    q: &'a [f32],
    k: &'a [f32],
    v: &'a [f32],
    shape: AttentionShape,
}

/// One head's packed operands, one set per thread, kept between calls.
#[derive(Default)]
struct Scratch {
    /// dO in blocks of 4 queries over the HS channels: `A` of `dW = dO·Vᵀ`.
    dout_blocks: Vec<f32>,
    /// V in panels of 8 keys over the HS channels: `B` of `dW = dO·Vᵀ`.
    value_panels: Vec<f32>,
    /// K in panels of 8 channels over the S keys: `B` of `dQ = dS·K`.
    key_panels: Vec<f32>,
    /// Q in panels of 8 channels over the T queries: `B` of `dK = dSᵀ·Q`.
    query_panels: Vec<f32>,
    /// dO in panels of 8 channels over the T queries: `B` of `dV = Wᵀ·dO`.
    dout_panels: Vec<f32>,
    /// dS in blocks of 4 queries over the S keys: `A` of `dQ = dS·K`.
    ds_blocks: Vec<f32>,
    /// dSᵀ in blocks of 4 keys over the T queries: `A` of `dK = dSᵀ·Q`.
    ds_t_blocks: Vec<f32>,
    /// Wᵀ in blocks of 4 keys over the T queries: `A` of `dV = Wᵀ·dO`.
    w_t_blocks: Vec<f32>,
    /// dW of one block of 4 queries, in panels of 8 keys.
    dw: Vec<[f32; NR]>,
    /// Each query's reach: 1 + its last key of non-zero weight.
    reach: Vec<usize>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Head `h` of batch item `b`; `dq_b (T, C)`, `dk_b` and `dv_b (S, C)` are the item's rows.
fn head_backward(dq_b: &mut [f32], dk_b: &mut [f32], dv_b: &mut [f32], x: &Inputs, b: usize, h: usize, scratch: &mut Scratch) {
    let AttentionShape { t: tq, s: sk, c, nh, .. } = x.shape;
    let hs = x.shape.hs();
    let scale = 1.0 / (hs as f32).sqrt();
    let (query_blocks, key_blocks) = (tq.div_ceil(MR), sk.div_ceil(MR));
    let (key_panels, channel_panels) = (sk.div_ceil(NR), hs.div_ceil(NR));
    let s = scratch;
    let w = &x.weights[(b * nh + h) * tq * sk..][..tq * sk]; // (T, S)
    let head = h * hs;
    let (dout_h, q_h) = (&x.dout[b * tq * c + head..], &x.q[b * tq * c + head..]);
    let (k_h, v_h) = (&x.k[b * sk * c + head..], &x.v[b * sk * c + head..]);

    // Each query's reach; keys past it have weight 0.
    s.reach.clear();
    s.reach.extend(
        w.chunks_exact(sk)
            .map(|row| row.iter().rposition(|&x| x != 0.0).map_or(0, |i| i + 1)),
    );

    // Pack the operands. Rows of (B,T,C) / (B,S,C) are lines C apart; a head's channels are neighbours.
    let rows_by_channel = Layout {
        line_stride: c,
        depth_stride: 1,
    };
    let channels_by_row = Layout {
        line_stride: 1,
        depth_stride: c,
    };
    fill_packed(&mut s.dout_blocks, query_blocks, MR, hs, |dst, i| {
        pack(dst, dout_h, rows_by_channel, i * MR, MR, tq)
    });
    fill_packed(&mut s.value_panels, key_panels, NR, hs, |dst, i| {
        pack(dst, v_h, rows_by_channel, i * NR, NR, sk)
    });
    fill_packed(&mut s.key_panels, channel_panels, NR, sk, |dst, i| {
        pack(dst, k_h, channels_by_row, i * NR, NR, hs)
    });
    fill_packed(&mut s.query_panels, channel_panels, NR, tq, |dst, i| {
        pack(dst, q_h, channels_by_row, i * NR, NR, hs)
    });
    fill_packed(&mut s.dout_panels, channel_panels, NR, tq, |dst, i| {
        pack(dst, dout_h, channels_by_row, i * NR, NR, hs)
    });
    // dS and W are written below only as far as each query block reaches.
    for blocks in [&mut s.ds_t_blocks, &mut s.w_t_blocks] {
        blocks.clear();
        blocks.resize(key_blocks * tq * MR, 0.0);
    }
    s.ds_blocks.clear();
    s.ds_blocks.resize(query_blocks * sk * MR, 0.0);

    // Query blocks: dW = dO·Vᵀ, then dS, then dQ += dS·K.
    for qb in 0..query_blocks {
        let (t0, rows) = (qb * MR, MR.min(tq - qb * MR));
        let reach = s.reach[t0..t0 + rows].iter().copied().max().unwrap_or(0);
        if reach == 0 {
            continue;
        }
        // dW for these 4 queries, key panel by key panel: dw[panel·4 + r] holds keys panel·8 ..+8 of query t0 + r.
        let dw = &mut s.dw;
        dw.resize(key_panels * MR, [0.0; NR]);
        let dout_block = &s.dout_blocks[qb * hs * MR..][..hs * MR];
        for panel in 0..reach.div_ceil(NR) {
            let acc = block_4x8(dout_block, &s.value_panels[panel * hs * NR..][..hs * NR]);
            for (r, pair) in acc.iter().enumerate() {
                pair[0].store(&mut dw[panel * MR + r][..4]);
                pair[1].store(&mut dw[panel * MR + r][4..]);
            }
        }
        for r in 0..rows {
            let t = t0 + r;
            let w_row = &w[t * sk..][..reach];
            let dw_at = |key: usize| dw[(key / NR) * MR + r][key % NR];
            // through the softmax: Σ_s W·dW, then dS = W ⊙ (dW − that) / √HS
            let through: f32 = w_row.iter().enumerate().map(|(key, &wt)| wt * dw_at(key)).sum();
            for (key, &wt) in w_row.iter().enumerate() {
                let ds = wt * (dw_at(key) - through) * scale;
                s.ds_blocks[(qb * sk + key) * MR + r] = ds;
                s.ds_t_blocks[((key / MR) * tq + t) * MR + key % MR] = ds;
                s.w_t_blocks[((key / MR) * tq + t) * MR + key % MR] = wt;
            }
        }
        // dQ rows t0.. += dS (4, reach) · K (reach, HS)
        let ds_block = &s.ds_blocks[qb * sk * MR..][..reach * MR];
        for panel in 0..channel_panels {
            let acc = block_4x8(ds_block, &s.key_panels[panel * sk * NR..][..reach * NR]);
            add_block(dq_b, &acc, t0, rows, head + panel * NR, NR.min(hs - panel * NR), c);
        }
    }

    // Key blocks: dK += dSᵀ·Q and dV += Wᵀ·dO, over the queries that reach them.
    for kb in 0..key_blocks {
        let s0 = kb * MR;
        let Some(first) = s.reach.iter().position(|&reach| reach > s0) else {
            continue;
        };
        let depth = tq - first;
        let ds_t = &s.ds_t_blocks[(kb * tq + first) * MR..][..depth * MR];
        let w_t = &s.w_t_blocks[(kb * tq + first) * MR..][..depth * MR];
        let keys = MR.min(sk - s0);
        for panel in 0..channel_panels {
            let (col, cols) = (head + panel * NR, NR.min(hs - panel * NR));
            let q_panel = &s.query_panels[(panel * tq + first) * NR..][..depth * NR];
            add_block(dk_b, &block_4x8(ds_t, q_panel), s0, keys, col, cols, c);
            let dout_panel = &s.dout_panels[(panel * tq + first) * NR..][..depth * NR];
            add_block(dv_b, &block_4x8(w_t, dout_panel), s0, keys, col, cols, c);
        }
    }
}

/// Size `buf` for `count` packed groups of `width` lines over `depth` and fill each with `fill(group, index)`.
fn fill_packed(buf: &mut Vec<f32>, count: usize, width: usize, depth: usize, mut fill: impl FnMut(&mut [f32], usize)) {
    buf.clear();
    buf.resize(count * width * depth, 0.0);
    for (i, group) in buf.chunks_exact_mut(width * depth).enumerate() {
        fill(group, i);
    }
}

/// `out[row0 + r][col + j] += acc[r][j]` for the first `rows` rows and `cols` columns (rows `c` apart).
fn add_block(out: &mut [f32], acc: &[[F32x4; 2]; MR], row0: usize, rows: usize, col: usize, cols: usize, c: usize) {
    for (r, pair) in acc.iter().enumerate().take(rows) {
        let mut lanes = [0.0f32; NR];
        pair[0].store(&mut lanes[..4]);
        pair[1].store(&mut lanes[4..]);
        for (o, x) in out[(row0 + r) * c + col..][..cols].iter_mut().zip(&lanes) {
            *o += x;
        }
    }
}
