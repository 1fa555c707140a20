//! Residual connection: `out = x + f(x)`.
//!
//! The shortcut gives every layer's gradient a direct path back to the input:
//! the derivative of a sum passes `dout` unchanged to both terms.
//!
//! ```text
//! forward   out = a + b
//! backward  da += dout,  db += dout
//! ```

use crate::device::gpu::{grid_1d, Gpu, GpuSlice, Kernel};
use crate::device::Device;
use crate::error::{check_len, Result};

const KERNEL_FORWARD: Kernel = Kernel {
    file: "residual.wgsl",
    source: include_str!("residual.wgsl"),
    entry: "forward",
};
const KERNEL_BACKWARD: Kernel = Kernel {
    file: "residual.wgsl",
    source: include_str!("residual.wgsl"),
    entry: "backward",
};

/// `out = a + b`, elementwise.
pub fn forward(dev: &Device, out: &mut [f32], a: &[f32], b: &[f32]) -> Result<()> {
    check_len("residual", "b", b.len(), &[("N", a.len())])?;
    check_len("residual", "output", out.len(), &[("N", a.len())])?;
    dev.ensure_cpu("residual")?;
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = x + y;
    }
    Ok(())
}

/// `da += dout` and `db += dout`.
pub fn backward(dev: &Device, da: &mut [f32], db: &mut [f32], dout: &[f32]) -> Result<()> {
    check_len("residual backward", "da", da.len(), &[("N", dout.len())])?;
    check_len("residual backward", "db", db.len(), &[("N", dout.len())])?;
    dev.ensure_cpu("residual")?;
    for ((x, y), g) in da.iter_mut().zip(db.iter_mut()).zip(dout) {
        *x += g;
        *y += g;
    }
    Ok(())
}

/// GPU: `out = a + b`.
pub fn forward_gpu(gpu: &Gpu, encoder: &mut wgpu::CommandEncoder, out: GpuSlice, a: GpuSlice, b: GpuSlice) -> Result<()> {
    check_len("residual", "b", b.len, &[("N", a.len)])?;
    check_len("residual", "output", out.len, &[("N", a.len)])?;
    let uniforms = [a.len as u32, a.word(), b.word(), out.word()];
    gpu.dispatch(
        encoder,
        &KERNEL_FORWARD,
        &uniforms,
        &[(1, a.buffer), (2, b.buffer), (3, out.buffer)],
        grid_1d(a.len, 256),
    );
    Ok(())
}

/// GPU: `da += dout`, `db += dout`.
pub fn backward_gpu(gpu: &Gpu, encoder: &mut wgpu::CommandEncoder, da: GpuSlice, db: GpuSlice, dout: GpuSlice) -> Result<()> {
    check_len("residual backward", "da", da.len, &[("N", dout.len)])?;
    check_len("residual backward", "db", db.len, &[("N", dout.len)])?;
    let uniforms = [dout.len as u32, da.word(), db.word(), dout.word()];
    gpu.dispatch(
        encoder,
        &KERNEL_BACKWARD,
        &uniforms,
        &[(4, da.buffer), (5, db.buffer), (6, dout.buffer)],
        grid_1d(dout.len, 256),
    );
    Ok(())
}
