//! `Seq2Seq`: the original Transformer — an encoder reads the source
//! sentence, a decoder writes the target one word at a time, looking at its
//! own words so far (causal self-attention) and at the encoder's output
//! (cross-attention).
//!
//! ```text
//! source (B, S) → Embedding + sinusoid → x (B, S, C)
//!   → encoder Block₁ … Block_L   (self-attention over real source words)
//!   → final LayerNorm (pre-LN)   → memory (B, S, C)
//! decoder input (B, T) = <bos> y₁ … y_n → Embedding + sinusoid
//!   → DecoderBlock₁ … DecoderBlock_L   (causal self-attention; cross-attention over memory)
//!   → final LayerNorm (pre-LN) → head → logits (B, T, V_target)
//!   → cross-entropy against y₁ … y_n <eos>   (padding ignored)
//! ```
//!
//! Training feeds the whole correct target at once ("teacher forcing"); the
//! causal mask keeps position t from seeing the word it must predict.
//! Backward runs the same path in reverse; the memory's gradient is the sum
//! of what every decoder layer's cross-attention sends back.
//!
//! Two options of the paper: **dropout** on the embeddings and on every
//! sub-layer's output, and **label smoothing** of the loss (both only while
//! training: see [`Regularization`]); and **tied output embeddings**: the
//! head's weight `(V, C)` *is* the target embedding table, so a word's vector
//! going in and its score coming out are the same numbers (the paper also
//! shares the source table, which needs one vocabulary for both languages;
//! here each language has its own).

use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::{invalid, Result};
use crate::nn::block::{Block, BlockActs, BlockConfig, NormPlacement};
use crate::nn::decoder_block::{DecoderActs, DecoderBlock};
use crate::nn::dropout::{Dropout, DropoutActs};
use crate::nn::embedding::Embedding;
use crate::nn::layernorm::{LayerNorm, LayerNormActs};
use crate::nn::linear::Linear;
use crate::nn::loss::CrossEntropy;
use crate::nn::params::Params;
use crate::ops::attention::Mask;
use crate::ops::cross_entropy::{GpuTargets, IGNORE_INDEX};

/// The ids the model itself gives meaning to, whatever the vocabulary: every
/// word vocabulary of a translator numbers its words after these (see
/// `train::tokenizer`, which adds `<unk>` = 3).
///
/// `PAD` fills short rows of a batch (masked out of attention and ignored by
/// the loss); `BOS` is the decoder's first input; `EOS` is its last target,
/// where decoding stops.
pub const PAD: u32 = 0;
pub const BOS: u32 = 1;
pub const EOS: u32 = 2;

/// Sizes of a `Seq2Seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seq2SeqConfig {
    pub source_vocab: usize,
    pub target_vocab: usize,
    /// Encoder layers, and as many decoder layers.
    pub layers: usize,
    pub block: BlockConfig,
    /// The head reuses the target embedding table as its weight.
    pub tie_output_embedding: bool,
}

/// What training adds to a forward pass; decoding uses [`Regularization::NONE`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Regularization {
    /// Dropout after the embeddings and after every sub-layer (0.1 in the paper).
    pub dropout: Dropout,
    /// Label smoothing ε of the loss (0.1 in the paper).
    pub label_smoothing: f32,
}

impl Regularization {
    pub const NONE: Regularization = Regularization {
        dropout: Dropout::OFF,
        label_smoothing: 0.0,
    };
}

#[derive(Debug, Clone)]
pub struct Seq2Seq {
    pub cfg: Seq2SeqConfig,
    pub device: Device,
    pub params: Params,
    pub source_embed: Embedding,
    pub target_embed: Embedding,
    pub encoder: Vec<Block>,
    pub encoder_ln: Option<LayerNorm>,
    pub decoder: Vec<DecoderBlock>,
    pub decoder_ln: Option<LayerNorm>,
    pub head: Linear,
}

/// One batch: `B` source sentences padded to `S`, `B` targets padded to `T`.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub b: usize,
    pub s: usize,
    pub t: usize,
    pub source: Vec<u32>,           // (B, S)
    pub source_lengths: Vec<usize>, // (B) real words per source row
    pub decoder_input: Vec<u32>,    // (B, T) <bos> then the target: the target shifted right
    pub targets: Vec<i32>,          // (B, T) the target then <eos>; IGNORE_INDEX on padding
}

impl Batch {
    /// A batch from `(source ids, target ids)` pairs without special tokens:
    /// sources padded with `<pad>`; decoder input `<bos> y₁ … y_n` and targets
    /// `y₁ … y_n <eos>` (position i reads yᵢ and must predict yᵢ₊₁), padded
    /// with `<pad>` and the ignore index.
    pub fn new(pairs: &[(Vec<u32>, Vec<u32>)]) -> Result<Batch> {
        if pairs.is_empty() || pairs.iter().any(|(x, y)| x.is_empty() || y.is_empty()) {
            return Err(invalid("seq2seq batch", "needs at least one pair, and no empty source or target."));
        }
        let b = pairs.len();
        let s = pairs.iter().map(|(x, _)| x.len()).max().unwrap_or(0);
        let t = pairs.iter().map(|(_, y)| y.len() + 1).max().unwrap_or(0);
        let mut batch = Batch {
            b,
            s,
            t,
            source: vec![PAD; b * s],
            source_lengths: pairs.iter().map(|(x, _)| x.len()).collect(),
            decoder_input: vec![PAD; b * t],
            targets: vec![IGNORE_INDEX; b * t],
        };
        for (row, (x, y)) in pairs.iter().enumerate() {
            batch.source[row * s..][..x.len()].copy_from_slice(x);
            batch.decoder_input[row * t] = BOS;
            batch.decoder_input[row * t + 1..][..y.len()].copy_from_slice(y);
            for (i, &id) in y.iter().chain(&[EOS]).enumerate() {
                batch.targets[row * t + i] = id as i32;
            }
        }
        Ok(batch)
    }
}

/// Activations of one forward pass.
#[derive(Debug)]
pub struct Seq2SeqActs {
    pub b: usize,
    pub s: usize,
    pub t: usize,
    pub source_embedded: Tensor,   // (B, S, C)
    pub encoder: Vec<BlockActs>,   // per layer
    pub encoder_outs: Vec<Tensor>, // (B, S, C) per layer
    pub encoder_ln: LayerNormActs, // (B·S)
    pub memory: Tensor,            // (B, S, C) normalised encoder output (pre-LN stacks)
    pub target_embedded: Tensor,   // (B, T, C)
    pub decoder: Vec<DecoderActs>, // per layer
    pub decoder_outs: Vec<Tensor>, // (B, T, C) per layer
    pub decoder_ln: LayerNormActs, // (B·T)
    pub decoder_ln_out: Tensor,    // (B, T, C)
    pub logits: Tensor,            // (B, T, V)
    pub probs: Tensor,             // (B, T, V)
    pub loss: Tensor,              // (1)
    /// Off unless a training step turns it on.
    pub regularization: Regularization,
    pub source_drop: DropoutActs, // dropout of the source embeddings
    pub target_drop: DropoutActs, // dropout of the target embeddings
    targets_gpu: Option<GpuTargets>,
}

impl Seq2Seq {
    /// A freshly initialised model; `seed` fixes every weight on every device.
    pub fn new(cfg: Seq2SeqConfig, seed: u64, device: &Device) -> Result<Seq2Seq> {
        if cfg.layers == 0 || cfg.source_vocab == 0 || cfg.target_vocab == 0 {
            return Err(invalid("seq2seq", "layers and both vocabularies need at least 1 entry."));
        }
        let mut params = Params::new(seed);
        let c = cfg.block.c;
        let source_embed = Embedding::new(&mut params, "source_embeddings", cfg.source_vocab, c, None);
        let target_embed = Embedding::new(&mut params, "target_embeddings", cfg.target_vocab, c, None);
        let encoder = (0..cfg.layers)
            .map(|i| Block::new(&mut params, &format!("encoder.{i}"), &cfg.block))
            .collect::<Result<Vec<_>>>()?;
        let pre_ln = cfg.block.norm == NormPlacement::PreLn;
        let encoder_ln = pre_ln.then(|| LayerNorm::new(&mut params, "encoder.ln_final", c));
        let decoder = (0..cfg.layers)
            .map(|i| DecoderBlock::new(&mut params, &format!("decoder.{i}"), &cfg.block))
            .collect::<Result<Vec<_>>>()?;
        let decoder_ln = pre_ln.then(|| LayerNorm::new(&mut params, "decoder.ln_final", c));
        let head = if cfg.tie_output_embedding {
            Linear::tied(&mut params, "head", target_embed.tokens, c, cfg.target_vocab)
        } else {
            Linear::new(&mut params, "head", c, cfg.target_vocab, true)
        };
        let values = params.values.host()?.to_vec();
        params.move_to(device, values);
        Ok(Seq2Seq {
            cfg,
            device: device.clone(),
            params,
            source_embed,
            target_embed,
            encoder,
            encoder_ln,
            decoder,
            decoder_ln,
            head,
        })
    }

    /// The same model on the CPU (decoding runs there; a GPU model's
    /// parameters are read back first).
    pub async fn cpu_copy(&self) -> Result<Seq2Seq> {
        let values = self.params.values.to_host(&self.device).await?;
        let mut copy = self.clone();
        copy.params.move_to(&Device::Cpu, values);
        copy.device = Device::Cpu;
        Ok(copy)
    }

    /// Buffers for batches of `b` sources of `s` words and targets of `t`.
    pub fn acts(&self, b: usize, s: usize, t: usize) -> Seq2SeqActs {
        let (c, v, dev, layers) = (self.cfg.block.c, self.cfg.target_vocab, &self.device, self.cfg.layers);
        let cfg = &self.cfg.block;
        Seq2SeqActs {
            b,
            s,
            t,
            source_embedded: Tensor::zeros(dev, b * s * c),
            encoder: (0..layers).map(|_| BlockActs::new(dev, cfg, b, s)).collect(),
            encoder_outs: (0..layers).map(|_| Tensor::zeros(dev, b * s * c)).collect(),
            encoder_ln: LayerNormActs::new(dev, b * s),
            memory: Tensor::zeros(dev, if self.encoder_ln.is_some() { b * s * c } else { 0 }),
            target_embedded: Tensor::zeros(dev, b * t * c),
            decoder: (0..layers).map(|_| DecoderActs::new(dev, cfg, b, t, s)).collect(),
            decoder_outs: (0..layers).map(|_| Tensor::zeros(dev, b * t * c)).collect(),
            decoder_ln: LayerNormActs::new(dev, b * t),
            decoder_ln_out: Tensor::zeros(dev, b * t * c),
            logits: Tensor::zeros(dev, b * t * v),
            probs: Tensor::zeros(dev, b * t * v),
            loss: Tensor::zeros(dev, 1),
            regularization: Regularization::NONE,
            source_drop: DropoutActs::new(dev),
            target_drop: DropoutActs::new(dev),
            targets_gpu: None,
        }
    }

    fn check(&self, a: &Seq2SeqActs, batch: &Batch) -> Result<()> {
        if (a.b, a.s, a.t) != (batch.b, batch.s, batch.t) {
            return Err(invalid(
                "seq2seq",
                format!(
                    "the batch is (B={}, S={}, T={}) but the buffers were made for (B={}, S={}, T={}); make them with acts(b, s, t).",
                    batch.b, batch.s, batch.t, a.b, a.s, a.t
                ),
            ));
        }
        if batch.source_lengths.len() != batch.b || batch.source_lengths.iter().any(|&l| l == 0 || l > batch.s) {
            return Err(invalid(
                "seq2seq",
                format!("source_lengths must hold B={} lengths in 1..={}.", batch.b, batch.s),
            ));
        }
        Ok(())
    }

    /// Forward pass; the mean cross-entropy lands in `a.loss`.
    pub fn forward(&self, a: &mut Seq2SeqActs, batch: &Batch) -> Result<()> {
        self.check(a, batch)?;
        let (b, s, t, dev) = (batch.b, batch.s, batch.t, &self.device);
        let p = &self.params.values;
        // Encoder: every source word attends to every real source word.
        let padding = Mask::key_padding(&batch.source_lengths);
        let (dropout, smoothing) = (a.regularization.dropout, a.regularization.label_smoothing);
        self.source_embed.forward(dev, p, &mut a.source_embedded, &batch.source, b, s)?;
        let source_in = dropout.site(0).forward(dev, &mut a.source_drop, &a.source_embedded)?;
        for (i, block) in self.encoder.iter().enumerate() {
            let (done, rest) = a.encoder_outs.split_at_mut(i);
            let input = if i == 0 { source_in } else { &done[i - 1] };
            a.encoder[i].dropout = dropout.site(100 + i as u64);
            block.forward(dev, p, &mut a.encoder[i], &mut rest[0], input, b, s, padding)?;
        }
        if let Some(ln) = &self.encoder_ln {
            let top = a.encoder_outs.last().expect("at least one layer");
            ln.forward(dev, p, &mut a.encoder_ln, &mut a.memory, top, b * s)?;
        }
        // Decoder: causal self-attention, cross-attention over the memory.
        self.target_embed
            .forward(dev, p, &mut a.target_embedded, &batch.decoder_input, b, t)?;
        let target_in = dropout.site(1).forward(dev, &mut a.target_drop, &a.target_embedded)?;
        for (i, block) in self.decoder.iter().enumerate() {
            let (done, rest) = a.decoder_outs.split_at_mut(i);
            let input = if i == 0 { target_in } else { &done[i - 1] };
            let memory = Self::memory_of(&self.encoder_ln, &a.memory, &a.encoder_outs);
            a.decoder[i].dropout = dropout.site(200 + i as u64);
            block.forward(
                dev,
                p,
                &mut a.decoder[i],
                &mut rest[0],
                input,
                memory,
                (b, t, s),
                &batch.source_lengths,
            )?;
        }
        let top = a.decoder_outs.last().expect("at least one layer");
        let head_in = match &self.decoder_ln {
            Some(ln) => {
                ln.forward(dev, p, &mut a.decoder_ln, &mut a.decoder_ln_out, top, b * t)?;
                &a.decoder_ln_out
            }
            None => top,
        };
        let v = self.cfg.target_vocab;
        self.head.forward(dev, p, &mut a.logits, head_in, b * t)?;
        let loss = CrossEntropy { classes: v, smoothing };
        a.targets_gpu = loss.forward(dev, &mut a.loss, &mut a.probs, &a.logits, &batch.targets)?;
        Ok(())
    }

    /// What the decoder attends to: the encoder's top output, normalised
    /// (pre-LN) or as it is (post-LN, whose layers end in a layer norm).
    fn memory_of<'a>(encoder_ln: &Option<LayerNorm>, memory: &'a Tensor, encoder_outs: &'a [Tensor]) -> &'a Tensor {
        match encoder_ln {
            Some(_) => memory,
            None => encoder_outs.last().expect("at least one layer"),
        }
    }

    /// The loss of the last forward pass (on the GPU: waits for the step).
    pub async fn loss(&self, a: &Seq2SeqActs) -> Result<f32> {
        Ok(a.loss.to_host(&self.device).await?[0])
    }

    /// Backward pass after `forward`: accumulates into `self.params.grads`.
    pub fn backward(&mut self, a: &Seq2SeqActs, batch: &Batch) -> Result<()> {
        self.check(a, batch)?;
        let (b, s, t, c, v) = (batch.b, batch.s, batch.t, self.cfg.block.c, self.cfg.target_vocab);
        let dev = &self.device;
        let (p, g) = (&self.params.values, &mut self.params.grads);
        // loss = CE(logits, targets)
        let loss = CrossEntropy {
            classes: v,
            smoothing: a.regularization.label_smoothing,
        };
        let dlogits = loss.backward(dev, &a.probs, &batch.targets, a.targets_gpu.as_ref())?;
        // logits = head(LN(decoder top))
        let top = a.decoder_outs.last().expect("at least one layer");
        let mut dtop = Tensor::zeros(dev, b * t * c);
        match &self.decoder_ln {
            Some(ln) => {
                let mut dln = Tensor::zeros(dev, b * t * c);
                self.head.backward(dev, p, g, &mut dln, &dlogits, &a.decoder_ln_out, b * t)?;
                ln.backward(dev, p, g, &a.decoder_ln, &mut dtop, &dln, top, b * t)?;
            }
            None => self.head.backward(dev, p, g, &mut dtop, &dlogits, top, b * t)?,
        }
        // Decoder layers, last to first; each adds its share to dmemory.
        let mut dmemory = Tensor::zeros(dev, b * s * c);
        let dropout = a.regularization.dropout;
        let target_in = if dropout.is_on() { &a.target_drop.out } else { &a.target_embedded };
        for (i, block) in self.decoder.iter().enumerate().rev() {
            let input = if i == 0 { target_in } else { &a.decoder_outs[i - 1] };
            let mut dinput = Tensor::zeros(dev, b * t * c);
            let memory = Self::memory_of(&self.encoder_ln, &a.memory, &a.encoder_outs);
            block.backward(
                dev,
                p,
                g,
                &a.decoder[i],
                &mut dinput,
                &mut dmemory,
                &dtop,
                input,
                memory,
                (b, t, s),
                &batch.source_lengths,
            )?;
            dtop = dinput;
        }
        let dtop = dropout.site(1).backward(dev, &a.target_drop, dtop)?;
        self.target_embed.backward(dev, g, &dtop, &batch.decoder_input, b, t)?;
        // memory = LN(encoder top)
        let top = a.encoder_outs.last().expect("at least one layer");
        let mut dtop = match &self.encoder_ln {
            Some(ln) => {
                let mut dtop = Tensor::zeros(dev, b * s * c);
                ln.backward(dev, p, g, &a.encoder_ln, &mut dtop, &dmemory, top, b * s)?;
                dtop
            }
            None => dmemory,
        };
        let padding = Mask::key_padding(&batch.source_lengths);
        let source_in = if dropout.is_on() { &a.source_drop.out } else { &a.source_embedded };
        for (i, block) in self.encoder.iter().enumerate().rev() {
            let input = if i == 0 { source_in } else { &a.encoder_outs[i - 1] };
            let mut dinput = Tensor::zeros(dev, b * s * c);
            block.backward(dev, p, g, &a.encoder[i], &mut dinput, &dtop, input, b, s, padding)?;
            dtop = dinput;
        }
        let dtop = dropout.site(0).backward(dev, &a.source_drop, dtop)?;
        self.source_embed.backward(dev, g, &dtop, &batch.source, b, s)
    }
}
