//! Hugging Face checkpoints: a config.json and a model.safetensors, both
//! from the fuzzer, or the fuzzer's weights under a real config (BERT or
//! GPT-2, so that it reaches the tensors past the config's checks).
#![no_main]

use glassformer::checkpoint::hf::load_pretrained;
use glassformer::device::Device;
use libfuzzer_sys::{arbitrary, fuzz_target};

const CONFIGS: [&str; 3] = [
    include_str!("../../tests/fixtures/hf/bert/config.json"),
    include_str!("../../tests/fixtures/hf/bert-untied/config.json"),
    include_str!("../../tests/fixtures/hf/gpt2/config.json"),
];

#[derive(Debug, arbitrary::Arbitrary)]
struct Folder {
    /// A config of its own, or one of the real ones.
    config: Result<String, u8>,
    weights: Vec<u8>,
}

fuzz_target!(|folder: Folder| {
    let config = match &folder.config {
        Ok(text) => text.as_str(),
        Err(which) => CONFIGS[*which as usize % CONFIGS.len()],
    };
    let _ = load_pretrained(config, &folder.weights, &Device::Cpu);
});
