//! The tokens a GPT reads: the characters of its training text (the
//! course's Shakespeare GPT), or GPT-2's byte-level BPE (a pretrained GPT-2).
//! The language model's trainer, sampling and the web API ask this one type
//! for ids and text, whichever it holds.

use crate::error::{invalid, Result};
use crate::train::bpe::ByteLevelBpe;
use crate::train::chars::CharVocab;

#[derive(Debug, Clone)]
pub enum LmVocab {
    /// One token per character ([`CharVocab`]).
    Chars(CharVocab),
    /// GPT-2's tokens ([`ByteLevelBpe`]; boxed: it is far larger than a character list).
    Bpe(Box<ByteLevelBpe>),
}

impl LmVocab {
    pub fn len(&self) -> usize {
        match self {
            LmVocab::Chars(v) => v.len(),
            LmVocab::Bpe(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text's ids; a character the vocabulary lacks is an error naming it.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        match self {
            LmVocab::Chars(v) => v.encode(text),
            LmVocab::Bpe(v) => v.encode(text),
        }
    }

    /// Ids back to text.
    pub fn decode(&self, ids: &[u32]) -> String {
        match self {
            LmVocab::Chars(v) => v.decode(ids),
            LmVocab::Bpe(v) => v.decode(ids),
        }
    }

    /// How one token reads on its own: a character, or a GPT-2 token's text
    /// (a token that is only part of a character's bytes reads as U+FFFD).
    pub fn piece(&self, id: u32) -> String {
        match self {
            LmVocab::Chars(v) => v.char(id).to_string(),
            LmVocab::Bpe(v) => v.decode(&[id]),
        }
    }

    /// The character vocabulary, for what only our own GPT has (its checkpoint format).
    pub fn chars(&self, op: &'static str) -> Result<&CharVocab> {
        match self {
            LmVocab::Chars(v) => Ok(v),
            LmVocab::Bpe(_) => Err(invalid(
                op,
                "this is a GPT-2 opened from Hugging Face files; it has no character vocabulary (and saves as those files, not as ours).",
            )),
        }
    }
}
