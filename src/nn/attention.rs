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
//!
//! On the CPU the attention step keeps the `(B, NH, T, S)` weights (the
//! backward pass reads them, a widget can show them); on the GPU it keeps
//! only one log-sum-exp per query row and rebuilds weights when needed
//! (flash style).
//!
//! **Generating with a key/value cache** ([`MultiHeadAttention::forward_cached`]):
//! under a causal mask nothing later flows into an earlier position, so the
//! keys and values of positions already fed never change. A generator keeps
//! them ([`LayerCache`]) and feeds one new position at a time: its query meets
//! the cached keys and values plus its own — the same attention op with
//! `T = 1` and `S` = the positions so far, no mask needed, since the newest
//! position may see all of them. The output equals that row of the full
//! causal pass, at a cost that grows with `S` instead of `S²`.

use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::Result;
use crate::nn::linear::Linear;
use crate::nn::params::Params;
use crate::ops::attention::{self, AttentionShape, Mask};
use crate::ops::attention_gpu;

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

/// What forward keeps: projections, the attention statistics and the heads' context.
#[derive(Debug, Clone)]
pub struct AttentionActs {
    pub q: Tensor,       // (B, T, C)
    pub k: Tensor,       // (B, S, C)
    pub v: Tensor,       // (B, S, C)
    pub weights: Tensor, // (B, NH, T, S) after mask and softmax (CPU only)
    pub lse: Tensor,     // (B, NH, T) log-sum-exp of each row (GPU only)
    pub ctx: Tensor,     // (B, T, C) heads concatenated
}

impl AttentionActs {
    pub fn new(dev: &Device, shape: AttentionShape) -> AttentionActs {
        let AttentionShape { b, t, s, c, nh } = shape;
        let (matrix, rows) = match dev {
            Device::Cpu => (b * nh * t * s, 0),
            Device::Gpu(_) => (0, b * nh * t),
        };
        AttentionActs {
            q: Tensor::zeros(dev, b * t * c),
            k: Tensor::zeros(dev, b * s * c),
            v: Tensor::zeros(dev, b * s * c),
            weights: Tensor::zeros(dev, matrix),
            lse: Tensor::zeros(dev, rows),
            ctx: Tensor::zeros(dev, b * t * c),
        }
    }
}

/// One layer's keys and values of every position fed so far: `(S, C)` each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LayerCache {
    pub keys: Vec<f32>,
    pub values: Vec<f32>,
}

impl LayerCache {
    /// Positions held.
    pub fn len(&self, c: usize) -> usize {
        self.keys.len() / c
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
        p: &Tensor,
        acts: &mut AttentionActs,
        out: &mut Tensor,
        x_q: &Tensor,
        x_kv: Option<&Tensor>,
        shape: AttentionShape,
        mask: Mask,
    ) -> Result<()> {
        shape.validate("multi-head attention")?;
        let x_kv = x_kv.unwrap_or(x_q);
        let (nq, nk) = (shape.b * shape.t, shape.b * shape.s);
        self.query.forward(dev, p, &mut acts.q, x_q, nq)?;
        self.key.forward(dev, p, &mut acts.k, x_kv, nk)?;
        self.value.forward(dev, p, &mut acts.v, x_kv, nk)?;
        match dev {
            Device::Cpu => {
                let (q, k, v) = (acts.q.host()?, acts.k.host()?, acts.v.host()?);
                attention::forward_weights(dev, acts.ctx.host_mut()?, acts.weights.host_mut()?, q, k, v, shape, mask)?;
            }
            Device::Gpu(gpu) => {
                let (ctx, lse, q, k, v) = (
                    acts.ctx.gpu_all()?,
                    acts.lse.gpu()?,
                    acts.q.gpu_all()?,
                    acts.k.gpu_all()?,
                    acts.v.gpu_all()?,
                );
                gpu.record(|e| attention_gpu::forward_gpu(gpu, e, ctx, lse, q, k, v, shape, mask))?;
            }
        }
        self.output.forward(dev, p, out, &acts.ctx, nq)
    }

    /// Accumulates `dx_q` and (for cross-attention) `dx_kv`; with `x_kv` and
    /// `dx_kv` both `None` the key/value gradient also goes to `dx_q`.
    pub fn backward(
        &self,
        dev: &Device,
        p: &Tensor,
        g: &mut Tensor,
        acts: &AttentionActs,
        dx_q: &mut Tensor,
        dx_kv: Option<&mut Tensor>,
        dout: &Tensor,
        x_q: &Tensor,
        x_kv: Option<&Tensor>,
        shape: AttentionShape,
        mask: Mask,
    ) -> Result<()> {
        let (nq, nk) = (shape.b * shape.t, shape.b * shape.s);
        // out = ctx W_Oᵀ + b_O
        let mut dctx = Tensor::zeros(dev, acts.ctx.len());
        self.output.backward(dev, p, g, &mut dctx, dout, &acts.ctx, nq)?;
        // ctx = softmax(QKᵀ/√HS) V
        let (mut dq, mut dk, mut dv) = (
            Tensor::zeros(dev, acts.q.len()),
            Tensor::zeros(dev, acts.k.len()),
            Tensor::zeros(dev, acts.v.len()),
        );
        match dev {
            Device::Cpu => {
                let (q, k, v) = (acts.q.host()?, acts.k.host()?, acts.v.host()?);
                attention::backward(
                    dev,
                    dq.host_mut()?,
                    dk.host_mut()?,
                    dv.host_mut()?,
                    dctx.host()?,
                    acts.weights.host()?,
                    q,
                    k,
                    v,
                    shape,
                )?;
            }
            Device::Gpu(gpu) => {
                let (gq, gk, gv) = (dq.gpu_all()?, dk.gpu_all()?, dv.gpu_all()?);
                let (dctx, ctx, lse) = (dctx.gpu_all()?, acts.ctx.gpu_all()?, acts.lse.gpu()?);
                let (q, k, v) = (acts.q.gpu_all()?, acts.k.gpu_all()?, acts.v.gpu_all()?);
                gpu.record(|e| attention_gpu::backward_gpu(gpu, e, gq, gk, gv, dctx, ctx, lse, q, k, v, shape, mask))?;
            }
        }
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

    /// Self-attention of `t` new positions `x (T, C)` over every position in
    /// `cache` and the new ones up to each, on the CPU: their keys and values
    /// join the cache, and the output `(T, C)` is returned. The model must be
    /// on the CPU.
    pub fn forward_cached(&self, p: &Tensor, cache: &mut LayerCache, x: &Tensor, t: usize) -> Result<Tensor> {
        let (dev, c) = (Device::Cpu, self.c);
        // q, k, v = x W_Qᵀ + b_Q, x W_Kᵀ + b_K, x W_Vᵀ + b_V        (T, C) each
        let project = |linear: &Linear| -> Result<Tensor> {
            let mut out = Tensor::zeros(&dev, t * c);
            linear.forward(&dev, p, &mut out, x, t)?;
            Ok(out)
        };
        let (q, k, v) = (project(&self.query)?, project(&self.key)?, project(&self.value)?);
        cache.keys.extend_from_slice(k.host()?);
        cache.values.extend_from_slice(v.host()?);
        // ctx = softmax(q Kᵀ/√HS) V per head over the S cached positions, the
        // causal mask shifted by the S − T already there                    (T, C)
        let shape = self.shape(1, t, cache.len(c));
        let mut ctx = Tensor::zeros(&dev, t * c);
        attention::forward_output(&dev, ctx.host_mut()?, q.host()?, &cache.keys, &cache.values, shape, Mask::causal())?;
        // out = ctx W_Oᵀ + b_O
        let mut out = Tensor::zeros(&dev, t * c);
        self.output.forward(&dev, p, &mut out, &ctx, t)?;
        Ok(out)
    }
}
