//! BERT's two pre-training tasks turned into batches.
//!
//! **Masked language model.** Each non-special token is *chosen* with
//! probability 15%. The model must predict the original token at every chosen
//! position, and only there (elsewhere the target is `IGNORE_INDEX`). What
//! the model is shown at a chosen position:
//!
//! ```text
//! 80%  [MASK]               "went to the [MASK] to buy"
//! 10%  a random token       "went to the apples to buy"
//! 10%  the token unchanged  "went to the store to buy"
//! ```
//!
//! The 10% random and 10% unchanged keep the model from learning that only
//! `[MASK]` positions matter: at fine-tuning time there is no `[MASK]`, and
//! every position's representation must be a good one.
//!
//! **Next-sentence prediction.** A pair is `[CLS] A [SEP] B [SEP]` with
//! segment 0 up to the first `[SEP]` and 1 after. Half the time B is the
//! sentence that follows A in its story (label 1), half the time a sentence
//! from another story (label 0).

use rand::seq::IndexedRandom;
use rand::Rng;

use crate::models::bert::BertBatch;
use crate::ops::cross_entropy::IGNORE_INDEX;
use crate::train::errands::Document;
use crate::train::wordpiece::WordPiece;

/// The chance that a token is chosen for prediction.
pub const CHOOSE: f64 = 0.15;
/// Of the chosen: replaced by `[MASK]`, by a random token (the rest stay unchanged).
pub const TO_MASK: f64 = 0.8;
pub const TO_RANDOM: f64 = 0.1;

/// What masking did to one token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Not chosen: shown as is, not predicted.
    NotChosen,
    /// Chosen, shown as `[MASK]`.
    Masked,
    /// Chosen, shown as another token (its id).
    Random(u32),
    /// Chosen, shown unchanged (and still predicted).
    Kept,
}

/// Decide each token's fate; specials are never chosen.
pub fn mask_tokens(ids: &[u32], vocab: &WordPiece, rng: &mut impl Rng) -> Vec<Fate> {
    ids.iter()
        .map(|&id| {
            if vocab.is_special(id) || !rng.random_bool(CHOOSE) {
                return Fate::NotChosen;
            }
            let roll: f64 = rng.random();
            if roll < TO_MASK {
                Fate::Masked
            } else if roll < TO_MASK + TO_RANDOM {
                Fate::Random(random_token(vocab, rng))
            } else {
                Fate::Kept
            }
        })
        .collect()
}

/// A uniformly drawn non-special token.
fn random_token(vocab: &WordPiece, rng: &mut impl Rng) -> u32 {
    loop {
        let id = rng.random_range(0..vocab.len() as u32);
        if !vocab.is_special(id) {
            return id;
        }
    }
}

/// What the model sees at each position after masking.
pub fn apply(ids: &[u32], fates: &[Fate], vocab: &WordPiece) -> Vec<u32> {
    ids.iter()
        .zip(fates)
        .map(|(&id, fate)| match fate {
            Fate::Masked => vocab.mask,
            Fate::Random(other) => *other,
            Fate::NotChosen | Fate::Kept => id,
        })
        .collect()
}

/// One sentence pair, tokenized: `[CLS] A [SEP] B [SEP]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub ids: Vec<u32>,
    pub segments: Vec<u32>,
    /// 1 if B follows A in its story, 0 if B comes from another story.
    pub is_next: u32,
}

/// `[CLS] a [SEP] b [SEP]` with segment ids, the longer side trimmed from its
/// end until the whole fits in `max_len`.
pub fn pair_ids(vocab: &WordPiece, a: &[u32], b: &[u32], max_len: usize) -> (Vec<u32>, Vec<u32>) {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    while a.len() + b.len() + 3 > max_len && !(a.is_empty() && b.is_empty()) {
        if a.len() >= b.len() {
            a.pop();
        } else {
            b.pop();
        }
    }
    let mut ids = vec![vocab.cls];
    ids.extend(&a);
    ids.push(vocab.sep);
    let first = ids.len();
    ids.extend(&b);
    ids.push(vocab.sep);
    let segments = (0..ids.len()).map(|i| u32::from(i >= first)).collect();
    (ids, segments)
}

/// A next-sentence pair from `docs`: A is a random sentence (not a story's
/// last), B the next one or (half the time) a sentence of another story.
pub fn sample_pair(docs: &[Document], vocab: &WordPiece, max_len: usize, rng: &mut impl Rng) -> Pair {
    assert!(docs.len() >= 2, "next-sentence pairs need at least two stories");
    let (d, doc) = loop {
        let d = rng.random_range(0..docs.len());
        if docs[d].sentences.len() >= 2 {
            break (d, &docs[d]);
        }
    };
    let i = rng.random_range(0..doc.sentences.len() - 1);
    let is_next = rng.random_bool(0.5);
    let b = if is_next {
        &doc.sentences[i + 1]
    } else {
        let other = loop {
            let o = rng.random_range(0..docs.len());
            if o != d {
                break o;
            }
        };
        docs[other].sentences.choose(rng).unwrap()
    };
    let (ids, segments) = pair_ids(vocab, &vocab.encode(&doc.sentences[i]), &vocab.encode(b), max_len);
    Pair {
        ids,
        segments,
        is_next: u32::from(is_next),
    }
}

/// A pre-training batch: `b` pairs, masked, padded to the longest.
pub fn pretraining_batch(docs: &[Document], vocab: &WordPiece, b: usize, max_len: usize, rng: &mut impl Rng) -> BertBatch {
    let pairs: Vec<Pair> = (0..b).map(|_| sample_pair(docs, vocab, max_len, rng)).collect();
    let t = pairs.iter().map(|p| p.ids.len()).max().unwrap_or(1);
    let mut batch = BertBatch {
        b,
        t,
        tokens: vec![vocab.pad; b * t],
        segments: vec![0; b * t],
        lengths: Vec::with_capacity(b),
        mlm_rows: Vec::new(),
        mlm_targets: Vec::new(),
        labels: Vec::with_capacity(b),
    };
    for (row, pair) in pairs.iter().enumerate() {
        let fates = mask_tokens(&pair.ids, vocab, rng);
        let shown = apply(&pair.ids, &fates, vocab);
        batch.tokens[row * t..][..shown.len()].copy_from_slice(&shown);
        batch.segments[row * t..][..shown.len()].copy_from_slice(&pair.segments);
        batch.lengths.push(shown.len());
        batch.labels.push(pair.is_next as i32);
        for (pos, fate) in fates.iter().enumerate() {
            if *fate != Fate::NotChosen {
                batch.mlm_rows.push((row * t + pos) as u32);
                batch.mlm_targets.push(pair.ids[pos] as i32);
            }
        }
    }
    batch
}

/// A batch of single sentences (`[CLS] text [SEP]`, segment 0) for the
/// classifier, with `labels` (or `IGNORE_INDEX` to classify without a loss),
/// and the `[MASK]` positions as masked-LM rows (targets ignored).
pub fn sentence_batch(vocab: &WordPiece, texts: &[Vec<u32>], labels: &[i32]) -> BertBatch {
    let b = texts.len();
    let t = texts.iter().map(|ids| ids.len() + 2).max().unwrap_or(2);
    let mut batch = BertBatch {
        b,
        t,
        tokens: vec![vocab.pad; b * t],
        segments: vec![0; b * t],
        lengths: Vec::with_capacity(b),
        mlm_rows: Vec::new(),
        mlm_targets: Vec::new(),
        labels: labels.to_vec(),
    };
    for (row, ids) in texts.iter().enumerate() {
        let mut seq = vec![vocab.cls];
        seq.extend(ids);
        seq.push(vocab.sep);
        for (pos, &id) in seq.iter().enumerate() {
            if id == vocab.mask {
                batch.mlm_rows.push((row * t + pos) as u32);
                batch.mlm_targets.push(IGNORE_INDEX);
            }
        }
        batch.tokens[row * t..][..seq.len()].copy_from_slice(&seq);
        batch.lengths.push(seq.len());
    }
    batch
}
