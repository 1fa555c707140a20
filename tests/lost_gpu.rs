//! Every trainer outlives its GPU: the translator, the GPT, BERT's
//! pre-training and its fine-tuning, each driven by `train::trainer::Resilient`
//! on a GPU (lavapipe natively) that is destroyed mid-training, go on on the
//! CPU from their last snapshot with its parameters, AdamW moments, step and
//! place in the data exactly, and keep training. Native only: in the browser the same path is
//! exercised through the JS API (`tests/web_api.rs`).
#![cfg(not(target_arch = "wasm32"))]

mod common;
use std::rc::Rc;

use common::ready;
use glassformer::device::gpu::Gpu;
use glassformer::models::bert::{Bert, BertConfig};
use glassformer::train::data::DataConfig;
use glassformer::train::errands::Corpus;
use glassformer::train::fine_tuning::{labelled, FineTuner};
use glassformer::train::language_model::{LanguageModelConfig, LanguageModelTrainer};
use glassformer::train::pretraining::{Pretrainer, PretrainingConfig};
use glassformer::train::trainer::{Resilient, Snapshot, Trainer};
use glassformer::train::translation::{Translator, TranslatorConfig};
use glassformer::train::wordpiece::WordPiece;
use glassformer::Device;

fn gpu_device() -> Device {
    Device::Gpu(Rc::new(
        ready(Gpu::new()).unwrap_or_else(|e| panic!("the GPU tests need an adapter: {e}")),
    ))
}

/// Train on a GPU with a snapshot every 2 steps, lose the GPU after step 3,
/// and check that the trainer comes back on the CPU as of the step-2
/// snapshot, exactly, and trains on.
fn survives_a_lost_gpu<T: Trainer>(name: &str, trainer: T)
where
    T::DataPosition: PartialEq + std::fmt::Debug,
{
    let gpu = gpu_device();
    let run = Resilient::with_snapshots_every(trainer, &gpu, 2).unwrap();
    let first = ready(run.train(2, "test")).unwrap();
    assert!(first.losses.iter().all(|l| l.is_finite()), "{name}: {:?}", first.losses);
    assert!(first.tokens > 0 && first.moved_to_cpu.is_none(), "{name}");
    // The state as of step 2, read here the way the snapshot will read it.
    let at_two = {
        let t = run.trainer.borrow();
        let (m, v) = ready(t.optimizer().moments_to_host(&gpu)).unwrap();
        Snapshot {
            step: t.step(),
            values: ready(t.params().values.to_host(&gpu)).unwrap(),
            m,
            v,
        }
    };
    assert_eq!(at_two.step, 2, "{name}");
    let data_at_two = run.trainer.borrow().data_position();
    // Step 3: the snapshot of step 2 is due, so this call takes it first.
    ready(run.train(1, "test")).unwrap();
    assert_eq!((run.trainer.borrow().step(), run.snapshot_step()), (3, 2), "{name}");
    let Device::Gpu(handle) = &gpu else { unreachable!() };
    handle.destroy();
    assert!(run.on_lost_gpu(), "{name}");
    // Back on the CPU, exactly as of the snapshot.
    assert!(run.recover("test").unwrap(), "{name}");
    {
        let t = run.trainer.borrow();
        assert_eq!(t.device(), Device::Cpu, "{name}");
        assert_eq!(
            Snapshot::of_host(&*t).unwrap(),
            at_two,
            "{name}: parameters, moments and step as of the snapshot"
        );
        assert_eq!(t.data_position(), data_at_two, "{name}: the data where it was at the snapshot");
    }
    // And it trains on, there.
    let after = ready(run.train(2, "test")).unwrap();
    assert!(after.losses.iter().all(|l| l.is_finite()), "{name}: {:?}", after.losses);
    assert_eq!(run.trainer.borrow().step(), 4, "{name}");
    assert!(!run.on_lost_gpu(), "{name}");
}

/// A GPU lost between two calls is noticed by the next one, which says so.
fn reports_the_move<T: Trainer>(name: &str, trainer: T) {
    let gpu = gpu_device();
    let run = Resilient::new(trainer, &gpu).unwrap();
    ready(run.train(1, "test")).unwrap();
    let Device::Gpu(handle) = &gpu else { unreachable!() };
    handle.destroy();
    let trained = ready(run.train(1, "test")).unwrap();
    assert!(trained.moved_to_cpu.is_some(), "{name}");
    // Back to the step-0 snapshot (the next one was due at step 100), then one step.
    assert_eq!(
        (run.trainer.borrow().step(), run.trainer.borrow().device()),
        (1, Device::Cpu),
        "{name}"
    );
}

fn translator() -> Translator {
    let cfg = TranslatorConfig {
        data: DataConfig { seed: 4, sentences: 300 },
        d_model: 16,
        d_ff: 32,
        batch_size: 8,
        ..TranslatorConfig::default()
    };
    Translator::new(cfg, &Device::Cpu).unwrap()
}

fn language_model() -> LanguageModelTrainer {
    let text = "to be, or not to be, that is the question: whether 'tis nobler in the mind to suffer\n".repeat(20);
    let cfg = LanguageModelConfig {
        context: 16,
        layers: 1,
        d_model: 16,
        heads: 2,
        batch_size: 4,
        ..LanguageModelConfig::default()
    };
    LanguageModelTrainer::new(&text, cfg, &Device::Cpu).unwrap()
}

fn pretrainer() -> Pretrainer {
    let cfg = PretrainingConfig {
        layers: 1,
        d_model: 16,
        heads: 2,
        batch_size: 4,
        documents: 60,
        vocab_size: 200,
        ..PretrainingConfig::default()
    };
    Pretrainer::new(cfg, &Device::Cpu).unwrap()
}

fn fine_tuner() -> FineTuner {
    let corpus = Corpus::generate(1, 40);
    let vocab = WordPiece::train(corpus.train_sentences(), 200);
    let cfg = BertConfig {
        vocab: vocab.len(),
        layers: 1,
        c: 16,
        heads: 2,
        ffn_hidden: 32,
        max_len: 24,
        classes: 2,
        mlm_head: true,
        untied_decoder: false,
    };
    let bert = Bert::new(cfg, 1, &Device::Cpu).unwrap();
    let values = bert.params.values.host().unwrap().to_vec();
    let mut tuner = FineTuner::new(&bert, &values, 2, false, 1e-3, 1, &Device::Cpu).unwrap();
    let examples = [("the milk was fresh.".to_string(), 1), ("the bread was stale.".to_string(), 0)];
    let examples = labelled(&vocab, &examples, 2, 24).unwrap();
    tuner.set_examples(&vocab, examples, 2).unwrap();
    tuner
}

#[test]
fn the_translator_survives_a_lost_gpu() {
    survives_a_lost_gpu("translator", translator());
    reports_the_move("translator", translator());
}

#[test]
fn the_gpt_survives_a_lost_gpu() {
    survives_a_lost_gpu("gpt", language_model());
    reports_the_move("gpt", language_model());
}

#[test]
fn bert_pretraining_survives_a_lost_gpu() {
    survives_a_lost_gpu("bert", pretrainer());
    reports_the_move("bert", pretrainer());
}

#[test]
fn bert_fine_tuning_survives_a_lost_gpu() {
    survives_a_lost_gpu("fine-tuning", fine_tuner());
    reports_the_move("fine-tuning", fine_tuner());
}

#[test]
fn a_trainer_must_start_on_the_cpu_and_train_at_least_one_step() {
    let gpu = gpu_device();
    let Device::Gpu(_) = &gpu else { unreachable!() };
    let on_gpu = Resilient::new(translator(), &gpu).unwrap().trainer.into_inner();
    let msg = Resilient::new(on_gpu, &Device::Cpu)
        .err()
        .expect("a trainer on a GPU is refused")
        .to_string();
    assert!(msg.starts_with("trainer: make the trainer on the CPU"), "{msg}");
    let run = Resilient::new(translator(), &Device::Cpu).unwrap();
    let msg = ready(run.train(0, "translator.train")).unwrap_err().to_string();
    assert_eq!(msg, "translator.train: steps must be at least 1.");
}
