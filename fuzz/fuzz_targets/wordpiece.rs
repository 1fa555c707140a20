//! BERT's WordPiece: a vocabulary from a vocab.txt or a tokenizer.json the
//! fuzzer writes, then any text through it. Every id must be in the
//! vocabulary and name a token that maps back to it.
#![no_main]

use glassformer::train::wordpiece::WordPiece;
use libfuzzer_sys::{arbitrary, fuzz_target};

#[derive(Debug, arbitrary::Arbitrary)]
struct Case {
    vocab: String,
    as_tokenizer_json: bool,
    text: String,
}

fuzz_target!(|case: Case| {
    let vocab = if case.as_tokenizer_json {
        WordPiece::from_tokenizer_json(&case.vocab)
    } else {
        WordPiece::from_vocab_txt(&case.vocab)
    };
    let Ok(vocab) = vocab else { return };
    for ids in [vocab.encode(&case.text), vocab.encode_sentence(&case.text)] {
        for id in ids {
            assert!((id as usize) < vocab.len(), "id {id} outside a vocabulary of {}", vocab.len());
            assert_eq!(vocab.id(vocab.token(id)), Some(id));
        }
    }
    let _ = vocab.pieces(&case.text);
});
