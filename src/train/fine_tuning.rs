//! Fine-tuning: a `[CLS]` classifier on labelled sentences, starting either
//! from a pre-trained BERT's encoder or from random weights.
//!
//! Both start the same way — [`Bert::fine_tune_copy`] puts a fresh
//! classifier on an encoder — and differ only in the encoder's weights. With
//! a few dozen labelled sentences, the pre-trained encoder already places
//! "stale" near "sour" and "fresh" near "tasty", so the classifier also gets
//! right the opinion words the labelled set never showed it; the random one
//! can only memorise the words it was shown.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::{invalid, Result};
use crate::models::bert::{Bert, BertActs, BertBatch};
use crate::nn::params::Params;
use crate::ops::adamw::AdamWConfig;
use crate::train::masked_lm::sentence_batch;
use crate::train::optimizer::AdamW;
use crate::train::trainer::Trainer;
use crate::train::wordpiece::WordPiece;

/// A labelled sentence, tokenized.
#[derive(Debug, Clone, PartialEq)]
pub struct Labelled {
    pub ids: Vec<u32>,
    pub label: u32,
}

/// Tokenize `(text, label)` pairs, checking lengths and labels.
pub fn labelled(vocab: &WordPiece, examples: &[(String, u32)], classes: usize, max_len: usize) -> Result<Vec<Labelled>> {
    const OP: &str = "fine_tune";
    if examples.is_empty() {
        return Err(invalid(OP, "no examples: give at least one { text, label }."));
    }
    examples
        .iter()
        .enumerate()
        .map(|(i, (text, label))| {
            let ids = vocab.encode(text);
            if ids.is_empty() {
                return Err(invalid(OP, format!("example {i} has no text.")));
            }
            if ids.len() + 2 > max_len {
                return Err(invalid(
                    OP,
                    format!(
                        "example {i} is {} tokens with [CLS] and [SEP], more than the model's {max_len}; shorten it.",
                        ids.len() + 2
                    ),
                ));
            }
            if *label as usize >= classes {
                return Err(invalid(
                    OP,
                    format!("example {i} has label {label}; labels go from 0 to {}.", classes - 1),
                ));
            }
            Ok(Labelled { ids, label: *label })
        })
        .collect()
}

/// A classifier being fine-tuned.
pub struct FineTuner {
    pub bert: Bert,
    pub opt: AdamW,
    pub from_scratch: bool,
    /// What it trains on (see [`FineTuner::set_examples`]).
    data: Option<Examples>,
    rng: ChaCha8Rng,
}

/// The labelled sentences, their vocabulary, and where the shuffled epoch is.
struct Examples {
    vocab: WordPiece,
    examples: Vec<Labelled>,
    batch_size: usize,
    order: Vec<usize>,
    cursor: usize,
}

impl FineTuner {
    /// A classifier with `classes` labels on `pretrained`'s encoder (its host
    /// `values`), or, `from_scratch`, on a freshly initialised encoder of the
    /// same shape. AdamW at `lr`, constant.
    pub fn new(
        pretrained: &Bert,
        values: &[f32],
        classes: usize,
        from_scratch: bool,
        lr: f32,
        seed: u64,
        device: &Device,
    ) -> Result<FineTuner> {
        let bert = if from_scratch {
            let fresh = Bert::new(pretrained.cfg, seed ^ 0x5c7a, &Device::Cpu)?;
            let fresh_values = fresh.params.values.host()?.to_vec();
            fresh.fine_tune_copy(&fresh_values, classes, seed, device)?
        } else {
            pretrained.fine_tune_copy(values, classes, seed, device)?
        };
        let adamw = AdamWConfig {
            lr,
            weight_decay: 0.01,
            ..AdamWConfig::default()
        };
        let opt = AdamW::new(adamw, &bert.params, device);
        Ok(FineTuner {
            bert,
            opt,
            from_scratch,
            data: None,
            rng: ChaCha8Rng::seed_from_u64(seed),
        })
    }

    /// Train from now on on `examples`, `batch_size` at a time, in shuffled epochs.
    pub fn set_examples(&mut self, vocab: &WordPiece, examples: Vec<Labelled>, batch_size: usize) -> Result<()> {
        if examples.is_empty() || batch_size == 0 {
            return Err(invalid("fine_tune", "give at least one example and a batch size of at least 1."));
        }
        self.data = Some(Examples {
            vocab: vocab.clone(),
            order: (0..examples.len()).collect(),
            cursor: examples.len(), // shuffle before the first batch
            examples,
            batch_size,
        });
        Ok(())
    }

    /// One step on the next batch of the examples (see [`FineTuner::set_examples`]).
    pub fn train_step(&mut self) -> Result<(BertBatch, BertActs)> {
        let data = self
            .data
            .as_mut()
            .ok_or_else(|| invalid("fine_tune", "no examples to train on: give some first."))?;
        let mut picked = Vec::with_capacity(data.batch_size);
        while picked.len() < data.batch_size.min(data.examples.len()) {
            if data.cursor == data.order.len() {
                data.order.shuffle(&mut self.rng);
                data.cursor = 0;
            }
            picked.push(&data.examples[data.order[data.cursor]]);
            data.cursor += 1;
        }
        let texts: Vec<Vec<u32>> = picked.iter().map(|e| e.ids.clone()).collect();
        let labels: Vec<i32> = picked.iter().map(|e| e.label as i32).collect();
        let batch = classifier_batch(&data.vocab, &texts, &labels);
        let dev = self.bert.device.clone();
        let mut acts = self.bert.acts(&batch);
        self.bert.forward(&mut acts, &batch)?;
        self.bert.params.zero_grads(&dev)?;
        self.bert.backward(&acts, &batch)?;
        self.opt.update(&dev, &mut self.bert.params)?;
        Ok((batch, acts))
    }

    /// `steps` steps on shuffled batches of `examples`; returns the mean loss of the last step.
    pub async fn train(&mut self, vocab: &WordPiece, examples: &[Labelled], steps: usize, batch_size: usize) -> Result<f32> {
        self.set_examples(vocab, examples.to_vec(), batch_size)?;
        let mut loss = f32::NAN;
        for _ in 0..steps {
            let (_, acts) = self.train_step()?;
            loss = self.bert.losses(&acts).await?.1;
        }
        Ok(loss)
    }
}

impl Trainer for FineTuner {
    type Step = (BertBatch, BertActs);
    /// The random stream, and where the shuffled epoch of the examples is.
    type DataPosition = (ChaCha8Rng, Option<(Vec<usize>, usize)>);

    fn data_position(&self) -> Self::DataPosition {
        (self.rng.clone(), self.data.as_ref().map(|d| (d.order.clone(), d.cursor)))
    }

    fn set_data_position(&mut self, (rng, epoch): Self::DataPosition) {
        self.rng = rng;
        if let (Some(data), Some((order, cursor))) = (self.data.as_mut(), epoch) {
            if order.len() == data.order.len() {
                (data.order, data.cursor) = (order, cursor);
            }
        }
    }

    fn device(&self) -> Device {
        self.bert.device.clone()
    }

    fn step(&self) -> u32 {
        self.opt.step
    }

    fn train_step(&mut self) -> Result<Self::Step> {
        FineTuner::train_step(self)
    }

    fn tokens((batch, _): &Self::Step) -> usize {
        batch.lengths.iter().sum()
    }

    /// The classifier's loss.
    fn losses((_, acts): &Self::Step) -> Vec<Tensor> {
        vec![acts.cls_loss.clone()]
    }

    fn params(&self) -> &Params {
        &self.bert.params
    }

    fn optimizer(&self) -> &AdamW {
        &self.opt
    }

    fn optimizer_mut(&mut self) -> &mut AdamW {
        &mut self.opt
    }

    fn place_model(&mut self, device: &Device, values: Vec<f32>) -> Result<()> {
        self.bert.move_to(device, values)
    }
}

/// `[CLS] text [SEP]` sentences for the classifier alone: a `[MASK]` typed in
/// a sentence is read as a token, not sent to a masked-LM head (a
/// fine-tuned model has none).
fn classifier_batch(vocab: &WordPiece, texts: &[Vec<u32>], labels: &[i32]) -> BertBatch {
    let mut batch = sentence_batch(vocab, texts, labels);
    batch.mlm_rows.clear();
    batch.mlm_targets.clear();
    batch
}

/// Class probabilities `(classes)` for each of `texts`, from a CPU classifier.
pub fn classify(bert: &Bert, vocab: &WordPiece, texts: &[Vec<u32>]) -> Result<Vec<Vec<f32>>> {
    let mut out = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(32) {
        let labels = vec![crate::ops::cross_entropy::IGNORE_INDEX; chunk.len()];
        let batch = classifier_batch(vocab, chunk, &labels);
        let mut acts = bert.acts(&batch);
        bert.forward(&mut acts, &batch)?;
        out.extend(acts.cls_probs.host()?.chunks_exact(bert.cfg.classes).map(|p| p.to_vec()));
    }
    Ok(out)
}

/// The share of `examples` whose most probable class is their label (CPU classifier).
pub fn accuracy(bert: &Bert, vocab: &WordPiece, examples: &[Labelled]) -> Result<f32> {
    let texts: Vec<Vec<u32>> = examples.iter().map(|e| e.ids.clone()).collect();
    let probs = classify(bert, vocab, &texts)?;
    let right = probs
        .iter()
        .zip(examples)
        .filter(|(p, e)| p.iter().enumerate().fold(0, |best, (i, &x)| if x > p[best] { i } else { best }) == e.label as usize)
        .count();
    Ok(right as f32 / examples.len().max(1) as f32)
}
