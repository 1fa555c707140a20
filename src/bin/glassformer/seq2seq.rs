//! `glassformer train seq2seq`: trains the translator with the default
//! configuration (options can change the paper's regularisers), reports the
//! validation score as it goes, and at the end scores the test split, shows
//! the course's sentence and writes the checkpoint the course page loads.
//!
//! ```text
//! cargo run --release --bin glassformer -- train seq2seq [--steps 3000] [--seed 1] [--out www/models/translator.safetensors]
//!     [--dropout P] [--label-smoothing E] [--tie-embeddings] [--eval-every N]
//! ```

use std::time::Instant;

use glassformer::checkpoint;
use glassformer::train::data::seed_pair;
use glassformer::train::translation::{Translator, TranslatorConfig};
use glassformer::Device;

use crate::flags::Flags;

pub const FLAGS: &str = "[--steps 3000] [--seed 1] [--out FILE] [--dropout P] [--label-smoothing E] [--tie-embeddings] [--eval-every 250]";

/// Parsed flags.
struct Options {
    steps: u32,
    seed: u64,
    out: String,
    dropout: f32,
    label_smoothing: f32,
    tie_embeddings: bool,
    eval_every: u32,
}

fn options(flags: &Flags) -> Result<Options, String> {
    let d = TranslatorConfig::default();
    let options = Options {
        steps: flags.get("--steps", 3000)?,
        seed: flags.get("--seed", 1)?,
        out: flags.get("--out", "www/models/translator.safetensors".to_string())?,
        dropout: flags.get("--dropout", d.dropout)?,
        label_smoothing: flags.get("--label-smoothing", d.label_smoothing)?,
        tie_embeddings: flags.switch("--tie-embeddings"),
        eval_every: flags.get("--eval-every", 250)?,
    };
    flags.finish(FLAGS)?;
    if options.steps == 0 || options.eval_every == 0 {
        return Err("--steps and --eval-every must be at least 1".into());
    }
    Ok(options)
}

pub fn run(flags: Flags) -> Result<(), String> {
    let options = options(&flags)?;
    let cfg = TranslatorConfig {
        seed: options.seed,
        dropout: options.dropout,
        label_smoothing: options.label_smoothing,
        tie_output_embedding: options.tie_embeddings,
        ..TranslatorConfig::default()
    };
    let mut translator = Translator::new(cfg, &Device::Cpu).map_err(|e| e.to_string())?;
    let params = translator.model.params.len();
    println!(
        "translator: {} layers, d_model {}, {} heads, d_ff {}; dropout {}, label smoothing {}, tied output embedding {}; \
         {params} parameters; {} training pairs",
        cfg.layers,
        cfg.d_model,
        cfg.heads,
        cfg.d_ff,
        cfg.dropout,
        cfg.label_smoothing,
        cfg.tie_output_embedding,
        translator.data.train.len()
    );
    let start = Instant::now();
    let mut training_seconds = 0.0;
    for step in 1..=options.steps {
        let t0 = Instant::now();
        let acts = translator.train_step().map_err(|e| e.to_string())?;
        training_seconds += t0.elapsed().as_secs_f64();
        if step % options.eval_every == 0 || step == options.steps {
            let loss = acts.loss.host().map_err(|e| e.to_string())?[0];
            let valid = translator.evaluate(&translator.data.valid, 200).map_err(|e| e.to_string())?;
            println!(
                "step {step:5}  loss {loss:.4}  first 200 validation: exact {:5.1}%  BLEU {:5.1}  ({training_seconds:.1} s training)",
                valid.exact_match, valid.bleu.score
            );
        }
    }
    let test = translator.evaluate(&translator.data.test, usize::MAX).map_err(|e| e.to_string())?;
    println!(
        "test split ({} sentences): exact match {:.1}%, BLEU {:.2}",
        test.sentences, test.exact_match, test.bleu.score
    );
    let seed = seed_pair();
    let translation = translator.translate(&seed.english).map_err(|e| e.to_string())?;
    let words = translator.target_vocab.decode(&translation.tokens);
    println!("{}\n→ {}", seed.english.join(" "), words.join(" "));
    println!(
        "the course's sentence is translated {}",
        if words == seed.french { "exactly" } else { "WRONGLY" }
    );
    let values = translator.model.params.values.host().map_err(|e| e.to_string())?;
    let t = &translator;
    let bytes = checkpoint::save_translator(&t.cfg, t.step(), &t.source_vocab, &t.target_vocab, &t.model.params, values)
        .map_err(|e| e.to_string())?;
    if let Some(dir) = std::path::Path::new(&options.out).parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    }
    std::fs::write(&options.out, &bytes).map_err(|e| format!("could not write {}: {e}", options.out))?;
    println!(
        "wrote {} ({:.2} MB) in {:.1} s",
        options.out,
        bytes.len() as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
