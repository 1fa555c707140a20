//! A trainer as the page holds it: [`Resilient`] (training that outlives a
//! lost GPU, see `train::trainer`) plus the runtime whose device it shares.
//! When the GPU is lost, the model goes on on the CPU and so does the whole
//! runtime, with the reason in `rt.fallbackReason`.
//!
//! Every model class of the JS API (translator, GPT, BERT and its
//! classifier) trains through one of these.
//!
//! **Where a new model runs.** On a CPU runtime, the CPU. On a GPU, the GPU
//! — unless its parameters are more than one GPU buffer may hold, or the
//! runtime is "auto": then [`place`] times a training step on each backend
//! (after a first one that sizes buffers and compiles kernels) and keeps
//! the faster. The model's state is put back as it was before the timing,
//! so it starts at step 0 either way; only the four batches drawn for the
//! timing are not drawn again. Models that cannot train here (no text to
//! train on) or were opened for inference (no gradients made) stay on the
//! CPU, where every call of theirs runs anyway.

use std::cell::{Ref, RefCell};

use std::rc::Rc;
use wasm_bindgen::JsValue;

use super::bench::now_ms;
use super::convert::js_error;
use super::memory::Held;
use super::runtime::{Runtime, State};
use crate::device::Device;
use crate::error::Result;
use crate::train::footprint::{megabytes, Footprint};
use crate::train::trainer::{busy, Resilient, Snapshot, Trained, Trainer};

/// A trainer shared by a model's methods (cheap to clone: shared handles).
pub(super) struct Training<T: Trainer> {
    run: Rc<Resilient<T>>,
    runtime: Rc<RefCell<State>>,
    /// Why the model runs where it does (see [`place`]).
    placement: Rc<str>,
}

impl<T: Trainer> Clone for Training<T> {
    fn clone(&self) -> Self {
        Training {
            run: Rc::clone(&self.run),
            runtime: Rc::clone(&self.runtime),
            placement: Rc::clone(&self.placement),
        }
    }
}

impl<T: Trainer> Training<T> {
    /// A trainer made on the CPU, moved to where it runs best (see [`place`]).
    pub(super) async fn new(trainer: T, runtime: &Runtime) -> Result<Training<T>> {
        let state = runtime.shared_state();
        let (trainer, device, placement) = place(trainer, &state).await?;
        Ok(Training {
            run: Rc::new(Resilient::new(trainer, &device)?),
            runtime: state,
            placement: placement.into(),
        })
    }

    /// Another trainer beside this one (BERT's classifier beside its
    /// pre-training), made on the CPU and moved to the same device.
    pub(super) fn alongside<U: Trainer>(&self, trainer: U) -> Result<Training<U>> {
        let device = self.run.trainer.try_borrow().map_err(|_| busy("trainer"))?.device();
        Ok(Training {
            run: Rc::new(Resilient::new(trainer, &device)?),
            runtime: Rc::clone(&self.runtime),
            placement: Rc::clone(&self.placement),
        })
    }

    /// Refuse `op` if `need` is more than the runtime's memory budget leaves.
    pub(super) fn check_budget(&self, op: &'static str, need: &Footprint, advice: &str) -> Result<()> {
        self.runtime.borrow().budget.check(op, need, advice)
    }

    /// The backend the model trains on now ("cpu" or "webgpu") and why, for `describe()`.
    pub(super) fn backend(&self) -> (&'static str, String) {
        let device = self.run.trainer.try_borrow().map(|t| t.device()).unwrap_or(Device::Cpu);
        match (device, self.runtime.borrow().fallback_reason()) {
            (Device::Cpu, Some(fallback)) => ("cpu", fallback),
            (device, _) => (device.name(), self.placement.to_string()),
        }
    }

    /// The trainer itself (borrow it briefly: never across an `.await`).
    pub(super) fn trainer(&self) -> &RefCell<T> {
        &self.run.trainer
    }

    /// The trainer, to read: if a call is changing it right now, a readable
    /// "busy" Error for `op` instead of a panic.
    pub(super) fn read(&self, op: &'static str) -> std::result::Result<Ref<'_, T>, JsValue> {
        self.run.trainer.try_borrow().map_err(|_| js_error(busy(op)))
    }

    /// If the GPU was lost since the last call: the model, and the runtime,
    /// move to the CPU. Every method calls this first.
    pub(super) fn recover(&self, op: &'static str) -> Result<()> {
        if self.run.recover(op)? {
            self.fall_back("The GPU device was lost.");
        }
        Ok(())
    }

    /// `steps` steps, finished on the CPU if the GPU is lost on the way.
    pub(super) async fn train(&self, steps: u32, op: &'static str) -> Result<Trained<T::Step>> {
        let trained = self.run.train(steps, op).await?;
        if let Some(reason) = &trained.moved_to_cpu {
            self.fall_back(reason);
        }
        Ok(trained)
    }

    fn fall_back(&self, reason: &str) {
        if self.runtime.borrow().device() != Device::Cpu {
            self.runtime.borrow_mut().fall_back_to_cpu(reason);
        }
    }
}

/// A model's handle releases what the runtime pooled for it when it goes.
impl<T: Trainer> Held for Training<T> {
    fn runtime(&self) -> Rc<RefCell<State>> {
        Rc::clone(&self.runtime)
    }
}

/// Where a new trainer (on the CPU) should run, and why: see the module docs.
async fn place<T: Trainer>(mut trainer: T, runtime: &RefCell<State>) -> Result<(T, Device, String)> {
    let (device, measure, reason) = {
        let state = runtime.borrow();
        (state.device(), state.measure_each_model, state.reason())
    };
    let Device::Gpu(gpu) = device else {
        return Ok((trainer, Device::Cpu, reason));
    };
    let (values, most) = (trainer.params().len(), gpu.max_buffer_values());
    if values > most {
        let why = format!(
            "Running on the CPU: the model's parameters ({}) are more than one buffer of this GPU may hold ({}).",
            megabytes(4.0 * values as f64),
            megabytes(4.0 * most as f64)
        );
        return Ok((trainer, Device::Cpu, why));
    }
    let gpu = Device::Gpu(gpu);
    if !measure {
        return Ok((trainer, gpu, reason));
    }
    if trainer.params().grads.is_empty() {
        // Opened for inference (a pretrained model: no gradients made): timing a training step
        // would make gradients and moments it may never need.
        let why = "Running on the CPU: this model was opened for inference, whose calls run on the CPU.".to_string();
        return Ok((trainer, Device::Cpu, why));
    }
    // Trial steps move the model, its optimizer and its data on: each is put back after.
    let (start, data) = (Snapshot::of_host(&trainer)?, trainer.data_position());
    let cpu_ms = match time_a_step(&mut trainer).await {
        Ok(ms) => ms,
        Err(why) => {
            trainer.restore(&Device::Cpu, &start)?;
            trainer.set_data_position(data);
            let why = format!("Running on the CPU: this model does not train here ({why}), and its other calls run on the CPU.");
            return Ok((trainer, Device::Cpu, why));
        }
    };
    trainer.restore(&gpu, &start)?;
    trainer.set_data_position(data.clone());
    let gpu_ms = time_a_step(&mut trainer).await;
    trainer.restore(&Device::Cpu, &start)?;
    trainer.set_data_position(data);
    Ok(match gpu_ms {
        Ok(gpu_ms) if gpu_ms < cpu_ms => {
            let why = format!("Running on WebGPU: a training step took {gpu_ms:.1} ms there and {cpu_ms:.1} ms on the CPU.");
            (trainer, gpu, why)
        }
        Ok(gpu_ms) => {
            let why = format!("Running on the CPU: a training step took {cpu_ms:.1} ms there and {gpu_ms:.1} ms on WebGPU.");
            (trainer, Device::Cpu, why)
        }
        Err(error) => {
            let why = format!("Running on the CPU: a training step failed on WebGPU ({error}).");
            (trainer, Device::Cpu, why)
        }
    })
}

/// Milliseconds of one training step where `trainer` is, losses read back:
/// after a first step, which sizes the buffers and compiles the kernels.
async fn time_a_step<T: Trainer>(trainer: &mut T) -> Result<f64> {
    let device = trainer.device();
    let mut elapsed = 0.0;
    for _ in 0..2 {
        let start = now_ms();
        let step = trainer.train_step()?;
        for loss in T::losses(&step) {
            loss.to_host(&device).await?;
        }
        elapsed = now_ms() - start;
    }
    Ok(elapsed)
}
