//! The values of JS options, past the JS boundary: every number a page can
//! pass (NaN, infinities, huge, negative, fractional) through the checks and
//! computations that take it natively — the backend's name, the sampling
//! settings with any logits, the recurrent network's setup, the size
//! estimates a constructor checks against the memory budget. (Decoding the
//! JS objects themselves is serde's; the in-browser tests send it bad ones.)
#![no_main]

use glassformer::device::{Device, Preference};
use glassformer::models::rnn::{RnnActivation, RnnSetup};
use glassformer::models::sampling::{distribution, Sampling};
use glassformer::train::footprint::Footprint;
use glassformer::train::language_model::LanguageModelConfig;
use glassformer::train::pretraining::PretrainingConfig;
use glassformer::train::translation::TranslatorConfig;
use libfuzzer_sys::{arbitrary, fuzz_target};

#[derive(Debug, arbitrary::Arbitrary)]
struct Options {
    backend: String,
    temperature: f32,
    top_k: u16,
    top_p: f32,
    logits: Vec<f32>,
    hidden: u16,
    steps: u16,
    radius: f32,
    input_scale: f32,
    identity: bool,
    seed: u64,
    sizes: [u32; 6],
}

fuzz_target!(|o: Options| {
    let _ = Preference::parse(&o.backend);
    let sampling = Sampling { temperature: o.temperature, top_k: o.top_k as usize, top_p: o.top_p };
    if let Ok(probs) = distribution(&o.logits, &sampling) {
        assert_eq!(probs.len(), o.logits.len());
        assert!(probs.iter().all(|p| (0.0..=1.0).contains(p) || p.is_nan()));
    }
    let activation = if o.identity { RnnActivation::Identity } else { RnnActivation::Tanh };
    let rnn = RnnSetup { hidden: o.hidden as usize, steps: o.steps as usize, radius: o.radius, activation, input_scale: o.input_scale, seed: o.seed };
    if rnn.validate().is_ok() && rnn.hidden * rnn.steps <= 4096 {
        let _ = rnn.gradients_through_time(&Device::Cpu);
    }
    let [a, b, c, d, e, f] = o.sizes.map(|x| x as usize);
    let translator = TranslatorConfig { layers: a, d_model: b, heads: c, d_ff: d, batch_size: e, max_source: f, ..TranslatorConfig::default() };
    let _ = translator.check();
    let gpt = LanguageModelConfig { layers: a, d_model: b, heads: c, context: d, batch_size: e, ..LanguageModelConfig::default() };
    let bert = PretrainingConfig { layers: a, d_model: b, heads: c, max_len: d, batch_size: e, vocab_size: f, ..PretrainingConfig::default() };
    for estimate in [Footprint::translator(&translator), Footprint::gpt(&gpt, f, c), Footprint::bert(&bert), Footprint::checkpoint(a, b as f64)] {
        let total = estimate.total();
        assert!(total.is_finite() && total >= 0.0, "{estimate:?}");
        let _ = estimate.describe();
    }
});
