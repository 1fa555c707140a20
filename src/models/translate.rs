//! Translating with a trained [`Seq2Seq`]: the decoder writes one word at a
//! time, each time reading the source (through the encoder) and every word it
//! has written so far, and stops at `<eos>`.
//!
//! **Greedy decoding** takes the most probable next word at every step. Each
//! step re-runs the decoder over the whole prefix, `<bos> y₁ … y_k`, and reads
//! the logits of the last position; the causal mask makes those identical to
//! what the same prefix gave inside a training batch.
//!
//! **Beam search** keeps the `width` most probable prefixes instead of one:
//! each step extends every kept prefix by every word, scores the results by
//! the sum of their log-probabilities, and keeps the best `width`. A prefix
//! that ends in `<eos>` is finished; when `width` have finished (or the length
//! limit is reached), the winner is the one with the best log-probability per
//! word ("length-normalised": a plain sum would favour short translations,
//! since every word multiplies in a probability below 1). All kept prefixes
//! have the same length, so one forward pass with B = `width` scores them all.
//!
//! Decoding runs on the CPU: one sentence at a time is latency-bound (a GPU
//! round trip per word), and the CPU keeps the cross-attention weights that
//! the page draws as the alignment between the two sentences.

use super::sampling::best_of;
use super::seq2seq::{Batch, Seq2Seq, Seq2SeqActs, BOS, EOS, PAD};
use crate::device::Device;
use crate::error::{invalid, Result};
use crate::ops::cross_entropy::IGNORE_INDEX;

/// A translation and the attention that produced it.
#[derive(Debug, Clone, PartialEq)]
pub struct Translation {
    /// Target ids, ending with `<eos>` unless `max_len` cut it short.
    pub tokens: Vec<u32>,
    /// Per decoder layer: cross-attention weights `(NH, T, S)`, row i being
    /// what the decoder looked at while choosing `tokens[i]`.
    pub cross_attention: Vec<Vec<f32>>,
}

/// Greedy translation of `source` (ids without specials), at most `max_len` target words.
pub fn greedy(model: &Seq2Seq, source: &[u32], max_len: usize) -> Result<Translation> {
    if source.is_empty() {
        return Err(invalid("translate", "the source sentence is empty; give it at least one word."));
    }
    if model.device != Device::Cpu {
        return Err(invalid("translate", "decoding runs on the CPU: move the model there first."));
    }
    let mut tokens: Vec<u32> = Vec::new();
    let mut last_step = None;
    while tokens.len() < max_len.max(1) {
        let acts = decode_step(model, source, std::slice::from_ref(&tokens))?;
        let (t, v) = (tokens.len() + 1, model.cfg.target_vocab);
        let last = &acts.logits.host()?[(t - 1) * v..t * v];
        // The most probable word; never <pad> or <bos>, which are not words.
        let next = (0..v as u32)
            .filter(|&id| id != PAD && id != BOS)
            .max_by(|&a, &b| last[a as usize].total_cmp(&last[b as usize]))
            .unwrap_or(EOS);
        tokens.push(next);
        last_step = Some(acts);
        if next == EOS {
            break;
        }
    }
    // The last step's decoder saw every word but the final one: its attention rows are the alignment.
    let cross_attention = cross_attention_of(&last_step.expect("at least one step"))?;
    Ok(Translation { tokens, cross_attention })
}

/// Run the decoder over `prefixes` (all of one length, each after `<bos>`)
/// for the same `source`; returns the buffers (logits, attention).
fn decode_step(model: &Seq2Seq, source: &[u32], prefixes: &[Vec<u32>]) -> Result<Seq2SeqActs> {
    let (b, s, t) = (prefixes.len(), source.len(), prefixes[0].len() + 1);
    let mut decoder_input = Vec::with_capacity(b * t);
    for prefix in prefixes {
        decoder_input.push(BOS);
        decoder_input.extend(prefix);
    }
    let batch = Batch {
        b,
        s,
        t,
        source: source.repeat(b),
        source_lengths: vec![s; b],
        decoder_input,
        targets: vec![IGNORE_INDEX; b * t],
    };
    let mut acts = model.acts(b, s, t);
    model.forward(&mut acts, &batch)?;
    Ok(acts)
}

/// Every decoder layer's cross-attention weights `(B·NH, T, S)` from a forward pass.
fn cross_attention_of(acts: &Seq2SeqActs) -> Result<Vec<Vec<f32>>> {
    acts.decoder
        .iter()
        .map(|d| d.cross_attn.weights.host().map(|w| w.to_vec()))
        .collect()
}

/// `ln softmax(logits)`.
fn log_softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let log_sum = logits.iter().map(|&z| (z - max).exp()).sum::<f32>().ln() + max;
    logits.iter().map(|&z| z - log_sum).collect()
}

/// A prefix being extended, with the sum of its words' log-probabilities.
#[derive(Debug, Clone)]
struct Hypothesis {
    tokens: Vec<u32>,
    log_prob: f32,
}

impl Hypothesis {
    /// Log-probability per word, the length-normalised score.
    fn score(&self) -> f32 {
        self.log_prob / self.tokens.len().max(1) as f32
    }
}

/// Beam search of `width` (1 is greedy decoding), at most `max_len` target words.
pub fn beam(model: &Seq2Seq, source: &[u32], width: usize, max_len: usize) -> Result<Translation> {
    if source.is_empty() {
        return Err(invalid("translate", "the source sentence is empty; give it at least one word."));
    }
    if !(1..=16).contains(&width) {
        return Err(invalid("translate", format!("beam width {width} must be between 1 and 16.")));
    }
    if model.device != Device::Cpu {
        return Err(invalid("translate", "decoding runs on the CPU: move the model there first."));
    }
    let v = model.cfg.target_vocab;
    let mut alive = vec![Hypothesis {
        tokens: Vec::new(),
        log_prob: 0.0,
    }];
    let mut finished: Vec<Hypothesis> = Vec::new();
    while !alive.is_empty() && finished.len() < width {
        let prefixes: Vec<Vec<u32>> = alive.iter().map(|h| h.tokens.clone()).collect();
        let acts = decode_step(model, source, &prefixes)?;
        let (t, logits) = (prefixes[0].len() + 1, acts.logits.host()?);
        // Every one-word extension of every kept prefix (never <pad> or <bos>).
        let mut candidates: Vec<Hypothesis> = Vec::with_capacity(alive.len() * v);
        for (row, hypothesis) in alive.iter().enumerate() {
            let log_probs = log_softmax(&logits[(row * t + t - 1) * v..][..v]);
            for id in (0..v as u32).filter(|&id| id != PAD && id != BOS) {
                let mut tokens = hypothesis.tokens.clone();
                tokens.push(id);
                candidates.push(Hypothesis {
                    tokens,
                    log_prob: hypothesis.log_prob + log_probs[id as usize],
                });
            }
        }
        // The best `width` by total log-probability; ties keep the earlier candidate (the lower word id).
        let log_probs: Vec<f32> = candidates.iter().map(|c| c.log_prob).collect();
        let best = best_of(&log_probs, (0..candidates.len()).collect(), width);
        let mut candidates: Vec<Option<Hypothesis>> = candidates.into_iter().map(Some).collect();
        alive.clear();
        for candidate in best.into_iter().filter_map(|i| candidates[i].take()) {
            if candidate.tokens.last() == Some(&EOS) || candidate.tokens.len() >= max_len.max(1) {
                finished.push(candidate);
            } else {
                alive.push(candidate);
            }
        }
    }
    let best = finished
        .into_iter()
        .chain(alive)
        .max_by(|a, b| a.score().total_cmp(&b.score()))
        .expect("the beam always holds a hypothesis");
    // The winner's attention: its words fed back through the decoder once.
    let prefix = best.tokens[..best.tokens.len() - 1].to_vec();
    let cross_attention = cross_attention_of(&decode_step(model, source, &[prefix])?)?;
    Ok(Translation {
        tokens: best.tokens,
        cross_attention,
    })
}
