//! Our own checkpoints (translator, GPT, BERT): any bytes give a model or
//! an Error, never a panic, an abort or an allocation past what the file
//! can describe.
#![no_main]

use glassformer::checkpoint::{load_bert, load_gpt, load_translator};
use glassformer::device::Device;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = load_translator(bytes);
    let _ = load_gpt(bytes, &Device::Cpu);
    let _ = load_bert(bytes, &Device::Cpu);
});
