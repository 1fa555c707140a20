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
//! The CPU's fast paths sit beside their references too: `simd.rs` (four
//! floats at a time, wasm SIMD or SSE), `matmul_simd.rs` (the packed
//! matmul the CPU device runs, equal to `matmul_cpu` bit for bit) and
//! `matmul_thin.rs` (its matrix–vector twin for one to three rows, as in
//! generating a token at a time).
//! Kernels shared by several WGSL files (workgroup reductions) are in
//! `reduce.wgsl`.
//!
//! Reading order: `matmul` → `simd` → `matmul_simd` → `matmul_thin` → `embedding` →
//! `positional` → `layernorm` → `relu`, `gelu` → `softmax` → `attention`
//! (and `attention_simd`, `attention_gpu`) → `residual` → `dropout` → `cross_entropy` → `adamw`.

pub mod adamw;
pub mod adamw_simd;
pub mod attention;
pub mod attention_gpu;
pub mod attention_simd;
pub mod attention_simd_backward;
pub mod cross_entropy;
pub mod dropout;
pub mod embedding;
pub mod gelu;
pub mod gelu_exact;
pub mod gelu_simd;
pub mod layernorm;
pub mod layernorm_simd;
pub mod matmul;
pub mod matmul_simd;
pub mod matmul_thin;
pub mod positional;
pub mod relu;
pub mod residual;
pub mod simd;
pub mod softmax;
pub mod softmax_simd;

use crate::device::gpu::{grid_1d, Gpu, GpuSlice, Kernel};
use crate::error::{check_len, Result};

/// Launch an elementwise kernel laid out like `relu.wgsl` and `gelu.wgsl`:
/// forward `out = f(x)` with bindings 1 `x`, 2 `out`.
fn unary_forward_gpu(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    kernel: &Kernel,
    op: &'static str,
    out: GpuSlice,
    x: GpuSlice,
) -> Result<()> {
    check_len(op, "output", out.len, &[("N", x.len)])?;
    let uniforms = [x.len as u32, x.word(), out.word(), 0];
    gpu.dispatch(encoder, kernel, &uniforms, &[(1, x.buffer), (2, out.buffer)], grid_1d(x.len, 256));
    Ok(())
}

/// The backward twin: `dx += dout · f'(x)` with bindings 1 `x`, 2 `dx`, 3 `dout`.
fn unary_backward_gpu(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    kernel: &Kernel,
    op: &'static str,
    dx: GpuSlice,
    dout: GpuSlice,
    x: GpuSlice,
) -> Result<()> {
    check_len(op, "dout", dout.len, &[("N", x.len)])?;
    check_len(op, "dx", dx.len, &[("N", x.len)])?;
    let uniforms = [x.len as u32, x.word(), dx.word(), dout.word()];
    gpu.dispatch(
        encoder,
        kernel,
        &uniforms,
        &[(1, x.buffer), (2, dx.buffer), (3, dout.buffer)],
        grid_1d(x.len, 256),
    );
    Ok(())
}
