//! Training the translator: the data, its vocabularies, the model, AdamW on
//! the paper's schedule, and evaluation by exact match and BLEU.
//!
//! Each step draws `batch_size` training pairs (a seeded shuffle, epoch
//! after epoch), pads them into a [`Batch`], and runs forward, backward and
//! one AdamW update at the learning rate of [`InverseSqrtSchedule`].

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::{invalid, Result};
use crate::models::seq2seq::Seq2SeqActs;
use crate::models::seq2seq::{Batch, Regularization, Seq2Seq, Seq2SeqConfig};
use crate::models::translate::{greedy, Translation};
use crate::nn::block::{BlockConfig, NormPlacement};
use crate::nn::dropout::Dropout;
use crate::nn::feed_forward::Activation;
use crate::nn::params::Params;
use crate::ops::adamw::AdamWConfig;
use crate::train::bleu::{corpus_bleu, Bleu};
use crate::train::data::grammar::SentencePair;
use crate::train::data::{generate, DataConfig, Dataset};
use crate::train::optimizer::AdamW;
use crate::train::schedule::InverseSqrtSchedule;
use crate::train::tokenizer::Vocab;
use crate::train::trainer::{Snapshot, Trainer};

/// Everything that decides a training run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TranslatorConfig {
    pub data: DataConfig,
    pub layers: usize,
    pub d_model: usize,
    pub heads: usize,
    pub d_ff: usize,
    pub norm: NormPlacement,
    pub batch_size: usize,
    pub warmup: u32,
    pub lr_scale: f32,
    /// Dropout on the embeddings and every sub-layer output while training.
    pub dropout: f32,
    /// Label smoothing ε of the training loss.
    pub label_smoothing: f32,
    /// The output head reuses the French embedding table.
    pub tie_output_embedding: bool,
    /// Longest English sentence `translate` accepts, in words.
    pub max_source: usize,
    /// Longest translation decoding may produce.
    pub max_target: usize,
    pub seed: u64,
}

impl Default for TranslatorConfig {
    fn default() -> Self {
        TranslatorConfig {
            data: DataConfig::default(),
            // Measured natively (release, one thread): ≥ 95% exact match on the
            // validation split's first 200 sentences after 600 steps, about 20 s.
            layers: 2,
            d_model: 48,
            heads: 4,
            d_ff: 96,
            norm: NormPlacement::PreLn,
            batch_size: 32,
            warmup: 150,
            lr_scale: 0.4,
            // The paper's label smoothing, 0.1, reaches 95% sooner and holds
            // it more steadily; its dropout (0.1) and tied embeddings slow
            // this small model down (measured: BENCHMARKS.md), so they are off.
            dropout: 0.0,
            label_smoothing: 0.1,
            tie_output_embedding: false,
            max_source: 40,
            max_target: 24,
            seed: 1,
        }
    }
}

/// Exact match (percent of sentences translated word for word) and corpus BLEU.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub exact_match: f64,
    pub bleu: Bleu,
    pub sentences: usize,
    /// The model's translations, in the split's order (words).
    pub hypotheses: Vec<Vec<String>>,
}

/// A model being trained on the translation data.
pub struct Translator {
    pub cfg: TranslatorConfig,
    pub data: Dataset,
    pub source_vocab: Vocab,
    pub target_vocab: Vocab,
    pub model: Seq2Seq,
    pub opt: AdamW,
    pub schedule: InverseSqrtSchedule,
    rng: ChaCha8Rng,
    order: Vec<usize>,
    cursor: usize,
}

impl TranslatorConfig {
    /// Refuse settings no translator can train with.
    pub fn check(&self) -> Result<()> {
        if self.batch_size == 0 || self.max_source == 0 || self.max_target == 0 {
            return Err(invalid("translator", "batch_size, max_source and max_target must be at least 1."));
        }
        if !(0.0..1.0).contains(&self.dropout) || !(0.0..1.0).contains(&self.label_smoothing) {
            return Err(invalid(
                "translator",
                format!(
                    "dropout {} and label smoothing {} must be in [0, 1) (0.1 is the paper's; 0 turns them off).",
                    self.dropout, self.label_smoothing
                ),
            ));
        }
        Ok(())
    }

    /// The model's sizes for vocabularies of these sizes.
    pub fn model_config(&self, source_vocab: usize, target_vocab: usize) -> Seq2SeqConfig {
        Seq2SeqConfig {
            source_vocab,
            target_vocab,
            layers: self.layers,
            block: BlockConfig {
                c: self.d_model,
                heads: self.heads,
                ffn_hidden: self.d_ff,
                activation: Activation::Relu,
                norm: self.norm,
            },
            tie_output_embedding: self.tie_output_embedding,
        }
    }
}

impl Translator {
    /// A new, untrained translator: its data generated from `cfg.data`, its
    /// vocabularies built from the training split.
    pub fn new(cfg: TranslatorConfig, device: &Device) -> Result<Translator> {
        cfg.check()?;
        let data = generate(cfg.data);
        let (source_vocab, target_vocab) = vocabularies(&data);
        let model = Seq2Seq::new(cfg.model_config(source_vocab.len(), target_vocab.len()), cfg.seed, device)?;
        Ok(Translator::assemble(cfg, data, source_vocab, target_vocab, model, device))
    }

    /// Go on training, on `device`, from what a checkpoint holds (see
    /// `checkpoint::load_translator`): the model on the CPU, its
    /// configuration, step and vocabularies. The data generated again from
    /// the configuration must give those vocabularies (else the checkpoint
    /// was made by another version of the data, and ids would mean other
    /// words). AdamW's moments start at zero.
    pub fn resume(
        cfg: TranslatorConfig,
        step: u32,
        source_vocab: Vocab,
        target_vocab: Vocab,
        model: Seq2Seq,
        device: &Device,
    ) -> Result<Translator> {
        cfg.check()?;
        let data = generate(cfg.data);
        let (data_source, data_target) = vocabularies(&data);
        for (key, vocab, from_data) in [
            ("source_vocab", &source_vocab, data_source),
            ("target_vocab", &target_vocab, data_target),
        ] {
            if vocab.words() != from_data.words() {
                return Err(invalid(
                    "checkpoint",
                    format!("its {key} differs from the one its data configuration gives; it was made by another version."),
                ));
            }
        }
        let values = model.params.values.host()?.to_vec();
        let mut translator = Translator::assemble(cfg, data, source_vocab, target_vocab, model, &Device::Cpu);
        // AdamW's moments are not in a checkpoint: they start at zero.
        translator.restore(
            device,
            &Snapshot {
                step,
                values,
                ..Snapshot::default()
            },
        )?;
        Ok(translator)
    }

    fn assemble(
        cfg: TranslatorConfig,
        data: Dataset,
        source_vocab: Vocab,
        target_vocab: Vocab,
        model: Seq2Seq,
        device: &Device,
    ) -> Translator {
        let opt = AdamW::new(
            AdamWConfig {
                weight_decay: 0.0,
                beta2: 0.98,
                eps: 1e-9,
                ..AdamWConfig::default()
            },
            &model.params,
            device,
        );
        let schedule = InverseSqrtSchedule {
            d_model: cfg.d_model,
            warmup: cfg.warmup,
            scale: cfg.lr_scale,
        };
        let order = (0..data.train.len()).collect();
        Translator {
            cfg,
            data,
            source_vocab,
            target_vocab,
            model,
            opt,
            schedule,
            rng: ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x5eed),
            order,
            cursor: usize::MAX, // shuffle before the first batch
        }
    }

    /// The steps taken so far.
    pub fn step(&self) -> u32 {
        self.opt.step
    }

    /// The next training batch: the next `batch_size` pairs of a shuffled epoch.
    pub fn next_batch(&mut self) -> Result<Batch> {
        let mut ids = Vec::with_capacity(self.cfg.batch_size);
        while ids.len() < self.cfg.batch_size {
            if self.cursor >= self.order.len() {
                self.order.shuffle(&mut self.rng);
                self.cursor = 0;
            }
            let pair = &self.data.train[self.order[self.cursor]];
            ids.push((self.source_vocab.encode(&pair.english), self.target_vocab.encode(&pair.french)));
            self.cursor += 1;
        }
        Batch::new(&ids)
    }

    /// One step: forward, backward, AdamW at the scheduled rate. Returns the
    /// buffers, whose loss can be read with `model.loss`.
    pub fn train_step(&mut self) -> Result<Seq2SeqActs> {
        let batch = self.next_batch()?;
        let dev = self.model.device.clone();
        let mut acts = self.model.acts(batch.b, batch.s, batch.t);
        acts.regularization = Regularization {
            // A new dropout pattern every step.
            dropout: Dropout {
                p: self.cfg.dropout,
                seed: self.cfg.seed,
            }
            .site(u64::from(self.opt.step) << 16),
            label_smoothing: self.cfg.label_smoothing,
        };
        self.model.forward(&mut acts, &batch)?;
        self.model.params.zero_grads(&dev)?;
        self.model.backward(&acts, &batch)?;
        self.opt.cfg.lr = self.schedule.lr(self.opt.step + 1);
        self.opt.update(&dev, &mut self.model.params)?;
        Ok(acts)
    }

    /// Greedy translation of already-tokenised English (unknown words become `<unk>`).
    pub fn translate(&self, english: &[String]) -> Result<Translation> {
        greedy(&self.model, &self.source_vocab.encode(english), self.cfg.max_target)
    }

    /// Exact match and BLEU on (at most `limit` sentences of) a split.
    pub fn evaluate(&self, split: &[SentencePair], limit: usize) -> Result<Evaluation> {
        self.evaluate_with(&self.model, split, limit)
    }

    /// The same with `model` (a CPU copy of this one, when it trains on a GPU).
    pub fn evaluate_with(&self, model: &Seq2Seq, split: &[SentencePair], limit: usize) -> Result<Evaluation> {
        let pairs = &split[..split.len().min(limit)];
        let mut hypotheses = Vec::with_capacity(pairs.len());
        let mut exact = 0;
        for pair in pairs {
            let source = self.source_vocab.encode(&pair.english);
            let words = self.target_vocab.decode(&greedy(model, &source, self.cfg.max_target)?.tokens);
            exact += (words == pair.french) as usize;
            hypotheses.push(words);
        }
        let references: Vec<Vec<String>> = pairs.iter().map(|p| p.french.clone()).collect();
        Ok(Evaluation {
            exact_match: 100.0 * exact as f64 / pairs.len().max(1) as f64,
            bleu: corpus_bleu(&hypotheses, &references)?,
            sentences: pairs.len(),
            hypotheses,
        })
    }
}

impl Trainer for Translator {
    type Step = Seq2SeqActs;
    type DataPosition = (ChaCha8Rng, Vec<usize>, usize);

    fn data_position(&self) -> Self::DataPosition {
        (self.rng.clone(), self.order.clone(), self.cursor)
    }

    fn set_data_position(&mut self, (rng, order, cursor): Self::DataPosition) {
        (self.rng, self.order, self.cursor) = (rng, order, cursor);
    }

    fn device(&self) -> Device {
        self.model.device.clone()
    }

    fn step(&self) -> u32 {
        self.opt.step
    }

    fn train_step(&mut self) -> Result<Seq2SeqActs> {
        Translator::train_step(self)
    }

    /// Target tokens.
    fn tokens(acts: &Seq2SeqActs) -> usize {
        acts.b * acts.t
    }

    fn losses(acts: &Seq2SeqActs) -> Vec<Tensor> {
        vec![acts.loss.clone()]
    }

    fn params(&self) -> &Params {
        &self.model.params
    }

    fn optimizer(&self) -> &AdamW {
        &self.opt
    }

    fn optimizer_mut(&mut self) -> &mut AdamW {
        &mut self.opt
    }

    fn place_model(&mut self, device: &Device, values: Vec<f32>) -> Result<()> {
        self.model.params.move_to(device, values);
        self.model.device = device.clone();
        Ok(())
    }
}

/// The vocabularies of a data set: every English and every French token of
/// its training split, after the special ones.
fn vocabularies(data: &Dataset) -> (Vocab, Vocab) {
    (
        Vocab::build(data.train.iter().map(|p| p.english.as_slice())),
        Vocab::build(data.train.iter().map(|p| p.french.as_slice())),
    )
}
