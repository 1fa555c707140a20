//! `DecoderBlock`: one layer of the original Transformer's decoder — masked
//! self-attention over the target so far, attention over the encoder's output
//! ("cross-attention": queries from the decoder, keys and values from the
//! source sentence), then the feed-forward network; each sub-layer wrapped in
//! a residual connection and a layer norm.
//!
//! ```text
//! post-LN (the original paper)                 pre-LN
//! x1 = LN1(x  + SelfAttn(x))          causal   x1 = x  + SelfAttn(LN1(x))
//! x2 = LN2(x1 + CrossAttn(x1, enc))            x2 = x1 + CrossAttn(LN2(x1), enc)
//! y  = LN3(x2 + FFN(x2))                       y  = x2 + FFN(LN3(x2))
//! ```
//!
//! The self-attention is causal: position t sees targets 0..=t only, so
//! training on a whole sentence at once cannot peek at the words it must
//! predict. The cross-attention sees every source position that is not
//! padding; its weights, target × source, are the alignment the course draws.
//! Backward gives the gradient for the decoder input and adds the gradient
//! for the encoder output (which every decoder layer attends to).
//!
//! In training, each of the three sub-layer outputs can pass through dropout
//! before the residual addition, as in an encoder block (`DecoderActs::dropout`).

use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::Result;
use crate::nn::attention::{AttentionActs, MultiHeadAttention};
use crate::nn::block::{BlockConfig, NormPlacement};
use crate::nn::dropout::{Dropout, DropoutActs};
use crate::nn::elementwise::{add, add_backward};
use crate::nn::feed_forward::{FeedForward, FeedForwardActs};
use crate::nn::layernorm::{LayerNorm, LayerNormActs};
use crate::nn::params::Params;
use crate::ops::attention::{AttentionShape, Mask};

/// One decoder layer (sizes as for an encoder [`Block`](crate::nn::block::Block)).
#[derive(Debug, Clone)]
pub struct DecoderBlock {
    pub ln1: LayerNorm,
    pub self_attn: MultiHeadAttention,
    pub ln2: LayerNorm,
    pub cross_attn: MultiHeadAttention,
    pub ln3: LayerNorm,
    pub ffn: FeedForward,
    pub norm: NormPlacement,
}

/// What forward keeps, for `B` sequences of `T` targets over `S` sources.
#[derive(Debug, Clone)]
pub struct DecoderActs {
    pub ln1: LayerNormActs,
    pub ln1_out: Tensor, // (B·T, C)
    pub self_attn: AttentionActs,
    pub self_out: Tensor, // (B·T, C)
    pub res1: Tensor,     // (B·T, C)
    pub ln2: LayerNormActs,
    pub ln2_out: Tensor, // (B·T, C)
    pub cross_attn: AttentionActs,
    pub cross_out: Tensor, // (B·T, C)
    pub res2: Tensor,      // (B·T, C)
    pub ln3: LayerNormActs,
    pub ln3_out: Tensor, // (B·T, C)
    pub ffn: FeedForwardActs,
    pub ffn_out: Tensor, // (B·T, C)
    pub res3: Tensor,    // (B·T, C)
    /// Dropout of this forward pass ([`Dropout::OFF`] unless training asks).
    pub dropout: Dropout,
    pub self_drop: DropoutActs,  // site 0
    pub cross_drop: DropoutActs, // site 1
    pub ffn_drop: DropoutActs,   // site 2
}

impl DecoderActs {
    pub fn new(dev: &Device, cfg: &BlockConfig, b: usize, t: usize, s: usize) -> DecoderActs {
        let n = b * t;
        let rows = || Tensor::zeros(dev, n * cfg.c);
        let shape = |keys| AttentionShape {
            b,
            t,
            s: keys,
            c: cfg.c,
            nh: cfg.heads,
        };
        DecoderActs {
            ln1: LayerNormActs::new(dev, n),
            ln1_out: rows(),
            self_attn: AttentionActs::new(dev, shape(t)),
            self_out: rows(),
            res1: rows(),
            ln2: LayerNormActs::new(dev, n),
            ln2_out: rows(),
            cross_attn: AttentionActs::new(dev, shape(s)),
            cross_out: rows(),
            res2: rows(),
            ln3: LayerNormActs::new(dev, n),
            ln3_out: rows(),
            ffn: FeedForwardActs::new(dev, n, cfg.ffn_hidden),
            ffn_out: rows(),
            res3: rows(),
            dropout: Dropout::OFF,
            self_drop: DropoutActs::new(dev),
            cross_drop: DropoutActs::new(dev),
            ffn_drop: DropoutActs::new(dev),
        }
    }
}

impl DecoderBlock {
    pub fn new(params: &mut Params, name: &str, cfg: &BlockConfig) -> Result<DecoderBlock> {
        // The same checks as an encoder block (heads divide C, a hidden layer).
        crate::nn::block::Block::check_config(cfg)?;
        Ok(DecoderBlock {
            ln1: LayerNorm::new(params, &format!("{name}.ln1"), cfg.c),
            self_attn: MultiHeadAttention::new(params, &format!("{name}.self_attention"), cfg.c, cfg.heads),
            ln2: LayerNorm::new(params, &format!("{name}.ln2"), cfg.c),
            cross_attn: MultiHeadAttention::new(params, &format!("{name}.cross_attention"), cfg.c, cfg.heads),
            ln3: LayerNorm::new(params, &format!("{name}.ln3"), cfg.c),
            ffn: FeedForward::new(params, &format!("{name}.ffn"), cfg.c, cfg.ffn_hidden, cfg.activation),
            norm: cfg.norm,
        })
    }

    /// `out (B, T, C)` from the target side `x (B, T, C)` and the encoder's
    /// output `enc (B, S, C)`; `source_lengths[b]` source positions of row b are real.
    #[allow(clippy::too_many_arguments)]
    pub fn forward(
        &self,
        dev: &Device,
        p: &Tensor,
        a: &mut DecoderActs,
        out: &mut Tensor,
        x: &Tensor,
        enc: &Tensor,
        (b, t, s): (usize, usize, usize),
        source_lengths: &[usize],
    ) -> Result<()> {
        let n = b * t;
        let (self_shape, cross_shape) = (self.self_attn.shape(b, t, t), self.cross_attn.shape(b, t, s));
        let (causal, padding) = (Mask::causal(), Mask::key_padding(source_lengths));
        match self.norm {
            NormPlacement::PreLn => {
                self.ln1.forward(dev, p, &mut a.ln1, &mut a.ln1_out, x, n)?; //                          LN1(x)
                self.self_attn
                    .forward(dev, p, &mut a.self_attn, &mut a.self_out, &a.ln1_out, None, self_shape, causal)?;
                let self_out = a.dropout.site(0).forward(dev, &mut a.self_drop, &a.self_out)?;
                add(dev, &mut a.res1, x, self_out)?; //                                                 x1 = x + SelfAttn
                self.ln2.forward(dev, p, &mut a.ln2, &mut a.ln2_out, &a.res1, n)?; //                     LN2(x1)
                self.cross_attn.forward(
                    dev,
                    p,
                    &mut a.cross_attn,
                    &mut a.cross_out,
                    &a.ln2_out,
                    Some(enc),
                    cross_shape,
                    padding,
                )?;
                let cross_out = a.dropout.site(1).forward(dev, &mut a.cross_drop, &a.cross_out)?;
                add(dev, &mut a.res2, &a.res1, cross_out)?; //                                          x2 = x1 + CrossAttn
                self.ln3.forward(dev, p, &mut a.ln3, &mut a.ln3_out, &a.res2, n)?; //                     LN3(x2)
                self.ffn.forward(dev, p, &mut a.ffn, &mut a.ffn_out, &a.ln3_out, n)?; //                   FFN(·)
                let ffn_out = a.dropout.site(2).forward(dev, &mut a.ffn_drop, &a.ffn_out)?;
                add(dev, out, &a.res2, ffn_out) //                                                      y = x2 + FFN
            }
            NormPlacement::PostLn => {
                self.self_attn
                    .forward(dev, p, &mut a.self_attn, &mut a.self_out, x, None, self_shape, causal)?;
                let self_out = a.dropout.site(0).forward(dev, &mut a.self_drop, &a.self_out)?;
                add(dev, &mut a.res1, x, self_out)?; //                                                 x + SelfAttn(x)
                self.ln1.forward(dev, p, &mut a.ln1, &mut a.ln1_out, &a.res1, n)?; //                     x1 = LN1(·)
                self.cross_attn.forward(
                    dev,
                    p,
                    &mut a.cross_attn,
                    &mut a.cross_out,
                    &a.ln1_out,
                    Some(enc),
                    cross_shape,
                    padding,
                )?;
                let cross_out = a.dropout.site(1).forward(dev, &mut a.cross_drop, &a.cross_out)?;
                add(dev, &mut a.res2, &a.ln1_out, cross_out)?; //                                       x1 + CrossAttn(x1, enc)
                self.ln2.forward(dev, p, &mut a.ln2, &mut a.ln2_out, &a.res2, n)?; //                     x2 = LN2(·)
                self.ffn.forward(dev, p, &mut a.ffn, &mut a.ffn_out, &a.ln2_out, n)?; //                   FFN(x2)
                let ffn_out = a.dropout.site(2).forward(dev, &mut a.ffn_drop, &a.ffn_out)?;
                add(dev, &mut a.res3, &a.ln2_out, ffn_out)?; //                                         x2 + FFN
                self.ln3.forward(dev, p, &mut a.ln3, out, &a.res3, n) //                                  y = LN3(·)
            }
        }
    }

    /// Accumulates `dx (B, T, C)`, `denc (B, S, C)` and every parameter gradient from `dout`.
    #[allow(clippy::too_many_arguments)]
    pub fn backward(
        &self,
        dev: &Device,
        p: &Tensor,
        g: &mut Tensor,
        a: &DecoderActs,
        dx: &mut Tensor,
        denc: &mut Tensor,
        dout: &Tensor,
        x: &Tensor,
        enc: &Tensor,
        (b, t, s): (usize, usize, usize),
        source_lengths: &[usize],
    ) -> Result<()> {
        let n = b * t;
        let (self_shape, cross_shape) = (self.self_attn.shape(b, t, t), self.cross_attn.shape(b, t, s));
        let (causal, padding) = (Mask::causal(), Mask::key_padding(source_lengths));
        let zeros = || Tensor::zeros(dev, dout.len());
        match self.norm {
            NormPlacement::PreLn => {
                // y = x2 + FFN(LN3(x2))
                let (mut dres2, mut dffn_out) = (zeros(), zeros());
                add_backward(dev, &mut dres2, &mut dffn_out, dout)?;
                let dffn_out = a.dropout.site(2).backward(dev, &a.ffn_drop, dffn_out)?;
                let mut dln3_out = zeros();
                self.ffn.backward(dev, p, g, &a.ffn, &mut dln3_out, &dffn_out, &a.ln3_out, n)?;
                self.ln3.backward(dev, p, g, &a.ln3, &mut dres2, &dln3_out, &a.res2, n)?;
                // x2 = x1 + CrossAttn(LN2(x1), enc)
                let (mut dres1, mut dcross_out) = (zeros(), zeros());
                add_backward(dev, &mut dres1, &mut dcross_out, &dres2)?;
                let dcross_out = a.dropout.site(1).backward(dev, &a.cross_drop, dcross_out)?;
                let mut dln2_out = zeros();
                self.cross_attn.backward(
                    dev,
                    p,
                    g,
                    &a.cross_attn,
                    &mut dln2_out,
                    Some(denc),
                    &dcross_out,
                    &a.ln2_out,
                    Some(enc),
                    cross_shape,
                    padding,
                )?;
                self.ln2.backward(dev, p, g, &a.ln2, &mut dres1, &dln2_out, &a.res1, n)?;
                // x1 = x + SelfAttn(LN1(x))
                let mut dself_out = zeros();
                add_backward(dev, dx, &mut dself_out, &dres1)?;
                let dself_out = a.dropout.site(0).backward(dev, &a.self_drop, dself_out)?;
                let mut dln1_out = zeros();
                self.self_attn.backward(
                    dev,
                    p,
                    g,
                    &a.self_attn,
                    &mut dln1_out,
                    None,
                    &dself_out,
                    &a.ln1_out,
                    None,
                    self_shape,
                    causal,
                )?;
                self.ln1.backward(dev, p, g, &a.ln1, dx, &dln1_out, x, n)
            }
            NormPlacement::PostLn => {
                // y = LN3(x2 + FFN(x2))
                let mut dres3 = zeros();
                self.ln3.backward(dev, p, g, &a.ln3, &mut dres3, dout, &a.res3, n)?;
                let (mut dx2, mut dffn_out) = (zeros(), zeros());
                add_backward(dev, &mut dx2, &mut dffn_out, &dres3)?;
                let dffn_out = a.dropout.site(2).backward(dev, &a.ffn_drop, dffn_out)?;
                self.ffn.backward(dev, p, g, &a.ffn, &mut dx2, &dffn_out, &a.ln2_out, n)?;
                // x2 = LN2(x1 + CrossAttn(x1, enc))
                let mut dres2 = zeros();
                self.ln2.backward(dev, p, g, &a.ln2, &mut dres2, &dx2, &a.res2, n)?;
                let (mut dx1, mut dcross_out) = (zeros(), zeros());
                add_backward(dev, &mut dx1, &mut dcross_out, &dres2)?;
                let dcross_out = a.dropout.site(1).backward(dev, &a.cross_drop, dcross_out)?;
                self.cross_attn.backward(
                    dev,
                    p,
                    g,
                    &a.cross_attn,
                    &mut dx1,
                    Some(denc),
                    &dcross_out,
                    &a.ln1_out,
                    Some(enc),
                    cross_shape,
                    padding,
                )?;
                // x1 = LN1(x + SelfAttn(x))
                let mut dres1 = zeros();
                self.ln1.backward(dev, p, g, &a.ln1, &mut dres1, &dx1, &a.res1, n)?;
                let mut dself_out = zeros();
                add_backward(dev, dx, &mut dself_out, &dres1)?;
                let dself_out = a.dropout.site(0).backward(dev, &a.self_drop, dself_out)?;
                self.self_attn
                    .backward(dev, p, g, &a.self_attn, dx, None, &dself_out, x, None, self_shape, causal)
            }
        }
    }
}
