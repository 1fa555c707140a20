//! `Gpt`: a decoder-only Transformer that predicts the next token —
//! GPT's recipe on the [`TinyLm`] skeleton.
//!
//! ```text
//! tokens (B, T) → token table E + learned positions P → x (B, T, C)
//!   → L × pre-LN block: x += Attn(LN₁(x)) with a causal mask;  x += FFN(LN₂(x)), GELU
//!   → LN_final → logits = x · Eᵀ + b   (B, T, V)   (the head *is* the token table: tied)
//! ```
//! Position t sees tokens 0..=t only, so one forward pass over a sequence
//! trains every position at once on "what comes next?".
//!
//! **Sampling** runs one token at a time. Re-running the whole sequence for
//! every new token repeats work: the keys and values of earlier positions do
//! not change (the causal mask means nothing later flows into them). The
//! **KV cache** keeps them: each step embeds one token at the next position,
//! runs it through every layer — its query against the cached keys and
//! values plus its own — and appends its key and value to the cache. The
//! logits equal those of the full pass (`tests/gpt.rs` checks this), at a
//! cost per step that grows with T instead of T².
//!
//! Training is [`TinyLm`]'s forward and backward, on either device; the cache
//! runs on the CPU (one token at a time is latency-bound, as for translation).

use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::{invalid, Result};
use crate::models::outputs::Outputs;
use crate::models::tiny_lm::{TinyLm, TinyLmConfig};
use crate::nn::attention::LayerCache;
use crate::nn::block::{BlockConfig, NormPlacement};
use crate::nn::embedding::Positions;
use crate::nn::feed_forward::{Activation, FeedForwardActs};
use crate::nn::layernorm::{LayerNorm, LayerNormActs};

/// Sizes of a GPT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GptConfig {
    pub vocab: usize,
    /// The longest sequence (learned positions exist up to here).
    pub context: usize,
    pub layers: usize,
    pub d_model: usize,
    pub heads: usize,
}

impl GptConfig {
    /// The TinyLm this GPT is: pre-LN, GELU, FFN 4·C wide, learned
    /// positions, causal, tied embeddings.
    pub fn lm(&self) -> TinyLmConfig {
        TinyLmConfig {
            vocab: self.vocab,
            layers: self.layers,
            block: BlockConfig {
                c: self.d_model,
                heads: self.heads,
                ffn_hidden: 4 * self.d_model,
                activation: Activation::Gelu,
                norm: NormPlacement::PreLn,
            },
            learned_positions: Some(self.context),
            causal: true,
            tie_embeddings: true,
        }
    }
}

/// A GPT: the language model and its sizes.
#[derive(Debug, Clone)]
pub struct Gpt {
    pub cfg: GptConfig,
    pub lm: TinyLm,
}

/// Keys and values of every position fed so far, one [`LayerCache`] per layer.
#[derive(Debug, Clone)]
pub struct KvCache {
    pub layers: Vec<LayerCache>,
    /// Positions fed so far.
    pub len: usize,
}

impl Gpt {
    pub fn new(cfg: GptConfig, seed: u64, device: &Device) -> Result<Gpt> {
        Gpt::check(cfg)?;
        Ok(Gpt {
            cfg,
            lm: TinyLm::new(cfg.lm(), seed, device)?,
        })
    }

    /// A GPT on the CPU whose weights a checkpoint is about to fill (see `Params::to_fill`).
    pub fn to_fill(cfg: GptConfig) -> Result<Gpt> {
        Gpt::check(cfg)?;
        Ok(Gpt {
            cfg,
            lm: TinyLm::to_fill(cfg.lm())?,
        })
    }

    fn check(cfg: GptConfig) -> Result<()> {
        if cfg.context == 0 || cfg.layers == 0 || cfg.vocab == 0 {
            return Err(invalid("gpt", "context, layers and vocab must all be at least 1."));
        }
        Ok(())
    }

    /// Use the GELU form and the layer norms' ε a checkpoint was trained with
    /// (GPT-2: the tanh GELU and ε = 1e-5, which are also ours).
    pub fn use_numerics(&mut self, activation: Activation, ln_eps: f32) {
        for block in &mut self.lm.blocks {
            block.ffn.activation = activation;
            block.ln1.eps = ln_eps;
            block.ln2.eps = ln_eps;
        }
        if let Some(ln) = &mut self.lm.ln_final {
            ln.eps = ln_eps;
        }
    }

    /// An empty cache for this model.
    pub fn cache(&self) -> KvCache {
        KvCache {
            layers: vec![LayerCache::default(); self.cfg.layers],
            len: 0,
        }
    }

    /// Logits `(T, V)` of every position of one sequence, by the full forward
    /// pass (the model must be on the CPU).
    pub fn logits(&self, tokens: &[u32]) -> Result<Vec<f32>> {
        self.check_cpu()?;
        if tokens.is_empty() || tokens.len() > self.cfg.context {
            return Err(invalid(
                "gpt",
                format!("got {} tokens; give 1 to {} (the context).", tokens.len(), self.cfg.context),
            ));
        }
        let t = tokens.len();
        let mut acts = self.lm.acts(1, t);
        let ignore = vec![crate::ops::cross_entropy::IGNORE_INDEX; t];
        self.lm.forward(&mut acts, tokens, &ignore)?;
        Ok(acts.logits.host()?.to_vec())
    }

    /// One sequence's hidden states, attention weights and logits, as
    /// [`Outputs`] lays them out (the last hidden state after the final
    /// layer norm, as `transformers` gives GPT-2's). On the CPU.
    pub fn outputs(&self, tokens: &[u32]) -> Result<Outputs> {
        self.check_cpu()?;
        let t = tokens.len();
        if t == 0 || t > self.cfg.context {
            return Err(invalid(
                "gpt.forward",
                format!("got {t} tokens; give 1 to {} (the context).", self.cfg.context),
            ));
        }
        if let Some(bad) = tokens.iter().find(|&&id| id as usize >= self.cfg.vocab) {
            return Err(invalid(
                "gpt.forward",
                format!("token id {bad} is not in the vocabulary of {}.", self.cfg.vocab),
            ));
        }
        let mut acts = self.lm.acts(1, t);
        let ignore = vec![crate::ops::cross_entropy::IGNORE_INDEX; t];
        self.lm.forward(&mut acts, tokens, &ignore)?;
        let mut hidden_states = vec![acts.embedded.host()?.to_vec()];
        for out in &acts.block_outs[..self.cfg.layers - 1] {
            hidden_states.push(out.host()?.to_vec());
        }
        hidden_states.push(acts.ln_final_out.host()?.to_vec());
        let attentions = acts
            .blocks
            .iter()
            .map(|b| Ok(b.attn.weights.host()?.to_vec()))
            .collect::<Result<_>>()?;
        Ok(Outputs {
            logits: Some(acts.logits.host()?.to_vec()),
            hidden_states,
            attentions,
        })
    }

    /// Feed `token` at the cache's next position → its logits `(V)`: the
    /// distribution of the token after it.
    pub fn step(&self, cache: &mut KvCache, token: u32) -> Result<Vec<f32>> {
        self.feed(cache, &[token])
    }

    /// Feed `tokens` at the cache's next positions → the logits `(V)` after
    /// the last of them. A whole prompt goes in at once: every projection
    /// is then one product of `T` rows with each weight matrix, which reads
    /// the weights once for the prompt instead of once per token, and each
    /// new query sees the cached positions and the new ones up to itself
    /// (the causal mask, shifted by the positions already cached).
    pub fn feed(&self, cache: &mut KvCache, tokens: &[u32]) -> Result<Vec<f32>> {
        self.check_cpu()?;
        let (c, v, pos, t) = (self.cfg.d_model, self.cfg.vocab, cache.len, tokens.len());
        if t == 0 {
            return Err(invalid("gpt.step", "no tokens to feed."));
        }
        if pos + t > self.cfg.context {
            return Err(invalid(
                "gpt.step",
                format!(
                    "the cache holds {pos} positions and {t} more would pass the whole context of {}; start a new cache with the last tokens.",
                    self.cfg.context
                ),
            ));
        }
        if let Some(bad) = tokens.iter().find(|&&id| id as usize >= v) {
            return Err(invalid("gpt.step", format!("token {bad} is not in the vocabulary of {v}.")));
        }
        let dev = Device::Cpu;
        let lm = &self.lm;
        let p = &lm.params.values;
        let values = p.host()?;
        // x[i] = E[tokens[i]] + P[pos + i]                                (T, C)
        let table = lm.embed.tokens.of(values);
        let mut x: Vec<f32> = tokens.iter().flat_map(|&id| &table[id as usize * c..][..c]).copied().collect();
        if let Positions::Learned { table, .. } = lm.embed.positions {
            for (xi, pi) in x.iter_mut().zip(&table.of(values)[pos * c..][..t * c]) {
                *xi += pi;
            }
        }
        let add = |x: &mut Vec<f32>, y: &Tensor| -> Result<()> {
            for (xi, yi) in x.iter_mut().zip(y.host()?) {
                *xi += yi;
            }
            Ok(())
        };
        let normed = |ln: &LayerNorm, x: &[f32], rows: usize| -> Result<Tensor> {
            let mut out = Tensor::Host(vec![0.0; rows * c]);
            ln.forward(
                &dev,
                p,
                &mut LayerNormActs::new(&dev, rows),
                &mut out,
                &Tensor::Host(x.to_vec()),
                rows,
            )?;
            Ok(out)
        };
        for (l, block) in lm.blocks.iter().enumerate() {
            // x += Attn(LN₁(x)): the new queries against this layer's cached keys and values, and their own
            let h = normed(&block.ln1, &x, t)?;
            add(&mut x, &block.attn.forward_cached(p, &mut cache.layers[l], &h, t)?)?;
            // x += FFN(LN₂(x))
            let h2 = normed(&block.ln2, &x, t)?;
            let mut ffn_out = Tensor::Host(vec![0.0; t * c]);
            let mut ffn_acts = FeedForwardActs::new(&dev, t, block.ffn.hidden_size());
            block.ffn.forward(&dev, p, &mut ffn_acts, &mut ffn_out, &h2, t)?;
            add(&mut x, &ffn_out)?;
        }
        cache.len += t;
        // logits = LN_final(x) · Eᵀ + b, for the last position only          (V)
        let last = &x[(t - 1) * c..];
        let top = match &lm.ln_final {
            Some(ln) => normed(ln, last, 1)?,
            None => Tensor::Host(last.to_vec()),
        };
        let mut logits = Tensor::Host(vec![0.0; v]);
        lm.head.forward(&dev, p, &mut logits, &top, 1)?;
        Ok(logits.host()?.to_vec())
    }

    fn check_cpu(&self) -> Result<()> {
        if self.lm.device != Device::Cpu {
            return Err(invalid("gpt", "sampling runs on the CPU: copy the model there first."));
        }
        Ok(())
    }
}

/// Text generation in progress: the tokens so far, the cache, and the
/// logits for the next token. When the cache fills the context, it is
/// rebuilt from the last half-context of tokens (positions restart there),
/// so generation can run past the context length.
#[derive(Debug, Clone)]
pub struct Generator<'a> {
    gpt: &'a Gpt,
    cache: KvCache,
    /// Every token: the (cropped) prompt, then what was generated.
    pub tokens: Vec<u32>,
    /// The next token's logits `(V)`.
    pub logits: Vec<f32>,
    /// Prompt tokens dropped from the front because the prompt was longer than the context.
    pub cropped: usize,
}

impl<'a> Generator<'a> {
    /// Start from `prompt` (at least one token); a prompt longer than the
    /// context keeps its last `context` tokens.
    pub fn new(gpt: &'a Gpt, prompt: &[u32]) -> Result<Generator<'a>> {
        if prompt.is_empty() {
            return Err(invalid("generate", "the prompt is empty; give it at least one character."));
        }
        let cropped = prompt.len().saturating_sub(gpt.cfg.context);
        let mut generator = Generator {
            gpt,
            cache: gpt.cache(),
            tokens: prompt[cropped..].to_vec(),
            logits: Vec::new(),
            cropped,
        };
        generator.logits = gpt.feed(&mut generator.cache, &prompt[cropped..])?;
        Ok(generator)
    }

    /// Append `token` and compute the logits after it.
    pub fn push(&mut self, token: u32) -> Result<()> {
        self.tokens.push(token);
        if self.cache.len == self.gpt.cfg.context {
            // Full: start a cache over the last half-context of tokens, the new one included.
            let keep = (self.gpt.cfg.context / 2).max(1);
            self.cache = self.gpt.cache();
            let start = self.tokens.len() - keep.min(self.tokens.len());
            self.logits = self.gpt.feed(&mut self.cache, &self.tokens[start..])?;
        } else {
            self.logits = self.gpt.step(&mut self.cache, token)?;
        }
        Ok(())
    }
}
