//! Sampling semantics: the limits of temperature, top-k and top-p are greedy
//! decoding; distributions sum to 1 and the filters zero exactly what they
//! should; the same seed draws the same tokens. And the character tokenizer.

mod common;
use glassformer::models::sampling::{argmax, distribution, draw, most_probable, Sampling};
use glassformer::train::chars::{random_windows, CharVocab, TextSplits};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const LOGITS: [f32; 6] = [1.0, 3.0, -2.0, 2.5, 0.0, 2.9];

fn sampled(temperature: f32, top_k: usize, top_p: f32) -> Vec<f32> {
    distribution(&LOGITS, &Sampling { temperature, top_k, top_p }).unwrap()
}

fn one_hot(id: usize) -> Vec<f32> {
    let mut v = vec![0.0; LOGITS.len()];
    v[id] = 1.0;
    v
}

gf_test! {
    fn every_limit_is_greedy_decoding() {
        let greedy = one_hot(argmax(&LOGITS));
        assert_eq!(argmax(&LOGITS), 1);
        assert_eq!(sampled(0.0, 0, 1.0), greedy);
        assert_eq!(sampled(1.0, 1, 1.0), greedy);
        assert_eq!(sampled(1.0, 0, 1e-6), greedy);
        // A very low temperature puts all the mass on the argmax too.
        let cold = sampled(1e-3, 0, 1.0);
        assert!((cold[1] - 1.0).abs() < 1e-6, "{cold:?}");
    }

    fn distributions_sum_to_one_and_filters_zero_exactly_the_rest() {
        for (temperature, top_k, top_p) in [(1.0, 0, 1.0), (0.7, 3, 1.0), (1.3, 0, 0.8), (1.0, 4, 0.5)] {
            let p = sampled(temperature, top_k, top_p);
            let total: f32 = p.iter().sum();
            assert!((total - 1.0).abs() < 1e-6, "sums to {total}");
            assert!(p.iter().all(|&x| x >= 0.0));
        }
        // top-k = 3 keeps tokens 1, 5, 3 (logits 3.0, 2.9, 2.5) and nothing else.
        let k3 = sampled(1.0, 3, 1.0);
        let kept: Vec<usize> = (0..6).filter(|&i| k3[i] > 0.0).collect();
        assert_eq!(kept, [1, 3, 5]);
        // top-p keeps the smallest most-probable set reaching p: here tokens 1 and 5.
        let full = sampled(1.0, 0, 1.0);
        let p = full[1] + full[5] - 1e-4;
        let nucleus = sampled(1.0, 0, p);
        let kept: Vec<usize> = (0..6).filter(|&i| nucleus[i] > 0.0).collect();
        assert_eq!(kept, [1, 5]);
        assert!((nucleus[1] - full[1] / (full[1] + full[5])).abs() < 1e-6, "renormalised");
        // Temperature above 1 flattens: the top token loses mass.
        assert!(sampled(2.0, 0, 1.0)[1] < full[1]);
    }

    fn the_most_probable_are_a_full_sorts_first_ones() {
        // Many ties (values on a coarse grid), so the lower-id-first rule matters.
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let probs: Vec<f32> = (0..5000).map(|_| (rng.random::<f32>() * 50.0).floor()).collect();
        let mut sorted: Vec<usize> = (0..probs.len()).collect();
        sorted.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]).then(a.cmp(&b)));
        for n in [0, 1, 10, 333, 4999, 5000, 6000] {
            assert_eq!(most_probable(&probs, n), sorted[..n.min(probs.len())], "the {n} most probable");
        }
    }

    fn the_same_seed_draws_the_same_tokens() {
        let p = sampled(1.0, 0, 1.0);
        let run = |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            (0..50).map(|_| draw(&p, rng.random::<f32>())).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        // Draws follow the distribution: token 1 (p ≈ 0.35) is the most frequent of 2000.
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut counts = [0usize; 6];
        for _ in 0..2000 {
            counts[draw(&p, rng.random::<f32>()) as usize] += 1;
        }
        assert_eq!(argmax(&counts.map(|c| c as f32)), 1, "{counts:?}");
        assert!((counts[1] as f32 / 2000.0 - p[1]).abs() < 0.04);
    }

    fn bad_sampling_options_are_readable_errors() {
        let bad = |s: Sampling| distribution(&LOGITS, &s).unwrap_err().to_string();
        assert!(bad(Sampling { temperature: -1.0, ..Sampling::default() }).contains("temperature -1"));
        assert!(bad(Sampling { top_p: 0.0, ..Sampling::default() }).contains("top-p 0 must be in (0, 1]"));
        assert!(bad(Sampling { top_p: 1.5, ..Sampling::default() }).contains("top-p 1.5"));
    }

    fn characters_round_trip_and_unknown_ones_are_named() {
        let vocab = CharVocab::build("To be, or not to be:\nthat is the question.");
        assert_eq!(vocab.chars(), "\n ,.:Tabehinoqrstu");
        let ids = vocab.encode("not to be").unwrap();
        assert_eq!(vocab.decode(&ids), "not to be");
        let err = vocab.encode("Zounds! to be").unwrap_err().to_string();
        assert!(err.contains("'!', 'Z', 'd'"), "{err}");
        assert!(err.contains("vocabulary of 18 characters"), "{err}");
    }

    fn windows_are_shifted_by_one_and_splits_are_contiguous() {
        let ids: Vec<u32> = (0..100).collect();
        let splits = TextSplits::new(ids, 0.1);
        assert_eq!((splits.train.len(), splits.valid.len()), (90, 10));
        assert_eq!(splits.valid[0], 90);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (inputs, targets) = random_windows(&splits.train, 4, 8, &mut rng).unwrap();
        assert_eq!((inputs.len(), targets.len()), (32, 32));
        for (x, y) in inputs.iter().zip(&targets) {
            assert_eq!(*y, *x as i32 + 1, "the target is the next character");
        }
        let msg = random_windows(&splits.valid, 1, 10, &mut rng).unwrap_err().to_string();
        assert!(msg.starts_with("batch: the text has 10 tokens; windows of 10 need at least 11."), "{msg}");
    }
}
