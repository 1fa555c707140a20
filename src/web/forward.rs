//! The view a student holds next to Python's `transformers`, for both
//! kinds of model: `encode(text)` → `{ tokens, ids }`, what the model
//! reads, and `forward(ids, { hiddenStates, attentions })` → `{ logits,
//! lastHiddenState, hiddenStates, attentions }`, one pass laid out as the
//! library returns it (the last two only when asked, as with its
//! `output_hidden_states` and `output_attentions`; see `models::outputs`).
//!
//! ```js
//! const { ids } = await bert.encode("open a bank account");   // [CLS] … [SEP]
//! const out = await bert.forward(ids, { hiddenStates: true, attentions: true });
//! // logits [T, V] or null, lastHiddenState [T, C], hiddenStates (L+1)×[T, C], attentions L×[H, T, T]
//! ```

use js_sys::Promise;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::web::memory::live;
use crate::web::queue::queued;

use super::bert::{cpu_copy as bert_cpu_copy, BertModel};
use super::convert::{js_error, js_tensor, options, to_js, Js};
use super::gpt::{cpu_copy as gpt_cpu_copy, GptModel};
use crate::error::invalid;
use crate::models::outputs::Outputs;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ForwardOptions {
    /// Return every layer's hidden state (default false).
    hidden_states: Option<bool>,
    /// Return every layer's attention weights (default false).
    attentions: Option<bool>,
    /// BERT only: one segment id (0 or 1) per token; all 0 when left out.
    segments: Option<Vec<u32>>,
}

/// `forward` → the model's inside.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Forward {
    /// (T, V), or null without a language-model head.
    logits: Js,
    /// (T, C): what the last layer gives (after the final layer norm for a GPT).
    last_hidden_state: Js,
    /// L + 1 tensors (T, C), when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    hidden_states: Option<Vec<Js>>,
    /// L tensors (H, T, T), row = query, when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    attentions: Option<Vec<Js>>,
}

impl Forward {
    fn of(out: &Outputs, o: &ForwardOptions, t: usize, c: usize, heads: usize, vocab: usize) -> Forward {
        let last = out.hidden_states.last().map(|x| x.as_slice()).unwrap_or(&[]);
        Forward {
            logits: match &out.logits {
                Some(l) => js_tensor(l, &[t, vocab]), // (T, V)
                None => Js(JsValue::NULL),
            },
            last_hidden_state: js_tensor(last, &[t, c]), // (T, C)
            hidden_states: o
                .hidden_states
                .unwrap_or(false)
                .then(|| out.hidden_states.iter().map(|x| js_tensor(x, &[t, c])).collect()), // (T, C) each
            attentions: o
                .attentions
                .unwrap_or(false)
                .then(|| out.attentions.iter().map(|a| js_tensor(a, &[heads, t, t])).collect()), // (H, T, T) each
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
        let (state, place) = live!(self.state, "bert.encode");
        queued(place, async move {
            let s = state.pre.read("bert.encode")?;
            let v = &s.vocab;
            let ids = v.encode_sentence(&text);
            to_js(&Encoded {
                tokens: ids.iter().map(|&id| v.token(id).to_string()).collect(),
                ids,
            })
        })
    }

    /// One forward pass over token ids → Promise<{ logits, lastHiddenState,
    /// hiddenStates?, attentions? }>. Options: hiddenStates, attentions
    /// (return every layer's; default false), segments (one 0 or 1 per token).
    pub fn forward(&self, ids: Vec<u32>, options_object: JsValue) -> Promise {
        let (state, place) = live!(self.state, "bert.forward");
        let opts = options::<ForwardOptions>("bert.forward", options_object);
        queued(place, async move {
            let o = opts?;
            let segments = o.segments.clone().unwrap_or_else(|| vec![0; ids.len()]);
            let bert = bert_cpu_copy(&state).await?;
            let out = bert.outputs(&ids, &segments).await?;
            to_js(&Forward::of(&out, &o, ids.len(), bert.cfg.c, bert.cfg.heads, bert.cfg.vocab))
        })
    }
}

#[wasm_bindgen]
impl GptModel {
    /// `text` as the model reads it → Promise<{ tokens, ids }> (characters, or GPT-2's tokens).
    pub fn encode(&self, text: String) -> Promise {
        let (training, place) = live!(self.training, "gpt.encode");
        queued(place, async move {
            let t = training.read("gpt.encode")?;
            let ids = t.vocab.encode(&text)?;
            to_js(&Encoded {
                tokens: ids.iter().map(|&id| t.vocab.piece(id)).collect(),
                ids,
            })
        })
    }

    /// One forward pass over token ids → Promise<{ logits, lastHiddenState,
    /// hiddenStates?, attentions? }> (the last hidden state after the final
    /// layer norm, as `transformers` gives GPT-2's). Options: hiddenStates,
    /// attentions (default false).
    pub fn forward(&self, ids: Vec<u32>, options_object: JsValue) -> Promise {
        let (training, place) = live!(self.training, "gpt.forward");
        let opts = options::<ForwardOptions>("gpt.forward", options_object);
        queued(place, async move {
            let o = opts?;
            if o.segments.is_some() {
                return Err(js_error(invalid("gpt.forward", "a GPT has no segments; leave the option out.")));
            }
            let gpt = gpt_cpu_copy(&training).await?;
            let out = gpt.outputs(&ids)?;
            let cfg = gpt.cfg;
            to_js(&Forward::of(&out, &o, ids.len(), cfg.d_model, cfg.heads, cfg.vocab))
        })
    }
}
