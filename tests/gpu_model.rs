//! Whole layers and a whole model on the GPU against the same on the CPU:
//! a Transformer block's forward and every gradient, fifty training steps of
//! a two-layer causal model from one seed, and training that survives the
//! loss of its GPU device; BERT's losses, gradients and training steps.
//! Natively on lavapipe and in Chromium's WebGPU (the fifty steps and the
//! lost device natively only).

mod common;
use std::rc::Rc;

use common::{assert_close, random_vec};
use glassformer::device::gpu::Gpu;
use glassformer::device::tensor::Tensor;
use glassformer::models::tiny_lm::{TinyLm, TinyLmConfig};
use glassformer::nn::block::{Block, BlockActs, BlockConfig, NormPlacement};
use glassformer::nn::decoder_block::{DecoderActs, DecoderBlock};
use glassformer::nn::feed_forward::Activation;
use glassformer::nn::params::Params;
use glassformer::ops::adamw::AdamWConfig;
use glassformer::ops::attention::Mask;
use glassformer::train::optimizer::AdamW;
use glassformer::Device;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

gpu_tests!(
    block_forward_and_gradients_match_the_cpu,
    decoder_block_matches_the_cpu,
    sinusoidal_post_ln_encoder_matches_the_cpu,
    bert_forward_gradients_and_training_match_the_cpu
);

// The fifty-step curve and the recovery from a lost device: natively only.
// In the browser the same kernels are checked above and in tests/gpu_ops.rs,
// and a lost device through the JS API (tests/web_api.rs).
native_gpu_tests!(fifty_training_steps_match_the_cpu, training_survives_a_lost_device);

async fn gpu_device() -> Device {
    Device::Gpu(Rc::new(
        Gpu::new().await.unwrap_or_else(|e| panic!("the GPU tests need an adapter: {e}")),
    ))
}

/// One block's forward output, input gradient and parameter gradients on `dev`.
#[allow(clippy::too_many_arguments)]
async fn block_pass(
    dev: &Device,
    cfg: &BlockConfig,
    p: &[f32],
    x: &[f32],
    dout: &[f32],
    b: usize,
    t: usize,
    mask: Mask<'_>,
) -> [Vec<f32>; 3] {
    let mut params = Params::new(1);
    let block = Block::new(&mut params, "block", cfg).unwrap();
    params.move_to(dev, p.to_vec());
    let (x, dout) = (Tensor::from_host(dev, x.to_vec()), Tensor::from_host(dev, dout.to_vec()));
    let mut acts = BlockActs::new(dev, cfg, b, t);
    let (mut out, mut dx) = (Tensor::zeros(dev, x.len()), Tensor::zeros(dev, x.len()));
    block.forward(dev, &params.values, &mut acts, &mut out, &x, b, t, mask).unwrap();
    block
        .backward(dev, &params.values, &mut params.grads, &acts, &mut dx, &dout, &x, b, t, mask)
        .unwrap();
    [
        out.to_host(dev).await.unwrap(),
        dx.to_host(dev).await.unwrap(),
        params.grads.to_host(dev).await.unwrap(),
    ]
}

/// One decoder layer's output and gradients (targets, encoder output, parameters) on `dev`.
#[allow(clippy::too_many_arguments)]
async fn decoder_pass(
    dev: &Device,
    cfg: &BlockConfig,
    p: &[f32],
    x: &[f32],
    enc: &[f32],
    dout: &[f32],
    dims: (usize, usize, usize),
    lengths: &[usize],
) -> [Vec<f32>; 4] {
    let (b, t, s) = dims;
    let mut params = Params::new(1);
    let block = DecoderBlock::new(&mut params, "decoder", cfg).unwrap();
    params.move_to(dev, p.to_vec());
    let host = |v: &[f32]| Tensor::from_host(dev, v.to_vec());
    let (x, enc, dout) = (host(x), host(enc), host(dout));
    let mut acts = DecoderActs::new(dev, cfg, b, t, s);
    let (mut out, mut dx, mut denc) = (
        Tensor::zeros(dev, x.len()),
        Tensor::zeros(dev, x.len()),
        Tensor::zeros(dev, enc.len()),
    );
    block
        .forward(dev, &params.values, &mut acts, &mut out, &x, &enc, dims, lengths)
        .unwrap();
    block
        .backward(
            dev,
            &params.values,
            &mut params.grads,
            &acts,
            &mut dx,
            &mut denc,
            &dout,
            &x,
            &enc,
            dims,
            lengths,
        )
        .unwrap();
    [
        out.to_host(dev).await.unwrap(),
        dx.to_host(dev).await.unwrap(),
        denc.to_host(dev).await.unwrap(),
        params.grads.to_host(dev).await.unwrap(),
    ]
}

/// Train the same model on the CPU and the GPU; return both loss curves.
async fn train_on_both(cfg: TinyLmConfig, seed: u64, steps: usize) -> (Vec<f32>, Vec<f32>) {
    let gpu = gpu_device().await;
    let mut cpu_model = TinyLm::new(cfg, seed, &Device::Cpu).unwrap();
    let mut gpu_model = TinyLm::new(cfg, seed, &gpu).unwrap();
    let (mut cpu_opt, mut gpu_opt) = (optimizer(&cpu_model), optimizer(&gpu_model));
    (
        train(&mut cpu_model, &mut cpu_opt, steps).await,
        train(&mut gpu_model, &mut gpu_opt, steps).await,
    )
}

fn tiny_config() -> TinyLmConfig {
    TinyLmConfig {
        vocab: 13,
        layers: 2,
        block: BlockConfig {
            c: 32,
            heads: 4,
            ffn_hidden: 64,
            activation: Activation::Gelu,
            norm: NormPlacement::PreLn,
        },
        learned_positions: Some(16),
        causal: true,
        tie_embeddings: false,
    }
}

/// A fixed next-token batch: B = 3 sequences of T = 12.
fn batch() -> (Vec<u32>, Vec<i32>, usize, usize) {
    let (b, t) = (3, 12);
    let tokens: Vec<u32> = (0..b * t).map(|i| ((i * 5 + i / t) % 13) as u32).collect();
    let targets = (0..b * t)
        .map(|i| if i % t == t - 1 { -100 } else { tokens[i + 1] as i32 })
        .collect();
    (tokens, targets, b, t)
}

/// Train `steps` steps; return the loss of every step.
async fn train(model: &mut TinyLm, opt: &mut AdamW, steps: usize) -> Vec<f32> {
    let (tokens, targets, b, t) = batch();
    let mut acts = model.acts(b, t);
    let dev = model.device.clone();
    let mut losses = Vec::new();
    for _ in 0..steps {
        model.forward(&mut acts, &tokens, &targets).unwrap();
        model.params.zero_grads(&dev).unwrap();
        model.backward(&acts, &tokens, &targets).unwrap();
        opt.update(&dev, &mut model.params).unwrap();
        losses.push(model.loss(&acts).await.unwrap());
    }
    losses
}

fn optimizer(model: &TinyLm) -> AdamW {
    AdamW::new(
        AdamWConfig {
            lr: 3e-3,
            ..AdamWConfig::default()
        },
        &model.params,
        &model.device,
    )
}

/// BERT's two losses and every gradient for one batch, then its losses over
/// `steps` AdamW steps on that batch, on `dev`.
async fn bert_on(dev: &Device, steps: usize) -> (Vec<f32>, Vec<f32>) {
    use glassformer::models::bert::{Bert, BertBatch, BertConfig};
    let cfg = BertConfig {
        vocab: 23,
        layers: 2,
        c: 32,
        heads: 4,
        ffn_hidden: 64,
        max_len: 10,
        classes: 2,
        mlm_head: true,
        untied_decoder: false,
    };
    let mut bert = Bert::new(cfg, 5, dev).unwrap();
    let batch = BertBatch {
        b: 2,
        t: 7,
        tokens: vec![2, 9, 4, 11, 3, 12, 3, 2, 15, 4, 3, 0, 0, 0],
        segments: vec![0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0],
        lengths: vec![7, 4],
        mlm_rows: vec![2, 5, 9],
        mlm_targets: vec![17, 12, 20],
        labels: vec![1, 0],
    };
    let mut opt = AdamW::new(
        AdamWConfig {
            lr: 3e-3,
            ..AdamWConfig::default()
        },
        &bert.params,
        dev,
    );
    let (mut losses, mut grads) = (Vec::new(), Vec::new());
    for step in 0..steps {
        let mut acts = bert.acts(&batch);
        bert.forward(&mut acts, &batch).unwrap();
        bert.params.zero_grads(dev).unwrap();
        bert.backward(&acts, &batch).unwrap();
        let (mlm, cls) = bert.losses(&acts).await.unwrap();
        losses.extend([mlm, cls]);
        if step == 0 {
            grads = bert.params.grads.to_host(dev).await.unwrap();
        }
        opt.update(dev, &mut bert.params).unwrap();
    }
    (losses, grads)
}

mod bodies {
    use super::*;

    pub async fn bert_forward_gradients_and_training_match_the_cpu() {
        let gpu = gpu_device().await;
        let (want_losses, want_grads) = bert_on(&Device::Cpu, 10).await;
        let (got_losses, got_grads) = bert_on(&gpu, 10).await;
        assert_close("bert gradients", &got_grads, &want_grads, 1e-4, 1e-3);
        assert_close(
            "bert losses (masked-LM, classifier) over 10 steps",
            &got_losses,
            &want_losses,
            1e-3,
            1e-2,
        );
        assert!(want_losses[18] < want_losses[0], "the masked-LM loss falls: {want_losses:?}");
    }

    pub async fn block_forward_and_gradients_match_the_cpu() {
        let gpu = gpu_device().await;
        let (b, t) = (2, 7);
        let lengths_unused = [7usize, 7];
        for (norm, activation, mask) in [
            (NormPlacement::PreLn, Activation::Gelu, Mask::causal()),
            (NormPlacement::PostLn, Activation::Relu, Mask::none()),
            (NormPlacement::PreLn, Activation::Relu, Mask::key_padding(&lengths_unused)),
        ] {
            let cfg = BlockConfig {
                c: 48,
                heads: 3,
                ffn_hidden: 96,
                activation,
                norm,
            };
            let mut probe = Params::new(1);
            Block::new(&mut probe, "block", &cfg).unwrap();
            let p = random_vec(probe.len(), 0.3, 2);
            let (x, dout) = (random_vec(b * t * 48, 1.0, 3), random_vec(b * t * 48, 1.0, 4));
            let want = block_pass(&Device::Cpu, &cfg, &p, &x, &dout, b, t, mask).await;
            let got = block_pass(&gpu, &cfg, &p, &x, &dout, b, t, mask).await;
            let what = format!("{norm:?} {activation:?}");
            // Whole layers chain a dozen kernels, each a few ulp off the CPU.
            assert_close(&format!("{what} block output"), &got[0], &want[0], 1e-4, 1e-3);
            assert_close(&format!("{what} block dx"), &got[1], &want[1], 1e-4, 1e-3);
            assert_close(&format!("{what} block parameter gradients"), &got[2], &want[2], 1e-4, 1e-3);
        }
    }

    pub async fn decoder_block_matches_the_cpu() {
        let gpu = gpu_device().await;
        let (b, t, s) = (2, 6, 9);
        let lengths = [9usize, 5];
        for norm in [NormPlacement::PreLn, NormPlacement::PostLn] {
            let cfg = BlockConfig {
                c: 32,
                heads: 4,
                ffn_hidden: 64,
                activation: Activation::Relu,
                norm,
            };
            let mut probe = Params::new(1);
            DecoderBlock::new(&mut probe, "decoder", &cfg).unwrap();
            let p = random_vec(probe.len(), 0.3, 12);
            let (x, enc, dout) = (
                random_vec(b * t * 32, 1.0, 13),
                random_vec(b * s * 32, 1.0, 14),
                random_vec(b * t * 32, 1.0, 15),
            );
            let want = decoder_pass(&Device::Cpu, &cfg, &p, &x, &enc, &dout, (b, t, s), &lengths).await;
            let got = decoder_pass(&gpu, &cfg, &p, &x, &enc, &dout, (b, t, s), &lengths).await;
            for (i, name) in ["output", "dx", "d encoder output", "parameter gradients"].iter().enumerate() {
                assert_close(&format!("{norm:?} decoder {name}"), &got[i], &want[i], 1e-4, 1e-3);
            }
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub async fn fifty_training_steps_match_the_cpu() {
        let (cpu_losses, gpu_losses) = train_on_both(tiny_config(), 7, 50).await;
        assert!(
            cpu_losses[49] < 0.5 * cpu_losses[0],
            "the model learns: {} → {}",
            cpu_losses[0],
            cpu_losses[49]
        );
        // Rounding differences grow as training amplifies them, but the
        // curves must stay together: every step within 1% of the CPU's loss.
        assert_close("loss curve", &gpu_losses, &cpu_losses, 1e-3, 1e-2);
    }

    pub async fn sinusoidal_post_ln_encoder_matches_the_cpu() {
        // The other code paths: sinusoidal positions, post-LN, ReLU, no causal mask, no final LN.
        let block = BlockConfig {
            activation: Activation::Relu,
            norm: NormPlacement::PostLn,
            ..tiny_config().block
        };
        let cfg = TinyLmConfig {
            block,
            learned_positions: None,
            causal: false,
            ..tiny_config()
        };
        let (cpu_losses, gpu_losses) = train_on_both(cfg, 3, 10).await;
        assert_close("post-LN encoder loss curve", &gpu_losses, &cpu_losses, 1e-3, 1e-2);
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub async fn training_survives_a_lost_device() {
        let gpu = gpu_device().await;
        let mut model = TinyLm::new(tiny_config(), 11, &gpu).unwrap();
        let mut opt = optimizer(&model);
        train(&mut model, &mut opt, 5).await;
        // A host copy of everything training needs, as a runtime keeps after each chunk of steps.
        let params = model.params.values.to_host(&model.device).await.unwrap();
        let (m, v) = opt.moments_to_host(&model.device).await.unwrap();
        let Device::Gpu(handle) = &model.device else { unreachable!() };
        handle.destroy();
        // The next step fails with a readable error, not a panic...
        let (tokens, targets, b, t) = batch();
        let mut acts = model.acts(b, t);
        let text = model.forward(&mut acts, &tokens, &targets).unwrap_err().to_string();
        assert!(text.contains("the GPU device was lost"), "{text}");
        // ...and training continues on the CPU from the host copy, nothing lost.
        model.move_to(&Device::Cpu, params.clone()).unwrap();
        opt.move_to(&Device::Cpu, m, v);
        assert_eq!(
            model.params.values.host().unwrap(),
            &params[..],
            "parameters after the switch equal those before it"
        );
        let losses = train(&mut model, &mut opt, 5).await;
        assert!(losses.iter().all(|l| l.is_finite()));
        assert_eq!(opt.step, 10, "the optimizer's step count carried over");
    }
}
