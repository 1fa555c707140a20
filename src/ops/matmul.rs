//! Matrix multiplication, and the linear layer `y = x Wᵀ + b` built on it.
//!
//! `C = A · B` with `A: (M, K)`, `B: (K, N)`, `C: (M, N)`:
//! `C[i][j] = Σ_p A[i][p] · B[p][j]`.
//! Layers need the transposed forms too (`x Wᵀ` in the forward pass,
//! `doutᵀ x` for the weight gradient), so [`matmul`] takes a flag per operand
//! saying that it is stored transposed. All buffers are row-major.
//!
//! The linear layer stores its weight as `(OC, C)` (out-features first, as
//! PyTorch and Hugging Face checkpoints do), so for `N` rows of input:
//!
//! ```text
//! forward   out(N, OC) = x(N, C) · Wᵀ(C, OC) + b(OC)
//! backward  dx(N, C)   += dout(N, OC) · W(OC, C)
//!           dW(OC, C)  += doutᵀ(OC, N) · x(N, C)
//!           db(OC)     += Σ_rows dout
//! ```
//! Each backward line is the derivative of the forward line with respect to
//! one operand. On the CPU the products run through the packed SIMD kernel
//! in `matmul_simd.rs`, which is tested against [`matmul_cpu`] here.
//!
//! Gradients accumulate (`+=`): the caller zeroes them once per step, which
//! lets a buffer used twice (tied weights) collect both parts.

use crate::device::gpu::{Gpu, GpuSlice, Kernel};
use crate::device::Device;
use crate::error::{check_len, Result};

/// The tiled WGSL kernel (see `matmul.wgsl`).
const MATMUL_KERNEL: Kernel = Kernel {
    file: "matmul.wgsl",
    source: include_str!("matmul.wgsl"),
    entry: "matmul",
};

/// Shapes of one matrix product, with transposition flags.
#[derive(Debug, Clone, Copy)]
pub struct MatmulShape {
    /// Rows of the result.
    pub m: usize,
    /// The summed-over dimension.
    pub k: usize,
    /// Columns of the result.
    pub n: usize,
    /// `A` is stored as `(K, M)` and used transposed.
    pub trans_a: bool,
    /// `B` is stored as `(N, K)` and used transposed.
    pub trans_b: bool,
}

impl MatmulShape {
    /// `C (M, N) = A (M, K) · B (K, N)`, nothing transposed.
    pub fn plain(m: usize, k: usize, n: usize) -> MatmulShape {
        MatmulShape {
            m,
            k,
            n,
            trans_a: false,
            trans_b: false,
        }
    }

    /// The linear layer's three products for `N` rows, `C` in, `OC` out:
    /// `out(N, OC) = x(N, C) · Wᵀ` (W is stored `(OC, C)`, so B is transposed).
    pub fn linear_forward(n: usize, c: usize, oc: usize) -> MatmulShape {
        MatmulShape {
            trans_b: true,
            ..MatmulShape::plain(n, c, oc)
        }
    }

    /// `dx(N, C) += dout(N, OC) · W(OC, C)`.
    pub fn linear_input_grad(n: usize, c: usize, oc: usize) -> MatmulShape {
        MatmulShape::plain(n, oc, c)
    }

    /// `dW(OC, C) += doutᵀ(OC, N) · x(N, C)`.
    pub fn linear_weight_grad(n: usize, c: usize, oc: usize) -> MatmulShape {
        MatmulShape {
            trans_a: true,
            ..MatmulShape::plain(oc, n, c)
        }
    }
}

/// `C (+)= op(A) · op(B)`; with `accumulate` false `C` is overwritten.
pub fn matmul(dev: &Device, c: &mut [f32], a: &[f32], b: &[f32], s: MatmulShape, accumulate: bool) -> Result<()> {
    let (a_rows, a_cols) = if s.trans_a { ("K", "M") } else { ("M", "K") };
    let (b_rows, b_cols) = if s.trans_b { ("N", "K") } else { ("K", "N") };
    let dim = |name: &str| match name {
        "M" => s.m,
        "K" => s.k,
        _ => s.n,
    };
    check_len("matmul", "A", a.len(), &[(a_rows, dim(a_rows)), (a_cols, dim(a_cols))])?;
    check_len("matmul", "B", b.len(), &[(b_rows, dim(b_rows)), (b_cols, dim(b_cols))])?;
    check_len("matmul", "C", c.len(), &[("M", s.m), ("N", s.n)])?;
    dev.ensure_cpu("matmul")?;
    // The SIMD kernels (packed, or unpacked for one to three rows): many times faster.
    super::matmul_simd::matmul_simd(c, a, b, s, accumulate);
    Ok(())
}

/// Reference: the textbook triple loop, one dot product per output.
pub fn matmul_cpu(c: &mut [f32], a: &[f32], b: &[f32], s: MatmulShape, accumulate: bool) {
    let MatmulShape { m, k, n, trans_a, trans_b } = s;
    for i in 0..m {
        for j in 0..n {
            let mut sum = 0.0f32;
            for p in 0..k {
                let a_ip = if trans_a { a[p * m + i] } else { a[i * k + p] };
                let b_pj = if trans_b { b[j * k + p] } else { b[p * n + j] };
                sum += a_ip * b_pj;
            }
            let out = &mut c[i * n + j];
            *out = if accumulate { *out + sum } else { sum };
        }
    }
}

/// Linear forward: `out(N, OC) = x(N, C) · Wᵀ + b`.
pub fn linear_forward(
    dev: &Device,
    out: &mut [f32],
    x: &[f32],
    weight: &[f32],
    bias: Option<&[f32]>,
    n: usize,
    c: usize,
    oc: usize,
) -> Result<()> {
    check_len("linear", "weight", weight.len(), &[("OC", oc), ("C", c)])?;
    if let Some(bias) = bias {
        check_len("linear", "bias", bias.len(), &[("OC", oc)])?;
    }
    check_len("linear", "input", x.len(), &[("N", n), ("C", c)])?;
    // out = x · Wᵀ   (W is stored (OC, C), so it is "B transposed").
    matmul(dev, out, x, weight, MatmulShape::linear_forward(n, c, oc), false)?;
    // out += b, broadcast over the N rows.
    if let Some(bias) = bias {
        for row in out.chunks_exact_mut(oc) {
            for (o, b) in row.iter_mut().zip(bias) {
                *o += b;
            }
        }
    }
    Ok(())
}

/// Linear backward: accumulates `dx`, `dW` and `db` from `dout`.
pub fn linear_backward(
    dev: &Device,
    dx: &mut [f32],
    dweight: &mut [f32],
    dbias: Option<&mut [f32]>,
    dout: &[f32],
    x: &[f32],
    weight: &[f32],
    n: usize,
    c: usize,
    oc: usize,
) -> Result<()> {
    check_len("linear backward", "dout", dout.len(), &[("N", n), ("OC", oc)])?;
    // dx(N, C) += dout(N, OC) · W(OC, C)          from out = x·Wᵀ
    matmul(dev, dx, dout, weight, MatmulShape::linear_input_grad(n, c, oc), true)?;
    // dW(OC, C) += doutᵀ(OC, N) · x(N, C)         from out = x·Wᵀ
    matmul(dev, dweight, dout, x, MatmulShape::linear_weight_grad(n, c, oc), true)?;
    // db(OC) += Σ over rows of dout               from out += b
    if let Some(dbias) = dbias {
        check_len("linear backward", "dbias", dbias.len(), &[("OC", oc)])?;
        for row in dout.chunks_exact(oc) {
            for (d, g) in dbias.iter_mut().zip(row) {
                *d += g;
            }
        }
    }
    Ok(())
}

/// GPU: record `C (+)= op(A) · op(B) (+ bias)` into `encoder`.
pub fn matmul_gpu(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    c: GpuSlice,
    a: GpuSlice,
    b: GpuSlice,
    bias: Option<GpuSlice>,
    s: MatmulShape,
    accumulate: bool,
) -> Result<()> {
    check_len("matmul", "A", a.len, &[("M", s.m), ("K", s.k)])?;
    check_len("matmul", "B", b.len, &[("K", s.k), ("N", s.n)])?;
    check_len("matmul", "C", c.len, &[("M", s.m), ("N", s.n)])?;
    for (slice, what) in [(a, "A"), (b, "B"), (c, "C")] {
        slice.check("matmul", what)?;
    }
    if let Some(bias) = bias {
        check_len("matmul", "bias", bias.len, &[("N", s.n)])?;
        bias.check("matmul", "bias")?;
    }
    let flags = s.trans_a as u32 | (s.trans_b as u32) << 1 | (bias.is_some() as u32) << 2 | (accumulate as u32) << 3;
    let bias = bias.unwrap_or(b); // an unused binding still needs a buffer
    let uniforms = [s.m as u32, s.k as u32, s.n as u32, flags, a.word(), b.word(), bias.word(), c.word()];
    let groups = [(s.n as u32).div_ceil(64), (s.m as u32).div_ceil(64), 1];
    gpu.dispatch(
        encoder,
        &MATMUL_KERNEL,
        &uniforms,
        &[(1, a.buffer), (2, b.buffer), (3, bias.buffer), (4, c.buffer)],
        groups,
    );
    Ok(())
}
