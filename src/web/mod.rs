//! The JS API: the only code that knows about JavaScript.
//!
//! Everything here converts between JS values and plain Rust buffers, calls
//! into the crate, and turns every [`Error`](crate::Error) into a thrown JS
//! `Error` with the same message. Calls that compute return Promises, so that
//! a GPU backend, whose results arrive asynchronously, keeps the same API.
//!
//! Files: `convert.rs` (typed arrays and option objects), `runtime/`
//! (the `Runtime` class in `mod.rs`, the kernels it exposes in `kernels.rs`),
//! `bench.rs` (`runtime.benchmark`, for `bench.html`), `memory.rs` (what the
//! runtime holds, models freed when dropped), `queue.rs` (one call at a time
//! per model, in order),
//! `training.rs` (a model's trainer with its runtime: training that moves
//! to the CPU when the GPU is lost), and one file per model: `seq2seq.rs`,
//! `gpt.rs`, and `bert/` (`mod.rs`: the model, fill-mask, masking,
//! attention, pre-training; `fine_tune.rs`; `embedding_space.rs`).

mod bench;
mod bert;
mod convert;
mod forward;
mod gpt;
pub mod memory;
mod pretrained;
mod queue;
mod runtime;
mod seq2seq;
mod training;

pub use bert::{bert_opinion_examples, BertModel};
pub use gpt::GptModel;
pub use runtime::Runtime;
pub use seq2seq::Seq2seqModel;

use wasm_bindgen::prelude::*;

thread_local! {
    /// Told when a panic (a bug) kills this instance: see `onInternalError`.
    static ON_INTERNAL_ERROR: std::cell::RefCell<Option<js_sys::Function>> = const { std::cell::RefCell::new(None) };
}

/// Runs once when the module is instantiated: route Rust panics (bugs) to the
/// console with their message instead of a bare "unreachable executed", and
/// to the callback given to `onInternalError`.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let message = JsValue::from_str(&info.to_string());
        let _ = ON_INTERNAL_ERROR.try_with(|slot| {
            if let Some(callback) = slot.try_borrow().ok().as_ref().and_then(|c| c.as_ref()) {
                let _ = callback.call1(&JsValue::NULL, &message);
            }
        });
    }));
}

/// `onInternalError(callback)`: call `callback(message)` if a panic (a bug
/// in glassformer) ever kills this wasm instance. No call into the instance
/// may follow (its state is whatever the panic left): the page's loader
/// (www/loader.js) rejects the calls in flight with a readable Error and
/// starts a fresh instance for the next ones.
#[wasm_bindgen(js_name = onInternalError)]
pub fn on_internal_error(callback: js_sys::Function) {
    ON_INTERNAL_ERROR.with(|slot| *slot.borrow_mut() = Some(callback));
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
    /// The figures sacreBLEU prints.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct BleuResult {
        score: f64,
        /// pₙ in percent, n = 1..=4.
        precisions: [f64; 4],
        brevity_penalty: f64,
        hypothesis_length: usize,
        reference_length: usize,
    }
    convert::to_js(&BleuResult {
        score: score.score,
        precisions: score.precisions,
        brevity_penalty: score.brevity_penalty,
        hypothesis_length: score.hypothesis_length,
        reference_length: score.reference_length,
    })
}

/// `rnnGradients({ hidden, steps, radius, activation, inputScale, seed })` →
/// { gradientNorms, stateNorms } (tensors of shape [steps]): a
/// recurrent network `h_t = f(W_h h_{t−1} + W_x x_t + b)` whose W_h has
/// spectral radius `radius`, run forward over `steps` inputs, and the norm
/// of the gradient of `u·h_{T−1}` reaching every h_t (see `models::rnn`).
/// Defaults: hidden 16, steps 30, radius 1, activation "tanh" (or
/// "identity"), inputScale 0.5, seed 1. CPU kernels.
#[wasm_bindgen(js_name = rnnGradients)]
pub fn rnn_gradients(options_object: JsValue) -> Result<JsValue, JsValue> {
    use crate::models::rnn::{RnnActivation, RnnSetup};
    const OP: &str = "rnnGradients";
    #[derive(serde::Deserialize, Default)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct RnnOptions {
        hidden: Option<usize>,
        steps: Option<usize>,
        radius: Option<f32>,
        activation: Option<String>,
        input_scale: Option<f32>,
        seed: Option<u64>,
    }
    let opts: RnnOptions = convert::options(OP, options_object).map_err(convert::js_error)?;
    let activation = match opts.activation.as_deref().unwrap_or("tanh") {
        "tanh" => RnnActivation::Tanh,
        "identity" => RnnActivation::Identity,
        other => {
            return Err(convert::js_error(crate::error::invalid(
                OP,
                format!("activation must be \"tanh\" or \"identity\", got \"{other}\"."),
            )))
        }
    };
    let setup = RnnSetup {
        hidden: opts.hidden.unwrap_or(16),
        steps: opts.steps.unwrap_or(30),
        radius: opts.radius.unwrap_or(1.0),
        activation,
        input_scale: opts.input_scale.unwrap_or(0.5),
        seed: opts.seed.unwrap_or(1),
    };
    let measured = setup.gradients_through_time(&crate::Device::Cpu).map_err(convert::js_error)?;
    /// ‖∂L/∂h_t‖ and ‖h_t‖ for every step t.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct RnnResult {
        gradient_norms: convert::Js,
        state_norms: convert::Js,
    }
    let steps = measured.gradient_norms.len();
    convert::to_js(&RnnResult {
        gradient_norms: convert::js_tensor(&measured.gradient_norms, &[steps]),
        state_norms: convert::js_tensor(&measured.state_norms, &[steps]),
    })
}
