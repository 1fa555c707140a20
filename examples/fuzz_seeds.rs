//! Writes the fuzz targets' starting inputs into fuzz/seeds/: one tiny
//! checkpoint of each of our kinds (a few KB, so that the fuzzer runs fast
//! and starts from files that load), besides the Hugging Face fixtures and
//! tokenizer files that scripts/fuzz.sh adds from tests/fixtures.
//!
//!   cargo run --example fuzz_seeds

use glassformer::checkpoint::{save_bert, save_gpt, save_translator};
use glassformer::device::Device;
use glassformer::train::data::DataConfig;
use glassformer::train::language_model::{LanguageModelConfig, LanguageModelTrainer};
use glassformer::train::lm_vocab::LmVocab;
use glassformer::train::pretraining::{Pretrainer, PretrainingConfig};
use glassformer::train::translation::{Translator, TranslatorConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    std::fs::create_dir_all(&dir)?;
    let cpu = Device::Cpu;

    let d = TranslatorConfig::default();
    let cfg = TranslatorConfig {
        data: DataConfig { sentences: 100, ..d.data },
        layers: 1,
        d_model: 4,
        heads: 2,
        d_ff: 4,
        ..d
    };
    let t = Translator::new(cfg, &cpu)?;
    let values = t.model.params.values.host()?;
    std::fs::write(
        dir.join("translator.safetensors"),
        save_translator(&t.cfg, 0, &t.source_vocab, &t.target_vocab, &t.model.params, values)?,
    )?;

    let text = "to be, or not to be: that is the question. ".repeat(8);
    let cfg = LanguageModelConfig {
        layers: 1,
        d_model: 4,
        heads: 2,
        context: 8,
        ..LanguageModelConfig::default()
    };
    let lm = LanguageModelTrainer::new(&text, cfg, &cpu)?;
    let LmVocab::Chars(chars) = &lm.vocab else {
        unreachable!("a GPT made from text reads characters")
    };
    std::fs::write(
        dir.join("gpt.safetensors"),
        save_gpt(&lm.gpt, lm.gpt.lm.params.values.host()?, chars, 0, None)?,
    )?;

    let cfg = PretrainingConfig {
        layers: 1,
        d_model: 4,
        heads: 2,
        documents: 20,
        vocab_size: 120,
        ..PretrainingConfig::default()
    };
    let pre = Pretrainer::new(cfg, &cpu)?;
    std::fs::write(
        dir.join("bert.safetensors"),
        save_bert(&pre.bert, pre.bert.params.values.host()?, &pre.vocab, 0, None)?,
    )?;
    println!("wrote {}", dir.display());
    Ok(())
}
