//! GPT-2's tokenizer: byte-level byte-pair encoding (BPE).
//!
//! **1. Split into words** (`gpt2_words`, GPT-2's regular expression):
//! English contractions (`'s`, `'ll`, …), a run of letters or a run of digits
//! with at most one space before it, a run of other symbols, and whitespace.
//! "Hello world!!" → `Hello`, ` world`, `!!`. A space belongs to the word
//! after it, so " world" and "world" are different tokens.
//!
//! **2. Bytes as characters.** Each piece is taken as UTF-8 bytes, and each
//! byte is written as one printable character (the 188 printable bytes as
//! themselves, the other 68 — space, control bytes… — as the characters from
//! U+0100 on: a space is `Ġ`). Any text at all becomes a string over 256
//! symbols, so there is never an unknown token: an emoji is just its four
//! bytes until merges join them.
//!
//! **3. Merge.** `merges.txt` lists pairs in the order they were learned from
//! the training text (the most frequent pair first). Starting from single
//! bytes, repeatedly join the adjacent pair that was learned *earliest*,
//! until no adjacent pair is in the list; each resulting symbol is a token
//! of `vocab.json`. " lowest" → `Ġ l o w e s t` → … → `Ġlow est`.
//!
//! Decoding runs it backwards: tokens → characters → bytes → UTF-8.

use std::collections::HashMap;

use super::gpt2_words::gpt2_words;
use crate::error::{invalid, Result};

const OP: &str = "gpt2 tokenizer";

/// A byte-level BPE tokenizer: a vocabulary and the ranked merges.
#[derive(Debug, Clone)]
pub struct ByteLevelBpe {
    /// token → id
    vocab: HashMap<String, u32>,
    /// id → token
    tokens: Vec<String>,
    /// (left, right) → rank: lower merged first
    ranks: HashMap<(String, String), usize>,
    /// byte → its character, and back
    byte_char: [char; 256],
    char_byte: HashMap<char, u8>,
}

/// The printable character each byte is written as (step 2 of the module's doc).
fn byte_chars() -> [char; 256] {
    let printable = |b: u32| (33..=126).contains(&b) || (161..=172).contains(&b) || (174..=255).contains(&b);
    let mut map = ['\0'; 256];
    let mut next = 256;
    for b in 0..256u32 {
        map[b as usize] = if printable(b) {
            char::from_u32(b).unwrap_or('\0')
        } else {
            next += 1;
            char::from_u32(next - 1).unwrap_or('\0')
        };
    }
    map
}

impl ByteLevelBpe {
    /// From `vocab.json` (token → id) and `merges.txt` (one pair per line, a
    /// `#version` line first in GPT-2's file).
    pub fn from_files(vocab_json: &str, merges_txt: &str) -> Result<ByteLevelBpe> {
        let vocab: HashMap<String, u32> = serde_json::from_str(vocab_json).map_err(|e| invalid(OP, format!("vocab.json: {e}.")))?;
        let mut merges = Vec::new();
        for (n, line) in merges_txt.lines().enumerate() {
            if line.starts_with("#version") || line.trim().is_empty() {
                continue;
            }
            let (a, b) = line
                .split_once(' ')
                .ok_or_else(|| invalid(OP, format!("merges.txt line {}: {line:?} is not two symbols.", n + 1)))?;
            merges.push((a.to_string(), b.to_string()));
        }
        ByteLevelBpe::new(vocab, merges)
    }

    /// From a Hugging Face `tokenizer.json` whose model is byte-level BPE
    /// (`model.vocab`: token → id; `model.merges`: "a b" strings or `[a, b]` pairs).
    pub fn from_tokenizer_json(text: &str) -> Result<ByteLevelBpe> {
        let json: serde_json::Value = serde_json::from_str(text).map_err(|e| invalid(OP, format!("tokenizer.json: {e}.")))?;
        let model = &json["model"];
        if model["type"] != "BPE" || json["pre_tokenizer"]["type"] != "ByteLevel" {
            return Err(invalid(
                OP,
                format!(
                    "tokenizer.json holds a {} model with a {} pre-tokenizer; GPT-2's is BPE with ByteLevel.",
                    model["type"], json["pre_tokenizer"]["type"]
                ),
            ));
        }
        let vocab: HashMap<String, u32> =
            serde_json::from_value(model["vocab"].clone()).map_err(|e| invalid(OP, format!("tokenizer.json model.vocab: {e}.")))?;
        let merges = model["merges"]
            .as_array()
            .ok_or_else(|| invalid(OP, "tokenizer.json has no model.merges list."))?
            .iter()
            .map(|m| match m {
                serde_json::Value::String(s) => s.split_once(' ').map(|(a, b)| (a.to_string(), b.to_string())),
                serde_json::Value::Array(pair) => match pair.as_slice() {
                    [serde_json::Value::String(a), serde_json::Value::String(b)] => Some((a.clone(), b.clone())),
                    _ => None,
                },
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| invalid(OP, "a merge in tokenizer.json is neither \"a b\" nor [a, b]."))?;
        ByteLevelBpe::new(vocab, merges)
    }

    /// From a vocabulary and the merges in the order they were learned.
    pub fn new(vocab: HashMap<String, u32>, merges: Vec<(String, String)>) -> Result<ByteLevelBpe> {
        let mut tokens = vec![String::new(); vocab.len()];
        for (token, &id) in &vocab {
            let slot = tokens.get_mut(id as usize).ok_or_else(|| {
                invalid(
                    OP,
                    format!("vocab.json gives {token:?} the id {id}, past its {} tokens.", vocab.len()),
                )
            })?;
            if !slot.is_empty() {
                return Err(invalid(OP, format!("vocab.json gives the id {id} to {slot:?} and to {token:?}.")));
            }
            *slot = token.clone();
        }
        let byte_char = byte_chars();
        if let Some(c) = byte_char.iter().find(|c| !vocab.contains_key(&c.to_string())) {
            return Err(invalid(
                OP,
                format!("vocab.json has no token for the byte written {c:?}: this is not a byte-level vocabulary."),
            ));
        }
        let ranks = merges.into_iter().enumerate().map(|(rank, pair)| (pair, rank)).collect();
        let char_byte = byte_char.iter().enumerate().map(|(b, &c)| (c, b as u8)).collect();
        Ok(ByteLevelBpe {
            vocab,
            tokens,
            ranks,
            byte_char,
            char_byte,
        })
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The token with this id.
    pub fn token(&self, id: u32) -> Option<&str> {
        self.tokens.get(id as usize).map(String::as_str)
    }

    /// The id of this token.
    pub fn id(&self, token: &str) -> Option<u32> {
        self.vocab.get(token).copied()
    }

    /// The text's tokens, as strings (spaces written `Ġ`).
    pub fn tokenize(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for word in gpt2_words(text) {
            let chars: String = word.bytes().map(|b| self.byte_char[b as usize]).collect();
            out.extend(self.merge(&chars));
        }
        out
    }

    /// The text's token ids. Every single byte is a token (checked in
    /// `new`), and so is every pair merges.txt joins, when the two files
    /// belong together; a symbol missing from vocab.json says they do not.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        self.tokenize(text)
            .iter()
            .map(|t| {
                self.id(t).ok_or_else(|| {
                    invalid(
                        OP,
                        format!("merging made {t:?}, which vocab.json lacks: vocab.json and merges.txt do not belong together."),
                    )
                })
            })
            .collect()
    }

    /// Token ids back to text (bytes that do not form UTF-8 become U+FFFD).
    pub fn decode(&self, ids: &[u32]) -> String {
        let bytes: Vec<u8> = ids
            .iter()
            .filter_map(|&id| self.token(id))
            .flat_map(|t| t.chars())
            .filter_map(|c| self.char_byte.get(&c).copied())
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Step 3: one word's characters, merged pair by pair, earliest-learned first.
    fn merge(&self, word: &str) -> Vec<String> {
        let mut symbols: Vec<String> = word.chars().map(String::from).collect();
        loop {
            // The adjacent pair learned earliest.
            let best = symbols
                .windows(2)
                .enumerate()
                .filter_map(|(i, w)| self.ranks.get(&(w[0].clone(), w[1].clone())).map(|&rank| (rank, i)))
                .min();
            let Some((_, i)) = best else { break };
            let (left, right) = (symbols[i].clone(), symbols[i + 1].clone());
            // Join every occurrence of that pair, left to right.
            let mut joined = Vec::with_capacity(symbols.len());
            let mut j = 0;
            while j < symbols.len() {
                if j + 1 < symbols.len() && symbols[j] == left && symbols[j + 1] == right {
                    joined.push(format!("{left}{right}"));
                    j += 2;
                } else {
                    joined.push(symbols[j].clone());
                    j += 1;
                }
            }
            symbols = joined;
        }
        symbols
    }
}
