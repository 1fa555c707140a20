//! Safetensors files built around a header the fuzzer writes: the 8-byte
//! length is always right, so every input reaches the header's JSON and the
//! checks that follow it (names, dtypes, shapes, offsets, metadata).
#![no_main]

use glassformer::checkpoint::hf::load_pretrained;
use glassformer::checkpoint::{load_bert, load_gpt, load_translator};
use glassformer::device::Device;
use libfuzzer_sys::{arbitrary, fuzz_target};

#[derive(Debug, arbitrary::Arbitrary)]
struct File {
    header: String,
    data: Vec<u8>,
}

fuzz_target!(|file: File| {
    let mut bytes = (file.header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(file.header.as_bytes());
    bytes.extend_from_slice(&file.data);
    let _ = load_translator(&bytes);
    let _ = load_gpt(&bytes, &Device::Cpu);
    let _ = load_bert(&bytes, &Device::Cpu);
    let _ = load_pretrained(include_str!("../../tests/fixtures/hf/gpt2/config.json"), &bytes, &Device::Cpu);
});
