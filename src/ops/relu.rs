//! ReLU, the activation of the original Transformer's feed-forward network
//! `FFN(x) = max(0, x W₁ + b₁) W₂ + b₂`.
//!
//! ```text
//! forward   y = max(0, x)
//! backward  dx += dout · [x > 0]     (the slope is 1 where x > 0, else 0)
//! ```

use crate::device::Device;
use crate::error::{check_len, Result};

/// `out = max(0, x)`, elementwise.
pub fn forward(dev: &Device, out: &mut [f32], x: &[f32]) -> Result<()> {
    check_len("relu", "output", out.len(), &[("N", x.len())])?;
    match dev {
        Device::Cpu => {
            for (o, &v) in out.iter_mut().zip(x) {
                *o = v.max(0.0);
            }
        }
    }
    Ok(())
}

/// `dx += dout · [x > 0]`.
pub fn backward(dev: &Device, dx: &mut [f32], dout: &[f32], x: &[f32]) -> Result<()> {
    check_len("relu backward", "dout", dout.len(), &[("N", x.len())])?;
    check_len("relu backward", "dx", dx.len(), &[("N", x.len())])?;
    match dev {
        Device::Cpu => {
            for ((d, &g), &v) in dx.iter_mut().zip(dout).zip(x) {
                if v > 0.0 {
                    *d += g;
                }
            }
        }
    }
    Ok(())
}
