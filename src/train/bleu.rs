//! Corpus BLEU: how many of a translation's word n-grams also occur in the
//! reference, for n = 1..4, with a penalty for translations that are too short.
//!
//! For a corpus of (hypothesis, reference) sentence pairs, already tokenised:
//!
//! ```text
//! matchesₙ = Σ over sentences, over each distinct n-gram g of the hypothesis:
//!            min(count of g in the hypothesis, count of g in the reference)   ("clipped")
//! totalₙ   = Σ over sentences: max(0, hypothesis length − n + 1)
//! pₙ       = matchesₙ / totalₙ
//! BP       = 1 if c ≥ r, else e^(1 − r/c)      c, r: total hypothesis and reference lengths
//! BLEU     = 100 · BP · exp(¼ · Σₙ ln pₙ)      (the geometric mean of p₁..p₄)
//! ```
//!
//! Clipping stops "the the the the" from scoring on a reference with one
//! "the". Everything is summed over the corpus before dividing, so this is
//! not the mean of sentence scores.
//!
//! Edge cases follow sacreBLEU (2.x, `tokenize="none"`, its default `exp`
//! smoothing) exactly, so scores can be compared with published ones:
//! - no matching n-gram of any order: BLEU = 0;
//! - an order with no matches gets `pₙ = 1 / (2ᵏ · totalₙ)`, where k counts the
//!   orders without matches so far (the NIST "exp" smoothing);
//! - an order the hypotheses are too short to have (totalₙ = 0) leaves
//!   `pₙ = 0` for it and every higher order, and BLEU = 0;
//! - an empty corpus of hypotheses has BP = 0.

use std::collections::HashMap;

use crate::error::{invalid, Result};

/// The longest n-gram counted.
pub const MAX_ORDER: usize = 4;

/// A corpus BLEU score and the statistics it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Bleu {
    /// 0..=100.
    pub score: f64,
    /// pₙ in percent, n = 1..=4 (after smoothing).
    pub precisions: [f64; MAX_ORDER],
    /// Clipped n-gram matches, n = 1..=4.
    pub matches: [usize; MAX_ORDER],
    /// Hypothesis n-grams, n = 1..=4.
    pub totals: [usize; MAX_ORDER],
    pub brevity_penalty: f64,
    pub hypothesis_length: usize,
    pub reference_length: usize,
}

/// Corpus BLEU of tokenised `hypotheses` against one reference each.
pub fn corpus_bleu<S: AsRef<str>>(hypotheses: &[Vec<S>], references: &[Vec<S>]) -> Result<Bleu> {
    if hypotheses.len() != references.len() {
        return Err(invalid(
            "bleu",
            format!(
                "got {} hypotheses and {} references; pass one reference per hypothesis.",
                hypotheses.len(),
                references.len()
            ),
        ));
    }
    let (mut matches, mut totals) = ([0usize; MAX_ORDER], [0usize; MAX_ORDER]);
    let (mut hypothesis_length, mut reference_length) = (0, 0);
    for (hypothesis, reference) in hypotheses.iter().zip(references) {
        let hypothesis: Vec<&str> = hypothesis.iter().map(AsRef::as_ref).collect();
        let reference: Vec<&str> = reference.iter().map(AsRef::as_ref).collect();
        hypothesis_length += hypothesis.len();
        reference_length += reference.len();
        for n in 1..=MAX_ORDER {
            let in_reference = ngram_counts(&reference, n);
            for (gram, count) in ngram_counts(&hypothesis, n) {
                matches[n - 1] += count.min(in_reference.get(gram).copied().unwrap_or(0));
            }
            totals[n - 1] += hypothesis.len().saturating_sub(n - 1);
        }
    }
    Ok(score_from_counts(matches, totals, hypothesis_length, reference_length))
}

/// How often each n-gram occurs in `tokens`.
fn ngram_counts<'a>(tokens: &'a [&'a str], n: usize) -> HashMap<&'a [&'a str], usize> {
    let mut counts = HashMap::new();
    for gram in tokens.windows(n) {
        *counts.entry(gram).or_insert(0) += 1;
    }
    counts
}

/// BLEU from its sufficient statistics (the formulas and edge cases above).
pub fn score_from_counts(
    matches: [usize; MAX_ORDER],
    totals: [usize; MAX_ORDER],
    hypothesis_length: usize,
    reference_length: usize,
) -> Bleu {
    let brevity_penalty = if hypothesis_length >= reference_length {
        1.0
    } else if hypothesis_length == 0 {
        0.0
    } else {
        (1.0 - reference_length as f64 / hypothesis_length as f64).exp()
    };
    let mut precisions = [0.0f64; MAX_ORDER];
    let mut score = 0.0;
    if matches.iter().any(|&m| m > 0) {
        let mut halvings = 1.0f64;
        for n in 0..MAX_ORDER {
            if totals[n] == 0 {
                break; // this order and the ones above stay at 0
            }
            precisions[n] = if matches[n] == 0 {
                halvings *= 2.0;
                100.0 / (halvings * totals[n] as f64)
            } else {
                100.0 * matches[n] as f64 / totals[n] as f64
            };
        }
        // ln 0 is taken as a huge negative number, as sacreBLEU does: the score becomes 0.
        let log_sum: f64 = precisions.iter().map(|&p| if p == 0.0 { -9_999_999_999.0 } else { p.ln() }).sum();
        score = brevity_penalty * (log_sum / MAX_ORDER as f64).exp();
    }
    Bleu {
        score,
        precisions,
        matches,
        totals,
        brevity_penalty,
        hypothesis_length,
        reference_length,
    }
}
