//! GPT-2 cuts text into words with a regular expression (with a look-ahead);
//! glassformer walks the text once instead (src/train/gpt2_words.rs). Here
//! the two must cut any text the same way: the pattern compiled by the
//! `fancy-regex` crate is the reference, on thousands of generated strings
//! mixing letters, digits, apostrophes, spaces, tabs, newlines and any other
//! Unicode character.
//!
//! The regex crate and `unicode-properties` may read different versions of
//! Unicode: a character one of them knows as a letter or a number and the
//! other does not (one assigned in the newer version) is left out of the
//! generated strings, as neither answer would be wrong.
#![cfg(not(target_arch = "wasm32"))]

use fancy_regex::Regex;
use glassformer::train::gpt2_words::gpt2_words;
use proptest::prelude::*;
use std::sync::LazyLock;
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

const PATTERN: &str = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

static WORDS: LazyLock<Regex> = LazyLock::new(|| Regex::new(PATTERN).unwrap());
static LETTER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\p{L}$").unwrap());
static NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\p{N}$").unwrap());

fn by_regex(text: &str) -> Vec<&str> {
    WORDS.find_iter(text).map(|m| m.unwrap().as_str()).collect()
}

/// Whether both Unicode tables put `c` in the same class.
fn same_unicode(c: char) -> bool {
    let s = c.to_string();
    let group = c.general_category_group();
    LETTER.is_match(&s).unwrap() == (group == GeneralCategoryGroup::Letter)
        && NUMBER.is_match(&s).unwrap() == (group == GeneralCategoryGroup::Number)
}

/// Strings weighted towards what the pattern distinguishes.
fn texts() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => "[a-zA-Z]{1,6}",
        1 => "[0-9]{1,4}",
        2 => prop::sample::select(vec![" ", "  ", "\t", "\n", "\u{a0}", "\u{3000}", " \n"]).prop_map(String::from),
        2 => prop::sample::select(vec!["'", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "''"]).prop_map(String::from),
        1 => "[!?.,;:()\\-]{1,3}",
        1 => "[é你好ß٣²Ⅻ🙂\u{301}]{1,3}",
        2 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat().chars().filter(|&c| same_unicode(c)).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn cuts_like_the_regular_expression(text in texts()) {
        prop_assert_eq!(gpt2_words(&text), by_regex(&text));
    }
}

#[test]
fn cuts_like_the_regular_expression_on_the_course_text() {
    let text = "The agreement on the European Economic Area was signed in August 1992.\n\n\
                I'll say it's  42 -- isn't it?\t(yes)  \n  end   ";
    assert_eq!(gpt2_words(text), by_regex(text));
}
