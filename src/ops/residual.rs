//! Residual connection: `out = x + f(x)`.
//!
//! The shortcut gives every layer's gradient a direct path back to the input:
//! the derivative of a sum passes `dout` unchanged to both terms.
//!
//! ```text
//! forward   out = a + b
//! backward  da += dout,  db += dout
//! ```

use crate::device::Device;
use crate::error::{check_len, Result};

/// `out = a + b`, elementwise.
pub fn forward(dev: &Device, out: &mut [f32], a: &[f32], b: &[f32]) -> Result<()> {
    check_len("residual", "b", b.len(), &[("N", a.len())])?;
    check_len("residual", "output", out.len(), &[("N", a.len())])?;
    match dev {
        Device::Cpu => {
            for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
                *o = x + y;
            }
        }
    }
    Ok(())
}

/// `da += dout` and `db += dout`.
pub fn backward(dev: &Device, da: &mut [f32], db: &mut [f32], dout: &[f32]) -> Result<()> {
    check_len("residual backward", "da", da.len(), &[("N", dout.len())])?;
    check_len("residual backward", "db", db.len(), &[("N", dout.len())])?;
    match dev {
        Device::Cpu => {
            for ((x, y), g) in da.iter_mut().zip(db.iter_mut()).zip(dout) {
                *x += g;
                *y += g;
            }
        }
    }
    Ok(())
}
