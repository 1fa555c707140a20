//! Where the arithmetic runs.
//!
//! Every op and layer takes a `&Device` and dispatches on it. Today there is
//! one device, the CPU, running the plain reference loops in `src/ops/`; those
//! loops are the specification that any faster path (wasm SIMD, WebGPU) is
//! tested against. Adding a backend means adding a variant here and one arm in
//! each op's dispatching function; callers do not change.
//!
//! [`Device::pick`] turns a user's [`Preference`] into a device, falling back
//! to the CPU when the preferred backend is missing, and says which one it
//! chose through [`Device::name`].

use crate::error::{Error, Result};

/// A backend the ops can run on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Device {
    /// Plain scalar Rust on the host (in the browser: one wasm thread).
    Cpu,
}

/// What the user asked for when creating a runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preference {
    /// The fastest backend available, falling back to the CPU.
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
                "Runtime.create",
                format!("unknown backend preference {other:?}; use \"auto\", \"webgpu\" or \"cpu\"."),
            )),
        }
    }
}

impl Device {
    /// Choose a device for a preference.
    ///
    /// `gpu_present` says whether the host exposes a GPU API at all (in the
    /// browser: `navigator.gpu` exists). This build has no GPU kernels yet, so
    /// `Auto` always lands on the CPU, and an explicit `WebGpu` request fails
    /// with a message that says what to do instead.
    pub fn pick(preference: Preference, gpu_present: bool) -> Result<Device> {
        match preference {
            Preference::Auto | Preference::Cpu => Ok(Device::Cpu),
            Preference::WebGpu if !gpu_present => Err(Error::Backend(
                "Runtime.create(\"webgpu\"): WebGPU is unavailable in this browser (navigator.gpu is missing). \
                 Use a browser with WebGPU enabled (Chrome/Edge 113+, or start Chromium with --enable-unsafe-webgpu), \
                 or ask for \"auto\" or \"cpu\"."
                    .to_string(),
            )),
            Preference::WebGpu => Err(Error::Backend(
                "Runtime.create(\"webgpu\"): this build of glassformer has no WebGPU kernels yet. \
                 Ask for \"auto\" or \"cpu\" to run on the CPU."
                    .to_string(),
            )),
        }
    }

    /// A short name shown on the page: which backend is running.
    pub fn name(&self) -> &'static str {
        match self {
            Device::Cpu => "cpu",
        }
    }
}

pub mod gpu;
