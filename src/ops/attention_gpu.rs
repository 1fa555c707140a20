//! The GPU side of [`attention`](super::attention): launchers for the
//! flash-style kernels in `attention.wgsl`.
//!
//! The CPU reference stores the full `(B, NH, T, S)` weight matrix and
//! differentiates through it. The GPU forward stores only the log-sum-exp of
//! each query row, `lse = log Σ_s exp(score)`, so memory grows with `T`, not
//! `T·S`; backward rebuilds each weight as `exp(score − lse)` on the fly. The
//! weights a widget wants to draw are rebuilt the same way, on request.
//!
//! The kernels that walk a row of keys (or a column of queries) are launched
//! once per **span** of at most [`span_len`] of them, so that no invocation
//! loops more than ~50 000 times: Mesa's lavapipe stops a shader past 65 535
//! iterations, which a 1024-token row with 64-wide heads would pass. The
//! forward merges the spans through their log-sum-exps (`attention.wgsl`
//! says how); the backward kernels add into their gradients anyway.

use super::attention::{AttentionShape, Mask};
use crate::device::gpu::{grid_1d, Gpu, GpuBuffer, GpuSlice, Kernel};
use crate::error::{check_len, invalid, Result};

const WGSL: &str = include_str!("attention.wgsl");
const FORWARD: Kernel = Kernel {
    file: "attention.wgsl",
    source: WGSL,
    entry: "forward",
};
const WEIGHTS: Kernel = Kernel {
    file: "attention.wgsl",
    source: WGSL,
    entry: "weights_from_lse",
};
const DELTA: Kernel = Kernel {
    file: "attention.wgsl",
    source: WGSL,
    entry: "delta_rows",
};
const BACKWARD_Q: Kernel = Kernel {
    file: "attention.wgsl",
    source: WGSL,
    entry: "backward_q",
};
const BACKWARD_KV: Kernel = Kernel {
    file: "attention.wgsl",
    source: WGSL,
    entry: "backward_kv",
};

/// The largest head size the kernels keep in registers.
pub const MAX_HEAD_SIZE: usize = 128;

/// Offsets of the tensors a launch touches (unused ones are 0).
#[derive(Default)]
struct Offsets {
    q: u32,
    k: u32,
    v: u32,
    out: u32,
    dout: u32,
    dq: u32,
    dk: u32,
    dv: u32,
}

/// The kernels' `Params`: 17 words of sizes, flags, offsets and scale, then the span.
const UNIFORM_WORDS: usize = 21;

/// Multiply-adds one invocation may do per launch: a span walks
/// `SPAN_WORK / HS` keys (or queries), each costing up to 3 · HS loop steps.
const SPAN_WORK: usize = 16_384;

/// How many keys (or queries) one launch walks, for head size `hs`.
pub fn span_len(hs: usize) -> usize {
    (SPAN_WORK / hs.max(1)).max(1)
}

/// The uniform words of each span of `0..len`: begin, end, first?, last?
fn spans(len: usize, hs: usize) -> Vec<[u32; 4]> {
    let step = span_len(hs);
    let count = len.div_ceil(step).max(1);
    (0..count)
        .map(|i| {
            let (begin, end) = (i * step, ((i + 1) * step).min(len));
            [begin as u32, end as u32, (i == 0) as u32, (i + 1 == count) as u32]
        })
        .collect()
}

/// `words` with a span's four words in place (the last four of the uniforms).
fn with_span(words: &[u32; UNIFORM_WORDS], span: [u32; 4]) -> [u32; UNIFORM_WORDS] {
    let mut out = *words;
    out[UNIFORM_WORDS - 4..].copy_from_slice(&span);
    out
}

/// Check the shape and the mask, and build the uniform words and the lengths buffer.
fn prepare(gpu: &Gpu, op: &'static str, shape: AttentionShape, mask: Mask, o: Offsets) -> Result<([u32; UNIFORM_WORDS], GpuBuffer)> {
    shape.validate(op)?;
    mask.validate(op, &shape)?;
    if shape.hs() > MAX_HEAD_SIZE {
        return Err(invalid(
            op,
            format!(
                "the GPU kernels support head sizes up to {MAX_HEAD_SIZE}, got C/heads = {}. Use more heads.",
                shape.hs()
            ),
        ));
    }
    let lengths: Vec<u32> = mask.key_lengths.map_or(vec![0], |l| l.iter().map(|&x| x as u32).collect());
    let scale = 1.0 / (shape.hs() as f32).sqrt();
    let AttentionShape { b, t, s, c, nh } = shape;
    let words = [
        b as u32,
        t as u32,
        s as u32,
        c as u32,
        nh as u32,
        shape.hs() as u32,
        mask.causal as u32,
        mask.key_lengths.is_some() as u32,
        o.q,
        o.k,
        o.v,
        o.out,
        o.dout,
        o.dq,
        o.dk,
        o.dv,
        scale.to_bits(),
        0, // span_begin, span_end, first_span, last_span: set per launch
        0,
        1,
        1,
    ];
    Ok((words, gpu.upload_u32(&lengths)))
}

fn check_qkv(op: &'static str, shape: AttentionShape, q: GpuSlice, k: GpuSlice, v: GpuSlice) -> Result<()> {
    let AttentionShape { b, t, s, c, .. } = shape;
    check_len(op, "q", q.len, &[("B", b), ("T", t), ("C", c)])?;
    check_len(op, "k", k.len, &[("B", b), ("S", s), ("C", c)])?;
    check_len(op, "v", v.len, &[("B", b), ("S", s), ("C", c)])
}

/// Forward: writes `out (B,T,C)` and `lse (B,NH,T)`.
pub fn forward_gpu(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    out: GpuSlice,
    lse: &GpuBuffer,
    q: GpuSlice,
    k: GpuSlice,
    v: GpuSlice,
    shape: AttentionShape,
    mask: Mask,
) -> Result<()> {
    const OP: &str = "attention";
    let offsets = Offsets {
        q: q.word(),
        k: k.word(),
        v: v.word(),
        out: out.word(),
        ..Default::default()
    };
    let (words, lengths) = prepare(gpu, OP, shape, mask, offsets)?;
    check_qkv(OP, shape, q, k, v)?;
    check_len(OP, "out", out.len, &[("B", shape.b), ("T", shape.t), ("C", shape.c)])?;
    check_len(OP, "lse", lse.len(), &[("B", shape.b), ("NH", shape.nh), ("T", shape.t)])?;
    let buffers = [
        (1, q.buffer),
        (2, k.buffer),
        (3, v.buffer),
        (4, &lengths),
        (5, out.buffer),
        (6, lse),
    ];
    for span in spans(shape.s, shape.hs()) {
        gpu.dispatch(
            encoder,
            &FORWARD,
            &with_span(&words, span),
            &buffers,
            grid_1d(shape.b * shape.nh * shape.t, 64),
        );
    }
    Ok(())
}

/// The scaled scores (before the mask) and the weights (after it), both
/// `(B,NH,T,S)`, rebuilt from `lse`: what the teaching widgets draw.
pub fn weights_gpu(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    scores: &GpuBuffer,
    weights: &GpuBuffer,
    lse: &GpuBuffer,
    q: GpuSlice,
    k: GpuSlice,
    shape: AttentionShape,
    mask: Mask,
) -> Result<()> {
    const OP: &str = "attention weights";
    let (words, lengths) = prepare(
        gpu,
        OP,
        shape,
        mask,
        Offsets {
            q: q.word(),
            k: k.word(),
            ..Default::default()
        },
    )?;
    let AttentionShape { b, t, s, nh, .. } = shape;
    check_len(OP, "scores", scores.len(), &[("B", b), ("NH", nh), ("T", t), ("S", s)])?;
    check_len(OP, "weights", weights.len(), &[("B", b), ("NH", nh), ("T", t), ("S", s)])?;
    let buffers = [(1, q.buffer), (2, k.buffer), (4, &lengths), (7, lse), (8, scores), (9, weights)];
    gpu.dispatch(encoder, &WEIGHTS, &words, &buffers, grid_1d(b * nh * t * s, 64));
    Ok(())
}

/// Backward: accumulates `dq (B,T,C)`, `dk`, `dv (B,S,C)` (three different
/// buffers) from `dout`, the forward's `out` and `lse`.
pub fn backward_gpu(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    dq: GpuSlice,
    dk: GpuSlice,
    dv: GpuSlice,
    dout: GpuSlice,
    out: GpuSlice,
    lse: &GpuBuffer,
    q: GpuSlice,
    k: GpuSlice,
    v: GpuSlice,
    shape: AttentionShape,
    mask: Mask,
) -> Result<()> {
    const OP: &str = "attention backward";
    let offsets = Offsets {
        q: q.word(),
        k: k.word(),
        v: v.word(),
        out: out.word(),
        dout: dout.word(),
        dq: dq.word(),
        dk: dk.word(),
        dv: dv.word(),
    };
    let (words, lengths) = prepare(gpu, OP, shape, mask, offsets)?;
    check_qkv(OP, shape, q, k, v)?;
    check_qkv(OP, shape, dq, dk, dv)?;
    check_len(OP, "dout", dout.len, &[("B", shape.b), ("T", shape.t), ("C", shape.c)])?;
    if dk.buffer.same_as(dv.buffer) {
        return Err(invalid(OP, "dk and dv must be different GPU buffers: one kernel writes both."));
    }
    let rows = shape.b * shape.nh * shape.t;
    let delta = gpu.zeros(rows);
    let (qkv, dout_b) = ([(1, q.buffer), (2, k.buffer), (3, v.buffer), (4, &lengths)], (10, dout.buffer));
    gpu.dispatch(
        encoder,
        &DELTA,
        &words,
        &[dout_b, (11, out.buffer), (12, &delta)],
        grid_1d(rows, 64),
    );
    let mut buffers = qkv.to_vec();
    buffers.extend([(7, lse), dout_b, (13, &delta), (14, dq.buffer)]);
    for span in spans(shape.s, shape.hs()) {
        gpu.dispatch(encoder, &BACKWARD_Q, &with_span(&words, span), &buffers, grid_1d(rows, 64));
    }
    let mut buffers = qkv.to_vec();
    buffers.extend([(7, lse), dout_b, (13, &delta), (15, dk.buffer), (16, dv.buffer)]);
    for span in spans(shape.t, shape.hs()) {
        let groups = grid_1d(shape.b * shape.nh * shape.s, 64);
        gpu.dispatch(encoder, &BACKWARD_KV, &with_span(&words, span), &buffers, groups);
    }
    Ok(())
}
