//! The view a student holds next to Python's `transformers`, for both
//! kinds of model: `encode(text)` → `{ tokens, ids }`, what the model
//! reads, and `forward(ids)` → `{ logits, hiddenStates, attentions }`, one
//! pass laid out as the library returns it with `output_hidden_states` and
//! `output_attentions` (see `models::outputs`).
//!
//! ```js
//! const { ids } = await bert.encode("open a bank account");   // [CLS] … [SEP]
//! const out = await bert.forward(ids);  // hiddenStates: (L+1)×{ shape: [T, C] }, attentions: L×{ shape: [H, T, T] }, logits: [T, V] or null
//! ```

use std::rc::Rc;

use js_sys::Promise;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::bert::{cpu_copy as bert_cpu_copy, BertModel};
use super::convert::{js_tensor, options, settle, to_js, Js};
use super::gpt::{cpu_copy as gpt_cpu_copy, GptModel};
use crate::models::outputs::Outputs;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BertForwardOptions {
    /// One segment id (0 or 1) per token; all 0 when left out.
    segments: Option<Vec<u32>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct GptForwardOptions {}

/// `forward` → the model's inside.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Forward {
    /// (T, V), or null without a language-model head.
    logits: Js,
    /// L + 1 tensors (T, C).
    hidden_states: Vec<Js>,
    /// L tensors (H, T, T), row = query.
    attentions: Vec<Js>,
}

impl Forward {
    fn of(out: &Outputs, t: usize, c: usize, heads: usize, vocab: usize) -> Forward {
        Forward {
            logits: match &out.logits {
                Some(l) => js_tensor(l, &[t, vocab]), // (T, V)
                None => Js(JsValue::NULL),
            },
            hidden_states: out.hidden_states.iter().map(|x| js_tensor(x, &[t, c])).collect(), // (T, C) each
            attentions: out.attentions.iter().map(|a| js_tensor(a, &[heads, t, t])).collect(), // (H, T, T) each
        }
    }
}

#[derive(Serialize)]
struct Encoded {
    tokens: Vec<String>,
    ids: Vec<u32>,
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
    /// attentions }>. Options: segments (one 0 or 1 per token).
    pub fn forward(&self, ids: Vec<u32>, options_object: JsValue) -> Promise {
        let state = Rc::clone(&self.state);
        let opts = options::<BertForwardOptions>("bert.forward", options_object);
        future_to_promise(async move {
            let segments = opts?.segments.unwrap_or_else(|| vec![0; ids.len()]);
            let bert = bert_cpu_copy(&state).await?;
            let out = bert.outputs(&ids, &segments)?;
            to_js(&Forward::of(&out, ids.len(), bert.cfg.c, bert.cfg.heads, bert.cfg.vocab))
        })
    }
}

#[wasm_bindgen]
impl GptModel {
    /// `text` as the model reads it → Promise<{ tokens, ids }> (characters, or GPT-2's tokens).
    pub fn encode(&self, text: String) -> Promise {
        settle((|| -> std::result::Result<JsValue, JsValue> {
            let t = self.training.read("gpt.encode")?;
            let ids = t.vocab.encode(&text)?;
            to_js(&Encoded {
                tokens: ids.iter().map(|&id| t.vocab.piece(id)).collect(),
                ids,
            })
        })())
    }

    /// One forward pass over token ids → Promise<{ logits, hiddenStates,
    /// attentions }> (the last hidden state after the final layer norm, as
    /// `transformers` gives GPT-2's).
    pub fn forward(&self, ids: Vec<u32>, options_object: JsValue) -> Promise {
        let training = self.training.clone();
        let opts = options::<GptForwardOptions>("gpt.forward", options_object);
        future_to_promise(async move {
            opts?;
            let gpt = gpt_cpu_copy(&training).await?;
            let out = gpt.outputs(&ids)?;
            let cfg = gpt.cfg;
            to_js(&Forward::of(&out, ids.len(), cfg.d_model, cfg.heads, cfg.vocab))
        })
    }
}
