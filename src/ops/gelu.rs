//! GELU, the smooth activation used by BERT and GPT.
//!
//! `GELU(x) = x · Φ(x)` where Φ is the standard normal CDF: a ReLU that lets a
//! little negative signal through and has no kink at 0. We use the tanh form
//! (as GPT-2 does), which differs from the exact erf form by < 1e-3:
//!
//! ```text
//! u = √(2/π) · (x + 0.044715 x³)
//! y = ½ · x · (1 + tanh u)
//! dy/dx = ½ (1 + tanh u) + ½ x · (1 − tanh² u) · √(2/π) · (1 + 3·0.044715 x²)
//! ```

use crate::device::gpu::{Gpu, GpuSlice, Kernel};
use crate::device::Device;
use crate::error::{check_len, Result};

const KERNEL_FORWARD: Kernel = Kernel {
    file: "gelu.wgsl",
    source: include_str!("gelu.wgsl"),
    entry: "forward",
};
const KERNEL_BACKWARD: Kernel = Kernel {
    file: "gelu.wgsl",
    source: include_str!("gelu.wgsl"),
    entry: "backward",
};

pub(super) const SQRT_2_OVER_PI: f32 = 0.797_884_6;
pub(super) const CUBIC: f32 = 0.044715;

/// `out = GELU(x)`, elementwise.
pub fn forward(dev: &Device, out: &mut [f32], x: &[f32]) -> Result<()> {
    check_len("gelu", "output", out.len(), &[("N", x.len())])?;
    dev.ensure_cpu("gelu")?;
    // The SIMD twin of `forward_cpu`, equal to it within rounding.
    super::gelu_simd::forward_simd(out, x);
    Ok(())
}

/// `dx += dout · GELU'(x)`.
pub fn backward(dev: &Device, dx: &mut [f32], dout: &[f32], x: &[f32]) -> Result<()> {
    check_len("gelu backward", "dout", dout.len(), &[("N", x.len())])?;
    check_len("gelu backward", "dx", dx.len(), &[("N", x.len())])?;
    dev.ensure_cpu("gelu")?;
    super::gelu_simd::backward_simd(dx, dout, x);
    Ok(())
}

/// Reference forward: the formula, one value at a time.
pub fn forward_cpu(out: &mut [f32], x: &[f32]) {
    for (o, &v) in out.iter_mut().zip(x) {
        let u = SQRT_2_OVER_PI * (v + CUBIC * v * v * v);
        *o = 0.5 * v * (1.0 + u.tanh());
    }
}

/// Reference backward: `dx += dout · GELU'(x)`.
pub fn backward_cpu(dx: &mut [f32], dout: &[f32], x: &[f32]) {
    for ((d, &g), &v) in dx.iter_mut().zip(dout).zip(x) {
        let u = SQRT_2_OVER_PI * (v + CUBIC * v * v * v);
        let th = u.tanh();
        let du_dx = SQRT_2_OVER_PI * (1.0 + 3.0 * CUBIC * v * v);
        let slope = 0.5 * (1.0 + th) + 0.5 * v * (1.0 - th * th) * du_dx;
        *d += g * slope;
    }
}

pub fn forward_gpu(gpu: &Gpu, encoder: &mut wgpu::CommandEncoder, out: GpuSlice, x: GpuSlice) -> Result<()> {
    super::unary_forward_gpu(gpu, encoder, &KERNEL_FORWARD, "gelu", out, x)
}

/// GPU: `dx += dout · GELU'(x)`.
pub fn backward_gpu(gpu: &Gpu, encoder: &mut wgpu::CommandEncoder, dx: GpuSlice, dout: GpuSlice, x: GpuSlice) -> Result<()> {
    super::unary_backward_gpu(gpu, encoder, &KERNEL_BACKWARD, "gelu backward", dx, dout, x)
}
