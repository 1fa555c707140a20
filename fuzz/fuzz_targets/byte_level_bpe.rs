//! GPT-2's byte-level BPE: a vocab.json + merges.txt (or a tokenizer.json)
//! the fuzzer writes, then any text. Where it encodes, every id is in the
//! vocabulary and decoding gives the text back.
#![no_main]

use glassformer::train::bpe::ByteLevelBpe;
use libfuzzer_sys::{arbitrary, fuzz_target};

#[derive(Debug, arbitrary::Arbitrary)]
struct Case {
    vocab: String,
    merges: String,
    as_tokenizer_json: bool,
    text: String,
}

fuzz_target!(|case: Case| {
    let bpe = if case.as_tokenizer_json {
        ByteLevelBpe::from_tokenizer_json(&case.vocab)
    } else {
        ByteLevelBpe::from_files(&case.vocab, &case.merges)
    };
    let Ok(bpe) = bpe else { return };
    let _ = bpe.tokenize(&case.text);
    if let Ok(ids) = bpe.encode(&case.text) {
        assert!(ids.iter().all(|&id| (id as usize) < bpe.len()));
        assert_eq!(bpe.decode(&ids), case.text);
    }
});
