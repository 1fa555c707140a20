//! Sinusoidal positional encoding, as in "Attention Is All You Need".
//!
//! Attention treats its input as a *set*: shuffle the tokens and every output
//! is shuffled the same way. To give the model word order, a vector that
//! depends only on the position is added to each token's embedding:
//!
//! ```text
//! PE(pos, 2i)   = sin(pos / 10000^(2i / d_model))
//! PE(pos, 2i+1) = cos(pos / 10000^(2i / d_model))
//! ```
//!
//! Each pair of columns `(2i, 2i+1)` is a point on a circle turning at its own
//! frequency, from one turn per 2π positions (i = 0) down to one turn per
//! 10000·2π positions. Because `PE(pos + k)` is a fixed rotation of `PE(pos)`
//! for every pair, a relative offset `k` is a linear function of the encoding.
//!
//! Worked example, `d_model = 4`, position 1:
//! `[sin(1), cos(1), sin(1/100), cos(1/100)] ≈ [0.8415, 0.5403, 0.0100, 0.99995]`.
//!
//! There are no parameters, and adding a constant does not change gradients:
//! the backward of `x + PE` passes `dout` through unchanged.

use crate::device::Device;
use crate::error::{check_len, check_nonzero, Result};

/// The table `PE: (T, d_model)`, row `pos`, column `j`.
pub fn table(dev: &Device, length: usize, d_model: usize) -> Result<Vec<f32>> {
    check_nonzero("positional encoding", "length", length)?;
    check_nonzero("positional encoding", "d_model", d_model)?;
    dev.ensure_cpu("positional")?;
    Ok(table_cpu(length, d_model))
}

/// Reference: the formula above, computed in f64 and rounded once.
pub fn table_cpu(length: usize, d_model: usize) -> Vec<f32> {
    let mut pe = vec![0.0f32; length * d_model];
    for pos in 0..length {
        for j in 0..d_model {
            let two_i = (j - j % 2) as f64; // the even column index of this pair
            let angle = pos as f64 / 10000f64.powf(two_i / d_model as f64);
            pe[pos * d_model + j] = if j % 2 == 0 { angle.sin() } else { angle.cos() } as f32;
        }
    }
    pe
}

/// `x[b, t, :] += PE[t, :]` for `x: (B, T, C)`.
pub fn add_forward(dev: &Device, x: &mut [f32], b: usize, t: usize, c: usize) -> Result<()> {
    check_len("positional encoding", "activations", x.len(), &[("B", b), ("T", t), ("C", c)])?;
    let pe = table(dev, t, c)?;
    for seq in x.chunks_exact_mut(t * c) {
        for (value, p) in seq.iter_mut().zip(&pe) {
            *value += p;
        }
    }
    Ok(())
}
