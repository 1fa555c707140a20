//! `MultiHeadAttention`: project, attend per head, concatenate, project back.
//!
//! ```text
//! Q = x_q W_Qᵀ    K = x_kv W_Kᵀ    V = x_kv W_Vᵀ          (B,T,C), (B,S,C), (B,S,C)
//! ctx = softmax(Q Kᵀ / √HS) V    per head, heads side by side   (B,T,C)
//! out = ctx W_Oᵀ + b_O                                     (B,T,C)
//! ```
//! Self-attention uses one sequence for both `x_q` and `x_kv`; cross-attention
//! (the decoder looking at the encoder) takes keys and values from another.
//! Backward runs the same four steps in reverse order.

use crate::device::Device;
use crate::error::Result;
use crate::nn::linear::Linear;
use crate::nn::params::Params;
use crate::ops::attention::{self, AttentionShape, Mask};

/// The four projections and the number of heads.
#[derive(Debug, Clone)]
pub struct MultiHeadAttention {
    pub query: Linear,
    pub key: Linear,
    pub value: Linear,
    pub output: Linear,
    pub heads: usize,
    pub c: usize,
}

/// What forward keeps: projections, scores, weights and the heads' context.
#[derive(Debug, Clone)]
pub struct AttentionActs {
    pub q: Vec<f32>,       // (B, T, C)
    pub k: Vec<f32>,       // (B, S, C)
    pub v: Vec<f32>,       // (B, S, C)
    pub scores: Vec<f32>,  // (B, NH, T, S) scaled, before the mask
    pub weights: Vec<f32>, // (B, NH, T, S) after mask and softmax
    pub ctx: Vec<f32>,     // (B, T, C) heads concatenated
}

impl AttentionActs {
    pub fn new(shape: AttentionShape) -> AttentionActs {
        let AttentionShape { b, t, s, c, nh } = shape;
        AttentionActs {
            q: vec![0.0; b * t * c],
            k: vec![0.0; b * s * c],
            v: vec![0.0; b * s * c],
            scores: vec![0.0; b * nh * t * s],
            weights: vec![0.0; b * nh * t * s],
            ctx: vec![0.0; b * t * c],
        }
    }
}

impl MultiHeadAttention {
    pub fn new(params: &mut Params, name: &str, c: usize, heads: usize) -> MultiHeadAttention {
        MultiHeadAttention {
            query: Linear::new(params, &format!("{name}.query"), c, c, true),
            key: Linear::new(params, &format!("{name}.key"), c, c, true),
            value: Linear::new(params, &format!("{name}.value"), c, c, true),
            output: Linear::new(params, &format!("{name}.output"), c, c, true),
            heads,
            c,
        }
    }

    /// The attention shape for `b` sequences of `t` queries over `s` keys.
    pub fn shape(&self, b: usize, t: usize, s: usize) -> AttentionShape {
        AttentionShape {
            b,
            t,
            s,
            c: self.c,
            nh: self.heads,
        }
    }

    /// `out (B,T,C)`. `x_kv` is `None` for self-attention, else `(B,S,C)`.
    pub fn forward(
        &self,
        dev: &Device,
        p: &[f32],
        acts: &mut AttentionActs,
        out: &mut [f32],
        x_q: &[f32],
        x_kv: Option<&[f32]>,
        shape: AttentionShape,
        mask: Mask,
    ) -> Result<()> {
        shape.validate("multi-head attention")?;
        let x_kv = x_kv.unwrap_or(x_q);
        let (nq, nk) = (shape.b * shape.t, shape.b * shape.s);
        self.query.forward(dev, p, &mut acts.q, x_q, nq)?;
        self.key.forward(dev, p, &mut acts.k, x_kv, nk)?;
        self.value.forward(dev, p, &mut acts.v, x_kv, nk)?;
        attention::forward(
            dev,
            &mut acts.ctx,
            &mut acts.scores,
            &mut acts.weights,
            &acts.q,
            &acts.k,
            &acts.v,
            shape,
            mask,
        )?;
        self.output.forward(dev, p, out, &acts.ctx, nq)
    }

    /// Accumulates `dx_q` and (for cross-attention) `dx_kv`; with `x_kv` and
    /// `dx_kv` both `None` the key/value gradient also goes to `dx_q`.
    pub fn backward(
        &self,
        dev: &Device,
        p: &[f32],
        g: &mut [f32],
        acts: &AttentionActs,
        dx_q: &mut [f32],
        dx_kv: Option<&mut [f32]>,
        dout: &[f32],
        x_q: &[f32],
        x_kv: Option<&[f32]>,
        shape: AttentionShape,
    ) -> Result<()> {
        let (nq, nk) = (shape.b * shape.t, shape.b * shape.s);
        // out = ctx W_Oᵀ + b_O
        let mut dctx = vec![0.0f32; acts.ctx.len()];
        self.output.backward(dev, p, g, &mut dctx, dout, &acts.ctx, nq)?;
        // ctx = softmax(QKᵀ/√HS) V
        let (mut dq, mut dk, mut dv) = (vec![0.0f32; acts.q.len()], vec![0.0f32; acts.k.len()], vec![0.0f32; acts.v.len()]);
        attention::backward(
            dev,
            &mut dq,
            &mut dk,
            &mut dv,
            &dctx,
            &acts.weights,
            &acts.q,
            &acts.k,
            &acts.v,
            shape,
        )?;
        // Q = x_q W_Qᵀ,  K = x_kv W_Kᵀ,  V = x_kv W_Vᵀ
        self.query.backward(dev, p, g, dx_q, &dq, x_q, nq)?;
        match (x_kv, dx_kv) {
            (Some(x_kv), Some(dx_kv)) => {
                self.key.backward(dev, p, g, dx_kv, &dk, x_kv, nk)?;
                self.value.backward(dev, p, g, dx_kv, &dv, x_kv, nk)
            }
            _ => {
                self.key.backward(dev, p, g, dx_q, &dk, x_q, nk)?;
                self.value.backward(dev, p, g, dx_q, &dv, x_q, nk)
            }
        }
    }
}
