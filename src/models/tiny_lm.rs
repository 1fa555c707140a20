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

use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::Result;
use crate::nn::block::{Block, BlockActs, BlockConfig, NormPlacement};
use crate::nn::embedding::Embedding;
use crate::nn::layernorm::{LayerNorm, LayerNormActs};
use crate::nn::linear::Linear;
use crate::nn::loss::CrossEntropy;
use crate::nn::params::Params;
use crate::ops::attention::Mask;
use crate::ops::cross_entropy::GpuTargets;

/// Sizes and choices of a `TinyLm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TinyLmConfig {
    pub vocab: usize,
    pub layers: usize,
    pub block: BlockConfig,
    /// `Some(n)`: learned positions for up to `n` tokens; `None`: sinusoidal.
    pub learned_positions: Option<usize>,
    pub causal: bool,
    /// The head reuses the token embedding table as its weight (GPT-2's
    /// "tied" embeddings): `logits = x · Eᵀ + b`.
    pub tie_embeddings: bool,
}

/// Parameters and layers, on one device.
#[derive(Debug, Clone)]
pub struct TinyLm {
    pub cfg: TinyLmConfig,
    pub device: Device,
    pub params: Params,
    pub embed: Embedding,
    pub blocks: Vec<Block>,
    pub ln_final: Option<LayerNorm>,
    pub head: Linear,
}

/// Activations of one forward pass over `B` sequences of `T` tokens.
#[derive(Debug)]
pub struct TinyLmActs {
    pub b: usize,
    pub t: usize,
    pub embedded: Tensor,        // (B, T, C)
    pub blocks: Vec<BlockActs>,  // one per layer
    pub block_outs: Vec<Tensor>, // (B, T, C) per layer
    pub ln_final: LayerNormActs, // (B·T) mean and rstd
    pub ln_final_out: Tensor,    // (B, T, C)
    pub logits: Tensor,          // (B, T, V)
    pub probs: Tensor,           // (B, T, V)
    pub loss: Tensor,            // (1) mean cross-entropy
    targets_gpu: Option<GpuTargets>,
}

impl TinyLm {
    /// A freshly initialised model on `device`; `seed` fixes every initial
    /// weight (the same numbers on every device).
    pub fn new(cfg: TinyLmConfig, seed: u64, device: &Device) -> Result<TinyLm> {
        TinyLm::with_params(cfg, Params::new(seed), device)
    }

    /// A model on the CPU whose weights a checkpoint is about to fill (see [`Params::to_fill`]).
    pub fn to_fill(cfg: TinyLmConfig) -> Result<TinyLm> {
        TinyLm::with_params(cfg, Params::to_fill(), &Device::Cpu)
    }

    fn with_params(cfg: TinyLmConfig, mut params: Params, device: &Device) -> Result<TinyLm> {
        let c = cfg.block.c;
        let embed = Embedding::new(&mut params, "embeddings", cfg.vocab, c, cfg.learned_positions);
        let blocks = (0..cfg.layers)
            .map(|i| Block::new(&mut params, &format!("layer.{i}"), &cfg.block))
            .collect::<Result<Vec<_>>>()?;
        let ln_final = (cfg.block.norm == NormPlacement::PreLn).then(|| LayerNorm::new(&mut params, "ln_final", c));
        let head = if cfg.tie_embeddings {
            Linear::tied(&mut params, "head", embed.tokens, c, cfg.vocab)
        } else {
            Linear::new(&mut params, "head", c, cfg.vocab, true)
        };
        if *device != Device::Cpu {
            let values = params.values.host()?.to_vec();
            params.move_to(device, values);
        }
        Ok(TinyLm {
            cfg,
            device: device.clone(),
            params,
            embed,
            blocks,
            ln_final,
            head,
        })
    }

    /// Move the model to another device with these parameter values (e.g.
    /// from a host copy taken before a GPU was lost).
    pub fn move_to(&mut self, device: &Device, values: Vec<f32>) -> Result<()> {
        if values.len() != self.params.layout_len() {
            return Err(crate::error::invalid(
                "TinyLm.move_to",
                format!("got {} values for a model of {}.", values.len(), self.params.layout_len()),
            ));
        }
        self.params.move_to(device, values);
        self.device = device.clone();
        Ok(())
    }

    /// Buffers for a batch of `b` sequences of `t` tokens, on the model's device.
    pub fn acts(&self, b: usize, t: usize) -> TinyLmActs {
        let (n, c, v, dev) = (b * t, self.cfg.block.c, self.cfg.vocab, &self.device);
        TinyLmActs {
            b,
            t,
            embedded: Tensor::zeros(dev, n * c),
            blocks: (0..self.cfg.layers).map(|_| BlockActs::new(dev, &self.cfg.block, b, t)).collect(),
            block_outs: (0..self.cfg.layers).map(|_| Tensor::zeros(dev, n * c)).collect(),
            ln_final: LayerNormActs::new(dev, n),
            ln_final_out: Tensor::zeros(dev, n * c),
            logits: Tensor::zeros(dev, n * v),
            probs: Tensor::zeros(dev, n * v),
            loss: Tensor::zeros(dev, 1),
            targets_gpu: None,
        }
    }

    fn mask(&self) -> Mask<'static> {
        if self.cfg.causal {
            Mask::causal()
        } else {
            Mask::none()
        }
    }

    /// Forward pass; the mean cross-entropy against `targets (B·T)` lands in
    /// `a.loss` (read it with [`TinyLm::loss`]).
    pub fn forward(&self, a: &mut TinyLmActs, tokens: &[u32], targets: &[i32]) -> Result<()> {
        let (b, t, n, v, dev) = (a.b, a.t, a.b * a.t, self.cfg.vocab, &self.device);
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
        a.targets_gpu = CrossEntropy::new(v).forward(dev, &mut a.loss, &mut a.probs, &a.logits, targets)?;
        Ok(())
    }

    /// The loss of the last forward pass (on the GPU: waits for the step).
    pub async fn loss(&self, a: &TinyLmActs) -> Result<f32> {
        Ok(a.loss.to_host(&self.device).await?[0])
    }

    /// Backward pass after `forward`: accumulates into `self.params.grads`.
    pub fn backward(&mut self, a: &TinyLmActs, tokens: &[u32], targets: &[i32]) -> Result<()> {
        let (b, t, n, c, v) = (a.b, a.t, a.b * a.t, self.cfg.block.c, self.cfg.vocab);
        let (dev, mask) = (&self.device, self.mask());
        let (p, g) = (&self.params.values, &mut self.params.grads);
        // loss = CE(logits, targets)
        let dlogits = CrossEntropy::new(v).backward(dev, &a.probs, targets, a.targets_gpu.as_ref())?;
        // logits = head(LN_final(top))
        let top = a.block_outs.last().unwrap_or(&a.embedded);
        let mut dtop = Tensor::zeros(dev, n * c);
        match &self.ln_final {
            Some(ln) => {
                let mut dln = Tensor::zeros(dev, n * c);
                self.head.backward(dev, p, g, &mut dln, &dlogits, &a.ln_final_out, n)?;
                ln.backward(dev, p, g, &a.ln_final, &mut dtop, &dln, top, n)?;
            }
            None => self.head.backward(dev, p, g, &mut dtop, &dlogits, top, n)?,
        }
        // blocks, last to first
        for (i, block) in self.blocks.iter().enumerate().rev() {
            let input = if i == 0 { &a.embedded } else { &a.block_outs[i - 1] };
            let mut dinput = Tensor::zeros(dev, n * c);
            block.backward(dev, p, g, &a.blocks[i], &mut dinput, &dtop, input, b, t, mask)?;
            dtop = dinput;
        }
        // embedded = wte[tokens] + positions
        self.embed.backward(dev, g, &dtop, tokens, b, t)
    }
}
