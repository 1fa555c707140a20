//! The ops: every computation a Transformer needs, one per file.
//!
//! Each file holds a plain scalar CPU forward and backward, written to be
//! read, and kept forever as the specification that faster paths are tested
//! against. Each public function checks its shapes and returns an
//! [`Error`](crate::Error) naming the op when they are wrong, then dispatches
//! on the [`Device`](crate::Device).
//!
//! Conventions: buffers are row-major `f32` slices with their shape in a
//! comment, e.g. `(B, T, C)`. Backward functions *accumulate* into gradient
//! buffers (`+=`); the caller zeroes them once per step.
//!
//! Beside most ops sits a `.wgsl` file with its GPU kernels and, at the end
//! of the `.rs` file, `*_gpu` launchers that record them into a command
//! encoder (attention's launchers have a file of their own,
//! `attention_gpu.rs`). The GPU versions are tested against the CPU ones.
//!
//! Reading order: `matmul` → `embedding` → `positional` → `layernorm` →
//! `relu`, `gelu` → `softmax` → `attention` → `residual` → `dropout` →
//! `cross_entropy` → `adamw`.

pub mod adamw;
pub mod attention;
pub mod attention_gpu;
pub mod cross_entropy;
pub mod dropout;
pub mod embedding;
pub mod gelu;
pub mod layernorm;
pub mod matmul;
pub mod positional;
pub mod relu;
pub mod residual;
pub mod softmax;
