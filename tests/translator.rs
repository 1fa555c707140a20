//! Training the translator: the schedule's shape, a short run whose loss
//! falls, greedy decoding's output and attention, and evaluation.

mod common;
use common::ready;
use glassformer::train::data::DataConfig;
use glassformer::train::schedule::InverseSqrtSchedule;
use glassformer::train::tokenizer::EOS;
use glassformer::train::translation::{Translator, TranslatorConfig};
use glassformer::Device;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn small() -> TranslatorConfig {
    TranslatorConfig {
        data: DataConfig { seed: 2, sentences: 1500 },
        d_model: 32,
        d_ff: 64,
        batch_size: 16,
        warmup: 30,
        ..TranslatorConfig::default()
    }
}

gf_test! {
    fn the_schedule_warms_up_then_decays_as_one_over_root_step() {
        let schedule = InverseSqrtSchedule { d_model: 64, warmup: 100, scale: 1.0 };
        // Linear rise to the peak at the warm-up step: 1/√(64·100) = 0.0125.
        assert!((schedule.lr(100) - 0.0125).abs() < 1e-7);
        assert!((schedule.lr(50) - 0.00625).abs() < 1e-7);
        // Then ∝ 1/√step: four times the steps, half the rate.
        assert!((schedule.lr(400) - 0.00625).abs() < 1e-7);
        assert!(schedule.lr(1) > 0.0 && schedule.lr(0) == schedule.lr(1));
    }

    fn a_short_run_lowers_the_loss() {
        let mut translator = Translator::new(small(), &Device::Cpu).unwrap();
        let mut losses = Vec::new();
        for _ in 0..80 {
            let acts = translator.train_step().unwrap();
            losses.push(ready(translator.model.loss(&acts)).unwrap());
        }
        let (first, last) = (losses[..5].iter().sum::<f32>() / 5.0, losses[75..].iter().sum::<f32>() / 5.0);
        assert!(last < 0.6 * first, "loss went from {first} to {last}");
        assert_eq!(translator.step(), 80);
    }

    fn greedy_translation_ends_with_eos_and_keeps_its_attention() {
        let translator = Translator::new(small(), &Device::Cpu).unwrap();
        let english = translator.data.test[0].english.clone();
        let translation = translator.translate(&english).unwrap();
        let t = translation.tokens.len();
        assert!(t >= 1 && t <= translator.cfg.max_target);
        if t < translator.cfg.max_target {
            assert_eq!(*translation.tokens.last().unwrap(), EOS);
        }
        // One (NH, T, S) matrix per decoder layer, each row a distribution over the source.
        let (nh, s) = (translator.cfg.heads, english.len());
        assert_eq!(translation.cross_attention.len(), translator.cfg.layers);
        for weights in &translation.cross_attention {
            assert_eq!(weights.len(), nh * t * s);
            for row in weights.chunks(s) {
                assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
            }
        }
        let evaluation = translator.evaluate(&translator.data.test, 5).unwrap();
        assert_eq!(evaluation.sentences, 5);
        assert!((0.0..=100.0).contains(&evaluation.exact_match) && (0.0..=100.0).contains(&evaluation.bleu.score));
    }

    fn beam_search_of_width_1_is_greedy_and_wider_beams_end_properly() {
        use glassformer::models::translate::{beam, greedy};
        let mut translator = Translator::new(small(), &Device::Cpu).unwrap();
        for _ in 0..40 {
            translator.train_step().unwrap();
        }
        for pair in translator.data.test[..5].iter() {
            let source = translator.source_vocab.encode(&pair.english);
            let g = greedy(&translator.model, &source, translator.cfg.max_target).unwrap();
            let b1 = beam(&translator.model, &source, 1, translator.cfg.max_target).unwrap();
            assert_eq!(b1, g, "width 1 must be greedy decoding");
            let b4 = beam(&translator.model, &source, 4, translator.cfg.max_target).unwrap();
            assert!(b4.tokens.len() <= translator.cfg.max_target);
            assert!(b4.tokens.last() == Some(&EOS) || b4.tokens.len() == translator.cfg.max_target);
            assert_eq!(b4.cross_attention[0].len(), translator.cfg.heads * b4.tokens.len() * source.len());
        }
        let msg = beam(&translator.model, &[4], 0, 5).unwrap_err().to_string();
        assert!(msg.starts_with("translate: beam width 0 must be between 1 and 16."), "{msg}");
    }
}
