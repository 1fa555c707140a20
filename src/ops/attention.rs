//! Scaled dot-product multi-head attention: `softmax(QKᵀ / √d_k) V`.
//!
//! Queries `q: (B, T, C)` come from the sequence being computed; keys and
//! values `k, v: (B, S, C)` from the sequence being looked at (the same one in
//! self-attention, the encoder output in cross-attention, so `S` may differ
//! from `T`). The `C` channels are split into `NH` heads of `HS = C / NH`
//! channels each; head `h` uses columns `h·HS .. (h+1)·HS`. Each head attends
//! on its own, and writing its result back into those same columns *is* the
//! concatenation of the heads:
//!
//! ```text
//! score[b,h,t,s]  = (q[b,t,h] · k[b,s,h]) / √HS          (B, NH, T, S)
//! weight[b,h,t,:] = softmax over s of score, masked       (B, NH, T, S)
//! out[b,t,h]      = Σ_s weight[b,h,t,s] · v[b,s,h]         (B, T, C)
//! ```
//!
//! Dividing by `√HS` keeps the scores' spread near 1 whatever the head size,
//! so the softmax does not saturate and its gradient does not vanish.
//!
//! Masks hide some keys from some queries by setting their score to `−∞`
//! before the softmax (weight exactly 0):
//! - **none**: every query sees every key (BERT, the encoder);
//! - **causal**: query `t` sees keys `s ≤ t` only (GPT, the decoder), so an
//!   output never depends on later tokens. When there are more keys than
//!   queries (`S > T`, cached earlier keys), query `t` is position `t + S − T`;
//! - **key padding**: keys at or past each sequence's true length are padding
//!   and hidden from every query.
//!
//! Backward, with `dout` arriving at `out`, each line the twin of a forward line:
//!
//! ```text
//! dv[s]      += Σ_t weight[t,s] · dout[t]                  from out = Σ weight·v
//! dweight[t,s] = dout[t] · v[s]                             from out = Σ weight·v
//! dscore[t,s]  = weight[t,s] (dweight[t,s] − Σ_s' weight[t,s'] dweight[t,s'])   softmax
//! dq[t]      += Σ_s dscore[t,s] · k[s] / √HS               from score = q·k/√HS
//! dk[s]      += Σ_t dscore[t,s] · q[t] / √HS
//! ```
//! Masked entries have weight 0, so their gradient is 0 with no extra code.

use crate::device::Device;
use crate::error::{check_len, check_nonzero, invalid, Result};
use crate::ops::softmax::{softmax_row, softmax_row_backward};

/// The dimensions of one attention call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttentionShape {
    /// Batch size `B`.
    pub b: usize,
    /// Number of queries `T`.
    pub t: usize,
    /// Number of keys and values `S`.
    pub s: usize,
    /// Channels `C` (d_model).
    pub c: usize,
    /// Heads `NH`; must divide `C`.
    pub nh: usize,
}

impl AttentionShape {
    /// Head size `HS = C / NH` (the paper's `d_k`).
    pub fn hs(&self) -> usize {
        self.c / self.nh
    }

    /// Check every dimension, naming the op in the error.
    pub fn validate(&self, op: &'static str) -> Result<()> {
        check_nonzero(op, "batch size B", self.b)?;
        check_nonzero(op, "query length T", self.t)?;
        check_nonzero(op, "key length S", self.s)?;
        check_nonzero(op, "width C (d_model)", self.c)?;
        if self.nh == 0 {
            return Err(invalid(op, "heads is 0; use at least one attention head."));
        }
        if !self.c.is_multiple_of(self.nh) {
            return Err(invalid(
                op,
                format!(
                    "heads={} does not divide the width C={}: each head takes C/heads channels. Pick a number of heads that divides {}.",
                    self.nh, self.c, self.c
                ),
            ));
        }
        Ok(())
    }
}

/// Which keys each query may see.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mask<'a> {
    /// Hide keys that come after the query.
    pub causal: bool,
    /// Per batch row, how many keys are real; the rest are padding.
    pub key_lengths: Option<&'a [usize]>,
}

impl<'a> Mask<'a> {
    /// No mask: bidirectional attention.
    pub fn none() -> Mask<'a> {
        Mask {
            causal: false,
            key_lengths: None,
        }
    }

    /// Causal mask: no peeking at later positions.
    pub fn causal() -> Mask<'a> {
        Mask {
            causal: true,
            key_lengths: None,
        }
    }

    /// Key-padding mask from the true length of each batch row.
    pub fn key_padding(lengths: &'a [usize]) -> Mask<'a> {
        Mask {
            causal: false,
            key_lengths: Some(lengths),
        }
    }

    /// May query `t` of batch row `b` see key `s`?
    pub fn visible(&self, shape: &AttentionShape, b: usize, t: usize, s: usize) -> bool {
        let causal_ok = !self.causal || s <= t + (shape.s - shape.t);
        let padding_ok = self.key_lengths.is_none_or(|lengths| s < lengths[b]);
        causal_ok && padding_ok
    }

    /// How many keys query `t` of batch row `b` sees. Both masks hide a
    /// suffix of the keys, so the visible ones are always keys `0..count`.
    pub fn visible_keys(&self, shape: &AttentionShape, b: usize, t: usize) -> usize {
        let causal_limit = if self.causal { t + (shape.s - shape.t) + 1 } else { shape.s };
        let padding_limit = self.key_lengths.map_or(shape.s, |lengths| lengths[b]);
        causal_limit.min(padding_limit).min(shape.s)
    }

    /// Check the mask against the shape, naming the op in the error.
    pub fn validate(&self, op: &'static str, shape: &AttentionShape) -> Result<()> {
        if self.causal && shape.s < shape.t {
            return Err(invalid(
                op,
                format!(
                    "a causal mask needs at least as many keys as queries, got T={} queries and S={} keys.",
                    shape.t, shape.s
                ),
            ));
        }
        if let Some(lengths) = self.key_lengths {
            if lengths.len() != shape.b {
                return Err(invalid(
                    op,
                    format!(
                        "key lengths has {} entries, expected one per batch row (B={}).",
                        lengths.len(),
                        shape.b
                    ),
                ));
            }
            if let Some(&bad) = lengths.iter().find(|&&len| len > shape.s) {
                return Err(invalid(op, format!("a key length of {bad} is longer than the S={} keys.", shape.s)));
            }
        }
        Ok(())
    }
}

/// The checks every forward makes: the shape, the mask against it, and the
/// lengths of `q`, `k`, `v` and `out`.
fn check_forward(shape: AttentionShape, mask: Mask, q: &[f32], k: &[f32], v: &[f32], out: &[f32]) -> Result<()> {
    const OP: &str = "attention";
    shape.validate(OP)?;
    mask.validate(OP, &shape)?;
    let AttentionShape { b, t, s, c, .. } = shape;
    check_len(OP, "q", q.len(), &[("B", b), ("T", t), ("C", c)])?;
    check_len(OP, "k", k.len(), &[("B", b), ("S", s), ("C", c)])?;
    check_len(OP, "v", v.len(), &[("B", b), ("S", s), ("C", c)])?;
    check_len(OP, "out", out.len(), &[("B", b), ("T", t), ("C", c)])
}

/// A kept `(B, NH, T, S)` matrix (`scores` or `weights`) has the right length.
fn check_matrix(name: &str, len: usize, shape: AttentionShape) -> Result<()> {
    let AttentionShape { b, t, s, nh, .. } = shape;
    check_len("attention", name, len, &[("B", b), ("NH", nh), ("T", t), ("S", s)])
}

/// Attention forward. Writes `out (B, T, C)`, and for teaching and backward
/// the scaled scores before masking and the weights after it, both `(B, NH, T, S)`.
pub fn forward(
    dev: &Device,
    out: &mut [f32],
    scores: &mut [f32],
    weights: &mut [f32],
    q: &[f32],
    k: &[f32],
    v: &[f32],
    shape: AttentionShape,
    mask: Mask,
) -> Result<()> {
    check_forward(shape, mask, q, k, v, out)?;
    check_matrix("scores", scores.len(), shape)?;
    check_matrix("weights", weights.len(), shape)?;
    dev.ensure_cpu("attention")?;
    // The SIMD twin of `forward_cpu`, equal to it within rounding.
    super::attention_simd::forward_simd(out, scores, weights, q, k, v, shape, mask);
    Ok(())
}

/// Attention forward for training: `out (B, T, C)` and the weights after the
/// mask `(B, NH, T, S)` that [`backward`] reads; the scores before the mask
/// are not kept (see [`attention_simd::forward_weights`](super::attention_simd::forward_weights)).
#[allow(clippy::too_many_arguments)]
pub fn forward_weights(
    dev: &Device,
    out: &mut [f32],
    weights: &mut [f32],
    q: &[f32],
    k: &[f32],
    v: &[f32],
    shape: AttentionShape,
    mask: Mask,
) -> Result<()> {
    check_forward(shape, mask, q, k, v, out)?;
    check_matrix("weights", weights.len(), shape)?;
    dev.ensure_cpu("attention")?;
    super::attention_simd::forward_weights(out, weights, q, k, v, shape, mask);
    Ok(())
}

/// Attention forward for inference: `out (B, T, C)` only, without the
/// `(B, NH, T, S)` matrices (see [`attention_simd::forward_fused`](super::attention_simd::forward_fused)).
pub fn forward_output(dev: &Device, out: &mut [f32], q: &[f32], k: &[f32], v: &[f32], shape: AttentionShape, mask: Mask) -> Result<()> {
    check_forward(shape, mask, q, k, v, out)?;
    dev.ensure_cpu("attention")?;
    super::attention_simd::forward_fused(out, q, k, v, shape, mask);
    Ok(())
}

/// Reference forward: the three formulas of the module docs, loop by loop.
pub fn forward_cpu(
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
    let mut masked = vec![0.0f32; sk]; // one row of scores with −∞ where hidden
    for b in 0..bsz {
        for h in 0..nh {
            for t in 0..tq {
                let q_row = &q[(b * tq + t) * c + h * hs..][..hs];
                let row = ((b * nh + h) * tq + t) * sk; // start of (b, h, t, :)
                                                        // score = q·k / √HS, then hide what the mask hides.
                for s in 0..sk {
                    let k_row = &k[(b * sk + s) * c + h * hs..][..hs];
                    let dot: f32 = q_row.iter().zip(k_row).map(|(x, y)| x * y).sum();
                    scores[row + s] = dot * scale;
                    masked[s] = if mask.visible(&shape, b, t, s) {
                        dot * scale
                    } else {
                        f32::NEG_INFINITY
                    };
                }
                // weight = softmax(masked scores)
                softmax_row(&mut weights[row..row + sk], &masked);
                // out = Σ_s weight · v, written into this head's columns.
                let out_row = &mut out[(b * tq + t) * c + h * hs..][..hs];
                out_row.fill(0.0);
                for s in 0..sk {
                    let w = weights[row + s];
                    let v_row = &v[(b * sk + s) * c + h * hs..][..hs];
                    for (o, x) in out_row.iter_mut().zip(v_row) {
                        *o += w * x;
                    }
                }
            }
        }
    }
}

/// Attention backward: accumulates `dq (B,T,C)`, `dk (B,S,C)`, `dv (B,S,C)`.
pub fn backward(
    dev: &Device,
    dq: &mut [f32],
    dk: &mut [f32],
    dv: &mut [f32],
    dout: &[f32],
    weights: &[f32],
    q: &[f32],
    k: &[f32],
    v: &[f32],
    shape: AttentionShape,
) -> Result<()> {
    const OP: &str = "attention backward";
    shape.validate(OP)?;
    let AttentionShape { b, t, s, c, nh } = shape;
    check_len(OP, "dout", dout.len(), &[("B", b), ("T", t), ("C", c)])?;
    check_len(OP, "dq", dq.len(), &[("B", b), ("T", t), ("C", c)])?;
    check_len(OP, "dk", dk.len(), &[("B", b), ("S", s), ("C", c)])?;
    check_len(OP, "dv", dv.len(), &[("B", b), ("S", s), ("C", c)])?;
    check_len(OP, "weights", weights.len(), &[("B", b), ("NH", nh), ("T", t), ("S", s)])?;
    check_len(OP, "q", q.len(), &[("B", b), ("T", t), ("C", c)])?;
    check_len(OP, "k", k.len(), &[("B", b), ("S", s), ("C", c)])?;
    check_len(OP, "v", v.len(), &[("B", b), ("S", s), ("C", c)])?;
    dev.ensure_cpu("attention")?;
    // The SIMD twin of `backward_cpu`, equal to it within rounding.
    super::attention_simd_backward::backward_simd(dq, dk, dv, dout, weights, q, k, v, shape);
    Ok(())
}

/// Reference backward (the five lines of the module docs).
pub fn backward_cpu(
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
    let AttentionShape {
        b: bsz,
        t: tq,
        s: sk,
        c,
        nh,
    } = shape;
    let hs = shape.hs();
    let scale = 1.0 / (hs as f32).sqrt();
    let mut dweight = vec![0.0f32; sk];
    let mut dscore = vec![0.0f32; sk];
    for b in 0..bsz {
        for h in 0..nh {
            for t in 0..tq {
                let row = ((b * nh + h) * tq + t) * sk;
                let w_row = &weights[row..row + sk];
                let dout_row = &dout[(b * tq + t) * c + h * hs..][..hs];
                for s in 0..sk {
                    let v_at = (b * sk + s) * c + h * hs;
                    // dweight = dout · v ;  dv += weight · dout
                    dweight[s] = dout_row.iter().zip(&v[v_at..v_at + hs]).map(|(g, x)| g * x).sum();
                    for (d, g) in dv[v_at..v_at + hs].iter_mut().zip(dout_row) {
                        *d += w_row[s] * g;
                    }
                }
                // through the softmax
                dscore.fill(0.0);
                softmax_row_backward(&mut dscore, &dweight, w_row);
                // through score = q·k / √HS
                let q_at = (b * tq + t) * c + h * hs;
                for s in 0..sk {
                    let k_at = (b * sk + s) * c + h * hs;
                    let g = dscore[s] * scale;
                    for i in 0..hs {
                        dq[q_at + i] += g * k[k_at + i];
                        dk[k_at + i] += g * q[q_at + i];
                    }
                }
            }
        }
    }
}
