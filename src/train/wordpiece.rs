//! WordPiece: BERT's tokenizer. Text → words → pieces of words → ids.
//!
//! **1. Basic split.** Lower-case, strip accents ("café" → "cafe": decompose
//! each letter into base + combining marks and drop the marks), split on
//! white space, and make every punctuation mark and every CJK ideograph a
//! word of its own. The special tokens `[CLS] [SEP] [MASK] [PAD] [UNK]`
//! typed in the text stay whole. (That is the uncased BERT's
//! [`Normalization`]; a cased one keeps case and accents.)
//!
//! **2. Greedy longest match first.** Each word is cut into the longest
//! vocabulary entry that starts it, then the longest entry that continues it
//! (continuations carry a `##` prefix), and so on:
//!
//! ```text
//! "unbuyable"  →  un  ##buy  ##able        (if "unbuyable" itself is not in the vocabulary)
//! "xyz€"       →  [UNK]                     (no way to spell it from the vocabulary: the whole word)
//! ```
//!
//! A word that cannot be spelt completely becomes one `[UNK]`, as in BERT.
//!
//! **3. Vocabulary.** Either read from a standard `vocab.txt` (one entry per
//! line, the line number is the id) or trained on a corpus by
//! [`WordPiece::train`]: start from single characters (`a`, `##a`, …) and
//! repeatedly merge the neighbouring pair with the highest
//! `count(ab) / (count(a) · count(b))` — pairs that occur together more often
//! than their parts' frequencies predict — until the vocabulary is big enough.

use std::collections::HashMap;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::error::{invalid, Result};

pub const PAD: &str = "[PAD]";
pub const UNK: &str = "[UNK]";
pub const CLS: &str = "[CLS]";
pub const SEP: &str = "[SEP]";
pub const MASK: &str = "[MASK]";
/// The special tokens, in the order a trained vocabulary numbers them (ids 0–4).
pub const SPECIALS: [&str; 5] = [PAD, UNK, CLS, SEP, MASK];

/// How the text is normalised before the split: Hugging Face's
/// `BertNormalizer` options `lowercase` and `strip_accents`. The uncased
/// BERTs (bert-base-uncased, MiniLM) do both; a cased one (bert-base-cased)
/// neither, so "Paris" and "paris", "é" and "e" stay apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Normalization {
    pub lowercase: bool,
    pub strip_accents: bool,
}

impl Normalization {
    pub const UNCASED: Normalization = Normalization {
        lowercase: true,
        strip_accents: true,
    };
}

/// Words longer than this many characters become `[UNK]` without a search (as BERT).
const MAX_WORD_CHARS: usize = 100;

/// A WordPiece vocabulary and the tokenizer that uses it.
#[derive(Debug, Clone, PartialEq)]
pub struct WordPiece {
    tokens: Vec<String>,
    ids: HashMap<String, u32>,
    /// Ids of the specials, wherever the vocabulary puts them.
    pub pad: u32,
    pub unk: u32,
    pub cls: u32,
    pub sep: u32,
    pub mask: u32,
    /// Case and accents, before the split (uncased unless a tokenizer.json says otherwise).
    pub normalization: Normalization,
}

impl WordPiece {
    /// A vocabulary from its entries in id order; the five specials must be among them.
    pub fn from_tokens(tokens: Vec<String>) -> Result<WordPiece> {
        let mut ids = HashMap::with_capacity(tokens.len());
        for (id, token) in tokens.iter().enumerate() {
            if token.is_empty() {
                return Err(invalid(
                    "vocab.txt",
                    format!("line {} is empty; every line must hold one token.", id + 1),
                ));
            }
            if ids.insert(token.clone(), id as u32).is_some() {
                return Err(invalid(
                    "vocab.txt",
                    format!("the token {token:?} appears twice (again on line {}).", id + 1),
                ));
            }
        }
        let special = |name: &str| {
            ids.get(name).copied().ok_or_else(|| {
                invalid(
                    "vocab.txt",
                    format!("the vocabulary has no {name} token; a BERT vocabulary needs {SPECIALS:?}."),
                )
            })
        };
        Ok(WordPiece {
            pad: special(PAD)?,
            unk: special(UNK)?,
            cls: special(CLS)?,
            sep: special(SEP)?,
            mask: special(MASK)?,
            tokens,
            ids,
            normalization: Normalization::UNCASED,
        })
    }

    /// Read a standard BERT `vocab.txt`: one token per line, id = line number.
    pub fn from_vocab_txt(text: &str) -> Result<WordPiece> {
        let tokens: Vec<String> = text.lines().map(|line| line.trim_end_matches('\r').to_string()).collect();
        WordPiece::from_tokens(tokens)
    }

    /// Read the WordPiece vocabulary of a Hugging Face `tokenizer.json`
    /// (`model.vocab`: token → id) and its normalizer's `lowercase` and
    /// `strip_accents` (the latter, when null, follows the former, as in the library).
    pub fn from_tokenizer_json(text: &str) -> Result<WordPiece> {
        const OP: &str = "tokenizer.json";
        let json: serde_json::Value = serde_json::from_str(text).map_err(|e| invalid(OP, format!("{e}.")))?;
        let model = &json["model"];
        if model["type"] != "WordPiece" {
            return Err(invalid(OP, format!("the model is {}, not WordPiece.", model["type"])));
        }
        let normalizer = &json["normalizer"];
        if !normalizer.is_null() && normalizer["type"] != "BertNormalizer" {
            return Err(invalid(
                OP,
                format!(
                    "the normalizer is {}; glassformer's WordPiece reads BERT's (BertNormalizer).",
                    normalizer["type"]
                ),
            ));
        }
        let lowercase = normalizer["lowercase"].as_bool().unwrap_or(false);
        let normalization = Normalization {
            lowercase,
            strip_accents: normalizer["strip_accents"].as_bool().unwrap_or(lowercase),
        };
        let vocab = model["vocab"]
            .as_object()
            .ok_or_else(|| invalid(OP, "model.vocab is not a token → id map."))?;
        let mut tokens = vec![String::new(); vocab.len()];
        for (token, id) in vocab {
            let slot = id
                .as_u64()
                .and_then(|id| tokens.get_mut(id as usize))
                .ok_or_else(|| invalid(OP, format!("the id of {token:?} ({id}) is not one of 0..{}.", vocab.len())))?;
            *slot = token.clone();
        }
        Ok(WordPiece {
            normalization,
            ..WordPiece::from_tokens(tokens)?
        })
    }

    /// The vocabulary as `vocab.txt`.
    pub fn to_vocab_txt(&self) -> String {
        let mut out = self.tokens.join("\n");
        out.push('\n');
        out
    }

    /// Train a vocabulary of (at most) `size` entries on `texts`: the specials, every
    /// character seen (alone and as a `##` continuation), then merged pieces.
    pub fn train<'a>(texts: impl IntoIterator<Item = &'a str>, size: usize) -> WordPiece {
        // Each distinct word as its list of pieces, with its count.
        let mut counts: HashMap<String, usize> = HashMap::new();
        for text in texts {
            for word in basic_split(text) {
                if !SPECIALS.contains(&word.as_str()) {
                    *counts.entry(word).or_default() += 1;
                }
            }
        }
        let mut words: Vec<(Vec<String>, usize)> = counts
            .into_iter()
            .map(|(word, count)| {
                let pieces = word
                    .chars()
                    .enumerate()
                    .map(|(i, c)| if i == 0 { c.to_string() } else { format!("##{c}") })
                    .collect();
                (pieces, count)
            })
            .collect();
        words.sort(); // a fixed order, so that ties break the same way every time
        let mut vocab: Vec<String> = SPECIALS.iter().map(|s| s.to_string()).collect();
        let mut alphabet: Vec<String> = words.iter().flat_map(|(pieces, _)| pieces.iter().cloned()).collect();
        alphabet.sort();
        alphabet.dedup();
        vocab.extend(alphabet);
        while vocab.len() < size {
            let Some(merged) = best_merge(&words) else {
                break; // every word is a single piece
            };
            for (pieces, _) in words.iter_mut() {
                merge_in(pieces, &merged);
            }
            let joined = format!("{}{}", merged.0, merged.1.trim_start_matches("##"));
            if !vocab.contains(&joined) {
                vocab.push(joined);
            }
        }
        WordPiece::from_tokens(vocab).expect("a trained vocabulary has the specials and no duplicates")
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The id of a vocabulary entry.
    pub fn id(&self, token: &str) -> Option<u32> {
        self.ids.get(token).copied()
    }

    /// The entry of an id (`[UNK]` past the end).
    pub fn token(&self, id: u32) -> &str {
        self.tokens.get(id as usize).map_or(UNK, |t| t.as_str())
    }

    /// Is this id one of the five specials?
    pub fn is_special(&self, id: u32) -> bool {
        [self.pad, self.unk, self.cls, self.sep, self.mask].contains(&id)
    }

    /// `text` as pieces (strings), `[UNK]` where a word cannot be spelt.
    pub fn pieces(&self, text: &str) -> Vec<String> {
        self.encode(text).into_iter().map(|id| self.token(id).to_string()).collect()
    }

    /// `text` as ids.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        for word in split_words(text, self.normalization) {
            self.encode_word(&word, &mut ids);
        }
        ids
    }

    /// `text` as BERT reads one sentence: `[CLS]`, its ids, `[SEP]`.
    pub fn encode_sentence(&self, text: &str) -> Vec<u32> {
        std::iter::once(self.cls)
            .chain(self.encode(text))
            .chain(std::iter::once(self.sep))
            .collect()
    }

    /// Greedy longest-match-first over one word.
    fn encode_word(&self, word: &str, ids: &mut Vec<u32>) {
        if let Some(id) = self.id(word).filter(|_| SPECIALS.contains(&word)) {
            ids.push(id);
            return;
        }
        let chars: Vec<char> = word.chars().collect();
        if chars.len() > MAX_WORD_CHARS {
            ids.push(self.unk);
            return;
        }
        let first = ids.len();
        let mut start = 0;
        while start < chars.len() {
            // The longest entry that matches at `start` (with `##` unless at the word's start).
            let found = (start + 1..=chars.len()).rev().find_map(|end| {
                let piece: String = chars[start..end].iter().collect();
                let piece = if start > 0 { format!("##{piece}") } else { piece };
                self.id(&piece).map(|id| (id, end))
            });
            match found {
                Some((id, end)) => {
                    ids.push(id);
                    start = end;
                }
                None => {
                    ids.truncate(first); // the whole word is unknown
                    ids.push(self.unk);
                    return;
                }
            }
        }
    }
}

/// Step 1 for the uncased BERT: lower-cased, accent-free words; punctuation
/// and CJK ideographs alone; the specials (as typed, in any case) whole.
pub fn basic_split(text: &str) -> Vec<String> {
    split_words(text, Normalization::UNCASED)
}

/// Step 1 with the case and accents of `normalization`.
pub fn split_words(text: &str, normalization: Normalization) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        // The next special token, if any, splits the text around it.
        let next_special = SPECIALS
            .iter()
            .filter_map(|s| find_ignoring_case(rest, s).map(|at| (at, *s)))
            .min_by_key(|(at, _)| *at);
        let (plain, special) = match next_special {
            Some((at, s)) => (&rest[..at], Some((s, at + s.len()))),
            None => (rest, None),
        };
        split_plain(plain, normalization, &mut words);
        match special {
            Some((s, end)) => {
                words.push(s.to_string());
                rest = &rest[end..];
            }
            None => break,
        }
    }
    words
}

/// Byte offset of `needle` (ASCII) in `haystack`, ignoring ASCII case.
fn find_ignoring_case(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    (0..h.len().saturating_sub(n.len() - 1)).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

fn split_plain(text: &str, normalization: Normalization, words: &mut Vec<String>) {
    let mut word = String::new();
    let flush = |word: &mut String, words: &mut Vec<String>| {
        if !word.is_empty() {
            words.push(std::mem::take(word));
        }
    };
    // Accents: decompose each letter into base + combining marks, drop the marks. Then case.
    let stripped: String = match normalization.strip_accents {
        true => text.nfd().filter(|&c| !is_combining_mark(c)).collect(),
        false => text.to_string(),
    };
    let normal = match normalization.lowercase {
        true => stripped.chars().flat_map(char::to_lowercase).collect(), // letter by letter, as the library does
        false => stripped,
    };
    for c in normal.chars() {
        if c.is_whitespace() || c.is_control() {
            flush(&mut word, words);
        } else if is_punctuation(c) || is_cjk(c) {
            flush(&mut word, words);
            words.push(c.to_string());
        } else {
            word.push(c);
        }
    }
    flush(&mut word, words);
}

/// ASCII punctuation and symbols (as BERT counts them) and the common Unicode punctuation blocks.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || ('\u{2010}'..='\u{2027}').contains(&c) // dashes, quotes, bullets, ellipsis
        || ('\u{2030}'..='\u{205E}').contains(&c)
        || ('\u{3000}'..='\u{303F}').contains(&c) // CJK punctuation
        || ('\u{FF01}'..='\u{FF0F}').contains(&c) // full-width ！＂＃…／
        || ('\u{FF1A}'..='\u{FF20}').contains(&c)
        || matches!(c, '¡' | '¿' | '«' | '»' | '§' | '¶' | '·')
}

/// CJK ideographs, which BERT treats as words of one character.
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F)
}

/// The neighbouring pair with the highest `count(ab) / (count(a)·count(b))`;
/// ties go to the more frequent pair, then to the first in sorted order.
fn best_merge(words: &[(Vec<String>, usize)]) -> Option<(String, String)> {
    let mut piece_counts: HashMap<&str, usize> = HashMap::new();
    let mut pair_counts: HashMap<(&str, &str), usize> = HashMap::new();
    for (pieces, count) in words {
        for piece in pieces {
            *piece_counts.entry(piece).or_default() += count;
        }
        for pair in pieces.windows(2) {
            *pair_counts.entry((&pair[0], &pair[1])).or_default() += count;
        }
    }
    let score = |(a, b): (&str, &str), n: usize| n as f64 / (piece_counts[a] as f64 * piece_counts[b] as f64);
    pair_counts
        .into_iter()
        .max_by(|&(p, n), &(q, m)| score(p, n).total_cmp(&score(q, m)).then(n.cmp(&m)).then(q.cmp(&p)))
        .map(|((a, b), _)| (a.to_string(), b.to_string()))
}

/// Replace every neighbouring `(a, b)` in `pieces` by the joined piece.
fn merge_in(pieces: &mut Vec<String>, (a, b): &(String, String)) {
    let mut i = 0;
    while i + 1 < pieces.len() {
        if pieces[i] == *a && pieces[i + 1] == *b {
            let joined = format!("{a}{}", b.trim_start_matches("##"));
            pieces.splice(i..i + 2, [joined]);
        }
        i += 1;
    }
}
