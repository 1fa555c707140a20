//! The project's own trainer, natively (same code as the browser, CPU kernels).
//!
//! ```text
//! cargo run --release --bin glassformer -- train seq2seq [--steps 3000] [--seed 1] [--out www/models/translator.safetensors]
//!     [--dropout P] [--label-smoothing E] [--tie-embeddings] [--eval-every N]
//! ```
//!
//! Trains the translator with the default configuration, reports the
//! validation score as it goes, and at the end scores the test split, shows
//! the course's sentence and writes the checkpoint the course page loads.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    if let Err(message) = native::run(std::env::args().skip(1).collect()) {
        eprintln!("glassformer: {message}");
        std::process::exit(1);
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::time::Instant;

    use glassformer::checkpoint;
    use glassformer::train::data::seed_pair;
    use glassformer::train::translation::{Translator, TranslatorConfig};
    use glassformer::Device;

    const USAGE: &str = "usage: glassformer train seq2seq [--steps N] [--seed S] [--out FILE] \
                         [--dropout P] [--label-smoothing E] [--tie-embeddings] [--eval-every N]";

    /// Parsed `train seq2seq` flags.
    struct Options {
        steps: u32,
        seed: u64,
        out: String,
        dropout: f32,
        label_smoothing: f32,
        tie_embeddings: bool,
        eval_every: u32,
    }

    fn parse(args: &[String]) -> Result<Options, String> {
        match args {
            [train, model, ..] if train == "train" && model == "seq2seq" => {}
            _ => return Err(USAGE.into()),
        }
        let mut options = Options {
            steps: 3000,
            seed: 1,
            out: "www/models/translator.safetensors".into(),
            dropout: TranslatorConfig::default().dropout,
            label_smoothing: TranslatorConfig::default().label_smoothing,
            tie_embeddings: false,
            eval_every: 250,
        };
        let mut rest = args[2..].iter();
        while let Some(flag) = rest.next() {
            if flag == "--tie-embeddings" {
                options.tie_embeddings = true;
                continue;
            }
            let value = rest.next().ok_or_else(|| format!("{flag} needs a value; {USAGE}"))?;
            let number = |what: &str| format!("{flag} {value:?} is not {what}; {USAGE}");
            match flag.as_str() {
                "--steps" => options.steps = value.parse().map_err(|_| number("a number of steps"))?,
                "--seed" => options.seed = value.parse().map_err(|_| number("a whole number"))?,
                "--out" => options.out = value.clone(),
                "--dropout" => options.dropout = value.parse().map_err(|_| number("a probability"))?,
                "--label-smoothing" => options.label_smoothing = value.parse().map_err(|_| number("a number in [0, 1)"))?,
                "--eval-every" => options.eval_every = value.parse().map_err(|_| number("a number of steps"))?,
                _ => return Err(format!("unknown flag {flag}; {USAGE}")),
            }
        }
        if options.steps == 0 || options.eval_every == 0 {
            return Err("--steps and --eval-every must be at least 1".into());
        }
        Ok(options)
    }

    pub fn run(args: Vec<String>) -> Result<(), String> {
        let options = parse(&args)?;
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
        let bytes = checkpoint::save_values(&translator, translator.model.params.values.host().map_err(|e| e.to_string())?)
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
}
