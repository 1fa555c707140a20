//! Saving and loading models as safetensors files: what a model is made of
//! (its configuration, its parameters and its vocabulary), never how it was
//! being trained. A trainer resumes from what a checkpoint gives back.
//!
//! safetensors is a plain format: an 8-byte header length, a JSON header
//! naming every tensor with its dtype, shape and byte range, then the raw
//! little-endian data. Loading never executes anything from the file and
//! checks every range, which is why untrusted checkpoints are safe to open.
//!
//! Every glassformer checkpoint holds each parameter under its name
//! (`encoder.0.attention.query.weight`, `blocks.1.ffn.up.weight`, ...) and,
//! in the header's metadata, a `format` entry naming the kind of model, the
//! configuration (one entry per field), the step it was saved at, and its
//! vocabulary:
//!
//! | format | file | weights | vocabulary in the metadata |
//! |---|---|---|---|
//! | `glassformer-seq2seq` | [`translator`] | F32 | both languages' words, one per line |
//! | `glassformer-gpt` | [`gpt`] | F16 | the characters, in id order |
//! | `glassformer-bert` | [`bert`] | F16 | the WordPiece `vocab.txt` |
//!
//! Half precision (F16: 11 significant bits) halves the download and is
//! ample for inference; values are widened to F32 on loading. Loading
//! rebuilds the model from the configuration, then checks that every tensor
//! is there with the right shape and finite values; any mismatch is an error
//! that says what was wrong, and nothing half-made is returned.

use std::collections::HashMap;

use half::f16;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use crate::error::{invalid, Result};
use crate::nn::params::Params;

pub mod bert;
pub mod gpt;
pub mod hf;
pub mod translator;

pub use bert::{load_bert, save_bert, BertCheckpoint};
pub use gpt::{load_gpt, save_gpt, GptCheckpoint};
pub use translator::{load_translator, save_translator, TranslatorCheckpoint};

pub(crate) const OP: &str = "checkpoint";

/// Every parameter tensor of `params` (values from `values`) plus `metadata`,
/// as safetensors, each value stored as `dtype` (F32, or F16 for half the size).
pub(crate) fn serialize(params: &Params, values: &[f32], metadata: HashMap<String, String>, dtype: Dtype) -> Result<Vec<u8>> {
    let width = dtype.bitsize() / 8;
    let bytes: Vec<u8> = match dtype {
        Dtype::F16 => values.iter().flat_map(|&v| f16::from_f32(v).to_le_bytes()).collect(),
        _ => values.iter().flat_map(|v| v.to_le_bytes()).collect(),
    };
    let mut views = Vec::with_capacity(params.tensors.len());
    for info in &params.tensors {
        let data = &bytes[info.range.offset * width..(info.range.offset + info.range.len) * width];
        let view = TensorView::new(dtype, info.shape.clone(), data).map_err(|e| invalid(OP, format!("{e}")))?;
        views.push((info.name.clone(), view));
    }
    safetensors::serialize(views, Some(metadata.into_iter().collect()))
        .map_err(|e| invalid(OP, format!("could not write the checkpoint: {e}")))
}

/// The parsed file and its metadata, checked to be of `format`.
pub(crate) fn open<'a>(bytes: &'a [u8], format: &str) -> Result<(SafeTensors<'a>, Metadata)> {
    let file = SafeTensors::deserialize(bytes).map_err(|e| invalid(OP, format!("this is not a safetensors file ({e}).")))?;
    let (_, header) = SafeTensors::read_metadata(bytes).map_err(|e| invalid(OP, format!("unreadable header ({e}).")))?;
    let metadata = Metadata(header.metadata().clone().unwrap_or_default().into_iter().collect());
    let found = metadata.get("format")?;
    if found != format {
        return Err(invalid(
            OP,
            format!("this is a {found:?} checkpoint, not a {format:?} one: load it with the matching model."),
        ));
    }
    Ok((file, metadata))
}

/// A checkpoint's string entries, read with errors that name the entry.
pub(crate) struct Metadata(pub(crate) HashMap<String, String>);

impl Metadata {
    pub(crate) fn get(&self, key: &str) -> Result<&str> {
        self.0.get(key).map(String::as_str).ok_or_else(|| {
            invalid(
                OP,
                format!("the metadata has no {key:?}; this is not a glassformer checkpoint (or it is damaged)."),
            )
        })
    }

    pub(crate) fn number<T: std::str::FromStr>(&self, key: &str) -> Result<T> {
        parse_number(key, self.get(key)?)
    }
}

pub(crate) fn parse_number<T: std::str::FromStr>(key: &str, text: &str) -> Result<T> {
    text.parse()
        .map_err(|_| invalid(OP, format!("metadata {key}={text:?} is not a number.")))
}

/// Every tensor of `params` from the file: present, F32 or F16, the right shape, finite.
pub(crate) fn read_values(file: &SafeTensors<'_>, params: &Params) -> Result<Vec<f32>> {
    let mut values = vec![0.0f32; params.len()];
    for info in &params.tensors {
        let tensor = file
            .tensor(&info.name)
            .map_err(|_| invalid(OP, format!("tensor {:?} is missing.", info.name)))?;
        if !matches!(tensor.dtype(), Dtype::F32 | Dtype::F16) || tensor.shape() != info.shape.as_slice() {
            return Err(invalid(
                OP,
                format!(
                    "tensor {:?} is {:?} {:?}; expected F32 or F16 {:?}.",
                    info.name,
                    tensor.dtype(),
                    tensor.shape(),
                    info.shape
                ),
            ));
        }
        let out = info.range.of_mut(&mut values);
        if tensor.dtype() == Dtype::F16 {
            for (value, bytes) in out.iter_mut().zip(tensor.data().chunks_exact(2)) {
                *value = f16::from_le_bytes([bytes[0], bytes[1]]).to_f32();
            }
        } else {
            for (value, bytes) in out.iter_mut().zip(tensor.data().chunks_exact(4)) {
                *value = f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
            }
        }
        if let Some(bad) = out.iter().position(|v| !v.is_finite()) {
            return Err(invalid(
                OP,
                format!("tensor {:?} holds a non-finite value at index {bad}.", info.name),
            ));
        }
    }
    Ok(values)
}
