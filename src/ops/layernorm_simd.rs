//! The fast CPU layer norm: the reference's loops
//! ([`layernorm::forward_cpu`](super::layernorm::forward_cpu) and
//! [`backward_cpu`](super::layernorm::backward_cpu)) over the `C` channels of
//! a row, four channels per instruction.
//!
//! Per row: the two sums (for the mean and the variance) are kept in four
//! lanes and added up at the end; the normalisation `γ·x̂ + β` and, going
//! back, `dβ += dy`, `dγ += dy·x̂` and `dx += r·(g − mean g − x̂·mean(g·x̂))`
//! are plain lane-wise arithmetic. The last `C mod 4` channels run the
//! reference's scalar code. Sums are taken in another order, so results agree
//! with the reference to rounding.

use super::simd::F32x4;

/// `Σ f(i)` over the whole groups of four, plus the scalar tail.
#[inline(always)]
fn sum4(c: usize, vector: impl Fn(usize) -> F32x4, scalar: impl Fn(usize) -> f32) -> f32 {
    let whole = c / 4 * 4;
    let mut acc = F32x4::splat(0.0);
    for j in (0..whole).step_by(4) {
        acc = acc + vector(j);
    }
    acc.sum() + (whole..c).map(scalar).sum::<f32>()
}

/// Same contract as the reference forward.
#[allow(clippy::too_many_arguments)]
pub fn forward_simd(out: &mut [f32], mean: &mut [f32], rstd: &mut [f32], x: &[f32], gamma: &[f32], beta: &[f32], c: usize, eps: f32) {
    let whole = c / 4 * 4;
    for (row, (x_row, out_row)) in x.chunks_exact(c).zip(out.chunks_exact_mut(c)).enumerate() {
        let mu = sum4(c, |j| F32x4::load(&x_row[j..]), |j| x_row[j]) / c as f32;
        let mu4 = F32x4::splat(mu);
        let var = sum4(
            c,
            |j| {
                let d = F32x4::load(&x_row[j..]) - mu4;
                d * d
            },
            |j| (x_row[j] - mu) * (x_row[j] - mu),
        ) / c as f32;
        let r = 1.0 / (var + eps).sqrt();
        let r4 = F32x4::splat(r);
        for j in (0..whole).step_by(4) {
            let x_hat = (F32x4::load(&x_row[j..]) - mu4) * r4;
            (F32x4::load(&gamma[j..]) * x_hat + F32x4::load(&beta[j..])).store(&mut out_row[j..]);
        }
        for j in whole..c {
            out_row[j] = gamma[j] * ((x_row[j] - mu) * r) + beta[j];
        }
        mean[row] = mu;
        rstd[row] = r;
    }
}

/// Same contract as the reference backward: accumulates into `dx`, `dgamma`, `dbeta`.
#[allow(clippy::too_many_arguments)]
pub fn backward_simd(
    dx: &mut [f32],
    dgamma: &mut [f32],
    dbeta: &mut [f32],
    dout: &[f32],
    x: &[f32],
    mean: &[f32],
    rstd: &[f32],
    gamma: &[f32],
    c: usize,
) {
    let whole = c / 4 * 4;
    for row in 0..mean.len() {
        let (x_row, dout_row) = (&x[row * c..][..c], &dout[row * c..][..c]);
        let dx_row = &mut dx[row * c..][..c];
        let (mu, r) = (mean[row], rstd[row]);
        let (mu4, r4) = (F32x4::splat(mu), F32x4::splat(r));
        let x_hat4 = |j: usize| (F32x4::load(&x_row[j..]) - mu4) * r4;
        let g4 = |j: usize| F32x4::load(&dout_row[j..]) * F32x4::load(&gamma[j..]);
        // mean(g) and mean(g ⊙ x̂), with g = dout ⊙ γ.
        let mean_g = sum4(c, g4, |j| dout_row[j] * gamma[j]) / c as f32;
        let mean_g_xhat = sum4(c, |j| g4(j) * x_hat4(j), |j| dout_row[j] * gamma[j] * ((x_row[j] - mu) * r)) / c as f32;
        let (mean_g4, mean_g_xhat4) = (F32x4::splat(mean_g), F32x4::splat(mean_g_xhat));
        for j in (0..whole).step_by(4) {
            let (x_hat, dy) = (x_hat4(j), F32x4::load(&dout_row[j..]));
            (F32x4::load(&dbeta[j..]) + dy).store(&mut dbeta[j..]);
            (F32x4::load(&dgamma[j..]) + dy * x_hat).store(&mut dgamma[j..]);
            let d = r4 * (g4(j) - mean_g4 - x_hat * mean_g_xhat4);
            (F32x4::load(&dx_row[j..]) + d).store(&mut dx_row[j..]);
        }
        for j in whole..c {
            let x_hat = (x_row[j] - mu) * r;
            dbeta[j] += dout_row[j];
            dgamma[j] += dout_row[j] * x_hat;
            let g = dout_row[j] * gamma[j];
            dx_row[j] += r * (g - mean_g - x_hat * mean_g_xhat);
        }
    }
}
