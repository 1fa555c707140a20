//! The character vocabulary of the GPT (and the translator's words): built
//! from one text, encoding another. Known characters round-trip; unknown
//! ones are an Error.
#![no_main]

use glassformer::train::chars::CharVocab;
use glassformer::train::tokenizer::{tokenize, Vocab};
use libfuzzer_sys::{arbitrary, fuzz_target};

#[derive(Debug, arbitrary::Arbitrary)]
struct Case {
    corpus: String,
    text: String,
}

fuzz_target!(|case: Case| {
    let chars = CharVocab::build(&case.corpus);
    if let Ok(ids) = chars.encode(&case.text) {
        assert_eq!(chars.decode(&ids), case.text);
    }
    let again = CharVocab::from_chars(&chars.chars());
    assert_eq!(again.len(), chars.len());
    let words = tokenize(&case.corpus);
    let vocab = Vocab::build([words.as_slice()]);
    for id in vocab.encode(&tokenize(&case.text)) {
        assert!((id as usize) < vocab.len());
    }
});
