//! BERT's checkpoint (`format = glassformer-bert`): the weights in half
//! precision (the masked-LM head, or a classifier, or both), the sizes, and
//! the WordPiece vocabulary as the text of a `vocab.txt`. A BERT that
//! computes otherwise than ours (one opened from Hugging Face files: exact
//! GELU, ε = 1e-12) also records `activation` and `ln_eps`; a cased or
//! accent-keeping vocabulary records `lowercase` and `strip_accents`.

use std::collections::HashMap;

use safetensors::tensor::Dtype;

use super::{open, parse_number, read_values, serialize, OP};
use crate::device::Device;
use crate::error::{invalid, Result};
use crate::models::bert::{Bert, BertConfig};
use crate::nn::feed_forward::Activation;
use crate::ops::layernorm;
use crate::train::wordpiece::{Normalization, WordPiece};

const BERT_FORMAT: &str = "glassformer-bert";

/// What a BERT checkpoint holds besides the weights.
pub struct BertCheckpoint {
    pub bert: Bert,
    pub vocab: WordPiece,
    pub step: u32,
    /// Held-out masked-LM accuracy when it was saved, if measured.
    pub mlm_accuracy: Option<f32>,
}

/// A BERT (either head set), its `values` and WordPiece vocabulary as
/// safetensors bytes: weights in half precision, the configuration and the
/// vocabulary (`vocab.txt`) in the metadata.
pub fn save_bert(bert: &Bert, values: &[f32], vocab: &WordPiece, step: u32, mlm_accuracy: Option<f32>) -> Result<Vec<u8>> {
    if values.len() != bert.params.len() || vocab.len() != bert.cfg.vocab {
        return Err(invalid(
            OP,
            format!(
                "got {} values and {} tokens for a model of {} parameters and {} tokens.",
                values.len(),
                vocab.len(),
                bert.params.len(),
                bert.cfg.vocab
            ),
        ));
    }
    let cfg = bert.cfg;
    let mut metadata: HashMap<String, String> = [
        ("format", BERT_FORMAT.to_string()),
        ("layers", cfg.layers.to_string()),
        ("d_model", cfg.c.to_string()),
        ("heads", cfg.heads.to_string()),
        ("ffn_hidden", cfg.ffn_hidden.to_string()),
        ("max_len", cfg.max_len.to_string()),
        ("classes", cfg.classes.to_string()),
        ("mlm_head", cfg.mlm_head.to_string()),
        ("step", step.to_string()),
        ("vocab", vocab.to_vocab_txt()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if let Some(accuracy) = mlm_accuracy {
        metadata.insert("mlm_accuracy".into(), accuracy.to_string());
    }
    // How it computes, when it is not our own default (a Hugging Face BERT: exact GELU, ε = 1e-12).
    let (activation, ln_eps) = (bert.blocks[0].ffn.activation, bert.ln_embed.eps);
    if (activation, ln_eps) != (Activation::Gelu, layernorm::EPS) {
        metadata.insert("activation".into(), activation_name(activation).into());
        metadata.insert("ln_eps".into(), ln_eps.to_string());
    }
    if cfg.untied_decoder {
        metadata.insert("untied_decoder".into(), "true".into());
    }
    if vocab.normalization != Normalization::UNCASED {
        metadata.insert("lowercase".into(), vocab.normalization.lowercase.to_string());
        metadata.insert("strip_accents".into(), vocab.normalization.strip_accents.to_string());
    }
    serialize(&bert.params, values, metadata, Dtype::F16)
}

/// A BERT on `device` from `save_bert` bytes; anything broken, foreign or
/// out of range is an error that says what, and nothing is made.
pub fn load_bert(bytes: &[u8], device: &Device) -> Result<BertCheckpoint> {
    let (file, metadata) = open(bytes, BERT_FORMAT)?;
    let mut vocab = WordPiece::from_vocab_txt(metadata.get("vocab")?)?;
    if metadata.0.contains_key("lowercase") {
        vocab.normalization = Normalization {
            lowercase: metadata.number("lowercase")?,
            strip_accents: metadata.number("strip_accents")?,
        };
    }
    let cfg = BertConfig {
        vocab: vocab.len(),
        layers: metadata.number("layers")?,
        c: metadata.number("d_model")?,
        heads: metadata.number("heads")?,
        ffn_hidden: metadata.number("ffn_hidden")?,
        max_len: metadata.number("max_len")?,
        classes: metadata.number("classes")?,
        mlm_head: metadata.number("mlm_head")?,
        // Written only for an untied decoder (older files have tied ones).
        untied_decoder: metadata.0.contains_key("untied_decoder") && metadata.number("untied_decoder")?,
    };
    let in_range = cfg.vocab <= 100_000 && cfg.layers <= 48 && cfg.c <= 4096 && cfg.ffn_hidden <= 16_384 && cfg.max_len <= 4096;
    if !in_range || cfg.classes > 1000 {
        return Err(invalid(OP, "the configuration is out of range for this BERT."));
    }
    let mut bert = Bert::new(cfg, 0, &Device::Cpu)?;
    if let Some(name) = metadata.0.get("activation") {
        let activation = match name.as_str() {
            "gelu" => Activation::GeluExact,
            "gelu_new" => Activation::Gelu,
            "relu" => Activation::Relu,
            other => return Err(invalid(OP, format!("metadata activation={other:?} is not one glassformer knows."))),
        };
        bert.use_numerics(activation, metadata.number("ln_eps")?);
    }
    let values = read_values(&file, &bert.params)?;
    bert.move_to(device, values)?;
    let mlm_accuracy = match metadata.0.get("mlm_accuracy") {
        Some(text) => Some(parse_number("mlm_accuracy", text)?),
        None => None,
    };
    Ok(BertCheckpoint {
        bert,
        vocab,
        step: metadata.number("step")?,
        mlm_accuracy,
    })
}

/// An activation by the name Hugging Face configs use.
fn activation_name(activation: Activation) -> &'static str {
    match activation {
        Activation::GeluExact => "gelu",
        Activation::Gelu => "gelu_new",
        Activation::Relu => "relu",
    }
}
