//! `glassformer train bert`: pre-trains BERT on the errands corpus
//! (masked-LM + next-sentence prediction), reports the held-out figures and
//! the course's question as it goes, and writes the checkpoint the course
//! page loads.
//!
//! ```text
//! cargo run --release --bin glassformer -- train bert [--steps 3000] [--layers 4] [--d-model 128] [--heads 4]
//!     [--batch 32] [--lr 0.001] [--documents 20000] [--vocab-size 1000] [--seed 1] [--eval-every 250]
//!     [--out www/models/bert.safetensors]
//! ```

use std::time::Instant;

use glassformer::checkpoint;
use glassformer::train::errands::SEED_QUESTION;
use glassformer::train::pretraining::{fill_mask, Pretrainer, PretrainingConfig};
use glassformer::Device;

use crate::flags::Flags;

pub const FLAGS: &str = "[--steps 3000] [--layers 4] [--d-model 128] [--heads 4] [--batch 32] [--lr 0.001] \
                         [--documents 20000] [--vocab-size 1000] [--seed 1] [--eval-every 250] [--out FILE]";

/// Held-out batches per evaluation (the same ones every time).
const VALID_BATCHES: usize = 20;

pub fn run(flags: Flags) -> Result<(), String> {
    let d = PretrainingConfig::default();
    let steps: u32 = flags.get("--steps", d.decay_steps)?;
    let cfg = PretrainingConfig {
        layers: flags.get("--layers", d.layers)?,
        d_model: flags.get("--d-model", d.d_model)?,
        heads: flags.get("--heads", d.heads)?,
        batch_size: flags.get("--batch", d.batch_size)?,
        peak_lr: flags.get("--lr", d.peak_lr)?,
        documents: flags.get("--documents", d.documents)?,
        vocab_size: flags.get("--vocab-size", d.vocab_size)?,
        seed: flags.get("--seed", d.seed)?,
        decay_steps: steps,
        ..d
    };
    let eval_every: u32 = flags.get("--eval-every", 250)?;
    let out: String = flags.get("--out", "www/models/bert.safetensors".to_string())?;
    flags.finish(FLAGS)?;
    if steps == 0 || eval_every == 0 {
        return Err("--steps and --eval-every must be at least 1".into());
    }
    let err = |e: glassformer::Error| e.to_string();
    let start = Instant::now();
    let mut trainer = Pretrainer::new(cfg, &Device::Cpu).map_err(err)?;
    println!(
        "bert: {} layers, d_model {}, {} heads, max length {}, batch {}; {} parameters; WordPiece vocabulary {} \
         (trained in {:.1} s); {} training and {} held-out stories",
        cfg.layers,
        cfg.d_model,
        cfg.heads,
        cfg.max_len,
        cfg.batch_size,
        trainer.bert.params.len(),
        trainer.vocab.len(),
        start.elapsed().as_secs_f64(),
        trainer.corpus.train.len(),
        trainer.corpus.valid.len()
    );
    let (mut training_seconds, mut recent) = (0.0, Vec::new());
    let mut accuracy = None;
    for step in 1..=steps {
        let t0 = Instant::now();
        let (_, acts) = trainer.train_step().map_err(err)?;
        training_seconds += t0.elapsed().as_secs_f64();
        recent.push((acts.mlm_loss.host().map_err(err)?[0], acts.cls_loss.host().map_err(err)?[0]));
        if step % eval_every == 0 || step == steps {
            let eval = trainer.evaluate(&trainer.bert, VALID_BATCHES).map_err(err)?;
            let n = recent.len() as f32;
            let (mlm, nsp) = recent.iter().fold((0.0, 0.0), |(a, b), (m, c)| (a + m / n, b + c / n));
            recent.clear();
            println!(
                "step {step:5}  train mlm {mlm:.3} nsp {nsp:.3}  held-out: mlm {:.3} ({:.1}% right)  nsp {:.3} ({:.1}% right)  lr {:.2e}  ({training_seconds:.0} s)",
                eval.mlm_loss,
                100.0 * eval.mlm_accuracy,
                eval.nsp_loss,
                100.0 * eval.nsp_accuracy,
                trainer.opt.cfg.lr
            );
            println!("  {SEED_QUESTION}  →  {}", guesses(&trainer)?);
            accuracy = Some(eval.mlm_accuracy);
        }
    }
    let values = trainer.bert.params.values.host().map_err(err)?;
    let bytes = checkpoint::save_bert(&trainer.bert, values, &trainer.vocab, trainer.step(), accuracy).map_err(err)?;
    if let Some(dir) = std::path::Path::new(&out).parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    }
    std::fs::write(&out, &bytes).map_err(|e| format!("could not write {out}: {e}"))?;
    println!(
        "wrote {out} ({:.2} MB) in {:.0} s; held-out masked-LM accuracy {:.1}%",
        bytes.len() as f64 / 1e6,
        start.elapsed().as_secs_f64(),
        100.0 * accuracy.unwrap_or(f32::NAN)
    );
    Ok(())
}

/// The top 5 for each [MASK] of the course's question, as text.
fn guesses(trainer: &Pretrainer) -> Result<String, String> {
    let filled = fill_mask(&trainer.bert, &trainer.vocab, SEED_QUESTION, 5).map_err(|e| e.to_string())?;
    Ok(filled
        .iter()
        .map(|top| {
            top.iter()
                .map(|(token, p)| format!("{token} {p:.2}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect::<Vec<_>>()
        .join("  |  "))
}
