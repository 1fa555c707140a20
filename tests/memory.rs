//! Memory discipline of a CPU training step: after the first step has sized
//! every scratch buffer, later steps (forward, backward, AdamW) allocate
//! nothing, and in the browser the wasm memory does not grow.
//!
//! Natively, a counting allocator wraps the system one and counts, per
//! thread, every allocation and reallocation; the test reads its own
//! thread's count, so other tests running in parallel do not disturb it. In
//! the browser the library's own allocator counts (`web::memory`), and the
//! tests run one at a time.

mod common;
#[cfg(not(target_arch = "wasm32"))]
use std::alloc::{GlobalAlloc, Layout, System};
#[cfg(not(target_arch = "wasm32"))]
use std::cell::Cell;

use glassformer::device::Device;
use glassformer::models::tiny_lm::{TinyLm, TinyLmConfig};
use glassformer::nn::block::{BlockConfig, NormPlacement};
use glassformer::nn::feed_forward::Activation;
use glassformer::ops::adamw::AdamWConfig;
use glassformer::train::optimizer::AdamW;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[cfg(not(target_arch = "wasm32"))]
struct CountingAllocator;

#[cfg(not(target_arch = "wasm32"))]
thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

#[cfg(not(target_arch = "wasm32"))]
fn count_one() {
    // `try_with`: a thread being torn down has no counter left; not counting there is fine.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every call is passed straight to the system allocator; counting touches only a thread-local Cell.
#[cfg(not(target_arch = "wasm32"))]
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static COUNTING: CountingAllocator = CountingAllocator;

#[cfg(not(target_arch = "wasm32"))]
fn allocations() -> usize {
    ALLOCATIONS.with(|n| n.get())
}

#[cfg(target_arch = "wasm32")]
fn allocations() -> usize {
    glassformer::web::memory::allocations()
}

/// Bytes of wasm linear memory (in the browser); 0 natively.
fn wasm_memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
        memory.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length() as f64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

gf_test! {
    fn cpu_training_steps_after_the_first_allocate_nothing() {
        // A GPT-like shape: causal, GELU, pre-LN, learned positions.
        let cfg = TinyLmConfig {
            vocab: 29,
            layers: 2,
            block: BlockConfig { c: 32, heads: 4, ffn_hidden: 128, activation: Activation::Gelu, norm: NormPlacement::PreLn },
            learned_positions: Some(16),
            causal: true,
            tie_embeddings: false,
        };
        let cpu = Device::Cpu;
        let mut model = TinyLm::new(cfg, 3, &cpu).unwrap();
        let (b, t) = (3usize, 16usize);
        let tokens: Vec<u32> = (0..(b * t) as u32).map(|i| (i * 11 + 5) % 29).collect();
        let targets: Vec<i32> = (0..b * t).map(|i| if i % t == t - 1 { -100 } else { tokens[i + 1] as i32 }).collect();
        let mut opt = AdamW::new(AdamWConfig::default(), &model.params, &cpu);
        let mut acts = model.acts(b, t);
        // One step; the loss of the batch before the update.
        let mut train_step = |model: &mut TinyLm| -> f32 {
            model.forward(&mut acts, &tokens, &targets).unwrap();
            let loss = acts.loss.host().unwrap()[0];
            model.params.zero_grads(&cpu).unwrap();
            model.backward(&acts, &tokens, &targets).unwrap();
            opt.update(&cpu, &mut model.params).unwrap();
            loss
        };
        let first = train_step(&mut model); // sizes every scratch buffer
        let (before, memory_before) = (allocations(), wasm_memory_bytes());
        let mut last = first;
        for _ in 0..4 {
            last = train_step(&mut model);
        }
        let (allocated, memory_after) = (allocations() - before, wasm_memory_bytes());
        assert_eq!(allocated, 0, "4 training steps after the first allocated {allocated} times");
        assert_eq!(memory_after, memory_before, "wasm memory grew from {memory_before} to {memory_after} bytes");
        // The steps really trained: the same batch's loss fell.
        assert!(last < first, "loss {first} → {last} over four steps");
    }
}
