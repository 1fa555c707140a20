//! A trainer as the page holds it: [`Resilient`] (training that outlives a
//! lost GPU, see `train::trainer`) plus the runtime whose device it shares.
//! When the GPU is lost, the model goes on on the CPU and so does the whole
//! runtime, with the reason in `rt.fallbackReason`.
//!
//! Every model class of the JS API (translator, GPT, BERT and its
//! classifier) trains through one of these.

use std::cell::{Ref, RefCell};

use std::rc::Rc;
use wasm_bindgen::JsValue;

use super::convert::js_error;
use super::runtime::{Runtime, State};
use crate::device::Device;
use crate::error::Result;
use crate::train::trainer::{busy, Resilient, Trained, Trainer};

/// A trainer shared by a model's methods (cheap to clone: two handles).
pub(super) struct Training<T> {
    run: Rc<Resilient<T>>,
    runtime: Rc<RefCell<State>>,
}

impl<T> Clone for Training<T> {
    fn clone(&self) -> Self {
        Training {
            run: Rc::clone(&self.run),
            runtime: Rc::clone(&self.runtime),
        }
    }
}

impl<T: Trainer> Training<T> {
    /// `trainer`, made on the CPU, moved to the runtime's device.
    /// A trainer made on the CPU, moved to the runtime's device — unless its
    /// parameters (one flat buffer) are more than the GPU can bind at once
    /// (bert-base's 440 MB, GPT-2's 498 MB on a 128 MiB limit): then it stays
    /// on the CPU, which runs every op, rather than fail on the GPU.
    pub(super) fn new(trainer: T, runtime: &Runtime) -> Result<Training<T>> {
        let device = match runtime.current_device() {
            Device::Gpu(gpu) if trainer.params().len() > gpu.max_buffer_values() => Device::Cpu,
            device => device,
        };
        Ok(Training {
            run: Rc::new(Resilient::new(trainer, &device)?),
            runtime: runtime.shared_state(),
        })
    }

    /// Another trainer on the same runtime (BERT's classifier beside its
    /// pre-training), made on the CPU and moved to the runtime's device.
    pub(super) fn alongside<U: Trainer>(&self, trainer: U) -> Result<Training<U>> {
        let device = self.runtime.borrow().device();
        Ok(Training {
            run: Rc::new(Resilient::new(trainer, &device)?),
            runtime: Rc::clone(&self.runtime),
        })
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
