//! Words to ids and back.
//!
//! [`tokenize`] turns text into the grammar's tokens: lower case, punctuation
//! split off, and French elision split after the apostrophe ("L'accord" →
//! `l'` `accord`), so typed text meets the same tokens the model was trained
//! on. A [`Vocab`] numbers the tokens of a corpus after four special ones:
//!
//! | id | token | use |
//! |---|---|---|
//! | 0 | `<pad>` | fills short sequences in a batch; masked out |
//! | 1 | `<bos>` | "begin": the decoder's first input |
//! | 2 | `<eos>` | "end": the decoder's last target; decoding stops there |
//! | 3 | `<unk>` | any word the vocabulary does not have |

use std::collections::{BTreeSet, HashMap};

/// The model's own special ids (0–2), and the vocabulary's unknown word.
pub use crate::models::seq2seq::{BOS, EOS, PAD};
pub const UNK: u32 = 3;
pub const SPECIALS: [&str; 4] = ["<pad>", "<bos>", "<eos>", "<unk>"];

/// Lower-case `text` and split it into tokens.
pub fn tokenize(text: &str) -> Vec<String> {
    let text = text.to_lowercase().replace('’', "'");
    let mut tokens = Vec::new();
    for chunk in text.split_whitespace() {
        let mut rest = chunk;
        // Punctuation before the word.
        while let Some(c) = rest.chars().next().filter(|c| is_punctuation(*c)) {
            tokens.push(c.to_string());
            rest = &rest[c.len_utf8()..];
        }
        // Punctuation after the word, collected to push after it.
        let mut trailing = Vec::new();
        while let Some(c) = rest.chars().last().filter(|c| is_punctuation(*c)) {
            trailing.push(c.to_string());
            rest = &rest[..rest.len() - c.len_utf8()];
        }
        // Elision: a short word ending in an apostrophe, glued to the next ("l'accord", "qu'il").
        while let Some(apostrophe) = rest.find('\'').filter(|&i| i > 0 && i <= 3 && i + 1 < rest.len()) {
            tokens.push(rest[..=apostrophe].to_string());
            rest = &rest[apostrophe + 1..];
        }
        if !rest.is_empty() {
            tokens.push(rest.to_string());
        }
        tokens.extend(trailing.into_iter().rev());
    }
    tokens
}

fn is_punctuation(c: char) -> bool {
    matches!(c, '.' | ',' | '!' | '?' | ';' | ':' | '"' | '(' | ')')
}

/// A numbered list of tokens: the specials, then every token of a corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct Vocab {
    words: Vec<String>,
    index: HashMap<String, u32>,
}

impl Vocab {
    /// The specials, then the distinct tokens of `sentences` in sorted order
    /// (so the same corpus always gives the same ids).
    pub fn build<'a>(sentences: impl IntoIterator<Item = &'a [String]>) -> Vocab {
        let distinct: BTreeSet<&str> = sentences.into_iter().flatten().map(String::as_str).collect();
        let words: Vec<String> = SPECIALS
            .iter()
            .copied()
            .chain(distinct.into_iter().filter(|w| !SPECIALS.contains(w)))
            .map(str::to_string)
            .collect();
        Vocab::from_words(words)
    }

    /// A vocabulary with exactly these words as ids 0, 1, 2... (the first four must be the specials).
    pub fn from_words(words: Vec<String>) -> Vocab {
        let index = words.iter().enumerate().map(|(i, w)| (w.clone(), i as u32)).collect();
        Vocab { words, index }
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The id of `word`, or [`UNK`].
    pub fn id(&self, word: &str) -> u32 {
        self.index.get(word).copied().unwrap_or(UNK)
    }

    /// The token of `id` (`<unk>` for an id past the end).
    pub fn word(&self, id: u32) -> &str {
        self.words.get(id as usize).map_or(SPECIALS[UNK as usize], String::as_str)
    }

    pub fn encode(&self, tokens: &[String]) -> Vec<u32> {
        tokens.iter().map(|t| self.id(t)).collect()
    }

    /// Tokens of `ids` up to the first `<eos>`, without `<pad>` and `<bos>`.
    pub fn decode(&self, ids: &[u32]) -> Vec<String> {
        ids.iter()
            .take_while(|&&id| id != EOS)
            .filter(|&&id| id != PAD && id != BOS)
            .map(|&id| self.word(id).to_string())
            .collect()
    }
}
