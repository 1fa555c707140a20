//! The GPT's checkpoint (`format = glassformer-gpt`): the weights in half
//! precision, the sizes, and the characters of its vocabulary.

use std::collections::HashMap;

use safetensors::tensor::Dtype;

use super::{open, parse_number, read_values, serialize, OP};
use crate::device::Device;
use crate::error::{invalid, Result};
use crate::models::gpt::{Gpt, GptConfig};
use crate::train::chars::CharVocab;

const GPT_FORMAT: &str = "glassformer-gpt";

/// A GPT with what it needs to be used: its characters, how far it was
/// trained and how well it did.
#[derive(Debug, Clone)]
pub struct GptCheckpoint {
    pub gpt: Gpt,
    pub vocab: CharVocab,
    pub step: u32,
    /// Validation loss (nats per character) when it was saved, if measured.
    pub valid_loss: Option<f32>,
}

/// A GPT's parameters (`values`, on the host), sizes and characters as
/// safetensors bytes. The weights are stored in half precision (F16: 11
/// significant bits, ample for sampling, and half the download).
pub fn save_gpt(gpt: &Gpt, values: &[f32], vocab: &CharVocab, step: u32, valid_loss: Option<f32>) -> Result<Vec<u8>> {
    if values.len() != gpt.lm.params.len() || vocab.len() != gpt.cfg.vocab {
        return Err(invalid(
            OP,
            format!(
                "got {} values and {} characters for a model of {} parameters and {} tokens.",
                values.len(),
                vocab.len(),
                gpt.lm.params.len(),
                gpt.cfg.vocab
            ),
        ));
    }
    let cfg = gpt.cfg;
    let mut metadata: HashMap<String, String> = [
        ("format", GPT_FORMAT.to_string()),
        ("context", cfg.context.to_string()),
        ("layers", cfg.layers.to_string()),
        ("d_model", cfg.d_model.to_string()),
        ("heads", cfg.heads.to_string()),
        ("step", step.to_string()),
        ("vocab", vocab.chars()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if let Some(loss) = valid_loss {
        metadata.insert("valid_loss".into(), loss.to_string());
    }
    serialize(&gpt.lm.params, values, metadata, Dtype::F16)
}

/// A GPT on `device` from `save_gpt` bytes; anything broken, foreign or out
/// of range is an error that says what, and nothing is made.
pub fn load_gpt(bytes: &[u8], device: &Device) -> Result<GptCheckpoint> {
    let (file, metadata) = open(bytes, GPT_FORMAT)?;
    let vocab = CharVocab::from_chars(metadata.get("vocab")?);
    let cfg = GptConfig {
        vocab: vocab.len(),
        context: metadata.number("context")?,
        layers: metadata.number("layers")?,
        d_model: metadata.number("d_model")?,
        heads: metadata.number("heads")?,
    };
    if !(1..=1024).contains(&cfg.vocab) || cfg.context > 4096 || cfg.layers > 48 || cfg.d_model > 4096 {
        return Err(invalid(OP, "the configuration is out of range for this GPT."));
    }
    let mut gpt = Gpt::new(cfg, 0, &Device::Cpu)?;
    let values = read_values(&file, &gpt.lm.params)?;
    gpt.lm.move_to(device, values)?;
    let valid_loss = match metadata.0.get("valid_loss") {
        Some(text) => Some(parse_number("valid_loss", text)?),
        None => None,
    };
    Ok(GptCheckpoint {
        gpt,
        vocab,
        step: metadata.number("step")?,
        valid_loss,
    })
}
