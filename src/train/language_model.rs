//! Training the GPT on text: character tokens, random windows, AdamW on a
//! warm-up + cosine schedule, and the validation loss (mean cross-entropy in
//! nats per character on held-out text, the figure language models are
//! compared by).
//!
//! Each step draws `batch_size` windows of `context` characters from the
//! training split (a seeded generator: the same seed, the same run) and runs
//! forward, backward and one AdamW update.

use std::rc::Rc;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::{invalid, Result};
use crate::models::gpt::{Gpt, GptConfig};
use crate::models::tiny_lm::TinyLmActs;
use crate::nn::params::Params;
use crate::ops::adamw::AdamWConfig;
use crate::train::chars::{random_windows, CharVocab, TextSplits};
use crate::train::lm_vocab::LmVocab;
use crate::train::optimizer::AdamW;
use crate::train::schedule::CosineSchedule;
use crate::train::trainer::Trainer;

/// Everything that decides a training run (the vocabulary comes from the text).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LanguageModelConfig {
    pub context: usize,
    pub layers: usize,
    pub d_model: usize,
    pub heads: usize,
    pub batch_size: usize,
    pub peak_lr: f32,
    pub warmup: u32,
    /// Steps over which the learning rate decays (training may go on after, at the floor).
    pub decay_steps: u32,
    pub weight_decay: f32,
    /// The last fraction of the text, kept for validation.
    pub valid_fraction: f64,
    pub seed: u64,
}

impl Default for LanguageModelConfig {
    fn default() -> Self {
        LanguageModelConfig {
            context: 128,
            layers: 4,
            d_model: 192,
            heads: 6,
            batch_size: 24,
            peak_lr: 2e-3,
            warmup: 200,
            decay_steps: 6000,
            weight_decay: 0.05,
            valid_fraction: 0.1,
            seed: 1,
        }
    }
}

/// A GPT being trained on a text.
pub struct LanguageModelTrainer {
    pub cfg: LanguageModelConfig,
    pub vocab: LmVocab,
    pub splits: TextSplits,
    /// The model, shared copy-on-write: text generation reads it through a
    /// second handle without copying the weights (500 MB for GPT-2 small),
    /// and a training step copies them only if such a reader still holds them.
    pub gpt: Rc<Gpt>,
    pub opt: AdamW,
    pub schedule: CosineSchedule,
    rng: ChaCha8Rng,
}

impl LanguageModelTrainer {
    /// A fresh model for `text`, whose characters become the vocabulary.
    pub fn new(text: &str, cfg: LanguageModelConfig, device: &Device) -> Result<LanguageModelTrainer> {
        Self::with_vocab(text, CharVocab::build(text), cfg, device)
    }

    /// The same with a given vocabulary (every character of `text` must be in it).
    pub fn with_vocab(text: &str, vocab: CharVocab, cfg: LanguageModelConfig, device: &Device) -> Result<LanguageModelTrainer> {
        if cfg.batch_size == 0 || cfg.context == 0 {
            return Err(invalid("gpt training", "batch_size and context must be at least 1."));
        }
        let splits = TextSplits::new(vocab.encode(text)?, cfg.valid_fraction);
        if splits.valid.len() <= cfg.context || splits.train.len() <= cfg.context {
            return Err(invalid(
                "gpt training",
                format!(
                    "the text is too short: both splits need more than context = {} characters.",
                    cfg.context
                ),
            ));
        }
        let model_cfg = GptConfig {
            vocab: vocab.len(),
            context: cfg.context,
            layers: cfg.layers,
            d_model: cfg.d_model,
            heads: cfg.heads,
        };
        let gpt = Gpt::new(model_cfg, cfg.seed, device)?;
        let opt = optimizer(&cfg, &gpt, device);
        let schedule = CosineSchedule {
            peak: cfg.peak_lr,
            floor: cfg.peak_lr / 10.0,
            warmup: cfg.warmup,
            total: cfg.decay_steps,
        };
        Ok(LanguageModelTrainer {
            cfg,
            vocab: LmVocab::Chars(vocab),
            splits,
            gpt: Rc::new(gpt),
            opt,
            schedule,
            rng: ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x6e7),
        })
    }

    /// Go on from what a checkpoint holds (see `checkpoint::load_gpt`, or a
    /// GPT-2 from `checkpoint::hf` with its BPE): a model on the CPU (moved
    /// to `device`), its vocabulary and step count, training on `text` if
    /// given (it must use only tokens the vocabulary has),
    /// at a constant tenth of `cfg.peak_lr`.
    /// Without text the model can sample but not train.
    pub fn resume(
        text: Option<&str>,
        gpt: Gpt,
        vocab: LmVocab,
        step: u32,
        cfg: LanguageModelConfig,
        device: &Device,
    ) -> Result<LanguageModelTrainer> {
        let model = gpt.cfg;
        let cfg = LanguageModelConfig {
            context: model.context,
            layers: model.layers,
            d_model: model.d_model,
            heads: model.heads,
            ..cfg
        };
        let splits = match text {
            Some(text) => TextSplits::new(vocab.encode(text)?, cfg.valid_fraction),
            None => TextSplits {
                train: Vec::new(),
                valid: Vec::new(),
            },
        };
        let mut gpt = gpt;
        if gpt.lm.device != *device {
            let values = gpt.lm.params.values.host()?.to_vec();
            gpt.lm.move_to(device, values)?;
        }
        let mut opt = optimizer(&cfg, &gpt, device);
        opt.step = step;
        // Go on at the schedule's final rate, a tenth of the peak: AdamW's
        // moments start again from zero, and a large rate would first undo
        // some of what the model learned.
        let schedule = CosineSchedule {
            peak: cfg.peak_lr / 10.0,
            floor: cfg.peak_lr / 10.0,
            warmup: 0,
            total: 1,
        };
        Ok(LanguageModelTrainer {
            cfg,
            vocab,
            splits,
            gpt: Rc::new(gpt),
            opt,
            schedule,
            rng: ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x6e7 ^ u64::from(step)),
        })
    }

    pub fn step(&self) -> u32 {
        self.opt.step
    }

    /// Whether there is text to train on (a checkpoint loaded without its corpus has none).
    pub fn has_text(&self) -> bool {
        self.splits.train.len() > self.cfg.context && self.splits.valid.len() > self.cfg.context
    }

    fn check_text(&self) -> Result<()> {
        if !self.has_text() {
            return Err(invalid(
                "language_model",
                format!(
                    "this model has no text to train on (or too little: each split needs more than {} characters); give it the corpus when loading.",
                    self.cfg.context
                ),
            ));
        }
        Ok(())
    }

    /// One step on random training windows; returns the buffers (read the loss with `gpt.lm.loss`).
    pub fn train_step(&mut self) -> Result<TinyLmActs> {
        self.check_text()?;
        let (b, t) = (self.cfg.batch_size, self.cfg.context);
        let (inputs, targets) = random_windows(&self.splits.train, b, t, &mut self.rng)?;
        let lm = &mut Rc::make_mut(&mut self.gpt).lm;
        let dev = lm.device.clone();
        let mut acts = lm.acts(b, t);
        lm.forward(&mut acts, &inputs, &targets)?;
        lm.params.zero_grads(&dev)?;
        lm.backward(&acts, &inputs, &targets)?;
        self.opt.cfg.lr = self.schedule.lr(self.opt.step + 1);
        self.opt.update(&dev, &mut lm.params)?;
        Ok(acts)
    }

    /// Mean loss over `batches` batches of validation windows, always the same
    /// windows (their own fixed seed), so that figures compare across steps.
    /// The model must be on the CPU (or call it on a CPU copy).
    pub fn valid_loss(&self, gpt: &Gpt, batches: usize) -> Result<f32> {
        self.check_text()?;
        let (b, t) = (self.cfg.batch_size, self.cfg.context);
        let mut rng = ChaCha8Rng::seed_from_u64(0x7a11d);
        let mut acts = gpt.lm.acts(b, t);
        let mut total = 0.0f64;
        for _ in 0..batches.max(1) {
            let (inputs, targets) = random_windows(&self.splits.valid, b, t, &mut rng)?;
            gpt.lm.forward(&mut acts, &inputs, &targets)?;
            total += acts.loss.host()?[0] as f64;
        }
        Ok((total / batches.max(1) as f64) as f32)
    }
}

/// AdamW for `gpt` as this trainer uses it (β₂ = 0.99, the config's weight decay).
fn optimizer(cfg: &LanguageModelConfig, gpt: &Gpt, device: &Device) -> AdamW {
    let adamw = AdamWConfig {
        lr: cfg.peak_lr,
        beta2: 0.99,
        weight_decay: cfg.weight_decay,
        ..AdamWConfig::default()
    };
    AdamW::new(adamw, &gpt.lm.params, device)
}

impl Trainer for LanguageModelTrainer {
    type Step = TinyLmActs;
    type DataPosition = ChaCha8Rng;

    fn data_position(&self) -> ChaCha8Rng {
        self.rng.clone()
    }

    fn set_data_position(&mut self, rng: ChaCha8Rng) {
        self.rng = rng;
    }

    fn device(&self) -> Device {
        self.gpt.lm.device.clone()
    }

    fn step(&self) -> u32 {
        self.opt.step
    }

    fn train_step(&mut self) -> Result<TinyLmActs> {
        LanguageModelTrainer::train_step(self)
    }

    fn tokens(acts: &TinyLmActs) -> usize {
        acts.b * acts.t
    }

    fn losses(acts: &TinyLmActs) -> Vec<Tensor> {
        vec![acts.loss.clone()]
    }

    fn params(&self) -> &Params {
        &self.gpt.lm.params
    }

    fn optimizer(&self) -> &AdamW {
        &self.opt
    }

    fn optimizer_mut(&mut self) -> &mut AdamW {
        &mut self.opt
    }

    fn place_model(&mut self, device: &Device, values: Vec<f32>) -> Result<()> {
        Rc::make_mut(&mut self.gpt).lm.move_to(device, values)
    }
}
