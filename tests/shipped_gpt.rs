//! The GPT checkpoint the course page ships (`www/models/shakespeare.safetensors`,
//! written by `cargo run --release --bin glassformer -- train gpt`): it
//! loads, its validation loss on the corpus's held-out tenth is what the
//! trainer reported, and greedy sampling with the KV cache gives the same
//! text as recomputing every step. Native only: it is the same file either way.
#![cfg(not(target_arch = "wasm32"))]

use glassformer::checkpoint::load_gpt;
use glassformer::models::gpt::Generator;
use glassformer::models::sampling::argmax;
use glassformer::train::language_model::{LanguageModelConfig, LanguageModelTrainer};
use glassformer::train::lm_vocab::LmVocab;
use glassformer::Device;

const SHIPPED: &[u8] = include_bytes!("../www/models/shakespeare.safetensors");
const CORPUS: &str = include_str!("../www/data/shakespeare.txt");

/// The validation loss this checkpoint must reach, in nats per character.
const VALID_LOSS_AT_MOST: f32 = 1.60;

#[test]
fn the_shipped_gpt_has_its_validation_loss_and_samples_consistently() {
    assert!(
        SHIPPED.len() < 5_000_000,
        "the checkpoint should load fast: {} bytes",
        SHIPPED.len()
    );
    let checkpoint = load_gpt(SHIPPED, &Device::Cpu).unwrap();
    assert_eq!(checkpoint.vocab.len(), 75);
    let recorded = checkpoint.valid_loss.expect("the trainer records the validation loss");
    let trainer = LanguageModelTrainer::resume(
        Some(CORPUS),
        checkpoint.gpt,
        LmVocab::Chars(checkpoint.vocab),
        checkpoint.step,
        LanguageModelConfig::default(),
        &Device::Cpu,
    )
    .unwrap();
    // Fewer windows than the trainer's 20 (the same first ones): close to its figure.
    let measured = trainer.valid_loss(&trainer.gpt, 4).unwrap();
    assert!(
        measured <= VALID_LOSS_AT_MOST,
        "validation loss {measured:.4} (recorded {recorded:.4})"
    );
    assert!(
        (measured - recorded).abs() < 0.05,
        "validation loss {measured:.4}, recorded {recorded:.4}"
    );
    // Greedy generation from the cache equals the full pass at every step.
    let gpt = &trainer.gpt;
    let prompt = trainer.vocab.encode("ROMEO:\n").unwrap();
    let mut generator = Generator::new(gpt, &prompt).unwrap();
    for _ in 0..30 {
        let full = gpt.logits(&generator.tokens).unwrap();
        let last = &full[(generator.tokens.len() - 1) * gpt.cfg.vocab..];
        assert_eq!(argmax(last), argmax(&generator.logits));
        generator.push(argmax(&generator.logits) as u32).unwrap();
    }
    let text = trainer.vocab.decode(&generator.tokens);
    assert!(text.starts_with("ROMEO:\n") && text.len() == 37, "{text:?}");
}
