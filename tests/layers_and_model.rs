//! Layers and a whole model: the Transformer block's gradients (both layer
//! norm placements, every parameter), and a two-layer model that must be able
//! to memorise one batch, deterministically from its seed.

mod common;
use common::{assert_close, numeric_grad, random_vec, ready, weighted_sum};
use glassformer::device::tensor::Tensor;
use glassformer::models::tiny_lm::{TinyLm, TinyLmConfig};
use glassformer::nn::attention::{AttentionActs, MultiHeadAttention};
use glassformer::nn::block::{Block, BlockActs, BlockConfig, NormPlacement};
use glassformer::nn::feed_forward::{Activation, FeedForward, FeedForwardActs};
use glassformer::nn::params::Params;
use glassformer::ops::adamw::AdamWConfig;
use glassformer::ops::attention::Mask;
use glassformer::train::optimizer::AdamW;
use glassformer::{Device, Preference};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const CPU: Device = Device::Cpu;

/// A host tensor.
fn host(values: Vec<f32>) -> Tensor {
    Tensor::Host(values)
}

/// A host tensor's values.
fn values(t: &Tensor) -> &[f32] {
    t.host().unwrap()
}

fn block_gradient_case(norm: NormPlacement, activation: Activation, causal: bool) {
    let cfg = BlockConfig {
        c: 4,
        heads: 2,
        ffn_hidden: 8,
        activation,
        norm,
    };
    let (b, t) = (2, 3);
    let mut params = Params::new(1);
    let block = Block::new(&mut params, "block", &cfg).unwrap();
    // Larger weights than the 0.02 default, so every path carries signal.
    let p = random_vec(params.len(), 0.5, 2);
    params.values = host(p.clone());
    let x = random_vec(b * t * 4, 1.0, 3);
    let g = random_vec(b * t * 4, 1.0, 4);
    let mask = if causal { Mask::causal() } else { Mask::none() };
    let loss = |p: &[f32], x: &[f32]| {
        let mut acts = BlockActs::new(&CPU, &cfg, b, t);
        let mut out = host(vec![0.0; x.len()]);
        block
            .forward(&CPU, &host(p.to_vec()), &mut acts, &mut out, &host(x.to_vec()), b, t, mask)
            .unwrap();
        weighted_sum(values(&out), &g)
    };
    let mut acts = BlockActs::new(&CPU, &cfg, b, t);
    let mut out = host(vec![0.0; x.len()]);
    block
        .forward(&CPU, &params.values, &mut acts, &mut out, &host(x.clone()), b, t, mask)
        .unwrap();
    let mut dx = host(vec![0.0; x.len()]);
    block
        .backward(
            &CPU,
            &params.values,
            &mut params.grads,
            &acts,
            &mut dx,
            &host(g.clone()),
            &host(x.clone()),
            b,
            t,
            mask,
        )
        .unwrap();
    let dx = values(&dx).to_vec();
    let what = format!("{norm:?} {activation:?} causal={causal}");
    // ReLU has a kink at 0: a smaller step keeps the probes on one side of it
    // for all but inputs within ε of zero.
    let eps = if activation == Activation::Relu { 2e-3 } else { 1e-2 };
    assert_close(&format!("{what} dx"), &dx, &numeric_grad(&x, eps, |x| loss(&p, x)), 3e-3, 2e-2);
    let numeric = numeric_grad(&p, eps, |p| loss(p, &x));
    for info in &params.tensors {
        let r = info.range;
        assert_close(
            &format!("{what} d{}", info.name),
            r.of(values(&params.grads)),
            r.of(&numeric),
            3e-3,
            2e-2,
        );
    }
}

fn tiny_config(norm: NormPlacement) -> TinyLmConfig {
    TinyLmConfig {
        vocab: 11,
        layers: 2,
        block: BlockConfig {
            c: 16,
            heads: 4,
            ffn_hidden: 32,
            activation: Activation::Gelu,
            norm,
        },
        learned_positions: Some(8),
        causal: true,
        tie_embeddings: false,
    }
}

/// Train on one fixed batch; return the loss at every step.
fn overfit(norm: NormPlacement, steps: usize, seed: u64) -> Vec<f32> {
    let mut model = TinyLm::new(tiny_config(norm), seed, &CPU).unwrap();
    let (b, t) = (2usize, 8usize);
    let tokens: Vec<u32> = (0..(b * t) as u32).map(|i| (i * 7 + 3) % 11).collect();
    // Predict the next token; the last position of each row has no target.
    let targets: Vec<i32> = (0..b * t)
        .map(|i| if i % t == t - 1 { -100 } else { tokens[i + 1] as i32 })
        .collect();
    let mut opt = AdamW::new(
        AdamWConfig {
            lr: 1e-2,
            weight_decay: 0.0,
            ..AdamWConfig::default()
        },
        &model.params,
        &CPU,
    );
    let mut acts = model.acts(b, t);
    let mut losses = Vec::new();
    for _ in 0..steps {
        model.forward(&mut acts, &tokens, &targets).unwrap();
        model.params.zero_grads(&CPU).unwrap();
        model.backward(&acts, &tokens, &targets).unwrap();
        opt.update(&CPU, &mut model.params).unwrap();
        losses.push(ready(model.loss(&acts)).unwrap());
    }
    losses
}

gf_test! {
    fn a_feed_forward_from_the_papers_matrices_computes_by_hand() {
        // x (1, 2) = [1, 2]; W1 (2, 3) = [[1, 2, 3], [4, 5, 6]] → x W1 = [9, 12, 15];
        // + b1 [−10, 0, 1] → [−1, 12, 16]; ReLU → [0, 12, 16];
        // W2 (3, 2) = [[1, 0], [0, 1], [1, −1]] → [16, −4]; + b2 [0.5, 0.5] → [16.5, −3.5].
        let (w1, b1) = ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [-10.0, 0.0, 1.0]);
        let (w2, b2) = ([1.0, 0.0, 0.0, 1.0, 1.0, -1.0], [0.5, 0.5]);
        let (ffn, params) = FeedForward::from_matrices(&w1, &b1, &w2, &b2, 2, 3, Activation::Relu).unwrap();
        let dev = Device::Cpu;
        let mut acts = FeedForwardActs::new(&dev, 1, 3);
        let mut out = Tensor::zeros(&dev, 2);
        ffn.forward(&dev, &params.values, &mut acts, &mut out, &Tensor::from_host(&dev, vec![1.0, 2.0]), 1).unwrap();
        assert_eq!(acts.pre.host().unwrap(), [-1.0, 12.0, 16.0]);
        assert_eq!(acts.hidden.host().unwrap(), [0.0, 12.0, 16.0]);
        assert_eq!(out.host().unwrap(), [16.5, -3.5]);
        let msg = FeedForward::from_matrices(&w1[..5], &b1, &w2, &b2, 2, 3, Activation::Relu).unwrap_err().to_string();
        assert!(msg.starts_with("feed_forward: W1 has shape 5 values, expected (C=2, F=3) = 6 values"), "{msg}");
    }

    fn cross_attention_layer_gradients() {
        // 2 decoder positions attend over 3 encoder positions: gradients must
        // reach both the queries' input and the keys'/values' input.
        let (b, t, s, c) = (2, 2, 3, 4);
        let mut params = Params::new(1);
        let mha = MultiHeadAttention::new(&mut params, "cross", c, 2);
        let p = random_vec(params.len(), 0.5, 2);
        params.values = host(p.clone());
        let (x_q, x_kv, g) = (random_vec(b * t * c, 1.0, 3), random_vec(b * s * c, 1.0, 4), random_vec(b * t * c, 1.0, 5));
        let shape = mha.shape(b, t, s);
        let loss = |p: &[f32], x_q: &[f32], x_kv: &[f32]| {
            let mut acts = AttentionActs::new(&CPU, shape);
            let mut out = host(vec![0.0; b * t * c]);
            mha.forward(&CPU, &host(p.to_vec()), &mut acts, &mut out, &host(x_q.to_vec()), Some(&host(x_kv.to_vec())), shape, Mask::none()).unwrap();
            weighted_sum(values(&out), &g)
        };
        let mut acts = AttentionActs::new(&CPU, shape);
        let mut out = host(vec![0.0; b * t * c]);
        let (tq, tkv) = (host(x_q.clone()), host(x_kv.clone()));
        mha.forward(&CPU, &params.values, &mut acts, &mut out, &tq, Some(&tkv), shape, Mask::none()).unwrap();
        let (mut dx_q, mut dx_kv) = (host(vec![0.0; x_q.len()]), host(vec![0.0; x_kv.len()]));
        mha.backward(&CPU, &params.values, &mut params.grads, &acts, &mut dx_q, Some(&mut dx_kv), &host(g.clone()), &tq, Some(&tkv), shape, Mask::none()).unwrap();
        assert_close("cross dx_q", values(&dx_q), &numeric_grad(&x_q, 1e-2, |x| loss(&p, x, &x_kv)), 3e-3, 2e-2);
        assert_close("cross dx_kv", values(&dx_kv), &numeric_grad(&x_kv, 1e-2, |x| loss(&p, &x_q, x)), 3e-3, 2e-2);
        let numeric = numeric_grad(&p, 1e-2, |p| loss(p, &x_q, &x_kv));
        for info in &params.tensors {
            let r = info.range;
            assert_close(&format!("cross d{}", info.name), r.of(values(&params.grads)), r.of(&numeric), 3e-3, 2e-2);
        }
    }

    fn backend_choice_falls_back_to_the_cpu() {
        // Without a GPU API, "auto" is the CPU; "cpu" is always the CPU.
        assert_eq!(ready(Device::pick(Preference::parse("auto").unwrap(), false)).unwrap(), Device::Cpu);
        assert_eq!(ready(Device::pick(Preference::parse("CPU").unwrap(), true)).unwrap(), Device::Cpu);
        let text = ready(Device::pick(Preference::WebGpu, false)).unwrap_err().to_string();
        assert!(text.contains("WebGPU is unavailable here"), "{text}");
        let text = Preference::parse("tpu").unwrap_err().to_string();
        assert!(text.contains("use \"auto\", \"webgpu\" or \"cpu\""), "{text}");
    }

    fn block_gradients_pre_ln_relu() {
        block_gradient_case(NormPlacement::PreLn, Activation::Relu, false);
    }

    fn block_gradients_post_ln_gelu_causal() {
        block_gradient_case(NormPlacement::PostLn, Activation::Gelu, true);
    }

    fn two_layer_model_overfits_one_batch() {
        for norm in [NormPlacement::PreLn, NormPlacement::PostLn] {
            let losses = overfit(norm, 150, 5);
            let (first, last) = (losses[0], *losses.last().unwrap());
            assert!((first - (11f32).ln()).abs() < 0.2, "{norm:?}: an untrained model guesses uniformly: loss ≈ ln 11, got {first}");
            assert!(last < 0.01 * first, "{norm:?}: loss went {first} → {last}, expected below 1% of the start");
        }
    }

    fn training_is_deterministic_from_the_seed() {
        let a = overfit(NormPlacement::PreLn, 5, 9);
        let b = overfit(NormPlacement::PreLn, 5, 9);
        let c = overfit(NormPlacement::PreLn, 5, 10);
        assert_eq!(a, b, "same seed, same losses, bit for bit");
        assert_ne!(a, c, "another seed starts from other weights");
    }

    fn model_rejects_bad_input_with_readable_errors() {
        let model = TinyLm::new(tiny_config(NormPlacement::PreLn), 1, &CPU).unwrap();
        let mut acts = model.acts(1, 9);
        let text = model.forward(&mut acts, &[0; 9], &[0; 9]).unwrap_err().to_string();
        assert!(text.contains("longer than the model's context of 8 positions"), "{text}");
        let mut acts = model.acts(1, 2);
        let text = model.forward(&mut acts, &[0, 42], &[0, 0]).unwrap_err().to_string();
        assert!(text.contains("token id 42"), "{text}");
        let bad = TinyLmConfig { block: BlockConfig { heads: 3, ..tiny_config(NormPlacement::PreLn).block }, ..tiny_config(NormPlacement::PreLn) };
        let text = TinyLm::new(bad, 1, &CPU).unwrap_err().to_string();
        assert!(text.contains("heads=3 does not divide the width C=16"), "{text}");
    }
}
