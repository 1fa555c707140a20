//! The CPU matmul for a few rows of A: matrix–vector products, unpacked.
//!
//! Generating text one token at a time multiplies **one** row `x (1, K)` by
//! every weight matrix: `y (1, N) = x · Wᵀ`. The packed kernel
//! ([`matmul_simd`](super::matmul_simd)) would first copy all of W into
//! panels — for GPT-2's output layer, 154 MB copied to be read once — and
//! then run its 4-row micro-kernel with three of the four rows empty. With
//! so few rows every weight is used only M times, so the work is reading W;
//! the best a kernel can do is read it once, in the order it lies in memory,
//! and do the arithmetic on the way. Two layouts:
//!
//! - **B transposed** (`W (N, K)`, the linear layer's forward): output `j` is
//!   the dot product of `x` with line `j` of W, which lies contiguous. 12 or 16
//!   lines are read side by side, four values at a time, each into its own
//!   vector of running sums; at the end each vector's four lanes are added.
//!   A sum is thus split by `p mod 4` and rejoined, another order than the
//!   reference's: the result agrees with [`matmul_cpu`](super::matmul::matmul_cpu)
//!   to rounding, as the attention's fast paths do. (Keeping the reference's
//!   order would chain every output's additions one after another; measured
//!   natively on GPT-2's output layer, 768 × 50 257, that ran at 0.65× this.)
//! - **B plain** (`B (K, N)`): row `p` of B is contiguous, and output row
//!   `y += x[p] · B[p]`, one row of B after the other, in order of `p`: equal
//!   to the reference bit for bit in the plain build.

use std::cell::RefCell;

use super::matmul::MatmulShape;
use super::simd::{F32x4, FUSED_MULTIPLY_ADD};

/// Products with up to this many rows of C take this path; from 4 rows on
/// the packed 4×8 micro-kernel does more arithmetic per value read.
pub const THIN_MAX_ROWS: usize = 3;

thread_local! {
    /// Row-major copies of op(A) (when A is stored transposed) and the sums
    /// of the plain-B path, kept between calls.
    static SCRATCH: RefCell<(Vec<f32>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// `C (+)= op(A) · op(B)` for `M ≤ THIN_MAX_ROWS`, the contract of the reference.
pub fn matmul_thin(c: &mut [f32], a: &[f32], b: &[f32], s: MatmulShape, accumulate: bool) {
    let MatmulShape { m, k, n, trans_a, trans_b } = s;
    debug_assert!(m <= THIN_MAX_ROWS);
    if m == 0 || n == 0 {
        return;
    }
    SCRATCH.with(|scratch| {
        let (rows_buf, sums) = &mut *scratch.borrow_mut();
        // The M rows of op(A), each contiguous: (M, K).
        let rows: &[f32] = if trans_a {
            rows_buf.clear();
            rows_buf.extend((0..m).flat_map(|i| (0..k).map(move |p| a[p * m + i])));
            rows_buf
        } else {
            &a[..m * k]
        };
        if trans_b {
            lines_dot_rows(c, rows, b, m, k, n, accumulate);
        } else {
            rows_of_b(c, rows, b, m, k, n, accumulate, sums);
        }
    });
}

/// B stored `(N, K)`: `C[i][j] = Σ_p x_i[p] · B[j][p]`, `LINES` lines of B at a time.
fn lines_dot_rows(c: &mut [f32], rows: &[f32], b: &[f32], m: usize, k: usize, n: usize, accumulate: bool) {
    let mut j = 0;
    while j + LINES <= n {
        let lines: [&[f32]; LINES] = core::array::from_fn(|r| &b[(j + r) * k..][..k]);
        for i in 0..m {
            let sums = dots(&rows[i * k..][..k], lines);
            write(&mut c[i * n + j..][..LINES], &sums, accumulate);
        }
        j += LINES;
    }
    // The last N mod LINES outputs, a line at a time.
    for j in j..n {
        let line = &b[j * k..][..k];
        for i in 0..m {
            let [sum] = dots(&rows[i * k..][..k], [line]);
            write(&mut c[i * n + j..][..1], &[sum], accumulate);
        }
    }
}

/// Lines of B walked together: their running sums, each a chain of
/// dependent additions, keep the CPU's adders busy while each waits. With
/// fused multiply-adds, 16 (measured in Chromium on GPT-2 small: 1.2× the
/// speed of 8); without, each step needs a register more for the product:
/// 12 (about 1.05× the speed of 8), while 16 spilled out of the 16 vector
/// registers (0.5×).
const LINES: usize = if FUSED_MULTIPLY_ADD { 16 } else { 12 };

/// `x · line` for each of `L` lines. Lane `q` of a line's accumulator sums
/// the products at depths `p ≡ q (mod 4)`; the four lanes and the last
/// `K mod 4` products are added at the end.
#[inline(always)]
fn dots<const L: usize>(x: &[f32], lines: [&[f32]; L]) -> [f32; L] {
    let k = x.len();
    let whole = k - k % 4;
    let mut acc = [F32x4::splat(0.0); L];
    for p in (0..whole).step_by(4) {
        let xs = F32x4::load(&x[p..]);
        for (acc, line) in acc.iter_mut().zip(&lines) {
            *acc = xs.mul_add(F32x4::load(&line[p..]), *acc);
        }
    }
    core::array::from_fn(|r| {
        let tail: f32 = (whole..k).map(|p| x[p] * lines[r][p]).sum();
        acc[r].sum() + tail
    })
}

/// B stored `(K, N)`: `C[i] = Σ_p x_i[p] · B[p]`, one row of B after another.
#[allow(clippy::too_many_arguments)]
fn rows_of_b(c: &mut [f32], rows: &[f32], b: &[f32], m: usize, k: usize, n: usize, accumulate: bool, sums: &mut Vec<f32>) {
    sums.clear();
    sums.resize(m * n, 0.0); // (M, N)
    let whole = n - n % 4;
    for p in 0..k {
        let b_row = &b[p * n..][..n];
        for i in 0..m {
            let x = rows[i * k + p];
            let out = &mut sums[i * n..][..n];
            let xs = F32x4::splat(x);
            for q in (0..whole).step_by(4) {
                xs.mul_add(F32x4::load(&b_row[q..]), F32x4::load(&out[q..])).store(&mut out[q..]);
            }
            for q in whole..n {
                out[q] += x * b_row[q];
            }
        }
    }
    write(c, sums, accumulate);
}

/// `out = sums`, or `out += sums` when accumulating.
#[inline(always)]
fn write(out: &mut [f32], sums: &[f32], accumulate: bool) {
    for (o, s) in out.iter_mut().zip(sums) {
        *o = if accumulate { *o + s } else { *s };
    }
}
