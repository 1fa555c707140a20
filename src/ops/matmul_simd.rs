//! The fast CPU matmul: packed panels and a 4×8 register-blocked micro-kernel
//! on [`F32x4`] vectors (wasm SIMD in the browser, SSE natively).
//!
//! The textbook loop ([`matmul_cpu`](super::matmul::matmul_cpu)) reads a
//! whole row of A and column of B for every single output. Here:
//!
//! 1. **Pack B** once into panels of 8 columns: for each depth `p` the 8
//!    values `op(B)[p][j..j+8]` sit next to each other, whatever B's layout or
//!    transposition, so the kernel reads them with two vector loads.
//! 2. **Pack A** 64 rows at a time, in blocks of four rows: for each `p`,
//!    the 4 values `op(A)[i..i+4][p]`. Each panel of B then meets all 16
//!    blocks while it is still in the cache.
//! 3. **Micro-kernel**: a 4×8 block of C lives in 8 vector registers for the
//!    whole walk over `p`; each step loads 8 values of B, broadcasts each of
//!    the 4 values of A, and does 8 vector multiply-adds — 32 scalar
//!    multiply-adds for 2 loads, where the textbook loop does 1 per 2 loads.
//!    (Taller blocks, 5×8 or 6×8, need 10–12 accumulators: in Chromium's
//!    compiler they spill out of the 16 vector registers and ran at 0.6×.)
//! 4. **Threads** (the `threads` feature): groups of 64 rows of C are
//!    independent, so large products share them out over a thread pool; each
//!    thread packs its own A.
//!
//! Products of one to three rows skip all of this: see `matmul_thin.rs`.
//!
//! Every output is still `Σ_p a·b` summed in order of `p`. In the plain build
//! each step is one multiply and one add, so the result equals the reference
//! bit for bit; in the relaxed-SIMD build each step is one fused
//! multiply-add (one rounding instead of two), equal to rounding.
//! Panels past the edge of C are padded with zeros and not written back.

use std::cell::RefCell;

use super::matmul::MatmulShape;
use super::matmul_thin::{matmul_thin, THIN_MAX_ROWS};
use super::simd::F32x4;

/// Rows of C per micro-kernel.
pub(super) const MR: usize = 4;
/// Columns of C per micro-kernel (two vectors of 4).
pub(super) const NR: usize = 8;
/// Rows of A packed together, sharing each panel of B while it is in cache.
const MC: usize = 16 * MR;

thread_local! {
    /// Packing buffers, kept between calls so that training steps do not
    /// allocate: B's panels (packed once per call by the calling thread) and
    /// a block of A (one per thread that computes rows).
    static PACKED_B: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    static PACKED_A: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Below this many multiply-adds (a bit over 256³) a matmul stays on the
/// calling thread: measured in Chromium on two threads, 256³ ran slower
/// shared out than alone, 512³ and up faster.
#[cfg(feature = "threads")]
const PARALLEL_MIN_WORK: usize = 1 << 25;

/// `C (+)= op(A) · op(B)`, the same contract as the reference.
pub fn matmul_simd(c: &mut [f32], a: &[f32], b: &[f32], s: MatmulShape, accumulate: bool) {
    if s.m <= THIN_MAX_ROWS {
        // One to three rows (a token at a time): packing B would cost more than the product.
        return matmul_thin(c, a, b, s, accumulate);
    }
    PACKED_B.with(|packed_b| {
        let packed_b = &mut *packed_b.borrow_mut();
        run(c, a, b, s, accumulate, packed_b);
    });
}

fn run(c: &mut [f32], a: &[f32], b: &[f32], s: MatmulShape, accumulate: bool, packed_b: &mut Vec<f32>) {
    let MatmulShape { m, k, n, trans_a, trans_b } = s;
    if m == 0 || n == 0 {
        return; // C is empty
    }
    // Where op(A)[i][p] and op(B)[p][j] sit: index = line · line_stride + p · depth_stride.
    let a_layout = if trans_a {
        Layout {
            line_stride: 1,
            depth_stride: m,
        }
    } else {
        Layout {
            line_stride: k,
            depth_stride: 1,
        }
    };
    let b_layout = if trans_b {
        Layout {
            line_stride: k,
            depth_stride: 1,
        }
    } else {
        Layout {
            line_stride: 1,
            depth_stride: n,
        }
    };
    let panels = n.div_ceil(NR);

    // 1. B → panels: packed_b[(panel·K + p)·8 + jj] = op(B)[p][panel·8 + jj].
    packed_b.clear();
    packed_b.resize(panels * k * NR, 0.0);
    for panel in 0..panels {
        pack(&mut packed_b[panel * k * NR..][..k * NR], b, b_layout, panel * NR, NR, n);
    }
    let packed_b = &packed_b[..];

    // Rows are taken MC at a time: their packed A (MC·K values) and one panel
    // of B (K·8 values) stay in cache while the panel meets every 4-row block.
    // Each group of MC rows of C is independent of the others: with the
    // `threads` feature, large products share the groups out over the pool.
    let rows_of_c = |(group, c_rows): (usize, &mut [f32])| {
        PACKED_A.with(|packed_a| row_group(c_rows, group * MC, a, a_layout, packed_b, s, accumulate, &mut packed_a.borrow_mut()));
    };
    #[cfg(feature = "threads")]
    if m * k * n >= PARALLEL_MIN_WORK && rayon::current_num_threads() > 1 {
        use rayon::prelude::*;
        c.par_chunks_mut(MC * n).enumerate().for_each(rows_of_c);
        return;
    }
    c.chunks_mut(MC * n).enumerate().for_each(rows_of_c);
}

/// Rows `first_row ..` of C (at most MC of them, held in `c_rows`): pack
/// their A (step 2), then run every 4-row block against every panel of B.
#[allow(clippy::too_many_arguments)]
fn row_group(
    c_rows: &mut [f32],
    first_row: usize,
    a: &[f32],
    a_layout: Layout,
    packed_b: &[f32],
    s: MatmulShape,
    accumulate: bool,
    packed_a: &mut Vec<f32>,
) {
    let MatmulShape { m, k, n, .. } = s;
    let rows = c_rows.len() / n;
    let blocks = rows.div_ceil(MR);
    packed_a.clear();
    packed_a.resize(blocks * MR * k, 0.0);
    // 2. A → packed_a[(block·K + p)·4 + r] = op(A)[first_row + block·4 + r][p].
    for block in 0..blocks {
        pack(
            &mut packed_a[block * k * MR..][..k * MR],
            a,
            a_layout,
            first_row + block * MR,
            MR,
            m,
        );
    }
    for panel in 0..n.div_ceil(NR) {
        let panel_b = &packed_b[panel * k * NR..][..k * NR];
        for block in 0..blocks {
            let block_a = &packed_a[block * k * MR..][..k * MR];
            let i0 = block * MR; // within c_rows
            micro_kernel(c_rows, block_a, panel_b, i0, MR.min(rows - i0), panel * NR, n, accumulate);
        }
    }
}

/// How a matrix operand is laid out, seen as `lines` (rows of op(A), columns
/// of op(B)) along a shared depth `p`: element (line, p) is at
/// `line · line_stride + p · depth_stride`.
#[derive(Clone, Copy)]
pub(super) struct Layout {
    pub line_stride: usize,
    pub depth_stride: usize,
}

/// Pack `width` lines starting at `first` for every depth `p`:
/// `dst[p·width + w] = X(first + w, p)`, zeros for lines past `lines`.
pub(super) fn pack(dst: &mut [f32], src: &[f32], layout: Layout, first: usize, width: usize, lines: usize) {
    let Layout { line_stride, depth_stride } = layout;
    let depth = dst.len() / width;
    if first + width <= lines && line_stride == 1 && width.is_multiple_of(4) {
        // The lines are neighbours in memory: copy `width` values per depth,
        // four at a time (a call to memcpy would cost more than the copy).
        for (p, out) in dst.chunks_exact_mut(width).enumerate() {
            let line = &src[first + p * depth_stride..][..width];
            for q in (0..width).step_by(4) {
                F32x4::load(&line[q..]).store(&mut out[q..]);
            }
        }
    } else if first + width <= lines && depth_stride == 1 {
        // Each line is contiguous along the depth: read it in order.
        for w in 0..width {
            let line = &src[(first + w) * line_stride..][..depth];
            for (p, &x) in line.iter().enumerate() {
                dst[p * width + w] = x;
            }
        }
    } else {
        // The edge of the matrix: pad with zeros.
        for (p, out) in dst.chunks_exact_mut(width).enumerate() {
            for (w, value) in out.iter_mut().enumerate() {
                let line = first + w;
                *value = if line < lines {
                    src[line * line_stride + p * depth_stride]
                } else {
                    0.0
                };
            }
        }
    }
}

/// Step 3, the micro-kernel: one 4×8 block of C, where `acc[r]` holds
/// `C[i0 + r][j0 .. j0 + 8]` in two vectors for the whole walk over `p`;
/// then the part inside C is written.
#[inline(always)]
fn micro_kernel(c: &mut [f32], block_a: &[f32], panel_b: &[f32], i0: usize, rows: usize, j0: usize, n: usize, accumulate: bool) {
    let acc = block_4x8(block_a, panel_b);
    let cols = NR.min(n - j0);
    if cols == NR && !accumulate {
        // A whole block inside C: two vector stores per row.
        for (r, row_acc) in acc.iter().enumerate().take(rows) {
            let out = &mut c[(i0 + r) * n + j0..][..NR];
            row_acc[0].store(out);
            row_acc[1].store(&mut out[4..]);
        }
        return;
    }
    for (r, row_acc) in acc.iter().enumerate().take(rows) {
        let mut block = [0.0f32; NR];
        row_acc[0].store(&mut block[..4]);
        row_acc[1].store(&mut block[4..]);
        let out = &mut c[(i0 + r) * n + j0..][..cols];
        for (o, v) in out.iter_mut().zip(&block) {
            *o = if accumulate { *o + v } else { *v };
        }
    }
}

/// The arithmetic of the micro-kernel, shared with the fused attention:
/// `Σ_p a[p][r] · b[p][0..8]` for the 4 rows `r`, where `block_a` holds 4
/// values per step `p` and `panel_b` 8. Returns the 4×8 sums as 4 pairs of
/// vectors; the caller decides where they go.
#[inline(always)]
pub(super) fn block_4x8(block_a: &[f32], panel_b: &[f32]) -> [[F32x4; 2]; MR] {
    let zero = F32x4::splat(0.0);
    let mut acc = [[zero; 2]; MR];
    for (a4, b8) in block_a.chunks_exact(MR).zip(panel_b.chunks_exact(NR)) {
        let (b0, b1) = (F32x4::load(b8), F32x4::load(&b8[4..]));
        for r in 0..MR {
            let ar = F32x4::splat(a4[r]);
            acc[r][0] = ar.mul_add(b0, acc[r][0]);
            acc[r][1] = ar.mul_add(b1, acc[r][1]);
        }
    }
    acc
}
