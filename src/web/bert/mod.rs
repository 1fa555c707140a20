//! BERT in JS: `runtime.loadBert(bytes)` loads a pre-trained checkpoint,
//! `runtime.bert(options)` makes a fresh one to pre-train.
//!
//! ```js
//! const bert = await rt.loadBert(bytes);
//! await bert.fillMask("the man went to the [MASK] to buy a [MASK] of milk.", { topK: 5 });
//! // [[{ token: "store", probability: 0.41 }, …], [{ token: "gallon", … }, …]]  one list per [MASK]
//! await bert.maskExample("the man went to the store.", { seed: 3 });
//! // [{ token: "the", shown: "the", fate: "not chosen" }, { token: "store", shown: "[MASK]", fate: "masked" }, …]
//! await bert.attention("open a bank account");  // { tokens, layers: [{ data, shape: [heads, T, T] } per layer] }
//! await bert.train({ steps: 20 });              // { step, mlmLoss, nspLoss, tokensPerSecond }
//! await bert.fineTune(examples, { steps: 30 }); // examples: [{ text, label }] → { step, loss, accuracy }
//! await bert.classify("the bread was stale."); // { label, probabilities: { data, shape: [classes] } }
//! ```
//!
//! Pre-training and fine-tuning run on the runtime's device; fill-mask,
//! attention and classification on a CPU copy (one sentence at a time).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Promise;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

mod embedding_space;
mod fine_tune;

pub use fine_tune::bert_opinion_examples;

use super::bench::now_ms;
use super::convert::{js_error, js_tensor, options, to_js, Js};
use super::memory::{build, live, Handle, Held};
use super::queue::queued;
use super::runtime::Runtime;
use super::training::Training;
use crate::checkpoint::{load_bert, save_bert};
use crate::device::Device;
use crate::error::{invalid, Result};
use crate::models::bert::Bert;
use crate::ops::cross_entropy::IGNORE_INDEX;
use crate::train::fine_tuning::FineTuner;
use crate::train::footprint::Footprint;
use crate::train::masked_lm::{apply, mask_tokens, sentence_batch, Fate};
use crate::train::pretraining::{fill_mask, Pretrainer, PretrainingConfig};
use crate::train::wordpiece::WordPiece;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ModelOptions {
    seed: Option<u64>,
    layers: Option<usize>,
    d_model: Option<usize>,
    heads: Option<usize>,
    batch_size: Option<usize>,
    documents: Option<usize>,
    vocab_size: Option<usize>,
    lr: Option<f32>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FillOptions {
    top_k: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedOptions {
    seed: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TrainOptions {
    steps: Option<u32>,
}

/// `describe` → the model's sizes and progress.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Description {
    step: u32,
    parameters: usize,
    /// Where it trains: "cpu" or "webgpu".
    backend: &'static str,
    /// Why there (a sentence for the page).
    backend_reason: String,
    layers: usize,
    d_model: usize,
    heads: usize,
    max_length: usize,
    vocabulary_size: usize,
    fine_tuned: bool,
}

/// One filler of a `[MASK]`.
#[derive(Serialize)]
struct Guess {
    token: String,
    probability: f32,
}

/// One token of `maskExample`: what it was, what the model is shown, and why.
#[derive(Serialize)]
struct Masked<'a> {
    token: &'a str,
    shown: &'a str,
    fate: &'static str,
}

/// `attention` → the tokens read and one `(heads, T, T)` tensor per layer.
#[derive(Serialize)]
struct Attention<'a> {
    tokens: Vec<&'a str>,
    layers: Vec<Js>,
}

/// `train` → { step, mlmLoss, nspLoss, tokensPerSecond }.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TrainResult {
    step: u32,
    mlm_loss: f32,
    nsp_loss: f32,
    tokens_per_second: f64,
}

/// The most steps one call trains.
const MAX_STEPS: u32 = 10_000;

/// The pre-training and, once `fineTune` made one, the classifier, each
/// with its snapshots for a lost GPU (see `train::trainer`).
pub(in crate::web) struct State {
    pub(in crate::web) pre: Training<Pretrainer>,
    fine: RefCell<Option<Training<FineTuner>>>,
}

/// A BERT (returned by `runtime.bert` and `runtime.loadBert`).
#[wasm_bindgen]
pub struct BertModel {
    pub(in crate::web) state: Handle<Rc<State>>,
}

#[wasm_bindgen]
impl Runtime {
    /// A fresh BERT to pre-train on the errands corpus → Promise<BertModel>. Options: seed,
    /// layers, dModel, heads, batchSize, documents, vocabSize, lr.
    pub fn bert(&self, options_object: JsValue) -> Promise {
        let runtime = self.clone();
        future_to_promise(build(async move {
            let o: ModelOptions = options("bert", options_object)?;
            let d = PretrainingConfig::default();
            let cfg = PretrainingConfig {
                seed: o.seed.unwrap_or(d.seed),
                layers: o.layers.unwrap_or(d.layers),
                d_model: o.d_model.unwrap_or(d.d_model),
                heads: o.heads.unwrap_or(d.heads),
                batch_size: o.batch_size.unwrap_or(d.batch_size),
                documents: o.documents.unwrap_or(d.documents),
                vocab_size: o.vocab_size.unwrap_or(d.vocab_size),
                peak_lr: o.lr.unwrap_or(d.peak_lr),
                ..d
            };
            if cfg.layers > 24 || cfg.d_model > 1024 || cfg.documents > 200_000 || cfg.vocab_size > 30_000 {
                return Err(js_error(invalid(
                    "bert",
                    "layers ≤ 24, dModel ≤ 1024, documents ≤ 200000 and vocabSize ≤ 30000 in the browser.",
                )));
            }
            runtime.check_budget(
                "bert",
                &Footprint::bert(&cfg),
                "Use fewer documents or layers, a smaller dModel, vocabSize or batchSize",
            )?;
            let pre = Pretrainer::new(cfg, &Device::Cpu)?;
            BertModel::new(pre, &runtime).await.map_err(js_error)
        }))
    }

    /// A BERT from `bert.save()` bytes (or the trainer's file) → Promise<BertModel>; `vocabTxt`, if
    /// given, replaces the checkpoint's vocabulary (a BERT `vocab.txt`: one
    /// token per line) and must have exactly as many tokens as the model. A
    /// broken or foreign file, or a vocabulary that does not fit, throws an
    /// Error saying what is wrong.
    #[wasm_bindgen(js_name = loadBert)]
    pub fn load_bert(&self, bytes: Vec<u8>, vocab_txt: Option<String>) -> Promise {
        let runtime = self.clone();
        future_to_promise(build(async move {
            let stories = 1000.0 * PretrainingConfig::default().documents as f64;
            runtime.check_budget("loadBert", &Footprint::checkpoint(bytes.len(), stories), "Load a smaller BERT")?;
            let mut checkpoint = load_bert(&bytes, &Device::Cpu)?;
            if let Some(text) = vocab_txt {
                let vocab = WordPiece::from_vocab_txt(&text)?;
                if vocab.len() != checkpoint.bert.cfg.vocab {
                    return Err(js_error(invalid(
                        "loadBert",
                        format!(
                            "the vocab.txt has {} tokens but the model's embedding table has {} rows; they must match one to one.",
                            vocab.len(),
                            checkpoint.bert.cfg.vocab
                        ),
                    )));
                }
                checkpoint.vocab = vocab;
            }
            if checkpoint.bert.mlm.is_none() {
                return Err(js_error(invalid(
                    "loadBert",
                    "this file holds a fine-tuned classifier without its masked-LM head; load a pre-trained BERT.",
                )));
            }
            let cfg = PretrainingConfig::default();
            let pre = Pretrainer::resume(cfg, checkpoint.vocab, checkpoint.bert, checkpoint.step, &Device::Cpu);
            BertModel::new(pre, &runtime).await.map_err(js_error)
        }))
    }
}

impl BertModel {
    /// A pre-trainer made on the CPU, moved to the runtime's device.
    pub(in crate::web) async fn new(pre: Pretrainer, runtime: &Runtime) -> Result<BertModel> {
        Ok(BertModel {
            state: Handle::new(
                "BERT",
                Rc::new(State {
                    pre: Training::new(pre, runtime).await?,
                    fine: RefCell::new(None),
                }),
            ),
        })
    }
}

#[wasm_bindgen]
impl BertModel {
    /// Free the model (and its fine-tuned classifier) now, GPU buffers
    /// included; calls already running finish first. A model the page drops
    /// is freed anyway when the garbage collector collects it; later calls
    /// on a disposed one throw.
    pub fn dispose(&mut self) {
        self.state.dispose();
    }
}

impl Held for Rc<State> {
    fn runtime(&self) -> Rc<RefCell<super::runtime::State>> {
        self.pre.runtime()
    }
}

#[wasm_bindgen]
impl BertModel {
    /// → Promise<{ step, parameters, layers, dModel, heads, maxLength, vocabularySize, fineTuned }>.
    pub fn describe(&self) -> Promise {
        let (state, place) = live!(self.state, "bert.describe");
        queued(place, async move {
            let s = state.pre.read("bert.describe")?;
            let cfg = s.bert.cfg;
            let (backend, backend_reason) = state.pre.backend();
            to_js(&Description {
                step: s.step(),
                backend,
                backend_reason,
                parameters: s.bert.params.len(),
                layers: cfg.layers,
                d_model: cfg.c,
                heads: cfg.heads,
                max_length: cfg.max_len,
                vocabulary_size: cfg.vocab,
                fine_tuned: state.fine.try_borrow().map_err(|_| busy("bert.describe"))?.is_some(),
            })
        })
    }

    /// The WordPiece pieces of `text` (what the model reads) → Promise<string[]>.
    pub fn tokenize(&self, text: String) -> Promise {
        let (state, place) = live!(self.state, "bert.tokenize");
        queued(place, async move {
            let s = state.pre.read("bert.tokenize")?;
            to_js(&s.vocab.pieces(&text))
        })
    }

    /// For each [MASK] in `text`, the topK (default 5) most probable fillers
    /// → Promise<[[{ token, probability }]]>.
    #[wasm_bindgen(js_name = fillMask)]
    pub fn fill_mask(&self, text: String, options_object: JsValue) -> Promise {
        let (state, place) = live!(self.state, "bert.fillMask");
        let opts = options::<FillOptions>("bert.fillMask", options_object);
        queued(place, async move {
            let top_k = opts?.top_k.unwrap_or(5);
            if !(1..=100).contains(&top_k) {
                return Err(js_error(invalid("bert.fillMask", "topK must be between 1 and 100.")));
            }
            let bert = cpu_copy(&state).await?;
            let s = state.pre.read("bert")?;
            let filled = fill_mask(&bert, &s.vocab, &text, top_k)?;
            let guesses: Vec<Vec<Guess>> = filled
                .into_iter()
                .map(|list| list.into_iter().map(|(token, probability)| Guess { token, probability }).collect())
                .collect();
            to_js(&guesses)
        })
    }

    /// Mask `[CLS] text [SEP]` the BERT way → Promise<[{ token, shown, fate }]>, fate
    /// one of "special", "not chosen", "masked", "random", "kept". Seeded.
    #[wasm_bindgen(js_name = maskExample)]
    pub fn mask_example(&self, text: String, options_object: JsValue) -> Promise {
        let (state, place) = live!(self.state, "bert.maskExample");
        queued(place, async move {
            let seed = options::<SeedOptions>("bert.maskExample", options_object)?.seed.unwrap_or(0);
            let s = state.pre.read("bert.maskExample")?;
            let vocab = &s.vocab;
            // As the model reads it: [CLS] text [SEP] (the specials are never chosen).
            let ids = vocab.encode_sentence(&text);
            if ids.len() == 2 {
                return Err(js_error(invalid("bert.maskExample", "the text is empty; type a sentence.")));
            }
            let fates = mask_tokens(&ids, vocab, &mut ChaCha8Rng::seed_from_u64(seed));
            let shown = apply(&ids, &fates, vocab);
            let masked: Vec<Masked> = ids
                .iter()
                .zip(&fates)
                .zip(&shown)
                .map(|((&id, fate), &seen)| Masked {
                    token: vocab.token(id),
                    shown: vocab.token(seen),
                    fate: match fate {
                        _ if vocab.is_special(id) => "special",
                        Fate::NotChosen => "not chosen",
                        Fate::Masked => "masked",
                        Fate::Random(_) => "random",
                        Fate::Kept => "kept",
                    },
                })
                .collect();
            to_js(&masked)
        })
    }

    /// The attention weights over `text` (as `[CLS] text [SEP]`) →
    /// Promise<{ tokens, layers: [{ data, shape: [heads, T, T] }] }>: one
    /// tensor per layer, each head's `(T, T)` weights with a row per query.
    pub fn attention(&self, text: String) -> Promise {
        let (state, place) = live!(self.state, "bert.attention");
        queued(place, async move {
            let bert = cpu_copy(&state).await?;
            let s = state.pre.read("bert")?;
            let vocab = &s.vocab;
            let ids = vocab.encode(&text);
            check_text("bert.attention", ids.len(), bert.cfg.max_len)?;
            let batch = sentence_batch(vocab, std::slice::from_ref(&ids), &[IGNORE_INDEX]);
            let mut acts = bert.acts(&batch);
            bert.forward(&mut acts, &batch)?;
            let (t, heads) = (batch.t, bert.cfg.heads);
            to_js(&Attention {
                tokens: batch.tokens.iter().map(|&id| vocab.token(id)).collect(),
                layers: acts
                    .blocks
                    .iter()
                    .map(|block| Ok(js_tensor(block.attn.weights.host()?, &[heads, t, t]))) // (NH, T, T)
                    .collect::<Result<Vec<Js>>>()?,
            })
        })
    }

    /// Pre-train `steps` more steps → Promise<{ step, mlmLoss, nspLoss, tokensPerSecond }>.
    pub fn train(&self, options_object: JsValue) -> Promise {
        let (state, place) = live!(self.state, "bert.train");
        let opts = options::<TrainOptions>("bert.train", options_object);
        queued(place, async move {
            let steps = opts?.steps.unwrap_or(1);
            if !(1..=MAX_STEPS).contains(&steps) {
                return Err(js_error(invalid("bert.train", format!("steps must be between 1 and {MAX_STEPS}."))));
            }
            let start = now_ms();
            let trained = state.pre.train(steps, "bert.train").await?;
            let (tokens, mlm, nsp) = (trained.tokens, trained.losses[0], trained.losses[1]);
            to_js(&TrainResult {
                step: state.pre.read("bert")?.step(),
                mlm_loss: mlm,
                nsp_loss: nsp,
                tokens_per_second: tokens as f64 / ((now_ms() - start) / 1e3).max(1e-9),
            })
        })
    }

    /// The pre-trained model as checkpoint bytes → Promise<Uint8Array> (safetensors).
    pub fn save(&self) -> Promise {
        let (state, place) = live!(self.state, "bert.save");
        queued(place, async move {
            let bert = cpu_copy(&state).await?;
            let s = state.pre.read("bert")?;
            let values = bert.params.values.host()?;
            let bytes = save_bert(&bert, values, &s.vocab, s.step(), None)?;
            Ok(js_sys::Uint8Array::from(bytes.as_slice()).into())
        })
    }
}

fn busy(op: &'static str) -> JsValue {
    js_error(crate::train::trainer::busy(op))
}

/// Empty text, or text past the model's length, is an error naming the limit.
fn check_text(op: &'static str, tokens: usize, max_len: usize) -> std::result::Result<(), JsValue> {
    if tokens == 0 {
        return Err(js_error(invalid(op, "the text is empty; type a sentence.")));
    }
    if tokens + 2 > max_len {
        return Err(js_error(invalid(
            op,
            format!(
                "the text is {} tokens with [CLS] and [SEP], more than the model's {max_len}; shorten it.",
                tokens + 2
            ),
        )));
    }
    Ok(())
}

/// The pre-trained model on the CPU (read back from a GPU), without holding the borrow across the wait.
pub(in crate::web) async fn cpu_copy(state: &Rc<State>) -> std::result::Result<Bert, JsValue> {
    state.pre.recover("bert")?;
    let bert = state.pre.read("bert")?.bert.clone();
    cpu_bert(&bert).await
}

/// `bert` itself if it is on the CPU, else a CPU copy.
async fn cpu_bert(bert: &Bert) -> std::result::Result<Bert, JsValue> {
    let mut copy = bert.clone();
    if copy.device != Device::Cpu {
        let values = copy.params.values.to_host(&copy.device).await?;
        copy.move_to(&Device::Cpu, values)?;
    }
    Ok(copy)
}
