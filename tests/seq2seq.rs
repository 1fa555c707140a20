//! The encoder–decoder Transformer: the batch layout, every gradient of a
//! tiny model against finite differences, learning (it must overfit a few
//! translation pairs), determinism, and the GPU against the CPU.

mod common;
use std::rc::Rc;

use common::{assert_close, numeric_grad, random_vec, ready};
use glassformer::device::gpu::Gpu;
use glassformer::device::tensor::Tensor;
use glassformer::models::seq2seq::{Batch, Regularization, Seq2Seq, Seq2SeqConfig};
use glassformer::nn::block::{BlockConfig, NormPlacement};
use glassformer::nn::dropout::Dropout;
use glassformer::nn::feed_forward::Activation;
use glassformer::ops::adamw::AdamWConfig;
use glassformer::ops::cross_entropy::IGNORE_INDEX;
use glassformer::train::data::{generate, DataConfig};
use glassformer::train::optimizer::AdamW;
use glassformer::train::tokenizer::{Vocab, BOS, EOS, PAD};
use glassformer::Device;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn config(norm: NormPlacement, c: usize, source_vocab: usize, target_vocab: usize) -> Seq2SeqConfig {
    Seq2SeqConfig {
        source_vocab,
        target_vocab,
        layers: 2,
        block: BlockConfig {
            c,
            heads: 2,
            ffn_hidden: 2 * c,
            activation: Activation::Relu,
            norm,
        },
        tie_output_embedding: false,
    }
}

/// The paper's training-time options, all on: dropout, label smoothing (and, in the config, tied output embeddings).
const REGULARIZED: Regularization = Regularization {
    dropout: Dropout { p: 0.1, seed: 77 },
    label_smoothing: 0.1,
};

/// Eight real sentence pairs from the grammar, as ids.
fn translation_batch() -> (Batch, usize, usize) {
    let data = generate(DataConfig { seed: 5, sentences: 200 });
    let pairs = &data.train[..8];
    let source = Vocab::build(pairs.iter().map(|p| p.english.as_slice()));
    let target = Vocab::build(pairs.iter().map(|p| p.french.as_slice()));
    let ids: Vec<(Vec<u32>, Vec<u32>)> = pairs
        .iter()
        .map(|p| (source.encode(&p.english), target.encode(&p.french)))
        .collect();
    (Batch::new(&ids).unwrap(), source.len(), target.len())
}

/// Train `steps` steps on one batch; the loss after each (awaited: in the
/// browser a GPU readback really waits).
async fn train_async(model: &mut Seq2Seq, batch: &Batch, steps: usize, lr: f32, regularization: Regularization) -> Vec<f32> {
    let dev = model.device.clone();
    let cfg = AdamWConfig {
        lr,
        weight_decay: 0.0,
        ..AdamWConfig::default()
    };
    let mut opt = AdamW::new(cfg, &model.params, &dev);
    let mut acts = model.acts(batch.b, batch.s, batch.t);
    let mut losses = Vec::with_capacity(steps);
    for step in 0..steps {
        acts.regularization = Regularization {
            dropout: regularization.dropout.site(step as u64),
            ..regularization
        };
        model.forward(&mut acts, batch).unwrap();
        model.params.zero_grads(&dev).unwrap();
        model.backward(&acts, batch).unwrap();
        opt.update(&dev, &mut model.params).unwrap();
        losses.push(model.loss(&acts).await.unwrap());
    }
    losses
}

/// The plain loss of `model` on `batch` (no dropout, no smoothing).
fn loss_of(model: &Seq2Seq, batch: &Batch) -> f32 {
    let mut acts = model.acts(batch.b, batch.s, batch.t);
    model.forward(&mut acts, batch).unwrap();
    ready(model.loss(&acts)).unwrap()
}

/// The same on the CPU, where every future is ready at once.
fn train(model: &mut Seq2Seq, batch: &Batch, steps: usize, lr: f32) -> Vec<f32> {
    ready(train_async(model, batch, steps, lr, Regularization::NONE))
}

gf_test! {
    fn a_batch_shifts_the_target_right_and_pads() {
        let batch = Batch::new(&[(vec![7, 8, 9], vec![20, 21]), (vec![7], vec![22, 23, 24])]).unwrap();
        assert_eq!((batch.b, batch.s, batch.t), (2, 3, 4));
        assert_eq!(batch.source, [7, 8, 9, 7, PAD, PAD]);
        assert_eq!(batch.source_lengths, [3, 1]);
        assert_eq!(batch.decoder_input, [BOS, 20, 21, PAD, BOS, 22, 23, 24]);
        let (e, x) = (EOS as i32, IGNORE_INDEX);
        assert_eq!(batch.targets, [20, 21, e, x, 22, 23, 24, e]);
        let msg = Batch::new(&[(vec![], vec![1])]).unwrap_err().to_string();
        assert!(msg.starts_with("seq2seq batch: needs at least one pair, and no empty source or target."), "{msg}");
    }

    fn every_gradient_matches_finite_differences() {
        // Plain, then with dropout (a fixed mask: the same seed drops the same
        // values at every evaluation), label smoothing and tied embeddings.
        for (norm, regularization, tied) in [
            (NormPlacement::PreLn, Regularization::NONE, false),
            (NormPlacement::PostLn, Regularization::NONE, false),
            (NormPlacement::PreLn, REGULARIZED, true),
            (NormPlacement::PostLn, REGULARIZED, true),
        ] {
            let cfg = Seq2SeqConfig { layers: 1, tie_output_embedding: tied, ..config(norm, 4, 9, 7) };
            let mut model = Seq2Seq::new(cfg, 3, &Device::Cpu).unwrap();
            let p = random_vec(model.params.len(), 0.5, 4);
            model.params.values = Tensor::Host(p.clone());
            let batch = Batch::new(&[(vec![4, 5, 6], vec![4, 5]), (vec![7, 8], vec![6, 4, 5])]).unwrap();
            let mut acts = model.acts(batch.b, batch.s, batch.t);
            acts.regularization = regularization;
            let loss_at = |model: &mut Seq2Seq, acts: &mut _, p: &[f32]| {
                model.params.values = Tensor::Host(p.to_vec());
                model.forward(acts, &batch).unwrap();
                ready(model.loss(acts)).unwrap() as f64
            };
            loss_at(&mut model, &mut acts, &p);
            model.params.zero_grads(&Device::Cpu).unwrap();
            model.backward(&acts, &batch).unwrap();
            let grads = model.params.grads.host().unwrap().to_vec();
            let numeric = numeric_grad(&p, 1e-3, |q| loss_at(&mut model, &mut acts, q));
            for info in &model.params.tensors {
                let r = info.range;
                assert_close(&format!("{norm:?} tied={tied} d{}", info.name), r.of(&grads), r.of(&numeric), 2e-3, 3e-2);
            }
            // Tied: one table serves as embedding and head, so there is no head.weight.
            assert_eq!(model.params.tensors.iter().any(|t| t.name == "head.weight"), !tied);
        }
    }

    fn dropout_and_smoothing_change_training_only_and_still_overfit() {
        let (batch, sv, tv) = translation_batch();
        let cfg = Seq2SeqConfig { tie_output_embedding: true, ..config(NormPlacement::PreLn, 32, sv, tv) };
        let model = Seq2Seq::new(cfg, 1, &Device::Cpu).unwrap();
        // Turned on, they change the loss; the inference pass is untouched by them.
        let loss = |regularization| {
            let mut acts = model.acts(batch.b, batch.s, batch.t);
            acts.regularization = regularization;
            model.forward(&mut acts, &batch).unwrap();
            ready(model.loss(&acts)).unwrap()
        };
        assert_ne!(loss(REGULARIZED), loss(Regularization::NONE));
        assert_eq!(loss(Regularization::NONE), loss(Regularization::NONE));
        let mut model = model;
        let losses = ready(train_async(&mut model, &batch, 300, 3e-3, REGULARIZED));
        // Smoothing keeps the loss above 0 (the target is never one-hot), and
        // its optimum puts p ≈ 0.9 on the right word: plain loss ≈ −ln 0.9 ≈ 0.1.
        assert!(losses[0] > 2.0);
        let plain = loss_of(&model, &batch);
        assert!(plain < 0.25, "plain loss after 300 regularised steps: {plain}");
    }

    fn it_overfits_a_few_translation_pairs() {
        let (batch, sv, tv) = translation_batch();
        let mut model = Seq2Seq::new(config(NormPlacement::PreLn, 32, sv, tv), 1, &Device::Cpu).unwrap();
        let losses = train(&mut model, &batch, 150, 3e-3);
        assert!(losses[0] > 2.0, "starts near ln(V): {}", losses[0]);
        assert!(*losses.last().unwrap() < 0.05, "after 150 steps the loss is still {:?}", &losses[140..]);
    }

    fn the_same_seed_gives_the_same_loss_curve() {
        let (batch, sv, tv) = translation_batch();
        let curve = |seed| train(&mut Seq2Seq::new(config(NormPlacement::PostLn, 16, sv, tv), seed, &Device::Cpu).unwrap(), &batch, 5, 1e-3);
        assert_eq!(curve(9), curve(9));
        assert_ne!(curve(9), curve(10));
    }
}

gpu_tests!(training_on_the_gpu_matches_the_cpu);

mod bodies {
    use super::*;

    pub async fn training_on_the_gpu_matches_the_cpu() {
        let gpu = Device::Gpu(Rc::new(
            Gpu::new().await.unwrap_or_else(|e| panic!("the GPU tests need an adapter: {e}")),
        ));
        let (batch, sv, tv) = translation_batch();
        for norm in [NormPlacement::PreLn, NormPlacement::PostLn] {
            let cfg = config(norm, 32, sv, tv);
            let cpu_curve = train(&mut Seq2Seq::new(cfg, 2, &Device::Cpu).unwrap(), &batch, 10, 3e-3);
            let gpu_curve = train_async(&mut Seq2Seq::new(cfg, 2, &gpu).unwrap(), &batch, 10, 3e-3, Regularization::NONE).await;
            assert_close(&format!("{norm:?} loss curve"), &gpu_curve, &cpu_curve, 1e-3, 1e-3);
        }
        // Dropout draws the same masks on both devices; smoothing and tying agree too.
        let cfg = Seq2SeqConfig {
            tie_output_embedding: true,
            ..config(NormPlacement::PreLn, 32, sv, tv)
        };
        let cpu_curve = ready(train_async(
            &mut Seq2Seq::new(cfg, 2, &Device::Cpu).unwrap(),
            &batch,
            10,
            3e-3,
            REGULARIZED,
        ));
        let gpu_curve = train_async(&mut Seq2Seq::new(cfg, 2, &gpu).unwrap(), &batch, 10, 3e-3, REGULARIZED).await;
        assert_close("regularised loss curve", &gpu_curve, &cpu_curve, 1e-3, 1e-3);
    }
}
