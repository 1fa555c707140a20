//! The JS API: the only code that knows about JavaScript.
//!
//! Everything here converts between JS values and plain Rust buffers, calls
//! into the crate, and turns every [`Error`](crate::Error) into a thrown JS
//! `Error` with the same message. Calls that compute return Promises, so that
//! a GPU backend, whose results arrive asynchronously, keeps the same API.
//!
//! Files: `convert.rs` (typed arrays and option objects), `runtime.rs`
//! (the `Runtime` class), `bench.rs` (`runtime.benchmark`, for `bench.html`),
//! and one file per model: `seq2seq.rs`, `gpt.rs`, `bert.rs`.

mod bench;
mod bert;
mod convert;
mod gpt;
mod runtime;
mod seq2seq;

pub use bert::{bert_opinion_examples, BertModel};
pub use gpt::GptModel;
pub use runtime::Runtime;
pub use seq2seq::Seq2seqModel;

use wasm_bindgen::prelude::*;

/// Runs once when the module is instantiated: route Rust panics (bugs) to the
/// console with their message instead of a bare "unreachable executed".
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// The crate version, e.g. for the page footer.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Which CPU kernels this build runs, for the page: wasm `simd128`, whether
/// its multiply-adds are fused (the relaxed-SIMD build), and on how many
/// threads (more than one only in the threaded build, once its pool runs).
#[wasm_bindgen(js_name = cpuKernels)]
pub fn cpu_kernels() -> String {
    let simd = if crate::ops::simd::FUSED_MULTIPLY_ADD {
        "WebAssembly SIMD with relaxed-SIMD fused multiply-add"
    } else {
        "WebAssembly SIMD (simd128)"
    };
    #[cfg(feature = "threads")]
    let threads = rayon::current_num_threads();
    #[cfg(not(feature = "threads"))]
    let threads = 1;
    let plural = if threads == 1 { "" } else { "s" };
    format!("{simd}, {threads} thread{plural}")
}

/// `await initThreadPool(n)`: start the CPU kernels' pool of `n` Web Workers
/// (threaded build only; call it from a Worker, never the page's main thread).
#[cfg(feature = "threads")]
pub use wasm_bindgen_rayon::init_thread_pool;

/// `bleu(hypotheses, references)` → { score, precisions, brevityPenalty,
/// hypothesisLength, referenceLength }: corpus BLEU (0–100) of sentences
/// split on whitespace, one reference each, computed as sacreBLEU does
/// (see `train::bleu`). For course authors scoring their own translations.
#[wasm_bindgen]
pub fn bleu(hypotheses: Vec<String>, references: Vec<String>) -> Result<JsValue, JsValue> {
    let words =
        |lines: &[String]| -> Vec<Vec<String>> { lines.iter().map(|l| l.split_whitespace().map(str::to_string).collect()).collect() };
    let score = crate::train::bleu::corpus_bleu(&words(&hypotheses), &words(&references)).map_err(convert::js_error)?;
    let result = js_sys::Object::new();
    convert::set(&result, "score", &score.score.into());
    let precisions: js_sys::Array = score.precisions.iter().map(|&p| JsValue::from(p)).collect();
    convert::set(&result, "precisions", &precisions.into());
    convert::set(&result, "brevityPenalty", &score.brevity_penalty.into());
    convert::set(&result, "hypothesisLength", &score.hypothesis_length.into());
    convert::set(&result, "referenceLength", &score.reference_length.into());
    Ok(result.into())
}
