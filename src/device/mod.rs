//! Where the arithmetic runs.
//!
//! - [`Device::Cpu`]: the host's processor. Every op in `src/ops/` runs here
//!   on host slices, through its SIMD twin (`*_simd.rs`: wasm SIMD128 in the
//!   browser, portable 4-lane code natively) and, with the `threads` feature,
//!   on a rayon thread pool (Web Workers sharing the wasm memory in the
//!   threaded build). The plain scalar loops beside each twin (`*_cpu`) are
//!   the specification those faster paths are tested against.
//! - [`Device::Gpu`]: WebGPU through `wgpu` ([`gpu`]). GPU kernels work on
//!   buffers that live on the GPU ([`gpu::GpuBuffer`]), through each op's
//!   `*_gpu` launcher; an op given host slices on a GPU device says so.
//!
//! [`Device::pick`] turns a user's [`Preference`] into a device: the GPU when
//! one is found (for `Auto`), the CPU otherwise. [`Device::name`] says which
//! one runs, for the page to show.

pub mod buffer;
pub mod gpu;
pub mod tensor;

use std::rc::Rc;

use crate::error::{Error, Result};
use gpu::Gpu;

/// A backend the ops can run on.
#[derive(Debug, Clone)]
pub enum Device {
    /// Plain scalar Rust on the host.
    Cpu,
    /// A WebGPU device (shared: widgets on one page use one device).
    Gpu(Rc<Gpu>),
}

/// What the user asked for when creating a runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preference {
    /// WebGPU when an adapter is found, else the CPU.
    Auto,
    /// WebGPU or nothing: an error if it is missing.
    WebGpu,
    /// The CPU, even where a GPU exists (useful to compare numbers).
    Cpu,
}

impl Preference {
    /// Parse `"auto" | "webgpu" | "cpu"` (the strings the JS API accepts).
    pub fn parse(text: &str) -> Result<Preference> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "auto" => Ok(Preference::Auto),
            "webgpu" | "gpu" => Ok(Preference::WebGpu),
            "cpu" => Ok(Preference::Cpu),
            other => Err(crate::error::invalid(
                "backend",
                format!("unknown backend preference {other:?}; use \"auto\", \"webgpu\" or \"cpu\"."),
            )),
        }
    }
}

impl Preference {
    /// The word the preference is written as: `"auto"`, `"webgpu"` or `"cpu"`.
    pub fn name(self) -> &'static str {
        match self {
            Preference::Auto => "auto",
            Preference::WebGpu => "webgpu",
            Preference::Cpu => "cpu",
        }
    }
}

impl PartialEq for Device {
    fn eq(&self, other: &Device) -> bool {
        match (self, other) {
            (Device::Cpu, Device::Cpu) => true,
            (Device::Gpu(a), Device::Gpu(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Device {
    /// Choose a device for a preference. `gpu_present` says whether the host
    /// exposes a GPU API at all (the caller knows how to ask its platform).
    /// `Auto` falls back to the CPU when no adapter answers; `WebGpu` fails
    /// with a message that says how to get one.
    pub async fn pick(preference: Preference, gpu_present: bool) -> Result<Device> {
        match preference {
            Preference::Cpu => Ok(Device::Cpu),
            Preference::Auto if !gpu_present => Ok(Device::Cpu),
            Preference::Auto => Ok(Gpu::new().await.map(|gpu| Device::Gpu(Rc::new(gpu))).unwrap_or(Device::Cpu)),
            Preference::WebGpu if !gpu_present => Err(Error::Backend(
                "WebGPU is unavailable here: this platform exposes no GPU API. \
                 Use a browser with WebGPU enabled (Chrome/Edge 113+, or start Chromium with --enable-unsafe-webgpu), \
                 or ask for \"auto\" or \"cpu\"."
                    .to_string(),
            )),
            Preference::WebGpu => match Gpu::new().await {
                Ok(gpu) => Ok(Device::Gpu(Rc::new(gpu))),
                Err(e) => Err(Error::Backend(format!("{e} Ask for \"auto\" or \"cpu\" to run on the CPU."))),
            },
        }
    }

    /// A short name shown on the page: which backend is running.
    pub fn name(&self) -> &'static str {
        match self {
            Device::Cpu => "cpu",
            Device::Gpu(_) => "webgpu",
        }
    }

    /// Check that `op`, given host slices, may run here: the CPU computes on
    /// host slices; a GPU device refuses, naming the op, because its kernels
    /// need the data in GPU buffers (each op's `*_gpu` launcher).
    pub fn ensure_cpu(&self, op: &'static str) -> Result<()> {
        match self {
            Device::Cpu => Ok(()),
            Device::Gpu(_) => Err(Error::Backend(format!(
                "{op}: this call passes host arrays, which the CPU computes; on a GPU device use the op's GPU launcher with GPU buffers."
            ))),
        }
    }
}
