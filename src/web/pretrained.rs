//! A Hugging Face model in the browser: `runtime.loadPretrained(files)`.
//!
//! ```js
//! const bert = await rt.loadPretrained({ config, weights, tokenizer });        // config.json, model.safetensors, tokenizer.json
//! const gpt2 = await rt.loadPretrained({ config, weights, vocab, merges });    // … or vocab.json + merges.txt (GPT-2), vocab.txt (BERT)
//! ```
//!
//! A BERT-family model becomes the same `BertModel` as the course's own
//! (`fillMask` when the file has the masked-LM head, `attention`,
//! `embeddingSpace`, `fineTune`, `classify`); a GPT-2 the same `GptModel`
//! (`generate`, `nextToken`), with GPT-2's byte-level BPE. Both add
//! `encode` and `forward` (see `forward.rs`). Fetching the files, with
//! progress and the browser's cache, is `fromPretrained` in `www/pretrained.js`.

use js_sys::{Promise, Uint8Array};
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::bert::BertModel;
use super::convert::{js_error, options};
use super::gpt::GptModel;
use super::memory::build;
use super::runtime::Runtime;
use crate::checkpoint::hf::{load_pretrained, Pretrained};
use crate::device::Device;
use crate::error::{invalid, Error};
use crate::train::bpe::ByteLevelBpe;
use crate::train::footprint::Footprint;
use crate::train::language_model::{LanguageModelConfig, LanguageModelTrainer};
use crate::train::lm_vocab::LmVocab;
use crate::train::pretraining::{Pretrainer, PretrainingConfig};
use crate::train::wordpiece::WordPiece;

const OP: &str = "loadPretrained";

/// The files of a Hugging Face model folder, as the page read them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Files {
    /// config.json's text.
    config: String,
    /// model.safetensors' bytes (a Uint8Array).
    #[serde(with = "serde_wasm_bindgen::preserve")]
    weights: JsValue,
    /// tokenizer.json's text (or give `vocab`, and `merges` for GPT-2).
    tokenizer: Option<String>,
    /// vocab.txt's text (BERT) or vocab.json's (GPT-2).
    vocab: Option<String>,
    /// merges.txt's text (GPT-2).
    merges: Option<String>,
}

#[wasm_bindgen]
impl Runtime {
    /// A model from a Hugging Face folder's files → Promise<BertModel | GptModel>.
    /// `files`: `{ config (config.json text), weights (model.safetensors
    /// bytes), tokenizer (tokenizer.json text) — or vocab (vocab.txt, or
    /// vocab.json with merges: merges.txt) }`.
    #[wasm_bindgen(js_name = loadPretrained)]
    pub fn load_pretrained(&self, files: JsValue) -> Promise {
        let runtime = self.clone();
        future_to_promise(build::<JsValue, _>(async move {
            let files: Files = options(OP, files)?;
            let weights = files
                .weights
                .clone()
                .dyn_into::<Uint8Array>()
                .map_err(|_| js_error(invalid(OP, "weights must be the bytes of model.safetensors, as a Uint8Array.")))?;
            runtime.check_budget(OP, &Footprint::pretrained(weights.length() as usize), "Load a smaller model")?;
            let weights = weights.to_vec();
            match load_pretrained(&files.config, &weights, &Device::Cpu)? {
                Pretrained::Bert(bert) => {
                    let vocab = match (&files.tokenizer, &files.vocab) {
                        (Some(json), _) => WordPiece::from_tokenizer_json(json)?,
                        (None, Some(txt)) => WordPiece::from_vocab_txt(txt)?,
                        (None, None) => return Err(missing_tokenizer("tokenizer (tokenizer.json) or vocab (vocab.txt)")),
                    };
                    sizes_match(vocab.len(), bert.cfg.vocab)?;
                    let cfg = PretrainingConfig {
                        // Only for `train` (continued pre-training on the errands stories): a few, made at once.
                        documents: 20,
                        ..PretrainingConfig::default()
                    };
                    let pre = Pretrainer::resume(cfg, vocab, bert, 0, &Device::Cpu);
                    Ok(BertModel::new(pre, &runtime).await.map_err(js_error)?.into())
                }
                Pretrained::Gpt2(gpt) => {
                    let bpe = match (&files.tokenizer, &files.vocab, &files.merges) {
                        (Some(json), ..) => ByteLevelBpe::from_tokenizer_json(json)?,
                        (None, Some(vocab), Some(merges)) => ByteLevelBpe::from_files(vocab, merges)?,
                        _ => {
                            return Err(missing_tokenizer(
                                "tokenizer (tokenizer.json), or vocab (vocab.json) and merges (merges.txt)",
                            ))
                        }
                    };
                    sizes_match(bpe.len(), gpt.cfg.vocab)?;
                    let trainer = LanguageModelTrainer::resume(
                        None,
                        gpt,
                        LmVocab::Bpe(Box::new(bpe)),
                        0,
                        LanguageModelConfig::default(),
                        &Device::Cpu,
                    )?;
                    Ok(GptModel::new(trainer, &runtime).await?.into())
                }
            }
        }))
    }
}

fn missing_tokenizer(what: &str) -> JsValue {
    js_error(invalid(OP, format!("give the model's tokenizer: {what}.")))
}

fn sizes_match(tokens: usize, vocab_size: usize) -> std::result::Result<(), Error> {
    if tokens != vocab_size {
        return Err(invalid(
            OP,
            format!("the tokenizer has {tokens} tokens but config.json says vocab_size {vocab_size}."),
        ));
    }
    Ok(())
}
