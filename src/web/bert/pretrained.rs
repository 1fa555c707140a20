//! A Hugging Face BERT in the browser: `runtime.loadPretrained(files)` and
//! the view a student holds next to Python's, `bert.forward(ids)`.
//!
//! ```js
//! const bert = await rt.loadPretrained({ config, weights, tokenizer });   // config.json text, model.safetensors bytes, tokenizer.json text
//! const { ids } = await bert.encode("open a bank account");                // [CLS] … [SEP]
//! const out = await bert.forward(ids);   // { logits, hiddenStates: [{ data, shape: [T, C] }], attentions: [{ data, shape: [H, T, T] }] }
//! ```
//!
//! The model is the same `BertModel` as the course's own: `fillMask` (when
//! the file has the masked-LM head), `attention`, `embeddingSpace`,
//! `fineTune` and `classify` work on it. Fetching the files (with progress,
//! kept in the browser's cache) is `fromPretrained` in `www/pretrained.js`.

use std::rc::Rc;

use js_sys::{Promise, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::{cpu_copy, BertModel};
use crate::checkpoint::hf::{load_pretrained, Pretrained};
use crate::device::Device;
use crate::error::invalid;
use crate::train::pretraining::{Pretrainer, PretrainingConfig};
use crate::train::wordpiece::WordPiece;
use crate::web::convert::{js_error, js_tensor, options, settle, to_js, Js};
use crate::web::runtime::Runtime;

/// The files of a Hugging Face model folder, as the page read them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Files {
    /// config.json's text.
    config: String,
    /// model.safetensors' bytes (a Uint8Array, read without a copy into JS values).
    #[serde(with = "serde_wasm_bindgen::preserve")]
    weights: JsValue,
    /// tokenizer.json's text (or give `vocab`).
    tokenizer: Option<String>,
    /// vocab.txt's text.
    vocab: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ForwardOptions {
    /// One segment id (0 or 1) per token; all 0 when left out.
    segments: Option<Vec<u32>>,
}

/// `forward` → the model's inside, as `transformers` returns it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Forward {
    /// (T, V), or null without the masked-LM head.
    logits: Js,
    /// L + 1 tensors (T, C): the embeddings, then each layer's output.
    hidden_states: Vec<Js>,
    /// L tensors (H, T, T), row = query.
    attentions: Vec<Js>,
}

#[derive(Serialize)]
struct Encoded {
    tokens: Vec<String>,
    ids: Vec<u32>,
}

#[wasm_bindgen]
impl Runtime {
    /// A model from a Hugging Face folder's files → Promise<BertModel>.
    /// `files`: `{ config (config.json text), weights (model.safetensors
    /// bytes), tokenizer (tokenizer.json text) or vocab (vocab.txt text) }`.
    /// BERT-family models open here; GPT-2 checkpoints load natively
    /// (`checkpoint::hf`) and are refused here with a message saying so.
    #[wasm_bindgen(js_name = loadPretrained)]
    pub fn load_pretrained(&self, files: JsValue) -> Promise {
        settle((|| -> std::result::Result<BertModel, JsValue> {
            const OP: &str = "loadPretrained";
            let files: Files = options(OP, files)?;
            let vocab = match (&files.tokenizer, &files.vocab) {
                (Some(json), _) => WordPiece::from_tokenizer_json(json)?,
                (None, Some(txt)) => WordPiece::from_vocab_txt(txt)?,
                (None, None) => {
                    return Err(js_error(invalid(
                        OP,
                        "give the tokenizer: tokenizer (tokenizer.json) or vocab (vocab.txt).",
                    )))
                }
            };
            let weights = files
                .weights
                .dyn_into::<Uint8Array>()
                .map_err(|_| js_error(invalid(OP, "weights must be the bytes of model.safetensors, as a Uint8Array.")))?
                .to_vec();
            let bert = match load_pretrained(&files.config, &weights, &Device::Cpu)? {
                Pretrained::Bert(bert) => bert,
                Pretrained::Gpt2(_) => {
                    return Err(js_error(invalid(
                        OP,
                        "this is a GPT-2 checkpoint; in the browser glassformer opens BERT-family models so far.",
                    )))
                }
            };
            if vocab.len() != bert.cfg.vocab {
                return Err(js_error(invalid(
                    OP,
                    format!(
                        "the tokenizer has {} tokens but config.json says vocab_size {}.",
                        vocab.len(),
                        bert.cfg.vocab
                    ),
                )));
            }
            let d = PretrainingConfig::default();
            let cfg = PretrainingConfig {
                layers: bert.cfg.layers,
                d_model: bert.cfg.c,
                heads: bert.cfg.heads,
                max_len: bert.cfg.max_len,
                // Only for `train` (continued pre-training on the errands stories): a few, made at once.
                documents: 20,
                ..d
            };
            let pre = Pretrainer::resume(cfg, vocab, bert, 0, &Device::Cpu);
            BertModel::new(pre, self).map_err(js_error)
        })())
    }
}

#[wasm_bindgen]
impl BertModel {
    /// `text` as the model reads it → Promise<{ tokens, ids }>: `[CLS]`, its WordPiece pieces, `[SEP]`.
    pub fn encode(&self, text: String) -> Promise {
        settle((|| -> std::result::Result<JsValue, JsValue> {
            let s = self.state.pre.read("bert.encode")?;
            let v = &s.vocab;
            let ids: Vec<u32> = std::iter::once(v.cls)
                .chain(v.encode(&text))
                .chain(std::iter::once(v.sep))
                .collect();
            to_js(&Encoded {
                tokens: ids.iter().map(|&id| v.token(id).to_string()).collect(),
                ids,
            })
        })())
    }

    /// One forward pass over token ids → Promise<{ logits, hiddenStates,
    /// attentions }>, laid out as `transformers` returns them with
    /// `output_hidden_states` and `output_attentions` (see `models::outputs`).
    /// Options: segments (one 0 or 1 per token).
    pub fn forward(&self, ids: Vec<u32>, options_object: JsValue) -> Promise {
        let state = Rc::clone(&self.state);
        let opts = options::<ForwardOptions>("bert.forward", options_object);
        future_to_promise(async move {
            let segments = opts?.segments.unwrap_or_else(|| vec![0; ids.len()]);
            let bert = cpu_copy(&state).await?;
            let out = bert.outputs(&ids, &segments)?;
            let (t, c, h) = (ids.len(), bert.cfg.c, bert.cfg.heads);
            to_js(&Forward {
                logits: match &out.logits {
                    Some(l) => js_tensor(l, &[t, bert.cfg.vocab]), // (T, V)
                    None => Js(JsValue::NULL),
                },
                hidden_states: out.hidden_states.iter().map(|x| js_tensor(x, &[t, c])).collect(), // (T, C) each
                attentions: out.attentions.iter().map(|a| js_tensor(a, &[h, t, t])).collect(),    // (H, T, T) each
            })
        })
    }
}
