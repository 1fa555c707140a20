//! The GPT in JS: `runtime.gpt({ text, ... })` trains a character-level
//! model on a text; `runtime.loadGpt(bytes, text?)` loads a saved one.
//!
//! ```js
//! const gpt = await rt.loadGpt(bytes, corpus);                 // corpus: optional, to train further
//! const next = await gpt.nextToken("ROMEO:\n", { temperature: 0.8, topK: 10 });
//! // { characters, raw: { data, shape: [V] } softmax of the logits, sampled: the same after τ / top-k / top-p, cropped }
//! const { text, steps } = await gpt.generate("ROMEO:\n", { maxTokens: 200, temperature: 0.8, seed: 1, onToken });
//! await gpt.train({ steps: 10 });                              // { step, loss, valLoss, tokensPerSecond }
//! ```
//!
//! Sampling runs on the CPU with the KV cache (one token at a time is
//! latency-bound); training runs on the runtime's device.

use std::rc::Rc;

use js_sys::{Array, Function, Promise};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::bench::now_ms;
use super::convert::{js_error, js_tensor, options, to_js, Js};
use super::memory::{build, live, Handle};
use super::queue::queued;
use super::runtime::Runtime;
use super::training::Training;
use crate::checkpoint::{load_gpt, save_gpt};
use crate::device::Device;
use crate::error::{invalid, Result};
use crate::models::gpt::{Generator, Gpt};
use crate::models::sampling::{distribution, draw, most_probable, Sampling};
use crate::ops::softmax::softmax_row;
use crate::train::chars::CharVocab;
use crate::train::footprint::Footprint;
use crate::train::language_model::{LanguageModelConfig, LanguageModelTrainer};
use crate::train::lm_vocab::LmVocab;

/// The most tokens one `generate` call makes.
pub const MAX_TOKENS: usize = 5000;
/// How many of the distribution's most probable tokens each generated step reports.
const TOP: usize = 10;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ModelOptions {
    text: Option<String>,
    seed: Option<u64>,
    context: Option<usize>,
    layers: Option<usize>,
    d_model: Option<usize>,
    heads: Option<usize>,
    batch_size: Option<usize>,
    lr: Option<f32>,
}

/// Sampling options as JS numbers, checked here so that errors can name them.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SamplingOptions {
    temperature: Option<f64>,
    top_k: Option<f64>,
    top_p: Option<f64>,
    max_tokens: Option<f64>,
    seed: Option<u64>,
    #[serde(with = "serde_wasm_bindgen::preserve", default)]
    on_token: JsValue,
}

impl SamplingOptions {
    fn sampling(&self, op: &'static str) -> Result<Sampling> {
        let top_k = self.top_k.unwrap_or(0.0);
        if !(top_k >= 0.0 && top_k.fract() == 0.0) {
            return Err(invalid(
                op,
                format!("topK {top_k} must be a whole number ≥ 0 (0 keeps every token)."),
            ));
        }
        let sampling = Sampling {
            temperature: self.temperature.unwrap_or(1.0) as f32,
            top_k: top_k as usize,
            top_p: self.top_p.unwrap_or(1.0) as f32,
        };
        sampling
            .validate()
            .map_err(|e| invalid(op, e.to_string().trim_start_matches("sample: ").to_string()))?;
        Ok(sampling)
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TrainOptions {
    steps: Option<u32>,
    /// Validation batches for `valLoss` (0 skips it).
    validation_batches: Option<usize>,
}

/// `describe` → the model's sizes, characters and progress.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Description {
    step: u32,
    parameters: usize,
    /// Where it trains: "cpu" or "webgpu".
    backend: &'static str,
    /// Why there (a sentence for the page).
    backend_reason: String,
    context: usize,
    layers: usize,
    d_model: usize,
    heads: usize,
    /// The characters, in id order.
    vocabulary: String,
    can_train: bool,
}

/// `nextToken` → the next character's distribution, before and after the filters.
#[derive(Serialize)]
struct NextToken {
    characters: Vec<String>,
    raw: Js,
    sampled: Js,
    cropped: usize,
}

/// One generated character and the most probable ones it was drawn among.
#[derive(Serialize)]
struct Step {
    token: String,
    top: Vec<Choice>,
}

#[derive(Serialize)]
struct Choice {
    token: String,
    probability: f32,
}

/// `generate` → the text, each step, and how much of the prompt was cropped.
#[derive(Serialize)]
struct Generated {
    text: String,
    /// The steps as they were handed to `onToken`.
    steps: Js,
    cropped: usize,
}

/// `train` → { step, loss, valLoss, tokensPerSecond } (valLoss only when measured).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TrainResult {
    step: u32,
    loss: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    val_loss: Option<f32>,
    tokens_per_second: f64,
}

/// A GPT (returned by `runtime.gpt` and `runtime.loadGpt`).
#[wasm_bindgen]
pub struct GptModel {
    pub(in crate::web) training: Handle<Training<LanguageModelTrainer>>,
}

impl GptModel {
    /// Wrap a trainer made on the CPU, moved to the runtime's device.
    pub(in crate::web) async fn new(trainer: LanguageModelTrainer, runtime: &Runtime) -> Result<GptModel> {
        Ok(GptModel {
            training: Handle::new("GPT", Training::new(trainer, runtime).await?),
        })
    }
}

#[wasm_bindgen]
impl Runtime {
    /// A fresh GPT trained on `text` (required) → Promise<GptModel>. Options: text, seed, context,
    /// layers, dModel, heads, batchSize, lr.
    pub fn gpt(&self, options_object: JsValue) -> Promise {
        let runtime = self.clone();
        future_to_promise(build(async move {
            let o: ModelOptions = options("gpt", options_object)?;
            let text = o
                .text
                .ok_or_else(|| js_error(invalid("gpt", "give the text to learn from: runtime.gpt({ text })")))?;
            let d = LanguageModelConfig::default();
            let cfg = LanguageModelConfig {
                seed: o.seed.unwrap_or(d.seed),
                context: o.context.unwrap_or(d.context),
                layers: o.layers.unwrap_or(d.layers),
                d_model: o.d_model.unwrap_or(d.d_model),
                heads: o.heads.unwrap_or(d.heads),
                batch_size: o.batch_size.unwrap_or(d.batch_size),
                peak_lr: o.lr.unwrap_or(d.peak_lr),
                ..d
            };
            if cfg.context > 1024 || cfg.layers > 24 || cfg.d_model > 1024 {
                return Err(js_error(invalid(
                    "gpt",
                    "context ≤ 1024, layers ≤ 24 and dModel ≤ 1024 in the browser.",
                )));
            }
            // The characters once: for the estimate, then as the model's vocabulary.
            let vocab = CharVocab::build(&text);
            runtime.check_budget(
                "gpt",
                &Footprint::gpt(&cfg, text.chars().count(), vocab.len()),
                "Use a shorter text, fewer layers, a smaller dModel, context or batchSize",
            )?;
            let trainer = LanguageModelTrainer::with_vocab(&text, vocab, cfg, &Device::Cpu)?;
            GptModel::new(trainer, &runtime).await.map_err(js_error)
        }))
    }

    /// A GPT from `gpt.save()` bytes (or the trainer's file) → Promise<GptModel>; `text`, if
    /// given, is what `train` continues on. A broken or foreign file throws
    /// an Error saying what is wrong.
    #[wasm_bindgen(js_name = loadGpt)]
    pub fn load_gpt(&self, bytes: Vec<u8>, text: Option<String>) -> Promise {
        let runtime = self.clone();
        future_to_promise(build(async move {
            let text_bytes = 8.0 * text.as_ref().map_or(0, |t| t.chars().count()) as f64;
            runtime.check_budget(
                "loadGpt",
                &Footprint::checkpoint(bytes.len(), text_bytes),
                "Load a smaller GPT, or give a shorter text",
            )?;
            let checkpoint = load_gpt(&bytes, &Device::Cpu)?;
            let trainer = LanguageModelTrainer::resume(
                text.as_deref(),
                checkpoint.gpt,
                LmVocab::Chars(checkpoint.vocab),
                checkpoint.step,
                LanguageModelConfig::default(),
                &Device::Cpu,
            )?;
            GptModel::new(trainer, &runtime).await.map_err(js_error)
        }))
    }
}

#[wasm_bindgen]
impl GptModel {
    /// → Promise<{ step, parameters, context, layers, dModel, heads, vocabulary (the characters), canTrain }>.
    pub fn describe(&self) -> Promise {
        let (training, place) = live!(self.training, "gpt.describe");
        queued(place, async move {
            let t = training.read("gpt.describe")?;
            let cfg = t.gpt.cfg;
            let (backend, backend_reason) = training.backend();
            to_js(&Description {
                step: t.step(),
                backend,
                backend_reason,
                parameters: t.gpt.lm.params.len(),
                context: cfg.context,
                layers: cfg.layers,
                d_model: cfg.d_model,
                heads: cfg.heads,
                vocabulary: (0..cfg.vocab as u32).map(|id| t.vocab.piece(id)).collect(),
                can_train: t.has_text(),
            })
        })
    }

    /// The next character's distribution after `prompt` → Promise<{ characters,
    /// raw, sampled, cropped }>: `raw` is softmax of the logits, `sampled`
    /// what `generate` would draw from (temperature, topK, topP applied).
    #[wasm_bindgen(js_name = nextToken)]
    pub fn next_token(&self, prompt: String, options_object: JsValue) -> Promise {
        let (training, place) = live!(self.training, "gpt.nextToken");
        let opts = options::<SamplingOptions>("gpt.nextToken", options_object);
        queued(place, async move {
            let sampling = opts.and_then(|o| o.sampling("gpt.nextToken"))?;
            let (gpt, prompt_ids) = cpu_model(&training, "gpt.nextToken", &prompt).await?;
            let generator = Generator::new(&gpt, &prompt_ids)?;
            let mut raw = vec![0.0; generator.logits.len()];
            softmax_row(&mut raw, &generator.logits);
            let sampled = distribution(&generator.logits, &sampling)?;
            let t = training.read("gpt")?;
            to_js(&NextToken {
                characters: (0..gpt.cfg.vocab as u32).map(|id| t.vocab.piece(id)).collect(),
                raw: js_tensor(&raw, &[raw.len()]),             // (V)
                sampled: js_tensor(&sampled, &[sampled.len()]), // (V)
                cropped: generator.cropped,
            })
        })
    }

    /// Generate after `prompt` → Promise<{ text, steps, cropped }>. Options:
    /// maxTokens (default 200, at most 5000), temperature (1; 0 is greedy),
    /// topK (0: off), topP (1: off), seed (0), onToken(step) — called with
    /// each step `{ token, top: [{ token, probability }] }` (the 10 most
    /// probable of the distribution drawn from); if it returns `false`, or a
    /// Promise of `false`, generation stops there (a Promise is awaited, which
    /// lets a page draw each token as it comes).
    pub fn generate(&self, prompt: String, options_object: JsValue) -> Promise {
        let (training, place) = live!(self.training, "gpt.generate");
        let opts = options::<SamplingOptions>("gpt.generate", options_object);
        queued(place, async move {
            let opts = opts?;
            let sampling = opts.sampling("gpt.generate")?;
            let max_tokens = opts.max_tokens.unwrap_or(200.0);
            if !(max_tokens >= 1.0 && max_tokens <= MAX_TOKENS as f64 && max_tokens.fract() == 0.0) {
                return Err(js_error(invalid(
                    "gpt.generate",
                    format!("maxTokens {max_tokens} must be a whole number from 1 to {MAX_TOKENS}."),
                )));
            }
            let on_token = match &opts.on_token {
                v if v.is_undefined() || v.is_null() => None,
                v => Some(
                    v.clone()
                        .dyn_into::<Function>()
                        .map_err(|_| js_error(invalid("gpt.generate", "onToken must be a function (or left out).")))?,
                ),
            };
            let (gpt, prompt_ids) = cpu_model(&training, "gpt.generate", &prompt).await?;
            let mut generator = Generator::new(&gpt, &prompt_ids)?;
            let mut rng = ChaCha8Rng::seed_from_u64(opts.seed.unwrap_or(0));
            let (steps, mut drawn) = (Array::new(), Vec::new());
            for _ in 0..max_tokens as usize {
                let probs = distribution(&generator.logits, &sampling)?;
                let next = draw(&probs, rng.random::<f32>());
                let step = {
                    let t = training.read("gpt")?;
                    drawn.push(next);
                    to_js::<_, JsValue>(&Step::of(&t.vocab, next, &probs))?
                };
                steps.push(&step);
                generator.push(next)?;
                if let Some(callback) = &on_token {
                    let mut answer = callback.call1(&JsValue::NULL, &step)?;
                    if let Some(promise) = answer.dyn_ref::<Promise>() {
                        answer = JsFuture::from(promise.clone()).await?;
                    }
                    if answer == JsValue::FALSE {
                        break;
                    }
                }
            }
            // Decoded as a whole: a GPT-2 token may hold only part of a character's bytes.
            let text = training.read("gpt")?.vocab.decode(&drawn);
            to_js(&Generated {
                text,
                steps: Js(steps.into()),
                cropped: generator.cropped,
            })
        })
    }

    /// Train `steps` more steps → Promise<{ step, loss, valLoss, tokensPerSecond }>
    /// (valLoss: nats per character on `validationBatches` fixed validation batches, default 2).
    pub fn train(&self, options_object: JsValue) -> Promise {
        let (training, place) = live!(self.training, "gpt.train");
        let opts = options::<TrainOptions>("gpt.train", options_object);
        queued(place, async move {
            let opts = opts?;
            let steps = opts.steps.unwrap_or(1);
            if !(1..=10_000).contains(&steps) {
                return Err(js_error(invalid("gpt.train", "steps must be between 1 and 10000.")));
            }
            if opts.validation_batches.is_some_and(|b| b > 100) {
                return Err(js_error(invalid("gpt.train", "validationBatches must be between 0 and 100.")));
            }
            let start = now_ms();
            let trained = training.train(steps, "gpt.train").await?;
            let (tokens, loss) = (trained.tokens, trained.losses[0]);
            let seconds = ((now_ms() - start) / 1e3).max(1e-9);
            let batches = opts.validation_batches.unwrap_or(2);
            let val_loss = match batches {
                0 => None,
                _ => {
                    let gpt = cpu_copy(&training).await?;
                    Some(training.read("gpt")?.valid_loss(&gpt, batches)?)
                }
            };
            to_js(&TrainResult {
                step: training.read("gpt")?.step(),
                loss,
                val_loss,
                tokens_per_second: tokens as f64 / seconds,
            })
        })
    }

    /// Free the model now, GPU buffers included (calls already running
    /// finish first). A model the page drops is freed anyway when the
    /// garbage collector collects it; later calls on a disposed one throw.
    pub fn dispose(&mut self) {
        self.training.dispose();
    }

    /// The model as checkpoint bytes → Promise<Uint8Array> (safetensors).
    pub fn save(&self) -> Promise {
        let (training, place) = live!(self.training, "gpt.save");
        queued(place, async move {
            let gpt = cpu_copy(&training).await?;
            let t = training.read("gpt")?;
            let bytes = save_gpt(&gpt, gpt.lm.params.values.host()?, t.vocab.chars("gpt.save")?, t.step(), None)?;
            Ok(js_sys::Uint8Array::from(bytes.as_slice()).into())
        })
    }
}

impl Step {
    /// The drawn `token` and the `TOP` most probable of `probs`, the distribution it was drawn from.
    fn of(vocab: &LmVocab, token: u32, probs: &[f32]) -> Step {
        Step {
            token: vocab.piece(token),
            top: most_probable(probs, TOP)
                .iter()
                .map(|&id| Choice {
                    token: vocab.piece(id as u32),
                    probability: probs[id],
                })
                .collect(),
        }
    }
}

/// The model on the CPU, without holding the borrow across the wait: a
/// second handle on the trainer's own model when it is on the CPU (no copy),
/// a copy read back when it is on a GPU.
pub(in crate::web) async fn cpu_copy(training: &Training<LanguageModelTrainer>) -> std::result::Result<Rc<Gpt>, JsValue> {
    training.recover("gpt")?;
    let shared = training.read("gpt")?.gpt.clone();
    if shared.lm.device == Device::Cpu {
        return Ok(shared);
    }
    let mut gpt = Gpt::clone(&shared);
    drop(shared);
    let values = gpt.lm.params.values.to_host(&gpt.lm.device).await?;
    gpt.lm.move_to(&Device::Cpu, values)?;
    Ok(Rc::new(gpt))
}

/// The CPU model and the prompt's tokens (characters outside the vocabulary are an error naming them).
async fn cpu_model(
    training: &Training<LanguageModelTrainer>,
    op: &'static str,
    prompt: &str,
) -> std::result::Result<(Rc<Gpt>, Vec<u32>), JsValue> {
    let ids = training
        .read("gpt")?
        .vocab
        .encode(prompt)
        .map_err(|e| js_error(invalid(op, e.to_string().trim_start_matches("tokenize: ").to_string())))?;
    if ids.is_empty() {
        return Err(js_error(invalid(op, "the prompt is empty; give it at least one character.")));
    }
    Ok((cpu_copy(training).await?, ids))
}
