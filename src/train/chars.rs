//! Character-level text for the GPT: every distinct character of the corpus
//! is one token, so the vocabulary is tiny (75 for the Shakespeare corpus)
//! and nothing is ever out of vocabulary in the corpus itself. A prompt may
//! hold characters the corpus never has; `encode` names them in its error.
//!
//! Batches are random windows: `B` start positions drawn uniformly from a
//! split, the input `T` characters from there, the target the same window
//! shifted one to the right (position t must predict character t + 1).

use std::collections::BTreeSet;

use rand::Rng;

use crate::error::{invalid, Result};

/// The characters of a corpus, in code-point order; a token is an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharVocab {
    chars: Vec<char>,
}

impl CharVocab {
    /// The distinct characters of `text`.
    pub fn build(text: &str) -> CharVocab {
        CharVocab {
            chars: text.chars().collect::<BTreeSet<_>>().into_iter().collect(),
        }
    }

    /// A vocabulary from its characters, in order (as a checkpoint stores it).
    pub fn from_chars(chars: &str) -> CharVocab {
        CharVocab {
            chars: chars.chars().collect(),
        }
    }

    pub fn chars(&self) -> String {
        self.chars.iter().collect()
    }

    pub fn len(&self) -> usize {
        self.chars.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// The token of `c`, if `c` is in the vocabulary.
    pub fn id(&self, c: char) -> Option<u32> {
        self.chars.binary_search(&c).ok().map(|i| i as u32)
    }

    /// The character of token `id`.
    pub fn char(&self, id: u32) -> char {
        self.chars.get(id as usize).copied().unwrap_or('\u{fffd}')
    }

    /// Tokens of `text`; characters outside the vocabulary are an error that lists them.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        let mut unknown = BTreeSet::new();
        let ids: Vec<u32> = text
            .chars()
            .filter_map(|c| {
                let id = self.id(c);
                if id.is_none() {
                    unknown.insert(c);
                }
                id
            })
            .collect();
        if !unknown.is_empty() {
            let list: Vec<String> = unknown.iter().map(|c| format!("{c:?}")).collect();
            return Err(invalid(
                "tokenize",
                format!(
                    "{} not in the model's vocabulary of {} characters: {}; remove or replace them.",
                    if list.len() == 1 {
                        "this character is"
                    } else {
                        "these characters are"
                    },
                    self.len(),
                    list.join(", ")
                ),
            ));
        }
        Ok(ids)
    }

    pub fn decode(&self, ids: &[u32]) -> String {
        ids.iter().map(|&id| self.char(id)).collect()
    }
}

/// A tokenised corpus split in two: the first part to train on, the last
/// `valid_fraction` to measure on (contiguous, so no window straddles both).
#[derive(Debug, Clone)]
pub struct TextSplits {
    pub train: Vec<u32>,
    pub valid: Vec<u32>,
}

impl TextSplits {
    pub fn new(ids: Vec<u32>, valid_fraction: f64) -> TextSplits {
        let cut = ((ids.len() as f64) * (1.0 - valid_fraction)).round() as usize;
        let mut train = ids;
        let valid = train.split_off(cut.min(train.len()));
        TextSplits { train, valid }
    }
}

/// `b` random windows of `t` tokens from `ids` → (inputs, targets), each `(B·T)`.
pub fn random_windows(ids: &[u32], b: usize, t: usize, rng: &mut impl Rng) -> Result<(Vec<u32>, Vec<i32>)> {
    if ids.len() <= t {
        return Err(invalid(
            "batch",
            format!("the text has {} tokens; windows of {t} need at least {}.", ids.len(), t + 1),
        ));
    }
    let (mut inputs, mut targets) = (Vec::with_capacity(b * t), Vec::with_capacity(b * t));
    for _ in 0..b {
        let start = rng.random_range(0..ids.len() - t);
        inputs.extend_from_slice(&ids[start..start + t]);
        targets.extend(ids[start + 1..start + t + 1].iter().map(|&id| id as i32));
    }
    Ok((inputs, targets))
}
