//! Hugging Face checkpoints: a `config.json` that says what the model is,
//! and a `model.safetensors` whose tensors carry the library's names
//! (`bert.encoder.layer.0.attention.self.query.weight`,
//! `transformer.h.0.attn.c_attn.weight`, ...).
//!
//! Loading reads the config into our model's sizes, builds that model, then
//! fills every one of its parameters from the file, renaming (and, where the
//! library stores a matrix the other way round, transposing or splitting) as
//! [`bert`] and [`gpt2`] describe. Every tensor of the file must be used or
//! be one the model has no place for on purpose (buffers such as
//! `position_ids`, heads it does not run); anything else is an error that
//! names the tensor, and nothing half-loaded is returned.
//!
//! Weights may be F32, F16 or BF16; they are widened to F32 (BF16 is the
//! top half of an F32, F16 has its own exponent range).

use std::collections::BTreeSet;

use half::{bf16, f16};
use safetensors::tensor::{Dtype, SafeTensors};
use serde::Deserialize;

use crate::device::Device;
use crate::error::{invalid, Result};
use crate::models::bert::Bert;
use crate::models::gpt::Gpt;
use crate::nn::params::Params;

pub mod bert;
pub mod gpt2;

pub(crate) const OP: &str = "fromPretrained";

/// A model read from Hugging Face files.
#[derive(Debug)]
pub enum Pretrained {
    /// A BERT-family encoder (`model_type` "bert"), with its masked-LM head if the file has one.
    Bert(Bert),
    /// GPT-2 (`model_type` "gpt2").
    Gpt2(Gpt),
}

/// Build the model `config_json` describes from the tensors of `weights` (a
/// safetensors file), on `device`.
pub fn load_pretrained(config_json: &str, weights: &[u8], device: &Device) -> Result<Pretrained> {
    #[derive(Deserialize)]
    struct Kind {
        model_type: Option<String>,
    }
    let kind: Kind = parse_config(config_json)?;
    match kind.model_type.as_deref() {
        Some("bert") => Ok(Pretrained::Bert(bert::load(config_json, weights, device)?)),
        Some("gpt2") => Ok(Pretrained::Gpt2(gpt2::load(config_json, weights, device)?)),
        Some(other) => Err(invalid(
            OP,
            format!("config.json says model_type {other:?}; glassformer opens \"bert\" and \"gpt2\" checkpoints."),
        )),
        None => Err(invalid(OP, "config.json has no model_type; is this a Hugging Face config.json?")),
    }
}

/// `config.json` read into `T`, with an error that says what was wrong.
pub(crate) fn parse_config<T: for<'de> Deserialize<'de>>(config_json: &str) -> Result<T> {
    serde_json::from_str(config_json).map_err(|e| invalid(OP, format!("config.json: {e}.")))
}

/// The tensors of a Hugging Face safetensors file, read by name and widened
/// to F32; it remembers which were read, so that [`Tensors::finish`] can
/// refuse a file with tensors the model has no place for.
pub(crate) struct Tensors<'a> {
    file: SafeTensors<'a>,
    /// The prefix every name of this file starts with ("bert.", "transformer.", or "").
    prefix: String,
    read: BTreeSet<String>,
}

impl<'a> Tensors<'a> {
    /// Open `weights`; names are looked up after `prefix` when the file uses it.
    pub(crate) fn open(weights: &'a [u8], prefix: &str) -> Result<Tensors<'a>> {
        let file =
            SafeTensors::deserialize(weights).map_err(|e| invalid(OP, format!("model.safetensors is not a safetensors file ({e}).")))?;
        let prefix = if file.names().iter().any(|n| n.starts_with(prefix)) {
            prefix
        } else {
            ""
        };
        Ok(Tensors {
            file,
            prefix: prefix.to_string(),
            read: BTreeSet::new(),
        })
    }

    /// Whether the file has `name` (after the prefix).
    pub(crate) fn has(&self, name: &str) -> bool {
        self.file.tensor(&format!("{}{name}", self.prefix)).is_ok() || self.file.tensor(name).is_ok()
    }

    /// The full name of `name` in the file: with the prefix, or as it is
    /// (heads such as `cls.predictions` sit outside the `bert.` prefix).
    fn full_name(&self, name: &str) -> Option<String> {
        let prefixed = format!("{}{name}", self.prefix);
        [prefixed, name.to_string()].into_iter().find(|n| self.file.tensor(n).is_ok())
    }

    /// Tensor `name` (the first of `names` the file has) as F32 values, which must have `shape`.
    pub(crate) fn get(&mut self, names: &[&str], shape: &[usize]) -> Result<Vec<f32>> {
        let full = names.iter().find_map(|n| self.full_name(n)).ok_or_else(|| {
            invalid(
                OP,
                format!(
                    "model.safetensors has no tensor {}{:?}, which this config needs.",
                    self.prefix, names[0]
                ),
            )
        })?;
        let tensor = self.file.tensor(&full).map_err(|e| invalid(OP, format!("{full}: {e}")))?;
        if tensor.shape() != shape {
            return Err(invalid(
                OP,
                format!("tensor {full:?} has shape {:?}; the config says {shape:?}.", tensor.shape()),
            ));
        }
        let data = tensor.data();
        let values: Vec<f32> = match tensor.dtype() {
            Dtype::F32 => data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect(),
            Dtype::F16 => data.chunks_exact(2).map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32()).collect(),
            Dtype::BF16 => data.chunks_exact(2).map(|b| bf16::from_le_bytes([b[0], b[1]]).to_f32()).collect(),
            other => {
                return Err(invalid(
                    OP,
                    format!("tensor {full:?} is {other:?}; weights must be F32, F16 or BF16."),
                ))
            }
        };
        if let Some(bad) = values.iter().position(|v| !v.is_finite()) {
            return Err(invalid(OP, format!("tensor {full:?} holds a non-finite value at index {bad}.")));
        }
        self.read.insert(full);
        Ok(values)
    }

    /// Whether tensors `a` and `b` both exist and hold the same bytes (the same dtype and
    /// shape): a tied matrix stored twice, compared without converting either.
    pub(crate) fn same_data(&self, a: &str, b: &str) -> bool {
        let tensor = |name: &str| self.full_name(name).and_then(|full| self.file.tensor(&full).ok());
        match (tensor(a), tensor(b)) {
            (Some(a), Some(b)) => a.dtype() == b.dtype() && a.shape() == b.shape() && a.data() == b.data(),
            _ => false,
        }
    }

    /// Mark `name` as read without reading it (a buffer or head the model has no place for).
    pub(crate) fn skip(&mut self, name: &str) {
        if let Some(full) = self.full_name(name) {
            self.read.insert(full);
        }
    }

    /// Every name of the file that ends with `suffix` (for buffers repeated per layer).
    pub(crate) fn names_ending(&self, suffix: &str) -> Vec<String> {
        self.file
            .names()
            .into_iter()
            .filter(|n| n.ends_with(suffix))
            .map(str::to_string)
            .collect()
    }

    /// Every tensor of the file has been used: else an error naming the first few left over.
    pub(crate) fn finish(self) -> Result<()> {
        let mut left: Vec<&str> = self.file.names().into_iter().filter(|n| !self.read.contains(*n)).collect();
        left.sort();
        if left.is_empty() {
            return Ok(());
        }
        let shown: Vec<&str> = left.iter().take(5).copied().collect();
        Err(invalid(
            OP,
            format!(
                "model.safetensors has {} tensor(s) this config has no place for ({}{}): the file and config.json do not belong together.",
                left.len(),
                shown.join(", "),
                if left.len() > 5 { ", …" } else { "" }
            ),
        ))
    }
}

/// Write `values` into parameter `name` of `params` (in the host copy `into`).
pub(crate) fn put(params: &Params, into: &mut [f32], name: &str, values: &[f32]) -> Result<()> {
    let info = params
        .tensors
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| invalid(OP, format!("the model has no parameter {name:?} (a bug in the name mapping).")))?;
    let out = info.range.of_mut(into);
    if out.len() != values.len() {
        return Err(invalid(
            OP,
            format!("parameter {name:?} holds {} values, the file gives {}.", out.len(), values.len()),
        ));
    }
    out.copy_from_slice(values);
    Ok(())
}

/// `(rows, cols)` → `(cols, rows)`: the matrix stored the other way round.
pub(crate) fn transpose(m: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; m.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = m[r * cols + c];
        }
    }
    out
}
