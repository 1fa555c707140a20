//! One flat buffer for all parameters, one for all gradients.
//!
//! As in llm.c, a model's weights are not separate arrays but named ranges
//! of one `Vec<f32>`; the gradients live at the same offsets of a second
//! `Vec<f32>`. One optimizer pass then updates everything, a checkpoint is one
//! buffer plus a table of names, shapes and offsets, and a layer is nothing but
//! the ranges it owns.

use crate::device::gpu::GpuSlice;
use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::Result;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

/// Where one tensor lives in the flat buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamRange {
    pub offset: usize,
    pub len: usize,
}

impl ParamRange {
    /// This tensor's values inside a flat buffer.
    pub fn of<'a>(&self, buf: &'a [f32]) -> &'a [f32] {
        &buf[self.offset..self.offset + self.len]
    }

    /// This tensor's values inside a flat buffer, mutably.
    pub fn of_mut<'a>(&self, buf: &'a mut [f32]) -> &'a mut [f32] {
        &mut buf[self.offset..self.offset + self.len]
    }

    /// This tensor inside a flat buffer that lives on the GPU.
    pub fn gpu_slice<'a>(&self, buf: &'a Tensor) -> Result<GpuSlice<'a>> {
        Ok(buf.gpu()?.range(self.offset, self.len))
    }
}

/// Two different tensors of one buffer, both mutable (e.g. `dW` and `db`).
pub fn two_mut(buf: &mut [f32], a: ParamRange, b: ParamRange) -> (&mut [f32], &mut [f32]) {
    assert!(
        a.offset + a.len <= b.offset || b.offset + b.len <= a.offset,
        "parameter ranges overlap"
    );
    if a.offset < b.offset {
        let (lo, hi) = buf.split_at_mut(b.offset);
        (&mut lo[a.offset..a.offset + a.len], &mut hi[..b.len])
    } else {
        let (lo, hi) = buf.split_at_mut(a.offset);
        (&mut hi[..a.len], &mut lo[b.offset..b.offset + b.len])
    }
}

/// How a new tensor is filled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Init {
    Zeros,
    Ones,
    /// Normal with mean 0 and this standard deviation (BERT and GPT-2 use 0.02).
    Normal(f32),
}

/// A named tensor: its name, shape and range.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamInfo {
    pub name: String,
    pub shape: Vec<usize>,
    pub range: ParamRange,
}

/// All parameters and gradients of one model. They are created on the host
/// ([`Params::add`]) and then moved to the model's device ([`Params::move_to`]).
#[derive(Debug, Clone)]
pub struct Params {
    pub values: Tensor,
    pub grads: Tensor,
    pub tensors: Vec<ParamInfo>,
    rng: ChaCha8Rng,
    /// False for a store a checkpoint will fill ([`Params::to_fill`]).
    draw: bool,
}

impl Params {
    /// An empty store whose initialisation draws from `seed`.
    pub fn new(seed: u64) -> Params {
        Params {
            values: Tensor::Host(Vec::new()),
            grads: Tensor::Host(Vec::new()),
            tensors: Vec::new(),
            rng: ChaCha8Rng::seed_from_u64(seed),
            draw: true,
        }
    }

    /// An empty store whose values a checkpoint is about to overwrite: every
    /// tensor starts at its `Init::Zeros`/`Ones` value or zero, without random
    /// draws, and no gradients are made (until training asks). Opening GPT-2
    /// small otherwise drew 124 M random numbers, and held a second 500 MB
    /// of gradients, only to replace the one and drop the other.
    pub fn to_fill() -> Params {
        Params {
            draw: false,
            ..Params::new(0)
        }
    }

    /// Append a tensor of `shape`, filled by `init`, and return its range.
    /// Parameters are added while the model is built, before it moves to a GPU.
    pub fn add(&mut self, name: &str, shape: &[usize], init: Init) -> ParamRange {
        let (Tensor::Host(values), Tensor::Host(grads)) = (&mut self.values, &mut self.grads) else {
            panic!("parameters are added on the host, before the model moves to a GPU");
        };
        let len: usize = shape.iter().product();
        let range = ParamRange { offset: values.len(), len };
        match init {
            Init::Zeros => values.resize(range.offset + len, 0.0),
            Init::Ones => values.resize(range.offset + len, 1.0),
            Init::Normal(_) if !self.draw => values.resize(range.offset + len, 0.0),
            Init::Normal(std) => {
                let normal = Normal::new(0.0f32, std).expect("a finite, non-negative standard deviation");
                for _ in 0..len {
                    values.push(normal.sample(&mut self.rng));
                }
            }
        }
        if self.draw {
            grads.resize(values.len(), 0.0);
        }
        self.tensors.push(ParamInfo {
            name: name.to_string(),
            shape: shape.to_vec(),
            range,
        });
        range
    }

    /// Place values and gradients on `dev` (from the host); gradients that
    /// were released stay released.
    pub fn move_to(&mut self, dev: &Device, values: Vec<f32>) {
        self.grads = if self.grads.is_empty() {
            Tensor::Host(Vec::new())
        } else {
            Tensor::zeros(dev, values.len())
        };
        self.values = Tensor::from_host(dev, values);
    }

    /// Let go of the gradients (as much memory as the values): a model that
    /// is only read — a pretrained one opened for inference — does not need
    /// them. [`Params::zero_grads`] makes them again when training starts.
    pub fn release_grads(&mut self) {
        self.grads = Tensor::Host(Vec::new());
    }

    /// Total number of scalars.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// The number of scalars the tensors cover (also while the values are
    /// taken out to be filled, see [`Params::take_values`]).
    pub fn layout_len(&self) -> usize {
        self.tensors.last().map_or(0, |t| t.range.offset + t.range.len)
    }

    /// The host values, moved out (no copy) for a loader to fill; give them
    /// back with the model's `move_to`.
    pub fn take_values(&mut self) -> Result<Vec<f32>> {
        match &mut self.values {
            Tensor::Host(values) => Ok(std::mem::take(values)),
            Tensor::Gpu(_) => Err(crate::error::invalid("params", "the values are on a GPU; read them back first.")),
        }
    }

    /// True when no tensor has been added.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Set every gradient to zero (once per training step), making them if released.
    pub fn zero_grads(&mut self, dev: &Device) -> Result<()> {
        if self.grads.len() != self.values.len() {
            self.grads = Tensor::zeros(dev, self.values.len());
            return Ok(());
        }
        self.grads.fill_zero(dev)
    }
}
