//! Hugging Face checkpoints through our loader and our kernels, against what
//! `transformers` itself computed on the same files (`tests/fixtures/hf/`,
//! written by `scripts/make-hf-fixtures.py`): a random BERT with its
//! masked-LM head and a random GPT-2, their logits, every hidden state and
//! every attention matrix within 1e-4, from F32 weights and from the same
//! weights in F16 (BERT) and BF16 (GPT-2); on the GPU (lavapipe natively,
//! Chromium's WebGPU in the browser) the BERT's hidden states and logits
//! within 1e-3. Then the files broken on purpose: each mistake is an error
//! that names what is wrong.

mod common;
use common::{assert_close, fixture_tensor, ready};
use glassformer::checkpoint::hf::{load_pretrained, Pretrained};
use glassformer::checkpoint::{load_bert, save_bert};
use glassformer::models::outputs::Outputs;
use glassformer::train::bpe::ByteLevelBpe;
use glassformer::train::wordpiece::{Normalization, WordPiece};
use glassformer::{Device, Error};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const BERT_CONFIG: &str = include_str!("fixtures/hf/bert/config.json");
const BERT_F32: &[u8] = include_bytes!("fixtures/hf/bert/model.safetensors");
const BERT_F16: &[u8] = include_bytes!("fixtures/hf/bert/model-f16.safetensors");
const BERT_EXPECTED: &[u8] = include_bytes!("fixtures/hf/bert/expected.safetensors");
const UNTIED_CONFIG: &str = include_str!("fixtures/hf/bert-untied/config.json");
const UNTIED_F32: &[u8] = include_bytes!("fixtures/hf/bert-untied/model.safetensors");
const UNTIED_EXPECTED: &[u8] = include_bytes!("fixtures/hf/bert-untied/expected.safetensors");
const GPT2_CONFIG: &str = include_str!("fixtures/hf/gpt2/config.json");
const GPT2_F32: &[u8] = include_bytes!("fixtures/hf/gpt2/model.safetensors");
const GPT2_BF16: &[u8] = include_bytes!("fixtures/hf/gpt2/model-bf16.safetensors");
const GPT2_EXPECTED: &[u8] = include_bytes!("fixtures/hf/gpt2/expected.safetensors");

fn ids(file: &[u8], name: &str) -> Vec<u32> {
    fixture_tensor(file, name).into_iter().map(|v| v as u32).collect()
}

/// Our outputs against the fixture's (`suffix` "" for the F32 weights, ".half" for the half-precision file's).
fn compare(model: &str, ours: &Outputs, expected: &[u8], suffix: &str) {
    let tol = 1e-4;
    for (i, h) in ours.hidden_states.iter().enumerate() {
        assert_close(
            &format!("{model} hidden_states.{i}{suffix}"),
            h,
            &fixture_tensor(expected, &format!("hidden_states.{i}{suffix}")),
            tol,
            tol,
        );
    }
    for (i, a) in ours.attentions.iter().enumerate() {
        assert_close(
            &format!("{model} attentions.{i}{suffix}"),
            a,
            &fixture_tensor(expected, &format!("attentions.{i}{suffix}")),
            tol,
            tol,
        );
    }
    let logits = ours.logits.as_ref().expect("a language-model head");
    assert_close(
        &format!("{model} logits{suffix}"),
        logits,
        &fixture_tensor(expected, &format!("logits{suffix}")),
        tol,
        tol,
    );
}

fn bert(weights: &[u8]) -> glassformer::models::bert::Bert {
    match load_pretrained(BERT_CONFIG, weights, &Device::Cpu).unwrap() {
        Pretrained::Bert(b) => b,
        other => panic!("not a BERT: {other:?}"),
    }
}

fn gpt2(weights: &[u8]) -> glassformer::models::gpt::Gpt {
    match load_pretrained(GPT2_CONFIG, weights, &Device::Cpu).unwrap() {
        Pretrained::Gpt2(g) => g,
        other => panic!("not a GPT-2: {other:?}"),
    }
}

/// A copy of the safetensors file `bytes` with `change` applied to its (name, dtype, shape, data) list.
fn rewritten(bytes: &[u8], change: impl FnOnce(&mut Vec<(String, Dtype, Vec<usize>, Vec<u8>)>)) -> Vec<u8> {
    let file = SafeTensors::deserialize(bytes).unwrap();
    let mut tensors: Vec<_> = file
        .tensors()
        .into_iter()
        .map(|(name, t)| (name, t.dtype(), t.shape().to_vec(), t.data().to_vec()))
        .collect();
    change(&mut tensors);
    let views: Vec<_> = tensors
        .iter()
        .map(|(name, dtype, shape, data)| (name.clone(), TensorView::new(*dtype, shape.clone(), data).unwrap()))
        .collect();
    safetensors::serialize(views, None).unwrap()
}

fn message(result: glassformer::Result<Pretrained>) -> String {
    match result {
        Err(Error::InvalidArgument { message, .. }) => message,
        Err(other) => panic!("expected an invalid-input error, got {other:?}"),
        Ok(_) => panic!("a broken checkpoint was accepted"),
    }
}

gf_test! {
    fn a_hugging_face_bert_matches_transformers() {
        let expected = BERT_EXPECTED;
        let (tokens, segments) = (ids(expected, "input_ids"), ids(expected, "token_type_ids"));
        let model = bert(BERT_F32);
        assert_eq!((model.cfg.layers, model.cfg.c, model.cfg.heads, model.cfg.ffn_hidden), (2, 32, 4, 37));
        compare("bert", &ready(model.outputs(&tokens, &segments)).unwrap(), expected, "");
        compare("bert (F16 file)", &ready(bert(BERT_F16).outputs(&tokens, &segments)).unwrap(), expected, ".half");
    }

    fn a_hugging_face_bert_saved_as_ours_reloads_computing_the_same() {
        // Our checkpoint keeps weights in F16 and records the exact GELU and ε = 1e-12, so the
        // reloaded model computes what transformers computes from F16-rounded weights.
        let expected = BERT_EXPECTED;
        let (tokens, segments) = (ids(expected, "input_ids"), ids(expected, "token_type_ids"));
        let model = bert(BERT_F32);
        let specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].map(String::from);
        let mut vocab = WordPiece::from_tokens(specials.into_iter().chain((5..99).map(|i| format!("w{i}"))).collect()).unwrap();
        // A cased vocabulary stays cased.
        vocab.normalization = Normalization { lowercase: false, strip_accents: false };
        let bytes = save_bert(&model, model.params.values.host().unwrap(), &vocab, 0, None).unwrap();
        let reloaded = load_bert(&bytes, &Device::Cpu).unwrap();
        assert_eq!(reloaded.vocab, vocab);
        let reloaded = reloaded.bert;
        compare("bert (saved and reloaded)", &ready(reloaded.outputs(&tokens, &segments)).unwrap(), expected, ".half");
    }

    fn a_bert_with_an_untied_decoder_matches_transformers() {
        // tie_word_embeddings false: cls.predictions.decoder.weight is a matrix of its own.
        let expected = UNTIED_EXPECTED;
        let (tokens, segments) = (ids(expected, "input_ids"), ids(expected, "token_type_ids"));
        let Pretrained::Bert(model) = load_pretrained(UNTIED_CONFIG, UNTIED_F32, &Device::Cpu).unwrap() else {
            panic!("not a BERT");
        };
        assert!(model.cfg.untied_decoder);
        assert!(model.params.tensors.iter().any(|t| t.name == "mlm.decoder.weight"));
        compare("untied bert", &ready(model.outputs(&tokens, &segments)).unwrap(), expected, "");
        // Saved as ours and reloaded, it keeps its own decoder (in F16: a looser check).
        let vocab = WordPiece::from_tokens(
            ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].map(String::from).into_iter().chain((5..99).map(|i| format!("w{i}"))).collect(),
        )
        .unwrap();
        let bytes = save_bert(&model, model.params.values.host().unwrap(), &vocab, 0, None).unwrap();
        let reloaded = load_bert(&bytes, &Device::Cpu).unwrap().bert;
        assert!(reloaded.cfg.untied_decoder);
        let logits = ready(reloaded.outputs(&tokens, &segments)).unwrap().logits.unwrap();
        assert_close("untied bert saved and reloaded", &logits, &fixture_tensor(expected, "logits"), 2e-2, 2e-2);
    }

    fn a_hugging_face_gpt2_matches_transformers() {
        let expected = GPT2_EXPECTED;
        let tokens = ids(expected, "input_ids");
        // Its byte-level BPE, from tokenizer.json and from vocab.json + merges.txt, reads the input as Hugging Face's did.
        let text = "Hello world, it's a tiny GPT-2!";
        let from_json = ByteLevelBpe::from_tokenizer_json(include_str!("fixtures/hf/gpt2/tokenizer.json")).unwrap();
        let from_files =
            ByteLevelBpe::from_files(include_str!("fixtures/hf/gpt2/vocab.json"), include_str!("fixtures/hf/gpt2/merges.txt")).unwrap();
        assert_eq!(from_json.encode(text).unwrap(), tokens);
        assert_eq!(from_files.encode(text).unwrap(), tokens);
        assert_eq!(from_json.decode(&tokens), text);
        let model = gpt2(GPT2_F32);
        assert_eq!((model.cfg.layers, model.cfg.d_model, model.cfg.heads, model.cfg.context), (2, 32, 4, 64));
        let ours = model.outputs(&tokens).unwrap();
        compare("gpt2", &ours, expected, "");
        compare("gpt2 (BF16 file)", &gpt2(GPT2_BF16).outputs(&tokens).unwrap(), expected, ".half");
        // The key/value cache gives the full pass's logits, one token at a time.
        let mut cache = model.cache();
        let v = model.cfg.vocab;
        for (t, &token) in tokens.iter().enumerate() {
            let step = model.step(&mut cache, token).unwrap();
            assert_close(&format!("gpt2 cached logits at {t}"), &step, &ours.logits.as_ref().unwrap()[t * v..(t + 1) * v], 1e-4, 1e-4);
        }
    }

    fn the_prefix_and_legacy_names_are_optional() {
        // Without "bert." (a bare BertModel's names), with the old gamma/beta names, and with
        // the buffers and heads the model has no place for: the same model.
        let expected = BERT_EXPECTED;
        let (tokens, segments) = (ids(expected, "input_ids"), ids(expected, "token_type_ids"));
        let renamed = rewritten(BERT_F32, |tensors| {
            for (name, ..) in tensors.iter_mut() {
                *name = name.trim_start_matches("bert.").replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta");
            }
            tensors.push(("pooler.dense.bias".into(), Dtype::F32, vec![32], vec![0; 128]));
        });
        compare("bert (renamed)", &ready(bert(&renamed).outputs(&tokens, &segments)).unwrap(), expected, "");
        // GPT-2 with the transformer. prefix dropped and the old causal-mask buffers.
        let expected = GPT2_EXPECTED;
        let renamed = rewritten(GPT2_F32, |tensors| {
            for (name, ..) in tensors.iter_mut() {
                *name = name.trim_start_matches("transformer.").to_string();
            }
            tensors.push(("h.0.attn.bias".into(), Dtype::F32, vec![1], vec![0; 4]));
        });
        compare("gpt2 (renamed)", &gpt2(&renamed).outputs(&ids(expected, "input_ids")).unwrap(), expected, "");
    }

    fn broken_checkpoints_are_refused_with_the_reason() {
        let missing = rewritten(BERT_F32, |t| t.retain(|(name, ..)| name != "bert.encoder.layer.1.output.dense.bias"));
        let m = message(load_pretrained(BERT_CONFIG, &missing, &Device::Cpu));
        assert!(m.contains("encoder.layer.1.output.dense.bias"), "{m}");
        let extra = rewritten(GPT2_F32, |t| t.push(("transformer.h.9.mlp.c_fc.weight".into(), Dtype::F32, vec![1], vec![0; 4])));
        let m = message(load_pretrained(GPT2_CONFIG, &extra, &Device::Cpu));
        assert!(m.contains("h.9.mlp.c_fc.weight") && m.contains("no place"), "{m}");
        let lying = BERT_CONFIG.replace("\"hidden_size\": 32", "\"hidden_size\": 48");
        let m = message(load_pretrained(&lying, BERT_F32, &Device::Cpu));
        assert!(m.contains("word_embeddings") && m.contains("[99, 48]"), "{m}");
        let ints = rewritten(GPT2_F32, |t| {
            let wpe = t.iter_mut().find(|(name, ..)| name == "transformer.wpe.weight").unwrap();
            wpe.1 = Dtype::I32;
        });
        let m = message(load_pretrained(GPT2_CONFIG, &ints, &Device::Cpu));
        assert!(m.contains("wpe.weight") && m.contains("I32"), "{m}");
        let m = message(load_pretrained(r#"{"model_type": "t5"}"#, BERT_F32, &Device::Cpu));
        assert!(m.contains("\"t5\""), "{m}");
        let m = message(load_pretrained(BERT_CONFIG, &BERT_F32[..BERT_F32.len() / 2], &Device::Cpu));
        assert!(m.contains("not a safetensors file"), "{m}");
        let m = message(load_pretrained("{ not json", BERT_F32, &Device::Cpu));
        assert!(m.starts_with("config.json"), "{m}");
    }
}

/// BERT on the GPU: the same hidden states and logits within 1e-3.
mod bodies {
    use super::*;
    use glassformer::device::gpu::Gpu;
    use std::rc::Rc;

    pub async fn a_hugging_face_bert_on_the_gpu() {
        let gpu = Device::Gpu(Rc::new(
            Gpu::new().await.unwrap_or_else(|e| panic!("the GPU tests need an adapter: {e}")),
        ));
        let Pretrained::Bert(model) = load_pretrained(BERT_CONFIG, BERT_F32, &gpu).unwrap() else {
            panic!("not a BERT");
        };
        let expected = BERT_EXPECTED;
        let (tokens, segments) = (ids(expected, "input_ids"), ids(expected, "token_type_ids"));
        let out = model.outputs(&tokens, &segments).await.unwrap();
        assert!(out.attentions.is_empty(), "the GPU keeps no attention weights");
        for (i, h) in out.hidden_states.iter().enumerate() {
            assert_close(
                &format!("GPU hidden_states.{i}"),
                h,
                &fixture_tensor(expected, &format!("hidden_states.{i}")),
                1e-3,
                1e-3,
            );
        }
        assert_close(
            "GPU logits",
            out.logits.as_ref().unwrap(),
            &fixture_tensor(expected, "logits"),
            1e-3,
            1e-3,
        );
    }
}

gpu_tests!(a_hugging_face_bert_on_the_gpu);
