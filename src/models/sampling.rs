//! Choosing the next token from a language model's logits.
//!
//! ```text
//! temperature τ:  p = softmax(z / τ)      τ < 1 sharpens, τ > 1 flattens; τ → 0 is greedy (argmax)
//! top-k:          keep the k most probable tokens, zero the rest, renormalise
//! top-p (nucleus): keep the smallest set of most probable tokens whose
//!                 probabilities add up to at least p, zero the rest, renormalise
//! ```
//! The filters apply in that order, as most libraries do. Drawing then takes
//! one uniform number u ∈ [0, 1) (from a seeded generator, so the same seed
//! gives the same text) and returns the first token whose cumulative
//! probability passes u.

use crate::error::{invalid, Result};
use crate::ops::softmax::softmax_row;

/// How to sample: τ = 0 means greedy; `top_k` 0 and `top_p` 1 turn those filters off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sampling {
    pub temperature: f32,
    pub top_k: usize,
    pub top_p: f32,
}

impl Default for Sampling {
    fn default() -> Self {
        Sampling {
            temperature: 1.0,
            top_k: 0,
            top_p: 1.0,
        }
    }
}

impl Sampling {
    pub fn validate(&self) -> Result<()> {
        if !(self.temperature >= 0.0 && self.temperature.is_finite()) {
            return Err(invalid(
                "sample",
                format!("temperature {} must be 0 (greedy) or more.", self.temperature),
            ));
        }
        if !(self.top_p > 0.0 && self.top_p <= 1.0) {
            return Err(invalid(
                "sample",
                format!("top-p {} must be in (0, 1]; 1 keeps every token.", self.top_p),
            ));
        }
        Ok(())
    }
}

/// The distribution the next token is drawn from: softmax at temperature τ,
/// then the top-k and top-p filters. Sums to 1; filtered tokens are exactly 0.
/// With τ = 0 it is one-hot on the most probable token (the first, on a tie).
pub fn distribution(logits: &[f32], sampling: &Sampling) -> Result<Vec<f32>> {
    sampling.validate()?;
    if logits.is_empty() {
        return Err(invalid("sample", "there are no logits to sample from."));
    }
    let mut probs = vec![0.0f32; logits.len()];
    if sampling.temperature == 0.0 {
        probs[argmax(logits)] = 1.0;
        return Ok(probs);
    }
    let scaled: Vec<f32> = logits.iter().map(|z| z / sampling.temperature).collect();
    softmax_row(&mut probs, &scaled);
    // Only a filter needs the tokens in order of probability, and top-k only its first k.
    let filtered = sampling.top_k > 0 || sampling.top_p < 1.0;
    if filtered {
        let candidates = if sampling.top_k > 0 { sampling.top_k } else { probs.len() };
        let order = most_probable(&probs, candidates);
        let mut keep = order.len();
        if sampling.top_p < 1.0 {
            let mut total = 0.0f32;
            for (rank, &id) in order.iter().enumerate() {
                total += probs[id];
                if total >= sampling.top_p {
                    keep = rank + 1;
                    break;
                }
            }
        }
        let mut kept = vec![false; probs.len()];
        for &id in &order[..keep] {
            kept[id] = true;
        }
        for (p, kept) in probs.iter_mut().zip(kept) {
            if !kept {
                *p = 0.0;
            }
        }
    }
    let total: f32 = probs.iter().sum();
    for p in &mut probs {
        *p /= total;
    }
    Ok(probs)
}

/// The `n` most probable tokens, from most to least probable (ties: the
/// lower id first, so results are stable).
pub fn most_probable(probs: &[f32], n: usize) -> Vec<usize> {
    best_of(probs, (0..probs.len()).collect(), n)
}

/// The `n` of `candidates` (indices into `scores`) with the highest scores,
/// highest first; ties: the lower index first. A partial selection, then a
/// sort of those `n` only: for GPT-2's 50 257 tokens and the 10 a page
/// shows, a small part of a full sort's work. (Every ranking in glassformer
/// goes through here: each sort call compiled for another comparison adds
/// its own copy of the sorting code to the wasm download.)
pub fn best_of(scores: &[f32], mut candidates: Vec<usize>, n: usize) -> Vec<usize> {
    let by_rank = |&a: &usize, &b: &usize| scores[b].total_cmp(&scores[a]).then(a.cmp(&b));
    if n < candidates.len() {
        // The n first by rank end up before index n, in no particular order.
        candidates.select_nth_unstable_by(n, by_rank);
        candidates.truncate(n);
    }
    candidates.sort_unstable_by(by_rank);
    candidates
}

/// The token whose cumulative probability first passes `u ∈ [0, 1)`.
pub fn draw(probs: &[f32], u: f32) -> u32 {
    let mut cumulative = 0.0f32;
    let mut last = 0;
    for (id, &p) in probs.iter().enumerate() {
        if p > 0.0 {
            cumulative += p;
            last = id;
            if u < cumulative {
                return id as u32;
            }
        }
    }
    last as u32 // rounding left the total a hair under u: the last kept token
}

/// The index of the largest value (the first of equals).
pub fn argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
    }
    best
}
