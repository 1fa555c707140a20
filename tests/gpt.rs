//! The GPT model: the KV cache gives the full pass's logits, later tokens
//! never change earlier logits, the tied embedding's gradients match finite
//! differences, and it learns.

mod common;
use common::{assert_close, numeric_grad, random_vec, ready};
use glassformer::device::tensor::Tensor;
use glassformer::models::gpt::{Gpt, GptConfig};
use glassformer::Device;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn small() -> GptConfig {
    GptConfig {
        vocab: 11,
        context: 12,
        layers: 2,
        d_model: 16,
        heads: 2,
    }
}

/// A model with weights large enough that attention is far from uniform.
fn model(seed: u64) -> Gpt {
    let mut gpt = Gpt::new(small(), seed, &Device::Cpu).unwrap();
    gpt.lm.params.values = Tensor::Host(random_vec(gpt.lm.params.len(), 0.4, seed));
    gpt
}

gf_test! {
    fn the_kv_cache_gives_the_full_passs_logits() {
        let gpt = model(3);
        let tokens = [4u32, 1, 9, 9, 0, 7, 3, 10, 2, 5];
        let full = gpt.logits(&tokens).unwrap();
        let mut cache = gpt.cache();
        let v = gpt.cfg.vocab;
        for (t, &token) in tokens.iter().enumerate() {
            let step = gpt.step(&mut cache, token).unwrap();
            assert_close(&format!("position {t}"), &step, &full[t * v..(t + 1) * v], 1e-5, 1e-4);
        }
        assert_eq!(cache.len, tokens.len());
        assert_eq!(cache.layers[0].keys.len(), tokens.len() * gpt.cfg.d_model);
    }

    fn a_prompt_fed_at_once_gives_the_full_passs_logits() {
        // Prompt in one feed, then one token at a time, then two at once:
        // every feed sees the cached positions through the shifted causal mask.
        let gpt = model(3);
        let tokens = [4u32, 1, 9, 9, 0, 7, 3, 10, 2, 5];
        let full = gpt.logits(&tokens).unwrap();
        let v = gpt.cfg.vocab;
        let mut cache = gpt.cache();
        let mut fed = 0;
        for chunk in [6usize, 1, 1, 2] {
            let logits = gpt.feed(&mut cache, &tokens[fed..fed + chunk]).unwrap();
            fed += chunk;
            assert_close(&format!("after {fed} tokens"), &logits, &full[(fed - 1) * v..fed * v], 1e-5, 1e-4);
        }
        assert_eq!(cache.len, tokens.len());
        assert!(gpt.feed(&mut gpt.cache(), &[]).unwrap_err().to_string().contains("no tokens"));
    }

    fn later_tokens_never_change_earlier_logits() {
        let gpt = model(4);
        let a = gpt.logits(&[1, 2, 3, 4, 5, 6]).unwrap();
        let b = gpt.logits(&[1, 2, 3, 9, 0, 10]).unwrap();
        let v = gpt.cfg.vocab;
        assert_eq!(&a[..3 * v], &b[..3 * v], "positions 0..3 must not see what follows");
        assert_ne!(&a[3 * v..4 * v], &b[3 * v..4 * v]);
    }

    fn the_context_is_a_limit_with_a_readable_error() {
        let gpt = model(5);
        let long = vec![1u32; gpt.cfg.context + 1];
        assert!(gpt.logits(&long).unwrap_err().to_string().contains("give 1 to 12 (the context)"));
        let mut cache = gpt.cache();
        for _ in 0..gpt.cfg.context {
            gpt.step(&mut cache, 1).unwrap();
        }
        assert!(gpt.step(&mut cache, 1).unwrap_err().to_string().contains("whole context"));
        assert!(gpt.step(&mut gpt.cache(), 11).unwrap_err().to_string().contains("not in the vocabulary"));
    }

    fn tied_embedding_gradients_match_finite_differences() {
        let cfg = GptConfig { vocab: 7, context: 5, layers: 1, d_model: 8, heads: 2 };
        let mut gpt = Gpt::new(cfg, 2, &Device::Cpu).unwrap();
        // One table, two uses: there is no separate head weight.
        assert!(!gpt.lm.params.tensors.iter().any(|t| t.name == "head.weight"));
        let p = random_vec(gpt.lm.params.len(), 0.5, 6);
        let (tokens, targets) = ([3u32, 1, 4, 1, 5, 2, 6, 0], [1i32, 4, 1, 5, 2, 6, 0, 3]);
        let mut acts = gpt.lm.acts(2, 4);
        let loss_at = |gpt: &mut Gpt, acts: &mut _, p: &[f32]| {
            gpt.lm.params.values = Tensor::Host(p.to_vec());
            gpt.lm.forward(acts, &tokens, &targets).unwrap();
            ready(gpt.lm.loss(acts)).unwrap() as f64
        };
        loss_at(&mut gpt, &mut acts, &p);
        gpt.lm.params.zero_grads(&Device::Cpu).unwrap();
        gpt.lm.backward(&acts, &tokens, &targets).unwrap();
        let grads = gpt.lm.params.grads.host().unwrap().to_vec();
        let numeric = numeric_grad(&p, 1e-3, |q| loss_at(&mut gpt, &mut acts, q));
        for info in &gpt.lm.params.tensors {
            let r = info.range;
            assert_close(&format!("d{}", info.name), r.of(&grads), r.of(&numeric), 2e-3, 3e-2);
        }
    }
}

mod training {
    use super::gf_test;
    use glassformer::train::language_model::{LanguageModelConfig, LanguageModelTrainer};
    use glassformer::Device;

    const TEXT: &str = "ROMEO:\nBut soft, what light through yonder window breaks?\nIt is the east, and Juliet is the sun.\n\n";

    fn tiny() -> LanguageModelConfig {
        LanguageModelConfig {
            context: 16,
            layers: 2,
            d_model: 32,
            heads: 2,
            batch_size: 8,
            peak_lr: 3e-3,
            warmup: 10,
            decay_steps: 200,
            valid_fraction: 0.2,
            ..LanguageModelConfig::default()
        }
    }

    gf_test! {
        fn the_trainers_loss_falls_the_same_way_from_the_same_seed() {
            let text = TEXT.repeat(8);
            let run = |seed| {
                let mut trainer = LanguageModelTrainer::new(&text, LanguageModelConfig { seed, ..tiny() }, &Device::Cpu).unwrap();
                (0..60)
                    .map(|_| trainer.train_step().unwrap().loss.host().unwrap()[0])
                    .collect::<Vec<f32>>()
            };
            let losses = run(1);
            assert_eq!(losses, run(1));
            assert_ne!(losses, run(2));
            let (first, last) = (losses[..5].iter().sum::<f32>() / 5.0, losses[55..].iter().sum::<f32>() / 5.0);
            assert!(first > 2.5 && last < 0.5 * first, "loss went from {first} to {last}");
            let trainer = LanguageModelTrainer::new(&text, tiny(), &Device::Cpu).unwrap();
            assert!(trainer.valid_loss(&trainer.gpt, 2).unwrap() > 2.5, "untrained: about ln(vocabulary)");
        }
    }
}

mod generation {
    use super::{gf_test, model};
    use glassformer::models::gpt::Generator;
    use glassformer::models::sampling::argmax;

    gf_test! {
        fn generating_with_the_cache_equals_recomputing_every_step() {
            let gpt = model(8);
            let mut generator = Generator::new(&gpt, &[3, 1, 4]).unwrap();
            let mut tokens = vec![3u32, 1, 4];
            let v = gpt.cfg.vocab;
            while tokens.len() < gpt.cfg.context {
                // Without a cache: the whole sequence again, the last position's logits.
                let full = gpt.logits(&tokens).unwrap();
                let last = &full[(tokens.len() - 1) * v..];
                common_close(&generator.logits, last);
                let next = argmax(last) as u32;
                tokens.push(next);
                generator.push(next).unwrap();
            }
            assert_eq!(generator.tokens, tokens);
            // Past the context the cache is rebuilt and generation goes on.
            for _ in 0..20 {
                let next = argmax(&generator.logits) as u32;
                generator.push(next).unwrap();
            }
            assert_eq!(generator.tokens.len(), gpt.cfg.context + 20);
        }

        fn a_long_prompt_keeps_its_last_tokens() {
            let gpt = model(9);
            let prompt: Vec<u32> = (0..30).map(|i| i % 11).collect();
            let generator = Generator::new(&gpt, &prompt).unwrap();
            assert_eq!(generator.cropped, 30 - gpt.cfg.context);
            assert_eq!(generator.tokens, prompt[30 - gpt.cfg.context..]);
            let msg = Generator::new(&gpt, &[]).unwrap_err().to_string();
            assert!(msg.starts_with("generate: the prompt is empty"), "{msg}");
        }
    }

    fn common_close(got: &[f32], want: &[f32]) {
        super::assert_close("cached logits", got, want, 1e-5, 1e-4);
    }
}
