//! The JS API: the only code that knows about JavaScript.
//!
//! Everything here converts between JS values and plain Rust buffers, calls
//! into the crate, and turns every [`Error`](crate::Error) into a thrown JS
//! `Error` with the same message. Calls that compute return Promises, so that
//! a GPU backend, whose results arrive asynchronously, keeps the same API.
//!
//! Files: `convert.rs` (typed arrays and option objects), `runtime.rs`
//! (the `Runtime` class), `bench.rs` (`runtime.benchmark`, for `bench.html`).

mod bench;
mod convert;
mod runtime;

pub use runtime::Runtime;

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

/// Which CPU kernels this build runs, for the page: wasm `simd128`, and
/// whether its multiply-adds are fused (the relaxed-SIMD build).
#[wasm_bindgen(js_name = cpuKernels)]
pub fn cpu_kernels() -> String {
    if crate::ops::simd::FUSED_MULTIPLY_ADD {
        "WebAssembly SIMD with relaxed-SIMD fused multiply-add, 1 thread".to_string()
    } else {
        "WebAssembly SIMD (simd128), 1 thread".to_string()
    }
}
