//! `Block`: one Transformer layer — self-attention and a feed-forward network,
//! each wrapped in a residual connection and a layer norm.
//!
//! Where the layer norm sits is a choice:
//!
//! ```text
//! post-LN (the original paper, BERT)      pre-LN (GPT-2 and most models since)
//! x1 = LN1(x + Attn(x))                   x1 = x + Attn(LN1(x))
//! y  = LN2(x1 + FFN(x1))                  y  = x1 + FFN(LN2(x1))
//! ```
//! Pre-LN leaves the residual path free of normalisation, which makes deep
//! stacks easier to train without warm-up; post-LN normalises every layer's
//! output. Both are here so the difference can be tried.
//!
//! During training each sub-layer's output can pass through dropout before
//! it is added to the residual stream (`Attn` and `FFN` above then stand for
//! `Dropout(Attn(·))` and `Dropout(FFN(·))`); set `BlockActs::dropout`.

use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::{invalid, Result};
use crate::nn::attention::{AttentionActs, MultiHeadAttention};
use crate::nn::dropout::{Dropout, DropoutActs};
use crate::nn::elementwise::{add, add_backward};
use crate::nn::feed_forward::{Activation, FeedForward, FeedForwardActs};
use crate::nn::layernorm::{LayerNorm, LayerNormActs};
use crate::nn::params::Params;
use crate::ops::attention::{AttentionShape, Mask};

/// Where the layer norms sit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NormPlacement {
    PreLn,
    PostLn,
}

/// Sizes of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockConfig {
    pub c: usize,
    pub heads: usize,
    pub ffn_hidden: usize,
    pub activation: Activation,
    pub norm: NormPlacement,
}

/// One Transformer layer.
#[derive(Debug, Clone)]
pub struct Block {
    pub ln1: LayerNorm,
    pub attn: MultiHeadAttention,
    pub ln2: LayerNorm,
    pub ffn: FeedForward,
    pub norm: NormPlacement,
}

/// Everything forward keeps for backward, for `N = B·T` rows.
#[derive(Debug, Clone)]
pub struct BlockActs {
    pub ln1: LayerNormActs,
    pub ln1_out: Tensor, // (N, C)
    pub attn: AttentionActs,
    pub attn_out: Tensor, // (N, C)
    pub res1: Tensor,     // (N, C)  x + attention
    pub ln2: LayerNormActs,
    pub ln2_out: Tensor, // (N, C)
    pub ffn: FeedForwardActs,
    pub ffn_out: Tensor, // (N, C)
    pub res2: Tensor,    // (N, C)  second residual sum
    /// Dropout of this forward pass ([`Dropout::OFF`] unless training asks).
    pub dropout: Dropout,
    pub attn_drop: DropoutActs, // site 0: after attention
    pub ffn_drop: DropoutActs,  // site 1: after the FFN
}

impl BlockActs {
    pub fn new(dev: &Device, cfg: &BlockConfig, b: usize, t: usize) -> BlockActs {
        let n = b * t;
        let rows = || Tensor::zeros(dev, n * cfg.c);
        BlockActs {
            ln1: LayerNormActs::new(dev, n),
            ln1_out: rows(),
            attn: AttentionActs::new(
                dev,
                AttentionShape {
                    b,
                    t,
                    s: t,
                    c: cfg.c,
                    nh: cfg.heads,
                },
            ),
            attn_out: rows(),
            res1: rows(),
            ln2: LayerNormActs::new(dev, n),
            ln2_out: rows(),
            ffn: FeedForwardActs::new(dev, n, cfg.ffn_hidden),
            ffn_out: rows(),
            res2: rows(),
            dropout: Dropout::OFF,
            attn_drop: DropoutActs::new(dev),
            ffn_drop: DropoutActs::new(dev),
        }
    }
}

impl Block {
    pub fn new(params: &mut Params, name: &str, cfg: &BlockConfig) -> Result<Block> {
        Block::check_config(cfg)?;
        Ok(Block {
            ln1: LayerNorm::new(params, &format!("{name}.ln1"), cfg.c),
            attn: MultiHeadAttention::new(params, &format!("{name}.attention"), cfg.c, cfg.heads),
            ln2: LayerNorm::new(params, &format!("{name}.ln2"), cfg.c),
            ffn: FeedForward::new(params, &format!("{name}.ffn"), cfg.c, cfg.ffn_hidden, cfg.activation),
            norm: cfg.norm,
        })
    }

    /// Heads must divide the width, and the feed-forward layer needs a hidden size.
    pub fn check_config(cfg: &BlockConfig) -> Result<()> {
        AttentionShape {
            b: 1,
            t: 1,
            s: 1,
            c: cfg.c,
            nh: cfg.heads,
        }
        .validate("transformer block")?;
        if cfg.ffn_hidden == 0 {
            return Err(invalid(
                "transformer block",
                "the feed-forward hidden size is 0; use at least 1 (4·d_model is usual).",
            ));
        }
        Ok(())
    }

    /// `out (B, T, C)` from `x (B, T, C)`, self-attention under `mask`.
    pub fn forward(
        &self,
        dev: &Device,
        p: &Tensor,
        a: &mut BlockActs,
        out: &mut Tensor,
        x: &Tensor,
        b: usize,
        t: usize,
        mask: Mask,
    ) -> Result<()> {
        let n = b * t;
        let shape = self.attn.shape(b, t, t);
        match self.norm {
            NormPlacement::PreLn => {
                self.ln1.forward(dev, p, &mut a.ln1, &mut a.ln1_out, x, n)?; //  LN1(x)
                self.attn
                    .forward(dev, p, &mut a.attn, &mut a.attn_out, &a.ln1_out, None, shape, mask)?; //  Attn(·)
                let attn = a.dropout.site(0).forward(dev, &mut a.attn_drop, &a.attn_out)?;
                add(dev, &mut a.res1, x, attn)?; //  x1 = x + Attn
                self.ln2.forward(dev, p, &mut a.ln2, &mut a.ln2_out, &a.res1, n)?; //  LN2(x1)
                self.ffn.forward(dev, p, &mut a.ffn, &mut a.ffn_out, &a.ln2_out, n)?; //  FFN(·)
                let ffn = a.dropout.site(1).forward(dev, &mut a.ffn_drop, &a.ffn_out)?;
                add(dev, out, &a.res1, ffn) //  y = x1 + FFN
            }
            NormPlacement::PostLn => {
                self.attn.forward(dev, p, &mut a.attn, &mut a.attn_out, x, None, shape, mask)?; //  Attn(x)
                let attn = a.dropout.site(0).forward(dev, &mut a.attn_drop, &a.attn_out)?;
                add(dev, &mut a.res1, x, attn)?; //  x + Attn
                self.ln1.forward(dev, p, &mut a.ln1, &mut a.ln1_out, &a.res1, n)?; //  x1 = LN1(·)
                self.ffn.forward(dev, p, &mut a.ffn, &mut a.ffn_out, &a.ln1_out, n)?; //  FFN(x1)
                let ffn = a.dropout.site(1).forward(dev, &mut a.ffn_drop, &a.ffn_out)?;
                add(dev, &mut a.res2, &a.ln1_out, ffn)?; //  x1 + FFN
                self.ln2.forward(dev, p, &mut a.ln2, out, &a.res2, n) //  y = LN2(·)
            }
        }
    }

    /// Accumulates `dx (B, T, C)` and every parameter gradient from `dout`.
    pub fn backward(
        &self,
        dev: &Device,
        p: &Tensor,
        g: &mut Tensor,
        a: &BlockActs,
        dx: &mut Tensor,
        dout: &Tensor,
        x: &Tensor,
        b: usize,
        t: usize,
        mask: Mask,
    ) -> Result<()> {
        let n = b * t;
        let shape = self.attn.shape(b, t, t);
        let zeros = || Tensor::zeros(dev, dout.len());
        match self.norm {
            NormPlacement::PreLn => {
                // y = x1 + FFN(LN2(x1)):  dx1 gets dout directly and through the FFN.
                let (mut dres1, mut dffn_out) = (zeros(), zeros());
                add_backward(dev, &mut dres1, &mut dffn_out, dout)?;
                let dffn_out = a.dropout.site(1).backward(dev, &a.ffn_drop, dffn_out)?;
                let mut dln2_out = zeros();
                self.ffn.backward(dev, p, g, &a.ffn, &mut dln2_out, &dffn_out, &a.ln2_out, n)?;
                self.ln2.backward(dev, p, g, &a.ln2, &mut dres1, &dln2_out, &a.res1, n)?;
                // x1 = x + Attn(LN1(x)):  dx gets dx1 directly and through attention.
                let mut dattn_out = zeros();
                add_backward(dev, dx, &mut dattn_out, &dres1)?;
                let dattn_out = a.dropout.site(0).backward(dev, &a.attn_drop, dattn_out)?;
                let mut dln1_out = zeros();
                self.attn
                    .backward(dev, p, g, &a.attn, &mut dln1_out, None, &dattn_out, &a.ln1_out, None, shape, mask)?;
                self.ln1.backward(dev, p, g, &a.ln1, dx, &dln1_out, x, n)
            }
            NormPlacement::PostLn => {
                // y = LN2(x1 + FFN(x1))
                let mut dres2 = zeros();
                self.ln2.backward(dev, p, g, &a.ln2, &mut dres2, dout, &a.res2, n)?;
                let (mut dx1, mut dffn_out) = (zeros(), zeros());
                add_backward(dev, &mut dx1, &mut dffn_out, &dres2)?;
                let dffn_out = a.dropout.site(1).backward(dev, &a.ffn_drop, dffn_out)?;
                self.ffn.backward(dev, p, g, &a.ffn, &mut dx1, &dffn_out, &a.ln1_out, n)?;
                // x1 = LN1(x + Attn(x))
                let mut dres1 = zeros();
                self.ln1.backward(dev, p, g, &a.ln1, &mut dres1, &dx1, &a.res1, n)?;
                let mut dattn_out = zeros();
                add_backward(dev, dx, &mut dattn_out, &dres1)?;
                let dattn_out = a.dropout.site(0).backward(dev, &a.attn_drop, dattn_out)?;
                self.attn.backward(dev, p, g, &a.attn, dx, None, &dattn_out, x, None, shape, mask)
            }
        }
    }
}
