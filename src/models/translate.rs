//! Translating with a trained [`Seq2Seq`]: the decoder writes one word at a
//! time, each time reading the source (through the encoder) and every word it
//! has written so far, and stops at `<eos>`.
//!
//! **Greedy decoding** takes the most probable next word at every step. Each
//! step re-runs the decoder over the whole prefix, `<bos> y₁ … y_k`, and reads
//! the logits of the last position; the causal mask makes those identical to
//! what the same prefix gave inside a training batch.
//!
//! Decoding runs on the CPU: one sentence at a time is latency-bound (a GPU
//! round trip per word), and the CPU keeps the cross-attention weights that
//! the page draws as the alignment between the two sentences.

use super::seq2seq::{Batch, Seq2Seq};
use crate::device::Device;
use crate::error::{invalid, Result};
use crate::ops::cross_entropy::IGNORE_INDEX;
use crate::train::data::tokenizer::{BOS, EOS, PAD};

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
    let s = source.len();
    let mut tokens: Vec<u32> = Vec::new();
    let mut cross_attention = Vec::new();
    while tokens.len() < max_len.max(1) {
        let t = tokens.len() + 1;
        let mut decoder_input = vec![BOS];
        decoder_input.extend(&tokens);
        let batch = Batch {
            b: 1,
            s,
            t,
            source: source.to_vec(),
            source_lengths: vec![s],
            decoder_input,
            targets: vec![IGNORE_INDEX; t],
        };
        let mut acts = model.acts(1, s, t);
        model.forward(&mut acts, &batch)?;
        let v = model.cfg.target_vocab;
        let last = &acts.logits.host()?[(t - 1) * v..t * v];
        // The most probable word; never <pad> or <bos>, which are not words.
        let next = (0..v as u32)
            .filter(|&id| id != PAD && id != BOS)
            .max_by(|&a, &b| last[a as usize].total_cmp(&last[b as usize]))
            .unwrap_or(EOS);
        tokens.push(next);
        cross_attention = acts
            .decoder
            .iter()
            .map(|d| d.cross_attn.weights.host().map(|w| w.to_vec()))
            .collect::<Result<_>>()?;
        if next == EOS {
            break;
        }
    }
    Ok(Translation { tokens, cross_attention })
}
