//! BERT's second stage in JS: `bert.fineTune(examples, options)` trains a
//! `[CLS]` classifier on labelled sentences (from the pre-trained encoder,
//! or from a random one to compare), `bert.classify(text)` uses it, and
//! `bertOpinionExamples` gives labelled sentences to try it on.

use js_sys::Promise;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::web::memory::live;
use crate::web::queue::queued;

use super::{busy, check_text, cpu_bert, BertModel, MAX_STEPS};
use crate::device::Device;
use crate::error::{invalid, Result};
use crate::train::errands::{opinions, OPINION_LABELS};
use crate::train::fine_tuning::{accuracy, classify, labelled, FineTuner};
use crate::train::footprint::Footprint;
use crate::train::pretraining::PretrainingConfig;
use crate::web::convert::{js_error, js_tensor, options, to_js, Js};

/// A labelled sentence, `{ text, label }`, in and out.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Example {
    text: String,
    label: u32,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FineTuneOptions {
    steps: Option<usize>,
    /// Labels 0 .. classes−1 (default: 1 + the largest label given).
    classes: Option<usize>,
    /// Start from a random encoder instead of the pre-trained one.
    from_scratch: Option<bool>,
    /// Throw away the classifier trained so far and start again.
    restart: Option<bool>,
    lr: Option<f32>,
    batch_size: Option<usize>,
    seed: Option<u64>,
    /// Sentences to measure accuracy on (default: the training examples).
    evaluate_on: Option<Vec<Example>>,
}

/// `bertOpinionExamples` → labelled sentences and the labels' names.
#[derive(Serialize)]
struct Opinions {
    examples: Vec<Example>,
    labels: Vec<&'static str>,
}

/// `fineTune` → { step, loss, accuracy }.
#[derive(Serialize)]
struct FineTuned {
    step: u32,
    loss: f32,
    accuracy: f32,
}

/// `classify` → the most probable label and every label's probability.
#[derive(Serialize)]
struct Classified {
    label: usize,
    probabilities: Js,
}

/// Options of `bertOpinionExamples`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OpinionOptions {
    /// 0: sentences with the training opinion words; 1: with the held-out ones.
    split: usize,
    count: usize,
    #[serde(default)]
    seed: u64,
}

/// Labelled opinion sentences from the errands corpus,
/// `bertOpinionExamples({ split, count, seed })` → { examples: [{ text, label }],
/// labels }, label 1 = good, 0 = bad; `split` 0 uses the training opinion
/// words, 1 the held-out ones.
#[wasm_bindgen(js_name = bertOpinionExamples)]
pub fn bert_opinion_examples(options_object: JsValue) -> std::result::Result<JsValue, JsValue> {
    let OpinionOptions { split, count, seed } = options("bertOpinionExamples", options_object)?;
    if split > 1 || count == 0 || count > 10_000 {
        return Err(js_error(invalid(
            "bertOpinionExamples",
            "split is 0 or 1, and count between 1 and 10000.",
        )));
    }
    to_js(&Opinions {
        examples: opinions(seed, count, split)
            .into_iter()
            .map(|e| Example {
                text: e.text,
                label: e.label,
            })
            .collect(),
        labels: OPINION_LABELS.to_vec(),
    })
}

#[wasm_bindgen]
impl BertModel {
    /// Fine-tune a [CLS] classifier on `examples` ([{ text, label }]) →
    /// Promise<{ step, loss, accuracy }> (accuracy on `evaluateOn`, or on the
    /// examples). Options: steps (default 20), classes (default: 1 + the
    /// largest label), fromScratch, restart, lr (3e-4), batchSize (16), seed,
    /// evaluateOn. The first call (or `restart`, or a change of classes or
    /// of fromScratch) makes the classifier; later calls go on training it.
    #[wasm_bindgen(js_name = fineTune)]
    pub fn fine_tune(&self, examples: JsValue, options_object: JsValue) -> Promise {
        let (state, place) = live!(self.state, "bert.fineTune");
        let examples: Result<Vec<Example>> = options("bert.fineTune", examples);
        let opts = options::<FineTuneOptions>("bert.fineTune", options_object);
        queued(place, async move {
            let (examples, opts) = (examples?, opts?);
            let steps = opts.steps.unwrap_or(20);
            if !(1..=MAX_STEPS as usize).contains(&steps) {
                return Err(js_error(invalid(
                    "bert.fineTune",
                    format!("steps must be between 1 and {MAX_STEPS}."),
                )));
            }
            let classes = opts
                .classes
                .unwrap_or_else(|| examples.iter().map(|e| e.label as usize + 1).max().unwrap_or(2).max(2));
            if !(2..=1000).contains(&classes) {
                return Err(js_error(invalid(
                    "bert.fineTune",
                    format!("classes {classes}: a classifier needs from 2 to 1000 labels."),
                )));
            }
            let pairs: Vec<(String, u32)> = examples.into_iter().map(|e| (e.text, e.label)).collect();
            state.pre.recover("bert.fineTune")?;
            let (pretrained, device, max_len, vocab) = {
                let s = state.pre.read("bert.fineTune")?;
                (s.bert.clone(), s.bert.device.clone(), s.bert.cfg.max_len, s.vocab.clone())
            };
            // The classifier is a copy of the encoder, trained at this batch size.
            let batch_size = opts.batch_size.unwrap_or(16).max(1);
            let cfg = pretrained.cfg;
            let copy = PretrainingConfig {
                layers: cfg.layers,
                d_model: cfg.c,
                heads: cfg.heads,
                max_len,
                batch_size,
                documents: 0,
                vocab_size: vocab.len(),
                ..PretrainingConfig::default()
            };
            let train_set = labelled(&vocab, &pairs, classes, max_len)?;
            let eval_set = match &opts.evaluate_on {
                Some(list) => {
                    let pairs: Vec<(String, u32)> = list.iter().map(|e| (e.text.clone(), e.label)).collect();
                    labelled(&vocab, &pairs, classes, max_len)?
                }
                None => train_set.clone(),
            };
            let needs_new = match &*state.fine.try_borrow().map_err(|_| busy("bert.fineTune"))? {
                Some(fine) => {
                    let f = fine.read("bert.fineTune")?;
                    opts.restart.unwrap_or(false) || f.bert.cfg.classes != classes || f.from_scratch != opts.from_scratch.unwrap_or(false)
                }
                None => true,
            };
            // A classifier already made is in memory already: then only its activations at this batch size are new.
            let mut need = Footprint::bert(&copy);
            if !needs_new {
                need.parts.retain(|(what, _)| *what == "activations");
            }
            state.pre.check_budget("bert.fineTune", &need, "Use a smaller batchSize")?;
            if needs_new {
                let values = pretrained.params.values.to_host(&device).await?;
                let lr = opts.lr.unwrap_or(3e-4);
                let tuner = FineTuner::new(
                    &pretrained,
                    &values,
                    classes,
                    opts.from_scratch.unwrap_or(false),
                    lr,
                    opts.seed.unwrap_or(1),
                    &Device::Cpu,
                )?;
                *state.fine.try_borrow_mut().map_err(|_| busy("bert.fineTune"))? = Some(state.pre.alongside(tuner)?);
            }
            let fine = state
                .fine
                .try_borrow()
                .map_err(|_| busy("bert.fineTune"))?
                .clone()
                .ok_or_else(|| busy("bert.fineTune"))?;
            fine.trainer()
                .try_borrow_mut()
                .map_err(|_| busy("bert.fineTune"))?
                .set_examples(&vocab, train_set, batch_size)?;
            let trained = fine.train(steps as u32, "bert.fineTune").await?;
            let (bert, step) = {
                let f = fine.read("bert.fineTune")?;
                (f.bert.clone(), f.opt.step)
            };
            let (loss, classifier) = (trained.losses[0], cpu_bert(&bert).await?);
            to_js(&FineTuned {
                step,
                loss,
                accuracy: accuracy(&classifier, &vocab, &eval_set)?,
            })
        })
    }

    /// Classify `text` with the fine-tuned classifier → Promise<{ label, probabilities: { data, shape: [classes] } }>.
    pub fn classify(&self, text: String) -> Promise {
        let (state, place) = live!(self.state, "bert.classify");
        queued(place, async move {
            let (bert, vocab) = {
                let fine = state
                    .fine
                    .try_borrow()
                    .map_err(|_| busy("bert.classify"))?
                    .clone()
                    .ok_or_else(|| js_error(invalid("bert.classify", "no classifier yet: call fineTune(examples) first.")))?;
                fine.recover("bert.classify")?;
                let bert = fine.read("bert.classify")?.bert.clone();
                (bert, state.pre.read("bert")?.vocab.clone())
            };
            let bert = cpu_bert(&bert).await?;
            let ids = vocab.encode(&text);
            check_text("bert.classify", ids.len(), bert.cfg.max_len)?;
            let probs = classify(&bert, &vocab, &[ids])?.remove(0);
            let label = probs
                .iter()
                .enumerate()
                .fold(0, |best, (i, &p)| if p > probs[best] { i } else { best });
            to_js(&Classified {
                label,
                probabilities: js_tensor(&probs, &[probs.len()]), // (classes)
            })
        })
    }
}
