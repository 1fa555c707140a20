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

/// A flat `f32` buffer on the CPU or the GPU.
#[derive(Debug, Clone)]
pub enum Tensor {
    Host(Vec<f32>),
    Gpu(GpuBuffer),
}

/// Host buffers of dropped tensors, kept for [`Tensor::zeros`] to hand out
/// again: a training step's gradient temporaries are the same sizes every
/// step, so after the first one the CPU path allocates nothing (the GPU pool
/// does the same for GPU buffers).
struct HostPool;

thread_local! {
    static HOST_POOL: std::cell::RefCell<Vec<Vec<f32>>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl HostPool {
    /// At most this many buffers, and this many floats in all (64 MiB), wait
    /// in the pool; beyond that a dropped buffer is simply freed.
    const MAX_BUFFERS: usize = 256;
    const MAX_FLOATS: usize = 16 << 20;

    /// A buffer of exactly `len` zeros, recycled when one of that length is free.
    fn take_zeroed(len: usize) -> Vec<f32> {
        let recycled = HOST_POOL.with(|pool| {
            let mut pool = pool.borrow_mut();
            let found = pool.iter().position(|buffer| buffer.len() == len);
            found.map(|i| pool.swap_remove(i))
        });
        match recycled {
            Some(mut buffer) => {
                buffer.fill(0.0);
                buffer
            }
            None => vec![0.0; len],
        }
    }

    fn give_back(buffer: Vec<f32>) {
        if buffer.is_empty() {
            return;
        }
        // `try_with`: while a thread shuts down its pool may already be gone; then the buffer is simply freed.
        let _ = HOST_POOL.try_with(|pool| {
            if let Ok(mut pool) = pool.try_borrow_mut() {
                let held: usize = pool.iter().map(Vec::len).sum();
                if pool.len() < Self::MAX_BUFFERS && held + buffer.len() <= Self::MAX_FLOATS {
                    pool.push(buffer);
                }
            }
        });
    }
}

/// Free the host buffers waiting in this thread's pool: when a model goes
/// (its temporaries' sizes will not be asked for again) or a new one comes
/// (it sizes its own on its first step).
pub fn clear_host_pool() {
    let _ = HOST_POOL.try_with(|pool| {
        if let Ok(mut pool) = pool.try_borrow_mut() {
            *pool = Vec::new();
        }
    });
}

impl Drop for Tensor {
    fn drop(&mut self) {
        if let Tensor::Host(values) = self {
            HostPool::give_back(std::mem::take(values));
        }
    }
}

fn wrong_place(wanted: &str) -> Error {
    Error::Backend(format!(
        "a tensor was used on the {wanted} but lives elsewhere; create tensors on the model's device (Tensor::zeros / from_host)."
    ))
}

impl Tensor {
    /// `len` zeros on `dev`: on the CPU a recycled host buffer of that
    /// length when one is free (see [`HostPool`]), on the GPU from the buffer
    /// pool, cleared in the pending encoder (for work recorded with `Gpu::record`).
    pub fn zeros(dev: &Device, len: usize) -> Tensor {
        match dev {
            Device::Cpu => Tensor::Host(HostPool::take_zeroed(len)),
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
