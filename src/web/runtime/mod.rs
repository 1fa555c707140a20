//! `Runtime`: one per page, shared by every widget. It owns the device and
//! exposes the kernels that the teaching widgets show step by step.
//!
//! ```js
//! const rt = await Runtime.create("auto");     // the faster backend (see `choice`)
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

mod budget;
mod choice;
mod kernels;

use super::convert::js_error;
use super::memory;
use crate::device::gpu::Gpu;
use crate::device::{Device, Preference};
use crate::error::{invalid, Error, Result};
use crate::train::footprint::Footprint;
use budget::Budget;

/// The entry point of the JS API. (Clones share everything: a model's
/// constructor keeps one while it builds.)
#[wasm_bindgen]
#[derive(Clone)]
pub struct Runtime {
    state: Rc<RefCell<State>>,
}

/// What can change after creation: the device (on a fallback) and why.
pub(super) struct State {
    device: Device,
    /// Why this backend (a sentence for the page; see `choice`).
    reason: String,
    /// "auto" on a GPU: each model times both backends when it is built.
    pub(super) measure_each_model: bool,
    fallback_reason: Option<String>,
    pub(super) budget: Budget,
}

impl State {
    pub(super) fn device(&self) -> Device {
        self.device.clone()
    }

    /// Why the runtime left the GPU, if it did.
    pub(super) fn fallback_reason(&self) -> Option<String> {
        self.fallback_reason.clone()
    }

    /// Why the runtime runs where it does: the fallback's reason, if the GPU was lost, else the choice's.
    pub(super) fn reason(&self) -> String {
        self.fallback_reason.clone().unwrap_or_else(|| self.reason.clone())
    }

    /// The GPU is gone: run on the CPU from now on, and say why.
    pub(super) fn fall_back_to_cpu(&mut self, reason: &str) {
        self.device = Device::Cpu;
        self.measure_each_model = false;
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

    /// Refuse `op` if `need` is more than the memory budget leaves (see `budget`).
    pub(super) fn check_budget(&self, op: &'static str, need: &Footprint, advice: &str) -> Result<()> {
        self.state.borrow().budget.check(op, need, advice)
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
    /// `Runtime.create("auto" | "webgpu" | "cpu", options)` → Promise<Runtime>.
    /// "auto" never takes a software adapter, and on a real one lets each
    /// model time both backends (see `choice`); `rt.backendReason` says
    /// which and why. Options: `memoryBudget` (bytes the runtime's models may
    /// hold in wasm memory; see `budget`), `allowSoftwareAdapter` (let
    /// "auto" consider a software adapter too, timed like a real one).
    pub async fn create(preference: Option<String>, options_object: JsValue) -> std::result::Result<Runtime, JsValue> {
        #[derive(serde::Deserialize, Default)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct CreateOptions {
            memory_budget: Option<f64>,
            allow_software_adapter: Option<bool>,
        }
        let preference = Preference::parse(preference.as_deref().unwrap_or("auto")).map_err(|e| {
            js_error(match e {
                Error::InvalidArgument { message, .. } => invalid("Runtime.create", message),
                other => other,
            })
        })?;
        let options: CreateOptions = super::convert::options("Runtime.create", options_object)?;
        let budget = Budget::new(options.memory_budget)?;
        let present = webgpu_present();
        let chosen = choice::choose(preference, present, options.allow_software_adapter.unwrap_or(false))
            .await
            .map_err(|e| js_error(choice::start_failed(preference, present, e)))?;
        Ok(Runtime {
            state: Rc::new(RefCell::new(State {
                device: chosen.device,
                reason: chosen.reason,
                measure_each_model: chosen.measure_each_model,
                fallback_reason: None,
                budget,
            })),
        })
    }

    /// Why the runtime runs on its backend, in a sentence for the page
    /// (after a lost GPU: why it moved to the CPU).
    #[wasm_bindgen(getter, js_name = backendReason)]
    pub fn backend_reason(&self) -> String {
        self.state.borrow().reason()
    }

    /// glassformer's version (Cargo.toml's; the npm package and the README say the same).
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> String {
        env!("CARGO_PKG_VERSION").to_string()
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

    /// What the runtime holds now → Promise<{ wasmBytes, wasmMemoryBytes, gpuBytes, models, budgetBytes }>:
    /// bytes Rust has allocated and not freed; the size of the wasm memory
    /// (which only grows: freed bytes are reused, never returned); bytes of
    /// GPU buffers alive (0 on the CPU); models neither disposed nor
    /// collected; the memory budget (see `budget`).
    pub fn memory(&self) -> Promise {
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Memory {
            wasm_bytes: f64,
            wasm_memory_bytes: f64,
            gpu_bytes: f64,
            models: usize,
            budget_bytes: f64,
        }
        let gpu_bytes = match self.current_device() {
            Device::Gpu(gpu) => {
                gpu.flush(); // destroy the buffers let go so far
                gpu.held_bytes() as f64
            }
            Device::Cpu => 0.0,
        };
        let report = super::convert::to_js(&Memory {
            wasm_bytes: memory::wasm_bytes_in_use() as f64,
            wasm_memory_bytes: memory::wasm_memory_bytes(),
            gpu_bytes,
            models: memory::live_models(),
            budget_bytes: self.state.borrow().budget.bytes,
        });
        match report {
            Ok(value) => Promise::resolve(&value),
            Err(error) => Promise::reject(&error),
        }
    }

    /// Panic inside a call, as a bug would (the Promise never settles from
    /// Rust's side): to see the page's loader notice the dead instance,
    /// reject the call with a readable Error and restart on a fresh one.
    #[wasm_bindgen(js_name = simulateInternalError)]
    pub fn simulate_internal_error(&self) -> Promise {
        future_to_promise(async {
            memory::yield_to_event_loop().await;
            panic!("a simulated internal error (rt.simulateInternalError())");
        })
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
