//! `TinyLm`: the smallest whole Transformer — embeddings, a stack of blocks,
//! and a linear head that predicts one token per position.
//!
//! ```text
//! tokens (B, T) → Embedding → x (B, T, C)
//!   → Block₁ → … → Block_L                 (B, T, C)
//!   → final LayerNorm (pre-LN stacks only)  (B, T, C)
//!   → head: x Wᵀ + b                        (B, T, V)   logits
//!   → cross-entropy against targets         scalar loss
//! ```
//! With a causal mask and targets = inputs shifted by one it is a GPT-style
//! language model; without the mask it is an encoder that labels each token.
//! It exists to check that every layer learns together (it must overfit one
//! batch) and as the template the seq2seq, BERT and GPT models follow.

use crate::device::Device;
use crate::error::Result;
use crate::nn::block::{Block, BlockActs, BlockConfig, NormPlacement};
use crate::nn::embedding::Embedding;
use crate::nn::layernorm::{LayerNorm, LayerNormActs};
use crate::nn::linear::Linear;
use crate::nn::params::Params;
use crate::ops::attention::Mask;
use crate::ops::cross_entropy;

/// Sizes and choices of a `TinyLm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TinyLmConfig {
    pub vocab: usize,
    pub layers: usize,
    pub block: BlockConfig,
    /// `Some(n)`: learned positions for up to `n` tokens; `None`: sinusoidal.
    pub learned_positions: Option<usize>,
    pub causal: bool,
}

/// Parameters and layers.
#[derive(Debug, Clone)]
pub struct TinyLm {
    pub cfg: TinyLmConfig,
    pub params: Params,
    pub embed: Embedding,
    pub blocks: Vec<Block>,
    pub ln_final: Option<LayerNorm>,
    pub head: Linear,
}

/// Activations of one forward pass over `B` sequences of `T` tokens.
#[derive(Debug, Clone)]
pub struct TinyLmActs {
    pub b: usize,
    pub t: usize,
    pub embedded: Vec<f32>,        // (B, T, C)
    pub blocks: Vec<BlockActs>,    // one per layer
    pub block_outs: Vec<Vec<f32>>, // (B, T, C) per layer
    pub ln_final: LayerNormActs,   // (B·T) mean and rstd
    pub ln_final_out: Vec<f32>,    // (B, T, C)
    pub logits: Vec<f32>,          // (B, T, V)
    pub probs: Vec<f32>,           // (B, T, V)
}

impl TinyLm {
    /// A freshly initialised model; `seed` fixes every initial weight.
    pub fn new(cfg: TinyLmConfig, seed: u64) -> Result<TinyLm> {
        let mut params = Params::new(seed);
        let c = cfg.block.c;
        let embed = Embedding::new(&mut params, "embeddings", cfg.vocab, c, cfg.learned_positions);
        let blocks = (0..cfg.layers)
            .map(|i| Block::new(&mut params, &format!("layer.{i}"), &cfg.block))
            .collect::<Result<Vec<_>>>()?;
        let ln_final = (cfg.block.norm == NormPlacement::PreLn).then(|| LayerNorm::new(&mut params, "ln_final", c));
        let head = Linear::new(&mut params, "head", c, cfg.vocab, true);
        Ok(TinyLm {
            cfg,
            params,
            embed,
            blocks,
            ln_final,
            head,
        })
    }

    /// Buffers for a batch of `b` sequences of `t` tokens.
    pub fn acts(&self, b: usize, t: usize) -> TinyLmActs {
        let (n, c, v) = (b * t, self.cfg.block.c, self.cfg.vocab);
        TinyLmActs {
            b,
            t,
            embedded: vec![0.0; n * c],
            blocks: (0..self.cfg.layers).map(|_| BlockActs::new(&self.cfg.block, b, t)).collect(),
            block_outs: (0..self.cfg.layers).map(|_| vec![0.0; n * c]).collect(),
            ln_final: LayerNormActs::new(n),
            ln_final_out: vec![0.0; n * c],
            logits: vec![0.0; n * v],
            probs: vec![0.0; n * v],
        }
    }

    fn mask(&self) -> Mask<'static> {
        if self.cfg.causal {
            Mask::causal()
        } else {
            Mask::none()
        }
    }

    /// Forward pass; returns the mean cross-entropy against `targets (B·T)`.
    pub fn forward(&self, dev: &Device, a: &mut TinyLmActs, tokens: &[u32], targets: &[i32]) -> Result<f32> {
        let (b, t, n) = (a.b, a.t, a.b * a.t);
        let p = &self.params.values;
        self.embed.forward(dev, p, &mut a.embedded, tokens, b, t)?;
        for (i, block) in self.blocks.iter().enumerate() {
            let (done, rest) = a.block_outs.split_at_mut(i);
            let input = if i == 0 { &a.embedded } else { &done[i - 1] };
            block.forward(dev, p, &mut a.blocks[i], &mut rest[0], input, b, t, self.mask())?;
        }
        let top = a.block_outs.last().unwrap_or(&a.embedded);
        let head_in = match &self.ln_final {
            Some(ln) => {
                ln.forward(dev, p, &mut a.ln_final, &mut a.ln_final_out, top, n)?;
                &a.ln_final_out
            }
            None => top,
        };
        self.head.forward(dev, p, &mut a.logits, head_in, n)?;
        let (loss, _) = cross_entropy::forward(dev, &mut a.probs, &a.logits, targets, self.cfg.vocab, cross_entropy::IGNORE_INDEX)?;
        Ok(loss)
    }

    /// Backward pass after `forward`: accumulates into `self.params.grads`.
    pub fn backward(&mut self, dev: &Device, a: &TinyLmActs, tokens: &[u32], targets: &[i32]) -> Result<()> {
        let (b, t, n, c) = (a.b, a.t, a.b * a.t, self.cfg.block.c);
        let (p, g) = (&self.params.values, &mut self.params.grads);
        // loss = CE(logits, targets)
        let mut dlogits = vec![0.0f32; a.logits.len()];
        cross_entropy::backward(dev, &mut dlogits, &a.probs, targets, self.cfg.vocab, cross_entropy::IGNORE_INDEX)?;
        // logits = head(LN_final(top))
        let top = a.block_outs.last().unwrap_or(&a.embedded);
        let mut dtop = vec![0.0f32; n * c];
        match &self.ln_final {
            Some(ln) => {
                let mut dln = vec![0.0f32; n * c];
                self.head.backward(dev, p, g, &mut dln, &dlogits, &a.ln_final_out, n)?;
                ln.backward(dev, p, g, &a.ln_final, &mut dtop, &dln, top, n)?;
            }
            None => self.head.backward(dev, p, g, &mut dtop, &dlogits, top, n)?,
        }
        // blocks, last to first
        for (i, block) in self.blocks.iter().enumerate().rev() {
            let input = if i == 0 { &a.embedded } else { &a.block_outs[i - 1] };
            let mut dinput = vec![0.0f32; n * c];
            block.backward(dev, p, g, &a.blocks[i], &mut dinput, &dtop, input, b, t)?;
            dtop = dinput;
        }
        // embedded = wte[tokens] + positions
        self.embed.backward(dev, g, &dtop, tokens, b, t)
    }
}
