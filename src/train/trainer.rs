//! `Trainer`: what every training loop here is, and how training outlives
//! the loss of its GPU.
//!
//! The translator, the GPT, BERT's pre-training and its fine-tuning all own
//! a model (one flat [`Params`] buffer), AdamW's state over it and their
//! data, and all take the same step:
//!
//! ```text
//! batch → forward → loss → backward → clip + AdamW update → step += 1
//! ```
//!
//! The [`Trainer`] trait names what they share, so that one driver,
//! [`Resilient`], runs every one of them.
//!
//! **A lost GPU.** A GPU device can disappear at any moment: a driver reset,
//! the browser reclaiming it, `rt.loseDevice()` in a test. Its buffers go
//! with it; nothing on it can be read back any more. So while a model trains
//! on a GPU, [`Resilient`] keeps a host copy of the training state — a
//! [`Snapshot`]: the step, the parameters and AdamW's two moments — taken
//! again every [`SNAPSHOT_EVERY`] steps (at the start of a call that is
//! due), with where the data was at that step. When the GPU is lost, before
//! or during a call, the trainer is rebuilt on the CPU from that snapshot and
//! the call goes on there: at most `SNAPSHOT_EVERY` steps are done again, on
//! the same batches as before; nothing else is lost. On the CPU no snapshot is
//! needed: host memory does not vanish.

use std::cell::RefCell;

use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::{invalid, Error, Result};
use crate::nn::params::Params;
use crate::train::optimizer::AdamW;

/// Steps between two snapshots of a model training on a GPU: a readback of
/// the parameters and both moments (three times the model's size) every 100
/// steps costs little, and a lost GPU costs at most 100 steps.
pub const SNAPSHOT_EVERY: u32 = 100;

/// A model being trained, one optimizer step at a time.
pub trait Trainer {
    /// What one step leaves behind: its batch's activations, from which the
    /// caller reads the losses or anything else it shows.
    type Step;

    /// Where the model's parameters live.
    fn device(&self) -> Device;

    /// Optimizer steps taken so far.
    fn step(&self) -> u32;

    /// Where the trainer is in its data: the random stream (and the shuffled
    /// epoch, where there is one) that picks the next batches. Taken before
    /// trial steps and put back after them, so that trying changes nothing
    /// the run would later see.
    type DataPosition: Clone;
    fn data_position(&self) -> Self::DataPosition;
    fn set_data_position(&mut self, position: Self::DataPosition);

    /// One step: a batch, forward, backward, the update.
    fn train_step(&mut self) -> Result<Self::Step>;

    /// Tokens a step's batch held (for tokens per second).
    fn tokens(step: &Self::Step) -> usize;

    /// The step's loss buffers, one value each (on the model's device; the
    /// translator and the GPT have one loss, BERT's pre-training two).
    fn losses(step: &Self::Step) -> Vec<Tensor>;

    /// The model's parameters and the optimizer's state.
    fn params(&self) -> &Params;
    fn optimizer(&self) -> &AdamW;
    fn optimizer_mut(&mut self) -> &mut AdamW;

    /// Put the model's parameters, given on the host, on `device`.
    fn place_model(&mut self, device: &Device, values: Vec<f32>) -> Result<()>;

    /// Go on on `device` from a snapshot: its step, parameters and moments
    /// (empty moments start at zero at the first update, as for a model just loaded).
    fn restore(&mut self, device: &Device, snapshot: &Snapshot) -> Result<()> {
        let n = snapshot.values.len();
        if n != self.params().len() {
            return Err(invalid(
                "trainer",
                format!("a snapshot of {n} values cannot restore a model of {}.", self.params().len()),
            ));
        }
        self.place_model(device, snapshot.values.clone())?;
        // Moments not made yet stay unmade: the first update makes them (zeros).
        let moment = |m: &Vec<f32>| if m.len() == n { m.clone() } else { Vec::new() };
        let opt = self.optimizer_mut();
        opt.step = snapshot.step;
        opt.move_to(device, moment(&snapshot.m), moment(&snapshot.v));
        Ok(())
    }
}

/// A host copy of a trainer's state as of `step`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub step: u32,
    pub values: Vec<f32>,
    /// AdamW's moments (empty: zeros).
    pub m: Vec<f32>,
    pub v: Vec<f32>,
}

impl Snapshot {
    /// The state of a trainer whose model is on the CPU.
    pub fn of_host<T: Trainer>(trainer: &T) -> Result<Snapshot> {
        let opt = trainer.optimizer();
        Ok(Snapshot {
            step: trainer.step(),
            values: trainer.params().values.host()?.to_vec(),
            m: opt.m.host()?.to_vec(),
            v: opt.v.host()?.to_vec(),
        })
    }
}

/// What a call of [`Resilient::train`] did.
#[derive(Debug)]
pub struct Trained<S> {
    /// Tokens seen over the call.
    pub tokens: usize,
    /// The last step's losses, read back.
    pub losses: Vec<f32>,
    /// The last step's activations.
    pub last: S,
    /// Why training moved to the CPU during this call, if it did.
    pub moved_to_cpu: Option<String>,
}

/// A trainer with the snapshot that lets it outlive its GPU.
///
/// The trainer sits in a `RefCell` so that a page can share it between
/// calls; no borrow is held across a GPU readback (an `.await`), so a second
/// call while one is running fails with a readable "busy" error instead of
/// a panic.
pub struct Resilient<T: Trainer> {
    pub trainer: RefCell<T>,
    snapshot: RefCell<Snapshot>,
    /// Where the data was at the snapshot's step: a recovered run reads the
    /// same batches the lost steps read, and so trains as if never interrupted.
    data_at_snapshot: RefCell<T::DataPosition>,
    every: u32,
}

impl<T: Trainer> Resilient<T> {
    /// `trainer`, made on the CPU, moved to `device`; on a GPU its state now
    /// is the first snapshot (on the CPU none is kept: nothing to recover from).
    pub fn new(trainer: T, device: &Device) -> Result<Resilient<T>> {
        Resilient::with_snapshots_every(trainer, device, SNAPSHOT_EVERY)
    }

    /// The same with a snapshot every `every` steps (tests use a small one).
    pub fn with_snapshots_every(mut trainer: T, device: &Device, every: u32) -> Result<Resilient<T>> {
        if trainer.device() != Device::Cpu {
            return Err(invalid("trainer", "make the trainer on the CPU; it is moved to its device here."));
        }
        let mut snapshot = Snapshot {
            step: trainer.step(),
            ..Snapshot::default()
        };
        if *device != Device::Cpu {
            snapshot = Snapshot::of_host(&trainer)?;
            trainer.restore(device, &snapshot)?;
        }
        Ok(Resilient {
            data_at_snapshot: RefCell::new(trainer.data_position()),
            trainer: RefCell::new(trainer),
            snapshot: RefCell::new(snapshot),
            every: every.max(1),
        })
    }

    /// The last snapshot's step.
    pub fn snapshot_step(&self) -> u32 {
        self.snapshot.borrow().step
    }

    /// Is the model on a GPU that has been lost?
    pub fn on_lost_gpu(&self) -> bool {
        self.trainer
            .try_borrow()
            .is_ok_and(|t| matches!(t.device(), Device::Gpu(gpu) if gpu.is_lost()))
    }

    /// If the model's GPU is lost, rebuild the trainer on the CPU from the
    /// last snapshot; `true` when it did.
    pub fn recover(&self, op: &'static str) -> Result<bool> {
        if !self.on_lost_gpu() {
            return Ok(false);
        }
        let snapshot = self.snapshot.borrow();
        let mut trainer = self.trainer.try_borrow_mut().map_err(|_| busy(op))?;
        trainer.restore(&Device::Cpu, &snapshot)?;
        trainer.set_data_position(self.data_at_snapshot.borrow().clone());
        Ok(true)
    }

    /// `steps` steps (at least one). If the GPU is lost before or during the
    /// call, training moves to the CPU from the last snapshot and the call
    /// runs its steps there; `moved_to_cpu` says why. `op` names the call in
    /// errors.
    pub async fn train(&self, steps: u32, op: &'static str) -> Result<Trained<T::Step>> {
        if steps == 0 {
            return Err(invalid(op, "steps must be at least 1."));
        }
        let lost_before = self.recover(op)?.then(|| "The GPU device was lost.".to_string());
        let mut trained = match self.run(steps, op).await {
            Err(error) if self.on_lost_gpu() => {
                self.recover(op)?;
                let mut trained = self.run(steps, op).await?;
                trained.moved_to_cpu = Some(error.to_string());
                trained
            }
            other => other?,
        };
        trained.moved_to_cpu = trained.moved_to_cpu.or(lost_before);
        Ok(trained)
    }

    async fn run(&self, steps: u32, op: &'static str) -> Result<Trained<T::Step>> {
        self.refresh_snapshot().await?;
        let (mut tokens, mut last) = (0usize, None);
        for _ in 0..steps {
            let mut trainer = self.trainer.try_borrow_mut().map_err(|_| busy(op))?;
            let step = trainer.train_step()?;
            tokens += T::tokens(&step);
            last = Some(step);
        }
        let last = last.ok_or_else(|| invalid(op, "steps must be at least 1."))?;
        let device = self.trainer.try_borrow().map_err(|_| busy(op))?.device();
        let mut losses = Vec::new();
        for loss in T::losses(&last) {
            losses.push(loss.to_host(&device).await?[0]);
        }
        Ok(Trained {
            tokens,
            losses,
            last,
            moved_to_cpu: None,
        })
    }

    /// On a GPU, a new snapshot when one is due.
    async fn refresh_snapshot(&self) -> Result<()> {
        // Copy the handles out: no borrow may be held across a GPU readback.
        let (device, step, values, opt, data) = {
            let t = self.trainer.try_borrow().map_err(|_| busy("trainer"))?;
            (
                t.device(),
                t.step(),
                t.params().values.clone(),
                t.optimizer().clone(),
                t.data_position(),
            )
        };
        if device == Device::Cpu || step < self.snapshot.borrow().step + self.every {
            return Ok(());
        }
        let values = values.to_host(&device).await?;
        let (m, v) = opt.moments_to_host(&device).await?;
        *self.snapshot.borrow_mut() = Snapshot { step, values, m, v };
        *self.data_at_snapshot.borrow_mut() = data;
        Ok(())
    }
}

/// The error of a call made while another still runs on the same model.
pub fn busy(op: &'static str) -> Error {
    invalid(op, "the model is busy; await the previous call first.")
}
