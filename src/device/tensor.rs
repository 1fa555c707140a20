//! `Tensor`: a flat `f32` buffer that lives where its device computes —
//! a `Vec<f32>` for the CPU, a [`GpuBuffer`] for the GPU.
//!
//! Layers hold their activations and the model its parameters as tensors, and
//! pass them to ops through the device: on the CPU an op borrows the host
//! slices, on the GPU it records a kernel over the buffers. Data crosses
//! between the two only when asked ([`Tensor::from_host`], [`Tensor::to_host`]).

use crate::device::gpu::{GpuBuffer, GpuSlice};
use crate::device::Device;
use crate::error::{Error, Result};
use crate::nn::params::ParamRange;

/// A flat `f32` buffer on the CPU or the GPU.
#[derive(Debug, Clone)]
pub enum Tensor {
    Host(Vec<f32>),
    Gpu(GpuBuffer),
}

fn wrong_place(wanted: &str) -> Error {
    Error::Backend(format!(
        "a tensor was used on the {wanted} but lives elsewhere; create tensors on the model's device (Tensor::zeros / from_host)."
    ))
}

impl Tensor {
    /// `len` zeros on `dev` (on the GPU from the buffer pool, cleared in
    /// the pending encoder: for work recorded with `Gpu::record`).
    pub fn zeros(dev: &Device, len: usize) -> Tensor {
        match dev {
            Device::Cpu => Tensor::Host(vec![0.0; len]),
            Device::Gpu(gpu) => Tensor::Gpu(gpu.scratch(len)),
        }
    }

    /// Host values placed on `dev` (uploaded for a GPU).
    pub fn from_host(dev: &Device, data: Vec<f32>) -> Tensor {
        match dev {
            Device::Cpu => Tensor::Host(data),
            Device::Gpu(gpu) => Tensor::Gpu(gpu.upload(&data)),
        }
    }

    /// A copy of the values on the host (for the GPU: waits for its work).
    pub async fn to_host(&self, dev: &Device) -> Result<Vec<f32>> {
        match (self, dev) {
            (Tensor::Host(values), _) => Ok(values.clone()),
            (Tensor::Gpu(buffer), Device::Gpu(gpu)) => gpu.read(buffer).await,
            (Tensor::Gpu(_), Device::Cpu) => Err(wrong_place("CPU")),
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Tensor::Host(values) => values.len(),
            Tensor::Gpu(buffer) => buffer.len(),
        }
    }

    /// True when the tensor holds no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The host values (CPU tensors only).
    pub fn host(&self) -> Result<&[f32]> {
        match self {
            Tensor::Host(values) => Ok(values),
            Tensor::Gpu(_) => Err(wrong_place("CPU")),
        }
    }

    /// The host values, mutably (CPU tensors only).
    pub fn host_mut(&mut self) -> Result<&mut [f32]> {
        match self {
            Tensor::Host(values) => Ok(values),
            Tensor::Gpu(_) => Err(wrong_place("CPU")),
        }
    }

    /// The GPU buffer (GPU tensors only).
    pub fn gpu(&self) -> Result<&GpuBuffer> {
        match self {
            Tensor::Gpu(buffer) => Ok(buffer),
            Tensor::Host(_) => Err(wrong_place("GPU")),
        }
    }

    /// The whole GPU buffer as a slice.
    pub fn gpu_all(&self) -> Result<GpuSlice<'_>> {
        Ok(self.gpu()?.all())
    }

    /// One parameter tensor inside a flat GPU buffer.
    pub fn gpu_range(&self, range: ParamRange) -> Result<GpuSlice<'_>> {
        Ok(self.gpu()?.range(range.offset, range.len))
    }

    /// Set every value to zero (on the GPU: recorded, runs with the step).
    pub fn fill_zero(&mut self, dev: &Device) -> Result<()> {
        match (self, dev) {
            (Tensor::Host(values), _) => values.fill(0.0),
            (Tensor::Gpu(buffer), Device::Gpu(gpu)) => gpu.record(|encoder| {
                gpu.clear(encoder, buffer);
                Ok(())
            })?,
            (Tensor::Gpu(_), Device::Cpu) => return Err(wrong_place("CPU")),
        }
        Ok(())
    }
}
