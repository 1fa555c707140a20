//! Which backend a new runtime runs on, and why, in a sentence for the page.
//!
//! `"cpu"` and `"webgpu"` are obeyed. `"auto"` means *the faster one*, which
//! a GPU is not always:
//!
//! - A software adapter (SwiftShader, which Chromium offers when it has no
//!   usable GPU; llvmpipe) runs WGSL on the CPU, far slower than our SIMD
//!   kernels: the course page's translator trained 3 steps in 30 s on it
//!   against 1,001 on the CPU. "auto" never takes one.
//! - On a real adapter, a small model can still be faster on the CPU (each
//!   GPU step pays for dispatches and a readback). So the runtime keeps the
//!   GPU and lets each model choose when it is built: one training step is
//!   timed on both backends and the model runs on the faster one
//!   (`web::training`), saying so in its `describe()`.

use std::rc::Rc;

use crate::device::gpu::Gpu;
use crate::device::{Device, Preference};
use crate::error::{Error, Result};

/// The device a runtime starts on, the sentence that says why, and whether
/// each model should time both backends before choosing.
pub(super) struct Choice {
    pub device: Device,
    pub reason: String,
    pub measure_each_model: bool,
}

/// Turn a preference into a device. `webgpu_present`: whether the browser
/// exposes `navigator.gpu`; `allow_software`: let "auto" consider a
/// software adapter too (and time it like a real one), for testing the
/// measurement where no GPU exists.
pub(super) async fn choose(preference: Preference, webgpu_present: bool, allow_software: bool) -> Result<Choice> {
    let cpu = |reason: String| Choice {
        device: Device::Cpu,
        reason,
        measure_each_model: false,
    };
    match preference {
        Preference::Cpu => Ok(cpu("Running on the CPU (WebAssembly), as asked (backend \"cpu\").".into())),
        Preference::WebGpu => {
            let gpu = Device::pick(Preference::WebGpu, webgpu_present).await?;
            let software = matches!(&gpu, Device::Gpu(g) if g.software);
            let mut reason = format!("Running on WebGPU{}, as asked (backend \"webgpu\").", adapter(&gpu));
            if software {
                reason.push_str(" It is a software renderer, which runs on the CPU: the CPU backend is faster.");
            }
            Ok(Choice {
                device: gpu,
                reason,
                measure_each_model: false,
            })
        }
        Preference::Auto if !webgpu_present => Ok(cpu(
            "Running on the CPU (WebAssembly): this browser has no WebGPU (try a recent Chrome or Edge).".into(),
        )),
        Preference::Auto => match Gpu::new().await {
            Err(_) => Ok(cpu(
                "Running on the CPU (WebAssembly): this browser has WebGPU, but no GPU adapter answered (the GPU or its driver may be blocklisted)."
                    .into(),
            )),
            Ok(gpu) if gpu.software && !allow_software => {
                let name = named(&gpu);
                gpu.destroy(); // give its memory back now: nothing will run on it
                Ok(cpu(format!(
                    "Running on the CPU (WebAssembly): this browser's only WebGPU adapter{name} is a software renderer, which runs on \
                     the CPU and is slower than the WebAssembly kernels. Add ?backend=webgpu to the address (or ask Runtime.create \
                     for \"webgpu\") to use it anyway."
                )))
            }
            Ok(gpu) => {
                let gpu = Device::Gpu(Rc::new(gpu));
                let reason = format!(
                    "WebGPU{} is available: each model times one training step on it and on the CPU when it is built, \
                     and runs on the faster (its describe() says which).",
                    adapter(&gpu)
                );
                Ok(Choice {
                    device: gpu,
                    reason,
                    measure_each_model: true,
                })
            }
        },
    }
}

/// " (the adapter's name)", or nothing where the browser gives it none.
fn adapter(device: &Device) -> String {
    match device {
        Device::Gpu(gpu) => named(gpu),
        Device::Cpu => String::new(),
    }
}

fn named(gpu: &Gpu) -> String {
    // `describe_adapter`'s words for a nameless adapter (browsers often give a fallback one no name).
    if gpu.adapter_name.starts_with("the browser's") {
        String::new()
    } else {
        format!(" ({})", gpu.adapter_name)
    }
}

/// The Error of a runtime that could not start, naming the preference.
pub(super) fn start_failed(preference: Preference, webgpu_present: bool, error: Error) -> Error {
    let missing = if webgpu_present { "" } else { " (navigator.gpu is missing)" };
    Error::Backend(format!("Runtime.create({:?}){missing}: {error}", preference.name()))
}
