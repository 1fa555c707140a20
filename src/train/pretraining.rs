//! Pre-training BERT on the errands corpus: masked-LM + next-sentence
//! prediction, AdamW on a warm-up + cosine schedule; held-out evaluation;
//! filling in `[MASK]`s.
//!
//! The vocabulary is trained on the training stories ([`WordPiece::train`]),
//! batches are drawn fresh every step ([`pretraining_batch`]: new pairs, new
//! masks), and the validation figures always use the same held-out batches,
//! so they compare across steps.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::{invalid, Result};
use crate::models::bert::{Bert, BertActs, BertBatch, BertConfig};
use crate::models::sampling::best_of;
use crate::nn::params::Params;
use crate::ops::adamw::AdamWConfig;
use crate::ops::cross_entropy::IGNORE_INDEX;
use crate::train::errands::Corpus;
use crate::train::masked_lm::{pretraining_batch, sentence_batch};
use crate::train::optimizer::AdamW;
use crate::train::schedule::CosineSchedule;
use crate::train::trainer::Trainer;
use crate::train::wordpiece::WordPiece;

/// Sizes, data and schedule of a pre-training run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PretrainingConfig {
    pub layers: usize,
    pub d_model: usize,
    pub heads: usize,
    /// The longest pair, specials included.
    pub max_len: usize,
    pub batch_size: usize,
    /// Stories generated (one in ten held out).
    pub documents: usize,
    /// WordPiece vocabulary size.
    pub vocab_size: usize,
    pub peak_lr: f32,
    pub warmup: u32,
    pub decay_steps: u32,
    pub weight_decay: f32,
    pub seed: u64,
}

impl Default for PretrainingConfig {
    fn default() -> Self {
        PretrainingConfig {
            layers: 4,
            d_model: 128,
            heads: 4,
            max_len: 48,
            batch_size: 32,
            documents: 20_000,
            vocab_size: 1000,
            peak_lr: 1e-3,
            warmup: 200,
            decay_steps: 3000,
            weight_decay: 0.01,
            seed: 1,
        }
    }
}

/// Held-out figures: masked-LM accuracy (top-1 over the chosen positions)
/// and loss, next-sentence accuracy and loss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    pub mlm_accuracy: f32,
    pub mlm_loss: f32,
    pub nsp_accuracy: f32,
    pub nsp_loss: f32,
}

/// One `[MASK]`'s best guesses: `(token, probability)`, most likely first.
pub type Guesses = Vec<(String, f32)>;

/// A BERT being pre-trained.
pub struct Pretrainer {
    pub cfg: PretrainingConfig,
    pub vocab: WordPiece,
    pub corpus: Corpus,
    pub bert: Bert,
    pub opt: AdamW,
    pub schedule: CosineSchedule,
    rng: ChaCha8Rng,
}

impl Pretrainer {
    /// Generate the corpus, train the vocabulary, make a fresh model.
    pub fn new(cfg: PretrainingConfig, device: &Device) -> Result<Pretrainer> {
        if cfg.batch_size == 0 || cfg.documents < 20 || cfg.max_len < 8 {
            return Err(invalid(
                "bert pre-training",
                "batch_size ≥ 1, documents ≥ 20 and max_len ≥ 8, please.",
            ));
        }
        let corpus = Corpus::generate(cfg.seed, cfg.documents);
        let vocab = WordPiece::train(corpus.train_sentences(), cfg.vocab_size);
        let model_cfg = BertConfig {
            vocab: vocab.len(),
            layers: cfg.layers,
            c: cfg.d_model,
            heads: cfg.heads,
            ffn_hidden: 4 * cfg.d_model,
            max_len: cfg.max_len,
            classes: 2,
            mlm_head: true,
            untied_decoder: false,
        };
        let bert = Bert::new(model_cfg, cfg.seed, device)?;
        Ok(Pretrainer::with_model(cfg, corpus, vocab, bert, device))
    }

    /// Go on from a model and vocabulary (a checkpoint), at a constant tenth
    /// of the peak rate. The model's sizes (layers, width, heads, longest
    /// input) are its own; `cfg` gives the rest (data, batches, rates).
    pub fn resume(cfg: PretrainingConfig, vocab: WordPiece, bert: Bert, step: u32, device: &Device) -> Pretrainer {
        let cfg = PretrainingConfig {
            layers: bert.cfg.layers,
            d_model: bert.cfg.c,
            heads: bert.cfg.heads,
            max_len: bert.cfg.max_len,
            ..cfg
        };
        let corpus = Corpus::generate(cfg.seed, cfg.documents);
        let mut trainer = Pretrainer::with_model(cfg, corpus, vocab, bert, device);
        trainer.opt.step = step;
        trainer.schedule = CosineSchedule {
            peak: cfg.peak_lr / 10.0,
            floor: cfg.peak_lr / 10.0,
            warmup: 0,
            total: 1,
        };
        trainer
    }

    fn with_model(cfg: PretrainingConfig, corpus: Corpus, vocab: WordPiece, bert: Bert, device: &Device) -> Pretrainer {
        let adamw = AdamWConfig {
            lr: cfg.peak_lr,
            beta2: 0.99,
            weight_decay: cfg.weight_decay,
            ..AdamWConfig::default()
        };
        let opt = AdamW::new(adamw, &bert.params, device);
        let schedule = CosineSchedule {
            peak: cfg.peak_lr,
            floor: cfg.peak_lr / 10.0,
            warmup: cfg.warmup,
            total: cfg.decay_steps,
        };
        Pretrainer {
            rng: ChaCha8Rng::seed_from_u64(cfg.seed ^ 0xbe27),
            cfg,
            vocab,
            corpus,
            bert,
            opt,
            schedule,
        }
    }

    /// Optimizer steps taken.
    pub fn step(&self) -> u32 {
        self.opt.step
    }

    /// One step on a fresh batch; returns the activations (read the losses with `bert.losses`).
    pub fn train_step(&mut self) -> Result<(BertBatch, BertActs)> {
        let batch = pretraining_batch(
            &self.corpus.train,
            &self.vocab,
            self.cfg.batch_size,
            self.cfg.max_len,
            &mut self.rng,
        );
        let dev = self.bert.device.clone();
        let mut acts = self.bert.acts(&batch);
        self.bert.forward(&mut acts, &batch)?;
        self.bert.params.zero_grads(&dev)?;
        self.bert.backward(&acts, &batch)?;
        self.opt.cfg.lr = self.schedule.lr(self.opt.step + 1);
        self.opt.update(&dev, &mut self.bert.params)?;
        Ok((batch, acts))
    }

    /// Held-out figures on `batches` fixed validation batches. `bert` must be on the CPU
    /// (this trainer's model or a CPU copy of it).
    pub fn evaluate(&self, bert: &Bert, batches: usize) -> Result<Evaluation> {
        let mut rng = ChaCha8Rng::seed_from_u64(0x7a11d);
        let (mut mlm_right, mut mlm_total, mut nsp_right, mut nsp_total) = (0usize, 0usize, 0usize, 0usize);
        let (mut mlm_loss, mut nsp_loss) = (0.0f64, 0.0f64);
        for _ in 0..batches.max(1) {
            let batch = pretraining_batch(&self.corpus.valid, &self.vocab, self.cfg.batch_size, self.cfg.max_len, &mut rng);
            let mut acts = bert.acts(&batch);
            bert.forward(&mut acts, &batch)?;
            let (v, m) = (bert.cfg.vocab, batch.mlm_rows.len());
            let probs = acts.mlm_probs.host()?;
            for (row, &target) in batch.mlm_targets.iter().enumerate() {
                mlm_right += usize::from(argmax(&probs[row * v..(row + 1) * v]) as i32 == target);
            }
            mlm_total += m;
            mlm_loss += acts.mlm_loss.host()?[0] as f64 * m as f64;
            let cls = acts.cls_probs.host()?;
            for (row, &label) in batch.labels.iter().enumerate() {
                nsp_right += usize::from(argmax(&cls[row * 2..row * 2 + 2]) as i32 == label);
            }
            nsp_total += batch.b;
            nsp_loss += acts.cls_loss.host()?[0] as f64 * batch.b as f64;
        }
        let ratio = |a: usize, b: usize| a as f32 / b.max(1) as f32;
        Ok(Evaluation {
            mlm_accuracy: ratio(mlm_right, mlm_total),
            mlm_loss: (mlm_loss / mlm_total.max(1) as f64) as f32,
            nsp_accuracy: ratio(nsp_right, nsp_total),
            nsp_loss: (nsp_loss / nsp_total.max(1) as f64) as f32,
        })
    }
}

/// The `top_k` best fillers for each `[MASK]` of `text`, left to right. The
/// model must be on the CPU and have its masked-LM head.
pub fn fill_mask(bert: &Bert, vocab: &WordPiece, text: &str, top_k: usize) -> Result<Vec<Guesses>> {
    const OP: &str = "fill_mask";
    let ids = vocab.encode(text);
    if !ids.contains(&vocab.mask) {
        return Err(invalid(OP, "the text has no [MASK]; put [MASK] where a word should be guessed."));
    }
    if ids.len() + 2 > bert.cfg.max_len {
        return Err(invalid(
            OP,
            format!(
                "the text is {} tokens with [CLS] and [SEP], more than the model's {}; shorten it.",
                ids.len() + 2,
                bert.cfg.max_len
            ),
        ));
    }
    if bert.mlm.is_none() {
        return Err(invalid(
            OP,
            "this model has no masked-LM head: it is a fine-tuned copy, or its file was saved without one \
             (a Hugging Face BertModel such as all-MiniLM-L6-v2, as opposed to BertForMaskedLM). \
             Filling in [MASK] needs the head: use the pre-trained model, e.g. bert-base-uncased.",
        ));
    }
    let batch = sentence_batch(vocab, &[ids], &[IGNORE_INDEX]);
    let mut acts = bert.acts(&batch);
    bert.forward(&mut acts, &batch)?;
    let (probs, v) = (acts.mlm_probs.host()?, bert.cfg.vocab);
    Ok(probs
        .chunks_exact(v)
        .map(|row| {
            let words: Vec<usize> = (0..v).filter(|&id| !vocab.is_special(id as u32)).collect();
            best_of(row, words, top_k)
                .iter()
                .map(|&id| (vocab.token(id as u32).to_string(), row[id]))
                .collect()
        })
        .collect())
}

fn argmax(x: &[f32]) -> usize {
    x.iter().enumerate().fold(0, |best, (i, &v)| if v > x[best] { i } else { best })
}

impl Trainer for Pretrainer {
    type Step = (BertBatch, BertActs);
    type DataPosition = ChaCha8Rng;

    fn data_position(&self) -> ChaCha8Rng {
        self.rng.clone()
    }

    fn set_data_position(&mut self, rng: ChaCha8Rng) {
        self.rng = rng;
    }

    fn device(&self) -> Device {
        self.bert.device.clone()
    }

    fn step(&self) -> u32 {
        self.opt.step
    }

    fn train_step(&mut self) -> Result<Self::Step> {
        Pretrainer::train_step(self)
    }

    fn tokens((batch, _): &Self::Step) -> usize {
        batch.lengths.iter().sum()
    }

    /// The masked-LM loss, then the next-sentence loss.
    fn losses((_, acts): &Self::Step) -> Vec<Tensor> {
        vec![acts.mlm_loss.clone(), acts.cls_loss.clone()]
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
