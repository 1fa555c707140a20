//! `Runtime`: one per page, shared by every widget. It owns the device and
//! exposes the kernels that the teaching widgets show step by step.
//!
//! ```js
//! const rt = await Runtime.create("auto");     // WebGPU if an adapter answers, else the CPU
//! rt.backend;                                   // "webgpu" or "cpu"
//! const { scores, weights, output } = await rt.attention(q, k, v, { dModel: 4, heads: 1 });
//! ```
//!
//! If the GPU device is lost (a driver reset, or `rt.loseDevice()` in a
//! test), the runtime carries on: the call that noticed is recomputed on the
//! CPU, `rt.backend` becomes `"cpu"` and `rt.fallbackReason` says why.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

mod kernels;

use super::convert::js_error;
use crate::device::gpu::Gpu;
use crate::device::{Device, Preference};
use crate::error::{invalid, Error, Result};

/// The entry point of the JS API.
#[wasm_bindgen]
pub struct Runtime {
    state: Rc<RefCell<State>>,
}

/// What can change after creation: the device (on a fallback) and why.
pub(super) struct State {
    device: Device,
    fallback_reason: Option<String>,
}

impl State {
    pub(super) fn device(&self) -> Device {
        self.device.clone()
    }

    /// The GPU is gone: run on the CPU from now on, and say why.
    pub(super) fn fall_back_to_cpu(&mut self, reason: &str) {
        self.device = Device::Cpu;
        self.fallback_reason = Some(format!("{reason} Continuing on the CPU."));
    }
}

/// Does this JS environment expose WebGPU (`navigator.gpu`)?
fn webgpu_present() -> bool {
    let navigator = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).unwrap_or(JsValue::UNDEFINED);
    !navigator.is_undefined() && js_sys::Reflect::get(&navigator, &"gpu".into()).is_ok_and(|gpu| !gpu.is_undefined())
}

impl Runtime {
    /// The device to use now (a cheap clone: the GPU is shared).
    pub(super) fn current_device(&self) -> Device {
        self.state.borrow().device.clone()
    }

    /// The state models share with the runtime, to fall back with it.
    pub(super) fn shared_state(&self) -> Rc<RefCell<State>> {
        Rc::clone(&self.state)
    }

    /// Run `on_gpu` when the device is a GPU, `on_cpu` otherwise; if the GPU
    /// turns out to be lost, switch the runtime to the CPU for good and
    /// answer from the CPU.
    fn run<G, F>(&self, on_gpu: G, on_cpu: impl FnOnce() -> Result<JsValue> + 'static) -> Promise
    where
        G: FnOnce(Rc<Gpu>) -> F + 'static,
        F: std::future::Future<Output = Result<JsValue>> + 'static,
    {
        let state = Rc::clone(&self.state);
        let device = self.current_device();
        future_to_promise(async move {
            let result = match device {
                Device::Cpu => on_cpu(),
                Device::Gpu(gpu) => match on_gpu(Rc::clone(&gpu)).await {
                    Err(Error::Backend(reason)) if gpu.is_lost() => {
                        state.borrow_mut().fall_back_to_cpu(&reason);
                        on_cpu()
                    }
                    other => other,
                },
            };
            result.map_err(js_error)
        })
    }
}

#[wasm_bindgen]
impl Runtime {
    /// `Runtime.create("auto" | "webgpu" | "cpu")` → Promise<Runtime>.
    pub async fn create(preference: Option<String>) -> std::result::Result<Runtime, JsValue> {
        let preference = Preference::parse(preference.as_deref().unwrap_or("auto")).map_err(|e| {
            js_error(match e {
                Error::InvalidArgument { message, .. } => invalid("Runtime.create", message),
                other => other,
            })
        })?;
        let device = Device::pick(preference, webgpu_present()).await.map_err(|e| {
            let missing = if webgpu_present() { "" } else { " (navigator.gpu is missing)" };
            js_error(Error::Backend(format!("Runtime.create({:?}){missing}: {e}", preference.name())))
        })?;
        Ok(Runtime {
            state: Rc::new(RefCell::new(State {
                device,
                fallback_reason: None,
            })),
        })
    }

    /// Which backend runs the kernels: `"webgpu"` or `"cpu"`.
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.current_device().name().to_string()
    }

    /// The GPU adapter's name, when running on WebGPU.
    #[wasm_bindgen(getter)]
    pub fn adapter(&self) -> Option<String> {
        match self.current_device() {
            Device::Gpu(gpu) => Some(gpu.adapter_name.clone()),
            Device::Cpu => None,
        }
    }

    /// Why the runtime moved from the GPU to the CPU, if it did.
    #[wasm_bindgen(getter, js_name = fallbackReason)]
    pub fn fallback_reason(&self) -> Option<String> {
        self.state.borrow().fallback_reason.clone()
    }

    /// Whether the browser exposes WebGPU at all, for the page to explain
    /// why it runs on the CPU.
    #[wasm_bindgen(getter, js_name = webgpuAvailable)]
    pub fn webgpu_available(&self) -> bool {
        webgpu_present()
    }

    /// Destroy the GPU device, as a driver reset would, to see the fallback
    /// happen (the next call finishes on the CPU). No effect on the CPU.
    #[wasm_bindgen(js_name = loseDevice)]
    pub fn lose_device(&self) {
        if let Device::Gpu(gpu) = self.current_device() {
            gpu.destroy();
        }
    }
}
