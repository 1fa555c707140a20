//! BERT: a bidirectional Transformer encoder, pre-trained to fill in masked
//! words and to tell whether two sentences follow each other.
//!
//! ```text
//! [CLS] the man went to the [MASK] … [SEP] he bought a [MASK] … [SEP] [PAD] …
//!   token + position + segment (0 for the first sentence, 1 for the second)
//!   → LayerNorm                                              x (B, T, C)
//!   → L post-LN blocks, attention over every real token      (B, T, C)
//!      (no causal mask: each position sees both sides; [PAD] keys hidden)
//!   ├─ masked positions only (M rows)  → MLM head:
//!   │     GELU(x W_t + b_t) → LayerNorm → · Eᵀ + b          (M, V)  E: the token table (tied)
//!   │     cross-entropy against the original tokens
//!   └─ the [CLS] row of each sequence (B rows) → classifier:
//!         x W_c + b_c                                        (B, K)
//!         K = 2 for next-sentence prediction (is B the sentence after A?),
//!         K = the number of labels when fine-tuning
//! ```
//!
//! The loss is the sum of the two means (masked-LM + classifier); the two are
//! also reported apart. Original BERT passes `[CLS]` through a tanh "pooler"
//! layer before its classifiers; here the classifier reads the `[CLS]` row
//! directly, one layer fewer to explain.
//!
//! **Pre-train, then fine-tune.** [`Bert::fine_tune_copy`] keeps every
//! encoder weight of a pre-trained model, drops the MLM head and puts a fresh
//! classifier with `K` labels on `[CLS]`: the labelled data only has to
//! teach that last layer (and nudge the rest).

use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::{invalid, Error, Result};
use crate::models::outputs::Outputs;
use crate::nn::block::{Block, BlockActs, BlockConfig, NormPlacement};
use crate::nn::elementwise::{activate, activate_backward, add};
use crate::nn::embedding::Embedding;
use crate::nn::feed_forward::Activation;
use crate::nn::gather::{gather_rows, gather_rows_backward};
use crate::nn::layernorm::{LayerNorm, LayerNormActs};
use crate::nn::linear::Linear;
use crate::nn::loss::CrossEntropy;
use crate::nn::params::{Init, ParamRange, Params};
use crate::ops::attention::Mask;
use crate::ops::cross_entropy::{GpuTargets, IGNORE_INDEX};
use crate::ops::embedding;

/// Sizes of a BERT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BertConfig {
    pub vocab: usize,
    pub layers: usize,
    /// d_model.
    pub c: usize,
    pub heads: usize,
    /// The feed-forward hidden size (4·C in BERT).
    pub ffn_hidden: usize,
    /// Positions the learned table has: the longest input, specials included.
    pub max_len: usize,
    /// Labels of the `[CLS]` classifier: 2 for next-sentence prediction.
    pub classes: usize,
    /// Has the masked-LM head (pre-training); fine-tuned copies do not.
    pub mlm_head: bool,
    /// The head's decoder has a `(V, C)` matrix of its own instead of
    /// reading the token table (a checkpoint saved with `tie_word_embeddings` false).
    pub untied_decoder: bool,
}

impl BertConfig {
    fn block(&self) -> BlockConfig {
        BlockConfig {
            c: self.c,
            heads: self.heads,
            ffn_hidden: self.ffn_hidden,
            activation: Activation::Gelu,
            norm: NormPlacement::PostLn,
        }
    }
}

/// The masked-LM head: a transform, a layer norm, the decoder (usually tied:
/// its matrix is the token table, so a token's input and output vectors are one).
#[derive(Debug, Clone)]
pub struct MlmHead {
    pub transform: Linear,
    /// After the transform: GELU (the form the model was trained with).
    pub activation: Activation,
    pub ln: LayerNorm,
    pub decoder: Linear,
}

#[derive(Debug, Clone)]
pub struct Bert {
    pub cfg: BertConfig,
    pub device: Device,
    pub params: Params,
    /// Token and position tables.
    pub embed: Embedding,
    /// `(2, C)`: one vector per segment (sentence A, sentence B).
    pub segments: ParamRange,
    pub ln_embed: LayerNorm,
    pub blocks: Vec<Block>,
    pub mlm: Option<MlmHead>,
    pub classifier: Linear,
}

/// One batch: `B` sequences padded to `T` tokens, with what to predict.
#[derive(Debug, Clone, PartialEq)]
pub struct BertBatch {
    pub b: usize,
    pub t: usize,
    /// `(B·T)` token ids, `[PAD]` past each length.
    pub tokens: Vec<u32>,
    /// `(B·T)` segment ids, 0 or 1.
    pub segments: Vec<u32>,
    /// Real tokens per sequence (the rest is padding, hidden from attention).
    pub lengths: Vec<usize>,
    /// Flat positions `b·T + t` the masked-LM head predicts, and the token
    /// expected at each (`IGNORE_INDEX` to predict without a loss).
    pub mlm_rows: Vec<u32>,
    pub mlm_targets: Vec<i32>,
    /// `(B)` label of each sequence for the classifier (`IGNORE_INDEX`: none).
    pub labels: Vec<i32>,
}

impl BertBatch {
    /// The flat rows of the `[CLS]` tokens: position 0 of each sequence.
    fn cls_rows(&self) -> Vec<u32> {
        (0..self.b).map(|b| (b * self.t) as u32).collect()
    }
}

/// What one forward pass keeps.
#[derive(Debug)]
pub struct BertActs {
    pub embedded: Tensor,     // (N, C) token + position
    pub segment_rows: Tensor, // (N, C) segment vectors
    pub summed: Tensor,       // (N, C)
    pub ln_embed: LayerNormActs,
    pub x0: Tensor,              // (N, C) after the embedding layer norm
    pub blocks: Vec<BlockActs>,  // one per layer
    pub block_outs: Vec<Tensor>, // (N, C) per layer
    // masked-LM head over M rows
    pub mlm_in: Tensor,  // (M, C) gathered rows
    pub mlm_pre: Tensor, // (M, C) transform output, before GELU
    pub mlm_act: Tensor, // (M, C) after GELU
    pub mlm_ln: LayerNormActs,
    pub mlm_norm: Tensor,   // (M, C)
    pub mlm_logits: Tensor, // (M, V)
    pub mlm_probs: Tensor,  // (M, V)
    pub mlm_loss: Tensor,   // (1)
    // classifier over the B [CLS] rows
    pub cls_in: Tensor,     // (B, C)
    pub cls_logits: Tensor, // (B, K)
    pub cls_probs: Tensor,  // (B, K)
    pub cls_loss: Tensor,   // (1)
    mlm_targets_gpu: Option<GpuTargets>,
    cls_targets_gpu: Option<GpuTargets>,
}

impl Bert {
    /// A freshly initialised BERT on `device`; `seed` fixes every weight.
    pub fn new(cfg: BertConfig, seed: u64, device: &Device) -> Result<Bert> {
        Bert::with_params(cfg, Params::new(seed), device)
    }

    /// A BERT on the CPU whose weights a checkpoint is about to fill (see [`Params::to_fill`]).
    pub fn to_fill(cfg: BertConfig) -> Result<Bert> {
        Bert::with_params(cfg, Params::to_fill(), &Device::Cpu)
    }

    fn with_params(cfg: BertConfig, mut params: Params, device: &Device) -> Result<Bert> {
        if cfg.vocab == 0 || cfg.layers == 0 || cfg.max_len < 3 || cfg.classes == 0 {
            return Err(invalid(
                "bert",
                format!(
                    "vocab={}, layers={}, max_len={}, classes={}: each must be at least 1 (max_len at least 3: [CLS] x [SEP]).",
                    cfg.vocab, cfg.layers, cfg.max_len, cfg.classes
                ),
            ));
        }
        let c = cfg.c;
        let embed = Embedding::new(&mut params, "embeddings", cfg.vocab, c, Some(cfg.max_len));
        let segments = params.add("embeddings.token_type_embeddings", &[2, c], Init::Normal(0.02));
        let ln_embed = LayerNorm::new(&mut params, "embeddings.layer_norm", c);
        let blocks = (0..cfg.layers)
            .map(|i| Block::new(&mut params, &format!("layer.{i}"), &cfg.block()))
            .collect::<Result<Vec<_>>>()?;
        let mlm = cfg.mlm_head.then(|| MlmHead {
            transform: Linear::new(&mut params, "mlm.transform", c, c, true),
            activation: Activation::Gelu,
            ln: LayerNorm::new(&mut params, "mlm.layer_norm", c),
            decoder: match cfg.untied_decoder {
                false => Linear::tied(&mut params, "mlm.decoder", embed.tokens, c, cfg.vocab),
                true => Linear::new(&mut params, "mlm.decoder", c, cfg.vocab, true),
            },
        });
        let classifier = Linear::new(&mut params, "classifier", c, cfg.classes, true);
        if *device != Device::Cpu {
            let values = params.values.host()?.to_vec();
            params.move_to(device, values);
        }
        Ok(Bert {
            cfg,
            device: device.clone(),
            params,
            embed,
            segments,
            ln_embed,
            blocks,
            mlm,
            classifier,
        })
    }

    /// Use the GELU form and the layer norms' ε a checkpoint was trained with
    /// (Hugging Face BERTs: the exact erf GELU and ε = 1e-12; ours: the tanh
    /// form and [`EPS`](crate::ops::layernorm::EPS)). Every block, the
    /// embeddings' layer norm and the masked-LM head follow.
    pub fn use_numerics(&mut self, activation: Activation, ln_eps: f32) {
        self.ln_embed.eps = ln_eps;
        for block in &mut self.blocks {
            block.ffn.activation = activation;
            block.ln1.eps = ln_eps;
            block.ln2.eps = ln_eps;
        }
        if let Some(mlm) = &mut self.mlm {
            mlm.activation = activation;
            mlm.ln.eps = ln_eps;
        }
    }

    /// A copy for fine-tuning, on `device`: the encoder weights `values` of
    /// this model (a host copy of its parameters), no MLM head, and a fresh
    /// classifier with `classes` labels (initialised from `seed`).
    pub fn fine_tune_copy(&self, ours: &[f32], classes: usize, seed: u64, device: &Device) -> Result<Bert> {
        let cfg = BertConfig {
            classes,
            mlm_head: false,
            ..self.cfg
        };
        if ours.len() != self.params.len() {
            return Err(invalid(
                "bert.fine_tune_copy",
                format!("got {} values for a model of {}.", ours.len(), self.params.len()),
            ));
        }
        let mut copy = Bert::new(cfg, seed, &Device::Cpu)?;
        let mut values = copy.params.values.host()?.to_vec();
        for info in &copy.params.tensors {
            if info.name.starts_with("classifier.") {
                continue;
            }
            let from = self
                .params
                .tensors
                .iter()
                .find(|t| t.name == info.name)
                .ok_or_else(|| Error::Backend(format!("bert.fine_tune_copy: the pre-trained model has no tensor {}", info.name)))?;
            info.range.of_mut(&mut values).copy_from_slice(from.range.of(ours));
        }
        // The copy computes as this model does.
        let (activation, ln_eps) = (self.blocks[0].ffn.activation, self.ln_embed.eps);
        copy.use_numerics(activation, ln_eps);
        copy.move_to(device, values)?;
        Ok(copy)
    }

    /// Move the model to `device` with these parameter values.
    pub fn move_to(&mut self, device: &Device, values: Vec<f32>) -> Result<()> {
        if values.len() != self.params.layout_len() {
            return Err(invalid(
                "bert.move_to",
                format!("got {} values for a model of {}.", values.len(), self.params.layout_len()),
            ));
        }
        self.params.move_to(device, values);
        self.device = device.clone();
        Ok(())
    }

    /// Buffers for `batch`, on the model's device.
    pub fn acts(&self, batch: &BertBatch) -> BertActs {
        let (n, c, v, k, dev) = (batch.b * batch.t, self.cfg.c, self.cfg.vocab, self.cfg.classes, &self.device);
        let m = batch.mlm_rows.len();
        let z = |len| Tensor::zeros(dev, len);
        BertActs {
            embedded: z(n * c),
            segment_rows: z(n * c),
            summed: z(n * c),
            ln_embed: LayerNormActs::new(dev, n),
            x0: z(n * c),
            blocks: (0..self.cfg.layers)
                .map(|_| BlockActs::new(dev, &self.cfg.block(), batch.b, batch.t))
                .collect(),
            block_outs: (0..self.cfg.layers).map(|_| z(n * c)).collect(),
            mlm_in: z(m * c),
            mlm_pre: z(m * c),
            mlm_act: z(m * c),
            mlm_ln: LayerNormActs::new(dev, m),
            mlm_norm: z(m * c),
            mlm_logits: z(m * v),
            mlm_probs: z(m * v),
            mlm_loss: z(1),
            cls_in: z(batch.b * c),
            cls_logits: z(batch.b * k),
            cls_probs: z(batch.b * k),
            cls_loss: z(1),
            mlm_targets_gpu: None,
            cls_targets_gpu: None,
        }
    }

    /// One sequence's hidden states, attention weights and (with the
    /// masked-LM head) logits at every position, as
    /// [`Outputs`](crate::models::outputs::Outputs) lays them out, computed
    /// on the model's device and read back (at once on the CPU). On a GPU the
    /// attention weights are not kept (its kernel keeps only each row's
    /// log-sum-exp), so `attentions` is empty there.
    pub async fn outputs(&self, tokens: &[u32], segments: &[u32]) -> Result<Outputs> {
        let (batch, acts) = self.run_one(tokens, segments)?;
        let dev = &self.device;
        let mut hidden_states = vec![acts.x0.to_host(dev).await?];
        for out in &acts.block_outs {
            hidden_states.push(out.to_host(dev).await?);
        }
        let mut attentions = Vec::new();
        if *dev == Device::Cpu {
            for b in &acts.blocks {
                attentions.push(b.attn.weights.to_host(dev).await?);
            }
        }
        let logits = if batch.mlm_rows.is_empty() {
            None
        } else {
            Some(acts.mlm_logits.to_host(dev).await?)
        };
        Ok(Outputs {
            logits,
            hidden_states,
            attentions,
        })
    }

    /// One sequence through the encoder (and the masked-LM head at every position, when there is one).
    fn run_one(&self, tokens: &[u32], segments: &[u32]) -> Result<(BertBatch, BertActs)> {
        let t = tokens.len();
        let mlm = self.mlm.is_some();
        let batch = BertBatch {
            b: 1,
            t,
            tokens: tokens.to_vec(),
            segments: segments.to_vec(),
            lengths: vec![t],
            mlm_rows: if mlm { (0..t as u32).collect() } else { vec![] },
            mlm_targets: if mlm { vec![IGNORE_INDEX; t] } else { vec![] },
            labels: vec![IGNORE_INDEX],
        };
        self.check_batch(&batch)?;
        let mut acts = self.acts(&batch);
        self.forward(&mut acts, &batch)?;
        Ok((batch, acts))
    }

    /// Check a batch against the model before any work is queued.
    pub fn check_batch(&self, batch: &BertBatch) -> Result<()> {
        const OP: &str = "bert";
        let (b, t) = (batch.b, batch.t);
        if b == 0 || t == 0 {
            return Err(invalid(OP, "the batch is empty: give at least one sequence of at least one token."));
        }
        if t > self.cfg.max_len {
            return Err(invalid(
                OP,
                format!(
                    "a sequence of {t} tokens is longer than the model's {} positions; shorten the text.",
                    self.cfg.max_len
                ),
            ));
        }
        let sizes_ok = batch.tokens.len() == b * t && batch.segments.len() == b * t && batch.lengths.len() == b && batch.labels.len() == b;
        if !sizes_ok || batch.mlm_rows.len() != batch.mlm_targets.len() {
            return Err(invalid(
                OP,
                format!(
                    "batch (B={b}, T={t}): tokens {}, segments {} (want B·T each), lengths {}, labels {} (want B each), mlm rows {} and targets {} (want equal).",
                    batch.tokens.len(),
                    batch.segments.len(),
                    batch.lengths.len(),
                    batch.labels.len(),
                    batch.mlm_rows.len(),
                    batch.mlm_targets.len()
                ),
            ));
        }
        if let Some(&bad) = batch.tokens.iter().find(|&&id| id as usize >= self.cfg.vocab) {
            return Err(invalid(
                OP,
                format!("token id {bad} is outside the vocabulary of {}.", self.cfg.vocab),
            ));
        }
        if batch.segments.iter().any(|&s| s > 1) || batch.lengths.iter().any(|&l| l == 0 || l > t) {
            return Err(invalid(OP, "segment ids must be 0 or 1, and every length between 1 and T."));
        }
        if batch.mlm_rows.iter().any(|&r| r as usize >= b * t) {
            return Err(invalid(OP, format!("a masked-LM row is past the B·T = {} positions.", b * t)));
        }
        if !batch.mlm_rows.is_empty() && self.mlm.is_none() {
            return Err(invalid(OP, "this model has no masked-LM head (it was made for fine-tuning)."));
        }
        let k = self.cfg.classes as i32;
        if batch.labels.iter().any(|&y| y != IGNORE_INDEX && !(0..k).contains(&y)) {
            return Err(invalid(OP, format!("labels must be between 0 and {} (or ignored).", k - 1)));
        }
        Ok(())
    }

    /// Forward pass: both losses land in `a.mlm_loss` and `a.cls_loss`.
    pub fn forward(&self, a: &mut BertActs, batch: &BertBatch) -> Result<()> {
        self.check_batch(batch)?;
        let (b, t, c, dev) = (batch.b, batch.t, self.cfg.c, &self.device);
        let (n, p) = (b * t, &self.params.values);
        // x0 = LN(token + position + segment)
        self.embed.forward(dev, p, &mut a.embedded, &batch.tokens, b, t)?;
        self.segment_forward(&mut a.segment_rows, &batch.segments)?;
        add(dev, &mut a.summed, &a.embedded, &a.segment_rows)?;
        self.ln_embed.forward(dev, p, &mut a.ln_embed, &mut a.x0, &a.summed, n)?;
        let mask = Mask::key_padding(&batch.lengths);
        for (i, block) in self.blocks.iter().enumerate() {
            let (done, rest) = a.block_outs.split_at_mut(i);
            let input = if i == 0 { &a.x0 } else { &done[i - 1] };
            block.forward(dev, p, &mut a.blocks[i], &mut rest[0], input, b, t, mask)?;
        }
        let top = a.block_outs.last().unwrap_or(&a.x0);
        // Masked-LM head on the chosen rows.
        if let (Some(head), false) = (&self.mlm, batch.mlm_rows.is_empty()) {
            let m = batch.mlm_rows.len();
            gather_rows(dev, &mut a.mlm_in, top, &batch.mlm_rows, n, c)?;
            head.transform.forward(dev, p, &mut a.mlm_pre, &a.mlm_in, m)?;
            activate(dev, head.activation, &mut a.mlm_act, &a.mlm_pre)?;
            head.ln.forward(dev, p, &mut a.mlm_ln, &mut a.mlm_norm, &a.mlm_act, m)?;
            head.decoder.forward(dev, p, &mut a.mlm_logits, &a.mlm_norm, m)?;
            let loss = CrossEntropy::new(self.cfg.vocab);
            a.mlm_targets_gpu = loss.forward(dev, &mut a.mlm_loss, &mut a.mlm_probs, &a.mlm_logits, &batch.mlm_targets)?;
        }
        // Classifier on the [CLS] rows.
        gather_rows(dev, &mut a.cls_in, top, &batch.cls_rows(), n, c)?;
        self.classifier.forward(dev, p, &mut a.cls_logits, &a.cls_in, b)?;
        let loss = CrossEntropy::new(self.cfg.classes);
        a.cls_targets_gpu = loss.forward(dev, &mut a.cls_loss, &mut a.cls_probs, &a.cls_logits, &batch.labels)?;
        Ok(())
    }

    /// Backward pass after `forward`: accumulates into `self.params.grads`.
    pub fn backward(&mut self, a: &BertActs, batch: &BertBatch) -> Result<()> {
        let (b, t, c) = (batch.b, batch.t, self.cfg.c);
        let n = b * t;
        let dev = self.device.clone();
        let dev = &dev;
        let (p, g) = (&self.params.values, &mut self.params.grads);
        let mut dtop = Tensor::zeros(dev, n * c); // gradient at the top block's output
                                                  // Classifier: logits = x_cls W_cᵀ + b_c, x_cls = top[cls rows]
        let dlogits = CrossEntropy::new(self.cfg.classes).backward(dev, &a.cls_probs, &batch.labels, a.cls_targets_gpu.as_ref())?;
        let mut dcls = Tensor::zeros(dev, b * c);
        self.classifier.backward(dev, p, g, &mut dcls, &dlogits, &a.cls_in, b)?;
        gather_rows_backward(dev, &mut dtop, &dcls, &batch.cls_rows(), n, c)?;
        // Masked-LM head, last step first.
        if let (Some(head), false) = (&self.mlm, batch.mlm_rows.is_empty()) {
            let m = batch.mlm_rows.len();
            let loss = CrossEntropy::new(self.cfg.vocab);
            let dlogits = loss.backward(dev, &a.mlm_probs, &batch.mlm_targets, a.mlm_targets_gpu.as_ref())?;
            let (mut dnorm, mut dact, mut dpre, mut din) = (
                Tensor::zeros(dev, m * c),
                Tensor::zeros(dev, m * c),
                Tensor::zeros(dev, m * c),
                Tensor::zeros(dev, m * c),
            );
            head.decoder.backward(dev, p, g, &mut dnorm, &dlogits, &a.mlm_norm, m)?;
            head.ln.backward(dev, p, g, &a.mlm_ln, &mut dact, &dnorm, &a.mlm_act, m)?;
            activate_backward(dev, head.activation, &mut dpre, &dact, &a.mlm_pre)?;
            head.transform.backward(dev, p, g, &mut din, &dpre, &a.mlm_in, m)?;
            gather_rows_backward(dev, &mut dtop, &din, &batch.mlm_rows, n, c)?;
        }
        // Blocks, last to first.
        let mask = Mask::key_padding(&batch.lengths);
        for (i, block) in self.blocks.iter().enumerate().rev() {
            let input = if i == 0 { &a.x0 } else { &a.block_outs[i - 1] };
            let mut dinput = Tensor::zeros(dev, n * c);
            block.backward(dev, p, g, &a.blocks[i], &mut dinput, &dtop, input, b, t, mask)?;
            dtop = dinput;
        }
        // x0 = LN(summed), summed = embedded + segment rows: both get dsummed.
        let mut dsummed = Tensor::zeros(dev, n * c);
        self.ln_embed.backward(dev, p, g, &a.ln_embed, &mut dsummed, &dtop, &a.summed, n)?;
        self.embed.backward(dev, g, &dsummed, &batch.tokens, b, t)?;
        segment_backward(dev, self.segments, g, &dsummed, &batch.segments, c)
    }

    /// `out (N, C) = segment_table[segments]`.
    fn segment_forward(&self, out: &mut Tensor, segments: &[u32]) -> Result<()> {
        let (dev, c, p) = (&self.device, self.cfg.c, &self.params.values);
        match dev {
            Device::Cpu => embedding::token_forward(dev, out.host_mut()?, segments, self.segments.of(p.host()?), 2, c),
            Device::Gpu(gpu) => {
                let (out, table) = (out.gpu_all()?, self.segments.gpu_slice(p)?);
                gpu.record(|e| embedding::token_forward_gpu(gpu, e, out, segments, table, 2, c))
            }
        }
    }

    /// The two losses of the last forward pass: (masked-LM, classifier); on the GPU, waits for the work.
    /// (0 for the masked-LM when the batch had no masked rows.)
    pub async fn losses(&self, a: &BertActs) -> Result<(f32, f32)> {
        Ok((
            a.mlm_loss.to_host(&self.device).await?[0],
            a.cls_loss.to_host(&self.device).await?[0],
        ))
    }
}

/// `dsegment_table[segments[i]] += dout[i]`: the segment lookup's backward.
fn segment_backward(dev: &Device, table: ParamRange, g: &mut Tensor, dout: &Tensor, segments: &[u32], c: usize) -> Result<()> {
    match dev {
        Device::Cpu => embedding::token_backward(dev, table.of_mut(g.host_mut()?), dout.host()?, segments, 2, c),
        Device::Gpu(gpu) => {
            let (dtable, dout) = (table.gpu_slice(g)?, dout.gpu()?);
            gpu.record(|e| embedding::token_backward_gpu(gpu, e, dtable, dout, segments, 2, c))
        }
    }
}
