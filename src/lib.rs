//! # glassformer
//!
//! A see-through Transformer: every op written out as plain loops with its
//! backward pass beside it, so that the numbers a student sees in the browser
//! are the numbers the model really computes.
//!
//! Layers, from the bottom up (data flows up, dependencies point down: a
//! module imports only from the ones listed before it):
//!
//! - [`error`]: the error type; every message names the op and the shapes.
//! - [`device`]: where the arithmetic runs: the CPU (SIMD twins, optionally
//!   a thread pool) or WebGPU.
//! - [`ops`]: one op per file: CPU reference forward and backward, the SIMD
//!   twin the CPU runs, and the WGSL kernels beside it.
//! - [`nn`]: layers built from ops, parameters in one flat buffer, the loss.
//! - [`models`]: whole models: the translator's encoder–decoder, a GPT,
//!   BERT, sampling, the embedding space, an RNN for comparison.
//! - [`train`]: optimizer state, schedules, data sets and tokenizers, and
//!   the training loops of the translator, the GPT and BERT (pre-training
//!   and fine-tuning).
//! - [`checkpoint`]: models saved and loaded as safetensors (configuration,
//!   parameters, vocabulary).
//! - `web` (wasm only): the JS API, the only code that knows about JS.
// Ops take every dimension explicitly, and reference loops index like the
// formulas they implement; both are deliberate in teaching code.
#![allow(clippy::too_many_arguments, clippy::needless_range_loop)]

pub mod checkpoint;
pub mod device;
pub mod error;
pub mod models;
pub mod nn;
pub mod ops;
pub mod train;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use device::{Device, Preference};
pub use error::{Error, Result};
