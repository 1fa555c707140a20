//! GELU in its exact form, as BERT defines it (Hugging Face's `"gelu"`):
//!
//! ```text
//! GELU(x)  = x · Φ(x) = ½ · x · (1 + erf(x / √2))
//! GELU'(x) = Φ(x) + x · φ(x),    φ(x) = e^(−x²/2) / √(2π)
//! ```
//!
//! [`gelu`](super::gelu) is the tanh approximation GPT-2 uses (`"gelu_new"`);
//! the two differ by up to ~1e-3, enough to miss a pretrained BERT's hidden
//! states, so a model uses the form its checkpoint was trained with.
//!
//! The CPU takes erf from `libm` (accurate to about one ulp). WGSL has no
//! erf, so the kernel uses Abramowitz & Stegun's formula 7.1.26
//! (|error| < 1.5·10⁻⁷): `erf(z) ≈ 1 − t·(a₁ + t·(a₂ + …))·e^(−z²)`,
//! `t = 1 / (1 + p·z)` for z ≥ 0, and erf(−z) = −erf(z).

use crate::device::gpu::{Gpu, GpuSlice, Kernel};
use crate::device::Device;
use crate::error::{check_len, Result};

const KERNEL_FORWARD: Kernel = Kernel {
    file: "gelu_exact.wgsl",
    source: include_str!("gelu_exact.wgsl"),
    entry: "forward",
};
const KERNEL_BACKWARD: Kernel = Kernel {
    file: "gelu_exact.wgsl",
    source: include_str!("gelu_exact.wgsl"),
    entry: "backward",
};

const FRAC_1_SQRT_2: f32 = std::f32::consts::FRAC_1_SQRT_2;
/// 1 / √(2π), the normal density's constant.
const FRAC_1_SQRT_2PI: f32 = 0.398_942_3;

/// `out = GELU(x)`, elementwise.
pub fn forward(dev: &Device, out: &mut [f32], x: &[f32]) -> Result<()> {
    check_len("gelu (exact)", "output", out.len(), &[("N", x.len())])?;
    dev.ensure_cpu("gelu (exact)")?;
    forward_cpu(out, x);
    Ok(())
}

/// `dx += dout · GELU'(x)`.
pub fn backward(dev: &Device, dx: &mut [f32], dout: &[f32], x: &[f32]) -> Result<()> {
    check_len("gelu (exact) backward", "dout", dout.len(), &[("N", x.len())])?;
    check_len("gelu (exact) backward", "dx", dx.len(), &[("N", x.len())])?;
    dev.ensure_cpu("gelu (exact)")?;
    backward_cpu(dx, dout, x);
    Ok(())
}

/// Reference forward: the formula, one value at a time.
pub fn forward_cpu(out: &mut [f32], x: &[f32]) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = 0.5 * v * (1.0 + libm::erff(v * FRAC_1_SQRT_2));
    }
}

/// Reference backward: `dx += dout · (Φ(x) + x·φ(x))`.
pub fn backward_cpu(dx: &mut [f32], dout: &[f32], x: &[f32]) {
    for ((d, &g), &v) in dx.iter_mut().zip(dout).zip(x) {
        let cdf = 0.5 * (1.0 + libm::erff(v * FRAC_1_SQRT_2));
        let density = FRAC_1_SQRT_2PI * (-0.5 * v * v).exp();
        *d += g * (cdf + v * density);
    }
}

pub fn forward_gpu(gpu: &Gpu, encoder: &mut wgpu::CommandEncoder, out: GpuSlice, x: GpuSlice) -> Result<()> {
    super::unary_forward_gpu(gpu, encoder, &KERNEL_FORWARD, "gelu (exact)", out, x)
}

/// GPU: `dx += dout · GELU'(x)`.
pub fn backward_gpu(gpu: &Gpu, encoder: &mut wgpu::CommandEncoder, dx: GpuSlice, dout: GpuSlice, x: GpuSlice) -> Result<()> {
    super::unary_backward_gpu(gpu, encoder, &KERNEL_BACKWARD, "gelu (exact) backward", dx, dout, x)
}
