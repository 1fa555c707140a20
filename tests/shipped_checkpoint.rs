//! The translator checkpoint the course page ships (`www/models/translator.safetensors`,
//! written by `cargo run --release --bin glassformer -- train seq2seq`):
//! it loads, translates the course's sentence word for word and scores
//! BLEU ≥ 95 on the whole test split. Native only: it is the same file either way.
#![cfg(not(target_arch = "wasm32"))]

use glassformer::checkpoint::load_translator;
use glassformer::train::data::seed_pair;
use glassformer::train::translation::Translator;
use glassformer::Device;

const SHIPPED: &[u8] = include_bytes!("../www/models/translator.safetensors");

#[test]
fn the_shipped_translator_translates_the_seed_sentence_and_scores_bleu_95() {
    assert!(
        SHIPPED.len() < 4_000_000,
        "the checkpoint should load fast: {} bytes",
        SHIPPED.len()
    );
    let c = load_translator(SHIPPED).unwrap();
    let translator = Translator::resume(c.cfg, c.step, c.source_vocab, c.target_vocab, c.model, &Device::Cpu).unwrap();
    let seed = seed_pair();
    let words = translator.target_vocab.decode(&translator.translate(&seed.english).unwrap().tokens);
    assert_eq!(words, seed.french);
    let test = translator.evaluate(&translator.data.test, usize::MAX).unwrap();
    assert!(test.sentences > 1000);
    assert!(test.bleu.score >= 95.0, "BLEU {:.2} on the test split", test.bleu.score);
    assert!(test.exact_match >= 95.0, "exact match {:.1}%", test.exact_match);
}
