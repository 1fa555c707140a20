//! The memory estimates a constructor checks against the runtime's budget
//! (`train::footprint`) against what building each model and taking one
//! training step really allocate: never less, at most four times more.
//!
//! A counting allocator wraps the system one and keeps, per thread, the
//! bytes allocated and not freed; each case clears the thread's pool of
//! host buffers first, so that it counts its own.
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use glassformer::device::tensor::clear_host_pool;
use glassformer::device::Device;
use glassformer::train::data::DataConfig;
use glassformer::train::footprint::Footprint;
use glassformer::train::language_model::{LanguageModelConfig, LanguageModelTrainer};
use glassformer::train::pretraining::{Pretrainer, PretrainingConfig};
use glassformer::train::trainer::Trainer;
use glassformer::train::translation::{Translator, TranslatorConfig};

struct LiveBytes;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    // `try_with`: a thread being torn down has no counter left; not counting there is fine.
    let _ = LIVE.try_with(|n| n.set(n.get() + delta));
}

// SAFETY: every call is passed straight to the system allocator; counting touches only a thread-local Cell.
unsafe impl GlobalAlloc for LiveBytes {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: LiveBytes = LiveBytes;

/// Bytes `build` leaves allocated: the model made and one step taken.
fn measured<T: Trainer>(build: impl FnOnce() -> T) -> (f64, T) {
    clear_host_pool();
    let before = LIVE.with(Cell::get);
    let mut trainer = build();
    trainer.train_step().unwrap();
    ((LIVE.with(Cell::get) - before) as f64, trainer)
}

fn check(what: &str, estimate: &Footprint, measured: f64) {
    let ratio = estimate.total() / measured;
    println!(
        "{what}: estimated {:.1} MB ({}), measured {:.1} MB, ×{ratio:.2}",
        estimate.total() / 1e6,
        estimate.describe(),
        measured / 1e6
    );
    assert!(
        (1.0..=4.0).contains(&ratio),
        "{what}: estimate {} for {measured} bytes (×{ratio:.2})",
        estimate.total()
    );
}

#[test]
fn the_translator_estimate_covers_what_it_allocates() {
    let d = TranslatorConfig::default();
    for cfg in [
        TranslatorConfig {
            data: DataConfig { sentences: 3000, ..d.data },
            ..d
        },
        TranslatorConfig {
            data: DataConfig { sentences: 1000, ..d.data },
            d_model: 96,
            d_ff: 192,
            batch_size: 64,
            ..d
        },
    ] {
        let (bytes, _) = measured(|| Translator::new(cfg, &Device::Cpu).unwrap());
        check(
            &format!("translator C={} B={}", cfg.d_model, cfg.batch_size),
            &Footprint::translator(&cfg),
            bytes,
        );
    }
}

#[test]
fn the_gpt_estimate_covers_what_it_allocates() {
    let text: String = (0..40_000)
        .map(|i| ["to be ", "or not ", "that is ", "the question\n"][i % 4])
        .collect();
    let vocab = {
        let mut chars: Vec<char> = text.chars().collect();
        chars.sort();
        chars.dedup();
        chars.len()
    };
    let d = LanguageModelConfig::default();
    for cfg in [
        LanguageModelConfig {
            layers: 2,
            d_model: 96,
            heads: 4,
            ..d
        },
        LanguageModelConfig {
            layers: 2,
            d_model: 96,
            heads: 4,
            batch_size: 64,
            context: 64,
            ..d
        },
    ] {
        let (bytes, _) = measured(|| LanguageModelTrainer::new(&text, cfg, &Device::Cpu).unwrap());
        check(
            &format!("GPT C={} B={} T={}", cfg.d_model, cfg.batch_size, cfg.context),
            &Footprint::gpt(&cfg, text.chars().count(), vocab),
            bytes,
        );
    }
}

#[test]
fn the_bert_estimate_covers_what_it_allocates() {
    let d = PretrainingConfig::default();
    for cfg in [
        PretrainingConfig {
            documents: 2000,
            layers: 2,
            ..d
        },
        PretrainingConfig {
            documents: 1000,
            layers: 2,
            d_model: 64,
            batch_size: 96,
            ..d
        },
    ] {
        let (bytes, _) = measured(|| Pretrainer::new(cfg, &Device::Cpu).unwrap());
        check(
            &format!("BERT C={} B={}", cfg.d_model, cfg.batch_size),
            &Footprint::bert(&cfg),
            bytes,
        );
    }
}
