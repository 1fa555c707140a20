//! `glassformer train gpt`: trains the character-level GPT on the
//! Shakespeare corpus (`www/data/shakespeare.txt`), reports the training and
//! validation loss (nats per character) as it goes, prints a sample, and
//! writes the checkpoint the course page loads.
//!
//! ```text
//! cargo run --release --bin glassformer -- train gpt [--steps 6000] [--layers 4] [--d-model 192] [--heads 6]
//!     [--context 128] [--batch 24] [--lr 0.002] [--seed 1] [--eval-every 250] [--text www/data/shakespeare.txt]
//!     [--out www/models/shakespeare.safetensors]
//! ```

use std::time::Instant;

use glassformer::checkpoint;
use glassformer::models::gpt::Generator;
use glassformer::models::sampling::{distribution, draw, Sampling};
use glassformer::train::language_model::{LanguageModelConfig, LanguageModelTrainer};
use glassformer::Device;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::flags::Flags;

pub const FLAGS: &str = "[--steps 6000] [--layers 4] [--d-model 192] [--heads 6] [--context 128] [--batch 24] \
                         [--lr 0.002] [--seed 1] [--eval-every 250] [--text www/data/shakespeare.txt] [--out FILE]";

/// Validation batches per evaluation (the same windows every time).
const VALID_BATCHES: usize = 20;

pub fn run(flags: Flags) -> Result<(), String> {
    let d = LanguageModelConfig::default();
    let steps: u32 = flags.get("--steps", d.decay_steps)?;
    let cfg = LanguageModelConfig {
        layers: flags.get("--layers", d.layers)?,
        d_model: flags.get("--d-model", d.d_model)?,
        heads: flags.get("--heads", d.heads)?,
        context: flags.get("--context", d.context)?,
        batch_size: flags.get("--batch", d.batch_size)?,
        peak_lr: flags.get("--lr", d.peak_lr)?,
        seed: flags.get("--seed", d.seed)?,
        decay_steps: steps,
        ..d
    };
    let eval_every: u32 = flags.get("--eval-every", 250)?;
    let text_path: String = flags.get("--text", "www/data/shakespeare.txt".to_string())?;
    let out: String = flags.get("--out", "www/models/shakespeare.safetensors".to_string())?;
    flags.finish(FLAGS)?;
    if steps == 0 || eval_every == 0 {
        return Err("--steps and --eval-every must be at least 1".into());
    }
    let text = std::fs::read_to_string(&text_path).map_err(|e| format!("could not read {text_path}: {e}"))?;
    let mut trainer = LanguageModelTrainer::new(&text, cfg, &Device::Cpu).map_err(|e| e.to_string())?;
    println!(
        "gpt: {} layers, d_model {}, {} heads, context {}, batch {}; {} parameters; vocabulary {} characters; \
         {} training and {} validation characters",
        cfg.layers,
        cfg.d_model,
        cfg.heads,
        cfg.context,
        cfg.batch_size,
        trainer.gpt.lm.params.len(),
        trainer.vocab.len(),
        trainer.splits.train.len(),
        trainer.splits.valid.len()
    );
    let start = Instant::now();
    let (mut training_seconds, mut recent) = (0.0, Vec::new());
    let mut valid_loss = None;
    for step in 1..=steps {
        let t0 = Instant::now();
        let acts = trainer.train_step().map_err(|e| e.to_string())?;
        training_seconds += t0.elapsed().as_secs_f64();
        recent.push(acts.loss.host().map_err(|e| e.to_string())?[0]);
        if step % eval_every == 0 || step == steps {
            let valid = trainer.valid_loss(&trainer.gpt, VALID_BATCHES).map_err(|e| e.to_string())?;
            let train = recent.iter().sum::<f32>() / recent.len() as f32;
            recent.clear();
            let tokens = (step as usize * cfg.batch_size * cfg.context) as f64;
            println!(
                "step {step:5}  train loss {train:.4}  valid loss {valid:.4}  lr {:.2e}  ({training_seconds:.0} s, {:.0} chars/s)",
                trainer.opt.cfg.lr,
                tokens / training_seconds
            );
            valid_loss = Some(valid);
        }
    }
    println!("sample (temperature 0.8, seed 1):\n{}", sample(&trainer, "ROMEO:\n", 300)?);
    let values = trainer.gpt.lm.params.values.host().map_err(|e| e.to_string())?;
    let bytes = checkpoint::save_gpt(
        &trainer.gpt,
        values,
        trainer.vocab.chars("save").map_err(|e| e.to_string())?,
        trainer.step(),
        valid_loss,
    )
    .map_err(|e| e.to_string())?;
    if let Some(dir) = std::path::Path::new(&out).parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    }
    std::fs::write(&out, &bytes).map_err(|e| format!("could not write {out}: {e}"))?;
    println!(
        "wrote {out} ({:.2} MB) in {:.0} s; validation loss {:.4} nats per character",
        bytes.len() as f64 / 1e6,
        start.elapsed().as_secs_f64(),
        valid_loss.unwrap_or(f32::NAN)
    );
    Ok(())
}

/// `length` characters after `prompt`, at temperature 0.8 (the model's
/// `Generator`: the KV cache, rebuilt when it fills the context).
fn sample(trainer: &LanguageModelTrainer, prompt: &str, length: usize) -> Result<String, String> {
    let sampling = Sampling {
        temperature: 0.8,
        ..Sampling::default()
    };
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let prompt = trainer.vocab.encode(prompt).map_err(|e| e.to_string())?;
    let mut generator = Generator::new(&trainer.gpt, &prompt).map_err(|e| e.to_string())?;
    for _ in 0..length {
        let probs = distribution(&generator.logits, &sampling).map_err(|e| e.to_string())?;
        generator.push(draw(&probs, rng.random::<f32>())).map_err(|e| e.to_string())?;
    }
    Ok(trainer.vocab.decode(&generator.tokens))
}
