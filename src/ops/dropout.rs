//! Dropout: during training, zero each value with probability `p` and scale
//! the survivors by `1/(1−p)` so the expected value is unchanged; in
//! evaluation, do nothing.
//!
//! ```text
//! forward   keep ~ Bernoulli(1 − p)     mask = keep / (1 − p)     y = x ⊙ mask
//! backward  dx += dout ⊙ mask
//! ```
//! The mask is drawn from a ChaCha generator seeded by the caller, so the same
//! seed drops the same values on every run and every machine. Forward stores
//! the mask (0 or `1/(1−p)` per value) for the backward pass.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::device::Device;
use crate::error::{check_len, invalid, Result};

/// Apply dropout to `x` into `out`, writing the multiplier of each value to `mask`.
/// With `training` false (or `p == 0`) the mask is all ones and `out = x`.
pub fn forward(dev: &Device, out: &mut [f32], mask: &mut [f32], x: &[f32], p: f32, seed: u64, training: bool) -> Result<()> {
    if !(0.0..1.0).contains(&p) {
        return Err(invalid(
            "dropout",
            format!("p={p} must be in [0, 1): it is the probability of dropping a value."),
        ));
    }
    check_len("dropout", "output", out.len(), &[("N", x.len())])?;
    check_len("dropout", "mask", mask.len(), &[("N", x.len())])?;
    match dev {
        Device::Cpu => {
            if !training || p == 0.0 {
                mask.fill(1.0);
            } else {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                let keep_scale = 1.0 / (1.0 - p);
                for m in mask.iter_mut() {
                    *m = if rng.random::<f32>() < p { 0.0 } else { keep_scale };
                }
            }
            for ((o, &v), &m) in out.iter_mut().zip(x).zip(mask.iter()) {
                *o = v * m;
            }
        }
    }
    Ok(())
}

/// `dx += dout ⊙ mask`.
pub fn backward(dev: &Device, dx: &mut [f32], dout: &[f32], mask: &[f32]) -> Result<()> {
    check_len("dropout backward", "mask", mask.len(), &[("N", dout.len())])?;
    check_len("dropout backward", "dx", dx.len(), &[("N", dout.len())])?;
    match dev {
        Device::Cpu => {
            for ((d, g), m) in dx.iter_mut().zip(dout).zip(mask) {
                *d += g * m;
            }
        }
    }
    Ok(())
}
