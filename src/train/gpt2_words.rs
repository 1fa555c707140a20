//! GPT-2's first step: cutting text into words before byte-pair merging.
//!
//! GPT-2 defines its words with one regular expression, tried left to right
//! at each place in the text, the first alternative that matches winning:
//!
//! ```text
//! 's|'t|'re|'ve|'m|'ll|'d | ?\p{L}+ | ?\p{N}+ | ?[^\s\p{L}\p{N}]+ | \s+(?!\S) | \s+
//! ```
//!
//! 1. an English contraction: `'s`, `'t`, `'re`, `'ve`, `'m`, `'ll`, `'d`;
//! 2. a run of letters, with at most one space (U+0020) before it;
//! 3. a run of digits (any Unicode number), likewise;
//! 4. a run of anything else that is not whitespace, likewise;
//! 5. a run of whitespace not followed by a word: at the end of the text the
//!    whole run, else the run without its last character, which goes to the
//!    word after it as its leading space (`"a   b"` → `a`, `"  "`, `" b"`);
//! 6. a single whitespace character before a word (a tab, a newline, or the
//!    space before a word that alternative 2–4 could not take).
//!
//! Every character is whitespace, a letter, a number or something else, so
//! some alternative always matches and the words cover the text exactly.
//! This file walks the text once doing just that, instead of compiling the
//! pattern with a regular-expression engine with look-ahead (which made up
//! two-fifths of the wasm download); `tests/gpt2_words.rs` checks that both cut
//! any text the same way.
//!
//! `\p{L}` (letters) and `\p{N}` (numbers) are Unicode general categories,
//! read from the `unicode-properties` tables; `\s` is Unicode's White_Space,
//! which is what `char::is_whitespace` tests.

use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// What a character is, for the pattern's classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Number,
    Space,
    Other,
}

fn class(c: char) -> Class {
    if c.is_whitespace() {
        return Class::Space;
    }
    match c.general_category_group() {
        GeneralCategoryGroup::Letter => Class::Letter,
        GeneralCategoryGroup::Number => Class::Number,
        _ => Class::Other,
    }
}

const CONTRACTIONS: [&str; 7] = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];

/// The text cut into GPT-2's words, in order; joined, they give the text back.
pub fn gpt2_words(text: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let end = word_end(text, start);
        words.push(&text[start..end]);
        start = end;
    }
    words
}

/// Where the word starting at byte `start` ends (a byte offset past `start`).
fn word_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    // 1. Contractions.
    if let Some(c) = CONTRACTIONS.iter().find(|c| rest.starts_with(*c)) {
        return start + c.len();
    }
    let mut chars = rest.char_indices().peekable();
    let (_, first) = chars.next().expect("word_end is called inside the text");
    // 2–4. A run of one class, perhaps after one space.
    let (run_class, run_start) = match class(first) {
        Class::Space if first == ' ' => match chars.peek() {
            Some(&(offset, next)) if class(next) != Class::Space => (class(next), offset),
            _ => (Class::Space, 0),
        },
        other => (other, 0),
    };
    if run_class != Class::Space {
        let run_end = rest[run_start..]
            .char_indices()
            .find(|&(_, c)| class(c) != run_class)
            .map_or(rest.len(), |(offset, _)| run_start + offset);
        return start + run_end;
    }
    // 5–6. A run of whitespace.
    let mut last_start = 0; // where the run's last character starts
    let mut run_end = rest.len();
    for (offset, c) in rest.char_indices() {
        if !c.is_whitespace() {
            run_end = offset;
            break;
        }
        last_start = offset;
    }
    if run_end == rest.len() || last_start == 0 {
        // The run reaches the end of the text (5), or it is one character before a word (6).
        start + run_end
    } else {
        // Leave the last character to the word that follows (5).
        start + last_start
    }
}

#[cfg(test)]
mod tests {
    use super::gpt2_words;

    #[test]
    fn the_course_examples() {
        assert_eq!(gpt2_words("Hello world!!"), ["Hello", " world", "!!"]);
        assert_eq!(gpt2_words("I'll say it's 42."), ["I", "'ll", " say", " it", "'s", " 42", "."]);
        assert_eq!(gpt2_words("a   b"), ["a", "  ", " b"]);
        assert_eq!(gpt2_words("a\n\nb  "), ["a", "\n", "\n", "b", "  "]);
        assert_eq!(gpt2_words(" ?! 你好"), [" ?!", " 你好"]);
        assert_eq!(gpt2_words(""), Vec::<&str>::new());
    }
}
