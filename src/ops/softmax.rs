//! Softmax over the last dimension, computed so that it never overflows.
//!
//! `softmax(x)_j = e^{x_j} / Σ_k e^{x_k}`. Subtracting the row maximum `m`
//! first gives the same result (`e^{−m}` cancels above and below) while every
//! exponent is ≤ 0, so logits of ±1e4 are fine: the largest term is `e⁰ = 1`.
//!
//! Example: `softmax([1, 2, 3]) = [0.0900, 0.2447, 0.6652]`.
//!
//! Backward: with `y = softmax(x)`, `∂y_j/∂x_i = y_j (δ_ij − y_i)`, so
//!
//! ```text
//! dx_i += y_i · (dy_i − Σ_j dy_j y_j)
//! ```

use crate::device::gpu::{grid_1d, Gpu, GpuSlice, Kernel};
use crate::device::Device;
use crate::error::{check_len, check_nonzero, Result};

/// The kernels, after the workgroup reductions they use.
const WGSL: &str = concat!(include_str!("reduce.wgsl"), include_str!("softmax.wgsl"));
const KERNEL_FORWARD: Kernel = Kernel {
    file: "softmax.wgsl",
    source: WGSL,
    entry: "forward",
};
const KERNEL_BACKWARD: Kernel = Kernel {
    file: "softmax.wgsl",
    source: WGSL,
    entry: "backward",
};

/// Row-wise softmax of `x: (rows, cols)` into `out`.
pub fn forward(dev: &Device, out: &mut [f32], x: &[f32], rows: usize, cols: usize) -> Result<()> {
    check_nonzero("softmax", "cols", cols)?;
    check_len("softmax", "input", x.len(), &[("rows", rows), ("cols", cols)])?;
    check_len("softmax", "output", out.len(), &[("rows", rows), ("cols", cols)])?;
    dev.ensure_cpu("softmax")?;
    // The SIMD twin of `softmax_row`, equal to it within rounding.
    for (x_row, y_row) in x.chunks_exact(cols).zip(out.chunks_exact_mut(cols)) {
        super::softmax_simd::softmax_row_simd(y_row, x_row);
    }
    Ok(())
}

/// Reference for one row. A row that is all `−∞` (every entry masked) gives
/// all zeros rather than `0/0 = NaN`.
pub fn softmax_row(out: &mut [f32], x: &[f32]) {
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if max == f32::NEG_INFINITY {
        out.fill(0.0);
        return;
    }
    let mut sum = 0.0f32;
    for (o, &v) in out.iter_mut().zip(x) {
        *o = (v - max).exp();
        sum += *o;
    }
    for o in out.iter_mut() {
        *o /= sum;
    }
}

/// Accumulate `dx` from `dout` and the forward output `y`.
pub fn backward(dev: &Device, dx: &mut [f32], dout: &[f32], y: &[f32], rows: usize, cols: usize) -> Result<()> {
    check_len("softmax backward", "dout", dout.len(), &[("rows", rows), ("cols", cols)])?;
    check_len("softmax backward", "y", y.len(), &[("rows", rows), ("cols", cols)])?;
    check_len("softmax backward", "dx", dx.len(), &[("rows", rows), ("cols", cols)])?;
    dev.ensure_cpu("softmax")?;
    for ((dx_row, dy_row), y_row) in dx.chunks_exact_mut(cols).zip(dout.chunks_exact(cols)).zip(y.chunks_exact(cols)) {
        softmax_row_backward(dx_row, dy_row, y_row);
    }
    Ok(())
}

/// Reference backward for one row: `dx_i += y_i (dy_i − Σ_j dy_j y_j)`.
pub fn softmax_row_backward(dx: &mut [f32], dy: &[f32], y: &[f32]) {
    let dot: f32 = dy.iter().zip(y).map(|(a, b)| a * b).sum();
    for ((d, &g), &p) in dx.iter_mut().zip(dy).zip(y) {
        *d += p * (g - dot);
    }
}

/// GPU: row-wise softmax of `x (rows, cols)` into `y`; one workgroup per row.
pub fn forward_gpu(gpu: &Gpu, encoder: &mut wgpu::CommandEncoder, y: GpuSlice, x: GpuSlice, rows: usize, cols: usize) -> Result<()> {
    check_nonzero("softmax", "cols", cols)?;
    check_len("softmax", "input", x.len, &[("rows", rows), ("cols", cols)])?;
    check_len("softmax", "output", y.len, &[("rows", rows), ("cols", cols)])?;
    let uniforms = [rows as u32, cols as u32, x.word(), y.word(), 0, 0];
    gpu.dispatch(
        encoder,
        &KERNEL_FORWARD,
        &uniforms,
        &[(1, x.buffer), (2, y.buffer)],
        grid_1d(rows, 1),
    );
    Ok(())
}

/// GPU: `dx += y ⊙ (dy − Σ dy·y)` per row.
pub fn backward_gpu(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    dx: GpuSlice,
    dy: GpuSlice,
    y: GpuSlice,
    rows: usize,
    cols: usize,
) -> Result<()> {
    for (slice, what) in [(dx, "dx"), (dy, "dout"), (y, "y")] {
        check_len("softmax backward", what, slice.len, &[("rows", rows), ("cols", cols)])?;
    }
    let uniforms = [rows as u32, cols as u32, 0, y.word(), dy.word(), dx.word()];
    gpu.dispatch(
        encoder,
        &KERNEL_BACKWARD,
        &uniforms,
        &[(3, y.buffer), (4, dy.buffer), (5, dx.buffer)],
        grid_1d(rows, 1),
    );
    Ok(())
}
