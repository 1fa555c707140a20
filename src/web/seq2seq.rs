//! The translator in JS: `runtime.seq2seq(config)` → a model that trains on
//! the English→French data, evaluates and translates.
//!
//! ```js
//! const model = await rt.seq2seq({ seed: 1 });        // the defaults of TranslatorConfig
//! const { step, loss, tokensPerSecond } = await model.train({ steps: 20 });
//! const { exactMatch, bleu } = await model.evaluate("test", { limit: 200 });
//! const { text, sourceTokens, targetTokens, crossAttention } = await model.translate("the agreement was signed .", { beam: 4 });
//! ```
//!
//! Training runs on the runtime's device, `steps` steps per call: call it
//! again and again (a page awaits between calls, so it never freezes; stop
//! calling to pause). Translation and evaluation run on the CPU (see
//! `models::translate`); on a GPU the parameters are read back first.

use js_sys::Promise;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::bench::now_ms;
use super::convert::{js_error, js_tensor, options, to_js, Js};
use super::memory::{build, live, yield_to_event_loop, Handle};
use super::queue::queued;
use super::runtime::Runtime;
use super::training::Training;
use crate::checkpoint::{load_translator, save_translator};
use crate::device::Device;
use crate::error::{invalid, Result};
use crate::models::translate::beam;
use crate::train::bleu::corpus_bleu;
use crate::train::data::grammar::SentencePair;
use crate::train::data::DataConfig;
use crate::train::footprint::Footprint;
use crate::train::tokenizer::tokenize;
use crate::train::translation::{Translator, TranslatorConfig};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ModelOptions {
    seed: Option<u64>,
    sentences: Option<usize>,
    layers: Option<usize>,
    d_model: Option<usize>,
    heads: Option<usize>,
    #[serde(rename = "dFF")]
    d_ff: Option<usize>,
    batch_size: Option<usize>,
    warmup: Option<u32>,
    lr_scale: Option<f32>,
    dropout: Option<f32>,
    label_smoothing: Option<f32>,
    tie_embeddings: Option<bool>,
    max_source_words: Option<usize>,
    max_target_words: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TrainOptions {
    steps: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TranslateOptions {
    /// Beam width; 1 (the default) is greedy decoding.
    beam: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EvaluateOptions {
    /// First sentence of the split to score (default 0).
    offset: Option<usize>,
    /// How many sentences at most (default: the rest of the split).
    limit: Option<usize>,
}

/// `train` → { step, loss, tokensPerSecond }.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TrainResult {
    step: u32,
    /// The last step's loss.
    loss: f32,
    tokens_per_second: f64,
}

/// `describe` → the model's sizes, data and progress.
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
    #[serde(rename = "dFF")]
    d_ff: usize,
    train_pairs: usize,
    valid_pairs: usize,
    test_pairs: usize,
    source_vocabulary: usize,
    target_vocabulary: usize,
    dropout: f32,
    label_smoothing: f32,
    tie_embeddings: bool,
    max_source_words: usize,
}

/// `evaluate` → scores and the sentences scored (words joined by spaces).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EvaluateResult {
    exact_match: f64,
    bleu: f64,
    sentences: usize,
    sources: Vec<String>,
    hypotheses: Vec<String>,
    references: Vec<String>,
}

/// `translate` → the translation, both token lists and the cross-attention.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TranslateResult<'a> {
    text: String,
    source_tokens: Vec<&'a str>,
    target_tokens: Vec<&'a str>,
    /// One `(heads, target, source)` tensor per decoder layer.
    cross_attention: Vec<Js>,
}

/// A translator being trained (returned by `runtime.seq2seq`). On a GPU it
/// keeps a host snapshot every 100 steps: if the GPU is lost, it goes on on
/// the CPU from there (see `train::trainer`).
#[wasm_bindgen]
pub struct Seq2seqModel {
    training: Handle<Training<Translator>>,
}

impl Seq2seqModel {
    /// Wrap a translator made on the CPU, moved to the runtime's device.
    async fn new(translator: Translator, runtime: &Runtime) -> Result<Seq2seqModel> {
        Ok(Seq2seqModel {
            training: Handle::new("translator", Training::new(translator, runtime).await?),
        })
    }
}

#[wasm_bindgen]
impl Runtime {
    /// A fresh translator on this runtime's device → Promise<Seq2seqModel>. Options (all optional):
    /// seed, sentences, layers, dModel, heads, dFF, batchSize, warmup, lrScale,
    /// dropout (0), labelSmoothing (0.1, as in the paper),
    /// tieEmbeddings (the output head reuses the French embedding table),
    /// maxSourceWords (40), maxTargetWords (24).
    pub fn seq2seq(&self, options_object: JsValue) -> Promise {
        let runtime = self.clone();
        future_to_promise(build(async move {
            let o: ModelOptions = options("seq2seq", options_object)?;
            let d = TranslatorConfig::default();
            let cfg = TranslatorConfig {
                data: DataConfig {
                    seed: o.seed.unwrap_or(d.data.seed),
                    sentences: o.sentences.unwrap_or(d.data.sentences),
                },
                layers: o.layers.unwrap_or(d.layers),
                d_model: o.d_model.unwrap_or(d.d_model),
                heads: o.heads.unwrap_or(d.heads),
                d_ff: o.d_ff.unwrap_or(d.d_ff),
                batch_size: o.batch_size.unwrap_or(d.batch_size),
                warmup: o.warmup.unwrap_or(d.warmup),
                lr_scale: o.lr_scale.unwrap_or(d.lr_scale),
                dropout: o.dropout.unwrap_or(d.dropout),
                label_smoothing: o.label_smoothing.unwrap_or(d.label_smoothing),
                tie_output_embedding: o.tie_embeddings.unwrap_or(d.tie_output_embedding),
                max_source: o.max_source_words.unwrap_or(d.max_source),
                max_target: o.max_target_words.unwrap_or(d.max_target),
                seed: o.seed.unwrap_or(d.seed),
                ..d
            };
            if !(100..=200_000).contains(&cfg.data.sentences) {
                return Err(js_error(invalid("seq2seq", "sentences must be between 100 and 200000.")));
            }
            if !(1..=200).contains(&cfg.max_source) || !(1..=200).contains(&cfg.max_target) {
                return Err(js_error(invalid(
                    "seq2seq",
                    "maxSourceWords and maxTargetWords must be between 1 and 200.",
                )));
            }
            // Sizes a browser tab can hold and train (wasm memory never shrinks: a model
            // too big would take the tab's memory for good before failing).
            let sizes = [
                (cfg.layers, 1, 12),
                (cfg.d_model, 1, 1024),
                (cfg.d_ff, 1, 4096),
                (cfg.batch_size, 1, 512),
            ];
            if sizes.iter().any(|&(x, low, high)| !(low..=high).contains(&x)) {
                return Err(js_error(invalid(
                    "seq2seq",
                    format!(
                        "layers {}, dModel {}, dFF {}, batchSize {}: in the browser, layers 1–12, dModel 1–1024, dFF 1–4096, batchSize 1–512.",
                        cfg.layers, cfg.d_model, cfg.d_ff, cfg.batch_size
                    ),
                )));
            }
            runtime.check_budget(
                "seq2seq",
                &Footprint::translator(&cfg),
                "Use fewer sentences or layers, a smaller dModel, dFF or batchSize",
            )?;
            let translator = Translator::new(cfg, &Device::Cpu)?;
            Seq2seqModel::new(translator, &runtime).await.map_err(js_error)
        }))
    }

    /// A translator from `model.save()` bytes, on this runtime's device → Promise<Seq2seqModel>. A
    /// broken, foreign or tampered checkpoint throws an Error saying what is
    /// wrong (and no model is made).
    #[wasm_bindgen(js_name = loadSeq2seq)]
    pub fn load_seq2seq(&self, bytes: Vec<u8>) -> Promise {
        let runtime = self.clone();
        future_to_promise(build(async move {
            let c = load_translator(&bytes)?;
            runtime.check_budget("loadSeq2seq", &Footprint::translator(&c.cfg), "Load a smaller translator")?;
            let translator = Translator::resume(c.cfg, c.step, c.source_vocab, c.target_vocab, c.model, &Device::Cpu)?;
            Seq2seqModel::new(translator, &runtime).await.map_err(js_error)
        }))
    }
}

#[wasm_bindgen]
impl Seq2seqModel {
    /// Train `steps` more steps → Promise<{ step, loss, tokensPerSecond }>
    /// (loss of the last step; target tokens per second over the call). If the
    /// GPU is lost, the call finishes on the CPU from the last snapshot (so
    /// `step` can go back by up to 100) and the runtime stays on the CPU.
    pub fn train(&self, options_object: JsValue) -> Promise {
        let (training, place) = live!(self.training, "seq2seq.train");
        let opts = options::<TrainOptions>("seq2seq.train", options_object);
        queued(place, async move {
            let steps = opts?.steps.unwrap_or(1);
            if !(1..=10_000).contains(&steps) {
                return Err(js_error(invalid("seq2seq.train", "steps must be between 1 and 10000.")));
            }
            let start = now_ms();
            let trained = training.train(steps, "seq2seq.train").await?;
            let seconds = ((now_ms() - start) / 1e3).max(1e-9);
            to_js(&TrainResult {
                step: training.read("seq2seq")?.step(),
                loss: trained.losses[0],
                tokens_per_second: trained.tokens as f64 / seconds,
            })
        })
    }

    /// Size, data and progress → Promise<{ step, parameters, layers, dModel, heads,
    /// dFF, trainPairs, validPairs, testPairs, sourceVocabulary,
    /// targetVocabulary, dropout, labelSmoothing, tieEmbeddings, maxSourceWords }>.
    pub fn describe(&self) -> Promise {
        let (training, place) = live!(self.training, "seq2seq.describe");
        queued(place, async move {
            let t = training.read("seq2seq.describe")?;
            let (backend, backend_reason) = training.backend();
            to_js(&Description {
                step: t.step(),
                backend,
                backend_reason,
                parameters: t.model.params.len(),
                layers: t.cfg.layers,
                d_model: t.cfg.d_model,
                heads: t.cfg.heads,
                d_ff: t.cfg.d_ff,
                train_pairs: t.data.train.len(),
                valid_pairs: t.data.valid.len(),
                test_pairs: t.data.test.len(),
                source_vocabulary: t.source_vocab.len(),
                target_vocabulary: t.target_vocab.len(),
                dropout: t.cfg.dropout,
                label_smoothing: t.cfg.label_smoothing,
                tie_embeddings: t.cfg.tie_output_embedding,
                max_source_words: t.cfg.max_source,
            })
        })
    }

    /// The model as checkpoint bytes → Promise<Uint8Array> (safetensors:
    /// parameters, configuration, vocabularies; see `checkpoint`).
    pub fn save(&self) -> Promise {
        let (training, place) = live!(self.training, "seq2seq.save");
        queued(place, async move {
            // Copy the parameters out first: the borrow must not outlive the GPU readback.
            let model = training.read("seq2seq")?.model.clone();
            let values = model.params.values.to_host(&model.device).await?;
            let bytes = {
                let t = training.read("seq2seq")?;
                save_translator(&t.cfg, t.step(), &t.source_vocab, &t.target_vocab, &t.model.params, &values)?
            };
            Ok(js_sys::Uint8Array::from(bytes.as_slice()).into())
        })
    }

    /// Exact match (%) and BLEU on "train", "valid" or "test"; options
    /// { offset, limit } score a slice → Promise<{ exactMatch, bleu,
    /// sentences, sources, hypotheses, references }> (the last three: one
    /// string per sentence, words separated by spaces, so that slices can be
    /// scored one at a time and BLEU taken over all with `glassformer.bleu`).
    pub fn evaluate(&self, split: String, options_object: JsValue) -> Promise {
        let (training, place) = live!(self.training, "seq2seq.evaluate");
        let opts = options::<EvaluateOptions>("seq2seq.evaluate", options_object);
        queued(place, async move {
            let opts = opts?;
            let (offset, limit) = (opts.offset.unwrap_or(0), opts.limit.unwrap_or(usize::MAX));
            let cpu = cpu_model(&training).await?;
            // The sentences to score: which split, from where, how many.
            let count = {
                let t = training.read("seq2seq")?;
                let total = split_of(&t, &split)?.len();
                if offset >= total {
                    return Err(js_error(invalid(
                        "seq2seq.evaluate",
                        format!("offset {offset} is past the end of the {split} split ({total} sentences)."),
                    )));
                }
                limit.min(total - offset)
            };
            // Decoded a slice at a time, yielding to the page between slices: a whole split
            // takes seconds, and the page must keep answering meanwhile.
            let mut hypotheses = Vec::with_capacity(count);
            for start in (offset..offset + count).step_by(EVALUATION_SLICE) {
                {
                    let t = training.read("seq2seq")?;
                    let end = (start + EVALUATION_SLICE).min(offset + count);
                    hypotheses.extend(t.evaluate_with(&cpu, &split_of(&t, &split)?[start..end], usize::MAX)?.hypotheses);
                }
                yield_to_event_loop().await;
            }
            let t = training.read("seq2seq")?;
            let scored = &split_of(&t, &split)?[offset..offset + count];
            let references: Vec<Vec<String>> = scored.iter().map(|p| p.french.clone()).collect();
            let exact = hypotheses.iter().zip(&references).filter(|(h, r)| h == r).count();
            let lines =
                |sentences: &mut dyn Iterator<Item = &Vec<String>>| -> Vec<String> { sentences.map(|words| words.join(" ")).collect() };
            to_js(&EvaluateResult {
                exact_match: 100.0 * exact as f64 / count.max(1) as f64,
                bleu: corpus_bleu(&hypotheses, &references)?.score,
                sentences: count,
                sources: lines(&mut scored.iter().map(|p| &p.english)),
                hypotheses: lines(&mut hypotheses.iter()),
                references: lines(&mut references.iter()),
            })
        })
    }

    /// Translation → Promise<{ text, sourceTokens, targetTokens, crossAttention }>;
    /// options: { beam } (width, 1–16; 1, the default, is greedy decoding).
    /// crossAttention: one { data, shape: [heads, target, source] } per decoder layer.
    pub fn translate(&self, text: String, options_object: JsValue) -> Promise {
        let (training, place) = live!(self.training, "seq2seq.translate");
        let opts = options::<TranslateOptions>("seq2seq.translate", options_object);
        queued(place, async move {
            let width = opts?.beam.unwrap_or(1);
            let words = tokenize(&text);
            let max_source = training.read("seq2seq")?.cfg.max_source;
            check_source("seq2seq.translate", &words, max_source)?;
            let cpu = cpu_model(&training).await?;
            let t = training.read("seq2seq")?;
            let source = t.source_vocab.encode(&words);
            let translation = beam(&cpu, &source, width, t.cfg.max_target)?;
            let (heads, rows) = (t.cfg.heads, translation.tokens.len());
            to_js(&TranslateResult {
                text: t.target_vocab.decode(&translation.tokens).join(" "),
                // Unknown words are shown as <unk>, as the model saw them.
                source_tokens: source.iter().map(|&id| t.source_vocab.word(id)).collect(),
                target_tokens: translation.tokens.iter().map(|&id| t.target_vocab.word(id)).collect(),
                cross_attention: translation
                    .cross_attention
                    .iter()
                    .map(|w| js_tensor(w, &[heads, rows, source.len()])) // (NH, T, S)
                    .collect(),
            })
        })
    }
}

#[wasm_bindgen]
impl Seq2seqModel {
    /// Free the model now, GPU buffers included (calls already running
    /// finish first). A model the page drops is freed anyway when the
    /// garbage collector collects it; later calls on it throw.
    pub fn dispose(&mut self) {
        self.training.dispose();
    }
}

/// Sentences `evaluate` decodes between two yields to the page (a few tens of milliseconds).
const EVALUATION_SLICE: usize = 16;

/// The split named `name` of the translator's data.
fn split_of<'a>(t: &'a Translator, name: &str) -> std::result::Result<&'a [SentencePair], JsValue> {
    match name {
        "train" => Ok(&t.data.train),
        "valid" => Ok(&t.data.valid),
        "test" => Ok(&t.data.test),
        other => Err(js_error(invalid(
            "seq2seq.evaluate",
            format!("unknown split {other:?}; use \"train\", \"valid\" or \"test\"."),
        ))),
    }
}

/// The model on the CPU, for decoding (a copy; the borrow ends before the GPU readback is awaited).
async fn cpu_model(training: &Training<Translator>) -> std::result::Result<crate::models::seq2seq::Seq2Seq, JsValue> {
    training.recover("seq2seq")?;
    let model = training.read("seq2seq")?.model.clone();
    model.cpu_copy().await.map_err(js_error)
}

/// Text to translate must have words, and not more than the model takes.
fn check_source(op: &'static str, words: &[String], max_source: usize) -> Result<()> {
    if words.is_empty() {
        return Err(invalid(op, "the text is empty; type an English sentence."));
    }
    if words.len() > max_source {
        return Err(invalid(
            op,
            format!(
                "the text has {} words; this translator takes at most {max_source} (its maxSourceWords).",
                words.len()
            ),
        ));
    }
    Ok(())
}
