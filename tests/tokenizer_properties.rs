//! Properties of the tokenizers on any text at all, checked by proptest on
//! thousands of generated strings (any Unicode, control characters and
//! combining marks included):
//!
//! - byte-level BPE (GPT-2's scheme) spells every string, so decoding what it
//!   encoded gives the same string back, byte for byte;
//! - WordPiece (BERT's) never panics and never gives an id outside its
//!   vocabulary, and a sentence is always `[CLS] … [SEP]`;
//! - the GPT's character vocabulary gives back every text made of its characters.
#![cfg(not(target_arch = "wasm32"))]

use glassformer::checkpoint::load_bert;
use glassformer::device::Device;
use glassformer::train::bpe::ByteLevelBpe;
use glassformer::train::chars::CharVocab;
use glassformer::train::wordpiece::WordPiece;
use proptest::prelude::*;
use std::sync::LazyLock;

/// GPT-2's scheme at a small size: the 256 byte symbols and a few merges (the test fixture's files).
fn bpe() -> &'static ByteLevelBpe {
    static BPE: LazyLock<ByteLevelBpe> = LazyLock::new(|| {
        ByteLevelBpe::from_files(
            include_str!("fixtures/hf/gpt2/vocab.json"),
            include_str!("fixtures/hf/gpt2/merges.txt"),
        )
        .unwrap()
    });
    &BPE
}

/// The shipped BERT's vocabulary (1,000 WordPiece tokens learnt from the errands stories).
fn wordpiece() -> &'static WordPiece {
    static VOCAB: LazyLock<WordPiece> = LazyLock::new(|| {
        load_bert(include_bytes!("../www/models/bert.safetensors"), &Device::Cpu)
            .unwrap()
            .vocab
    });
    &VOCAB
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn byte_level_bpe_decodes_what_it_encodes(text in any::<String>()) {
        let bpe = bpe();
        let ids = bpe.encode(&text).unwrap();
        prop_assert!(ids.iter().all(|&id| (id as usize) < bpe.len()));
        prop_assert_eq!(bpe.decode(&ids), text);
    }

    #[test]
    fn byte_level_bpe_round_trips_words_and_spaces(text in "[ a-zA-Z0-9.,'!?\n\t-]{0,200}") {
        let bpe = bpe();
        prop_assert_eq!(bpe.decode(&bpe.encode(&text).unwrap()), text);
    }

    #[test]
    fn wordpiece_ids_are_always_in_the_vocabulary(text in any::<String>()) {
        let vocab = wordpiece();
        let ids = vocab.encode_sentence(&text);
        prop_assert!(ids.len() >= 2);
        prop_assert_eq!(vocab.token(ids[0]), "[CLS]");
        prop_assert_eq!(vocab.token(*ids.last().unwrap()), "[SEP]");
        for &id in &ids {
            prop_assert!((id as usize) < vocab.len(), "id {} of a vocabulary of {}", id, vocab.len());
        }
        prop_assert_eq!(vocab.encode(&text).len() + 2, ids.len());
    }

    #[test]
    fn characters_round_trip_through_their_vocabulary(corpus in any::<String>(), picks in prop::collection::vec(any::<prop::sample::Index>(), 0..64)) {
        let vocab = CharVocab::build(&corpus);
        let chars: Vec<char> = corpus.chars().collect();
        let text: String = if chars.is_empty() { String::new() } else { picks.iter().map(|i| chars[i.index(chars.len())]).collect() };
        prop_assert_eq!(vocab.decode(&vocab.encode(&text).unwrap()), text);
    }
}
