//! Saving and loading a trained translator as a safetensors file.
//!
//! safetensors is a plain format: an 8-byte header length, a JSON header
//! naming every tensor with its dtype, shape and byte range, then the raw
//! little-endian data. Loading never executes anything from the file and
//! checks every range, which is why untrusted checkpoints are safe to open.
//!
//! A glassformer checkpoint holds every parameter as an F32 tensor under its
//! name (`encoder.0.attention.query.weight`, ...) and, in the header's
//! metadata, `format = glassformer-seq2seq`, the configuration (one entry per
//! field) and both vocabularies (words separated by newlines). Loading
//! rebuilds the model from the configuration, then checks that every tensor
//! is there with the right shape and finite values, and that the
//! vocabularies are the ones the configuration's data gives; any mismatch is
//! an error that says what was wrong, and nothing is changed.

use std::collections::HashMap;

use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use crate::device::Device;
use crate::error::{invalid, Result};
use crate::nn::block::NormPlacement;
use crate::train::data::DataConfig;
use crate::train::translation::{Translator, TranslatorConfig};

const OP: &str = "checkpoint";
const FORMAT: &str = "glassformer-seq2seq";

/// The translator's parameters, configuration and vocabularies as safetensors bytes.
pub async fn save(translator: &Translator) -> Result<Vec<u8>> {
    let model = &translator.model;
    let values = model.params.values.to_host(&model.device).await?;
    save_values(translator, &values)
}

/// The same with the parameter `values` already on the host.
pub fn save_values(translator: &Translator, values: &[f32]) -> Result<Vec<u8>> {
    let model = &translator.model;
    if values.len() != model.params.len() {
        return Err(invalid(
            OP,
            format!("got {} values for a model of {}.", values.len(), model.params.len()),
        ));
    }
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    let mut views = Vec::with_capacity(model.params.tensors.len());
    for info in &model.params.tensors {
        let data = &bytes[info.range.offset * 4..(info.range.offset + info.range.len) * 4];
        let view = TensorView::new(Dtype::F32, info.shape.clone(), data).map_err(|e| invalid(OP, format!("{e}")))?;
        views.push((info.name.clone(), view));
    }
    let cfg = translator.cfg;
    let mut metadata: HashMap<String, String> = [
        ("format", FORMAT.to_string()),
        ("data_seed", cfg.data.seed.to_string()),
        ("data_sentences", cfg.data.sentences.to_string()),
        ("layers", cfg.layers.to_string()),
        ("d_model", cfg.d_model.to_string()),
        ("heads", cfg.heads.to_string()),
        ("d_ff", cfg.d_ff.to_string()),
        ("norm", if cfg.norm == NormPlacement::PreLn { "pre" } else { "post" }.to_string()),
        ("batch_size", cfg.batch_size.to_string()),
        ("warmup", cfg.warmup.to_string()),
        ("lr_scale", cfg.lr_scale.to_string()),
        ("dropout", cfg.dropout.to_string()),
        ("label_smoothing", cfg.label_smoothing.to_string()),
        ("tie_output_embedding", cfg.tie_output_embedding.to_string()),
        ("max_source", cfg.max_source.to_string()),
        ("max_target", cfg.max_target.to_string()),
        ("seed", cfg.seed.to_string()),
        ("step", translator.step().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    metadata.insert("source_vocab".into(), translator.source_vocab.words().join("\n"));
    metadata.insert("target_vocab".into(), translator.target_vocab.words().join("\n"));
    safetensors::serialize(views, Some(metadata.into_iter().collect()))
        .map_err(|e| invalid(OP, format!("could not write the checkpoint: {e}")))
}

/// A translator on `device` from checkpoint bytes (see the module docs for what is checked).
pub fn load(bytes: &[u8], device: &Device) -> Result<Translator> {
    let file = SafeTensors::deserialize(bytes).map_err(|e| invalid(OP, format!("this is not a safetensors file ({e}).")))?;
    let (_, header) = SafeTensors::read_metadata(bytes).map_err(|e| invalid(OP, format!("unreadable header ({e}).")))?;
    let metadata = header.metadata().clone().unwrap_or_default();
    let get = |key: &str| -> Result<&String> {
        metadata.get(key).ok_or_else(|| {
            invalid(
                OP,
                format!("the metadata has no {key:?}; this is not a glassformer translator checkpoint."),
            )
        })
    };
    if get("format")? != FORMAT {
        return Err(invalid(OP, format!("format {:?} is not {FORMAT:?}.", get("format")?)));
    }
    fn number<T: std::str::FromStr>(key: &str, text: &str) -> Result<T> {
        text.parse()
            .map_err(|_| invalid(OP, format!("metadata {key}={text:?} is not a number.")))
    }
    // Entries added after the first checkpoints: absent means the value they had then.
    let optional = |key: &str, absent: &'static str| -> &str { metadata.get(key).map_or(absent, String::as_str) };
    let cfg = TranslatorConfig {
        data: DataConfig {
            seed: number("data_seed", get("data_seed")?)?,
            sentences: number("data_sentences", get("data_sentences")?)?,
        },
        layers: number("layers", get("layers")?)?,
        d_model: number("d_model", get("d_model")?)?,
        heads: number("heads", get("heads")?)?,
        d_ff: number("d_ff", get("d_ff")?)?,
        norm: match get("norm")?.as_str() {
            "pre" => NormPlacement::PreLn,
            "post" => NormPlacement::PostLn,
            other => return Err(invalid(OP, format!("norm {other:?} is neither \"pre\" nor \"post\"."))),
        },
        batch_size: number("batch_size", get("batch_size")?)?,
        warmup: number("warmup", get("warmup")?)?,
        lr_scale: number("lr_scale", get("lr_scale")?)?,
        dropout: number("dropout", optional("dropout", "0"))?,
        label_smoothing: number("label_smoothing", optional("label_smoothing", "0"))?,
        tie_output_embedding: match optional("tie_output_embedding", "false") {
            "true" => true,
            "false" => false,
            other => return Err(invalid(OP, format!("tie_output_embedding {other:?} is neither true nor false."))),
        },
        max_source: number("max_source", optional("max_source", "40"))?,
        max_target: number("max_target", get("max_target")?)?,
        seed: number("seed", get("seed")?)?,
    };
    if !(1..=200_000).contains(&cfg.data.sentences)
        || cfg.layers > 24
        || cfg.d_model > 4096
        || cfg.d_ff > 16384
        || cfg.max_source > 1000
        || cfg.max_target > 1000
    {
        return Err(invalid(OP, "the configuration is out of range for this translator."));
    }
    let mut translator = Translator::new(cfg, &Device::Cpu)?;
    for (key, vocab) in [
        ("source_vocab", &translator.source_vocab),
        ("target_vocab", &translator.target_vocab),
    ] {
        if get(key)?.split('\n').ne(vocab.words().iter().map(String::as_str)) {
            return Err(invalid(
                OP,
                format!("its {key} differs from the one its data configuration gives; it was made by another version."),
            ));
        }
    }
    let mut values = vec![0.0f32; translator.model.params.len()];
    for info in &translator.model.params.tensors {
        let tensor = file
            .tensor(&info.name)
            .map_err(|_| invalid(OP, format!("tensor {:?} is missing.", info.name)))?;
        if tensor.dtype() != Dtype::F32 || tensor.shape() != info.shape.as_slice() {
            return Err(invalid(
                OP,
                format!(
                    "tensor {:?} is {:?} {:?}; expected F32 {:?}.",
                    info.name,
                    tensor.dtype(),
                    tensor.shape(),
                    info.shape
                ),
            ));
        }
        let out = info.range.of_mut(&mut values);
        for (value, bytes) in out.iter_mut().zip(tensor.data().chunks_exact(4)) {
            *value = f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        }
        if let Some(bad) = out.iter().position(|v| !v.is_finite()) {
            return Err(invalid(
                OP,
                format!("tensor {:?} holds a non-finite value at index {bad}.", info.name),
            ));
        }
    }
    translator.opt.step = number("step", get("step")?)?;
    translator.move_to(device, values, Vec::new(), Vec::new());
    Ok(translator)
}
