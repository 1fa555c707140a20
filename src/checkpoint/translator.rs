//! The translator's checkpoint (`format = glassformer-seq2seq`): every
//! parameter in F32, the configuration the model was built and trained with
//! (one metadata entry per field, including the data set's seed and size, so
//! the same sentences can be generated again), the step, and both
//! vocabularies (words separated by newlines).
//!
//! Loading gives back a [`TranslatorCheckpoint`]: a model on the CPU with its
//! configuration and vocabularies. `train::translation::Translator::resume`
//! turns it into a trainer again, and checks there that the vocabularies are
//! the ones the configuration's data gives.

use std::collections::HashMap;

use safetensors::tensor::Dtype;

use super::{open, parse_number, read_values, serialize, OP};
use crate::device::Device;
use crate::error::{invalid, Result};
use crate::models::seq2seq::Seq2Seq;
use crate::nn::block::NormPlacement;
use crate::nn::params::Params;
use crate::train::data::DataConfig;
use crate::train::tokenizer::Vocab;
use crate::train::translation::TranslatorConfig;

const FORMAT: &str = "glassformer-seq2seq";

/// What a translator checkpoint holds: the model (its parameters on the CPU),
/// the configuration, the step it was saved at and both vocabularies.
pub struct TranslatorCheckpoint {
    pub cfg: TranslatorConfig,
    pub step: u32,
    pub source_vocab: Vocab,
    pub target_vocab: Vocab,
    pub model: Seq2Seq,
}

/// A translator's parameters (`values`, on the host, laid out as `params`),
/// configuration, step and vocabularies as safetensors bytes.
pub fn save_translator(
    cfg: &TranslatorConfig,
    step: u32,
    source_vocab: &Vocab,
    target_vocab: &Vocab,
    params: &Params,
    values: &[f32],
) -> Result<Vec<u8>> {
    if values.len() != params.len() {
        return Err(invalid(OP, format!("got {} values for a model of {}.", values.len(), params.len())));
    }
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
        ("step", step.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    metadata.insert("source_vocab".into(), source_vocab.words().join("\n"));
    metadata.insert("target_vocab".into(), target_vocab.words().join("\n"));
    serialize(params, values, metadata, Dtype::F32)
}

/// A translator checkpoint from `save_translator` bytes, its model on the
/// CPU. Anything broken, foreign or out of range is an error that says what.
pub fn load_translator(bytes: &[u8]) -> Result<TranslatorCheckpoint> {
    let (file, metadata) = open(bytes, FORMAT)?;
    let get = |key: &str| metadata.get(key);
    // Entries added after the first checkpoints: absent means the value they had then.
    let optional = |key: &str, absent: &'static str| -> &str { metadata.0.get(key).map_or(absent, String::as_str) };
    let cfg = TranslatorConfig {
        data: DataConfig {
            seed: parse_number("data_seed", get("data_seed")?)?,
            sentences: parse_number("data_sentences", get("data_sentences")?)?,
        },
        layers: parse_number("layers", get("layers")?)?,
        d_model: parse_number("d_model", get("d_model")?)?,
        heads: parse_number("heads", get("heads")?)?,
        d_ff: parse_number("d_ff", get("d_ff")?)?,
        norm: match get("norm")? {
            "pre" => NormPlacement::PreLn,
            "post" => NormPlacement::PostLn,
            other => return Err(invalid(OP, format!("norm {other:?} is neither \"pre\" nor \"post\"."))),
        },
        batch_size: parse_number("batch_size", get("batch_size")?)?,
        warmup: parse_number("warmup", get("warmup")?)?,
        lr_scale: parse_number("lr_scale", get("lr_scale")?)?,
        dropout: parse_number("dropout", optional("dropout", "0"))?,
        label_smoothing: parse_number("label_smoothing", optional("label_smoothing", "0"))?,
        tie_output_embedding: match optional("tie_output_embedding", "false") {
            "true" => true,
            "false" => false,
            other => return Err(invalid(OP, format!("tie_output_embedding {other:?} is neither true nor false."))),
        },
        max_source: parse_number("max_source", optional("max_source", "40"))?,
        max_target: parse_number("max_target", get("max_target")?)?,
        seed: parse_number("seed", get("seed")?)?,
    };
    let words = |key: &str| -> Result<Vocab> { Ok(Vocab::from_words(get(key)?.split('\n').map(str::to_string).collect())) };
    let (source_vocab, target_vocab) = (words("source_vocab")?, words("target_vocab")?);
    if !(1..=200_000).contains(&cfg.data.sentences)
        || cfg.layers > 24
        || cfg.d_model > 4096
        || cfg.d_ff > 16384
        || cfg.max_source > 1000
        || cfg.max_target > 1000
        || source_vocab.len() > 100_000
        || target_vocab.len() > 100_000
    {
        return Err(invalid(OP, "the configuration is out of range for this translator."));
    }
    cfg.check()?;
    let mut model = Seq2Seq::new(cfg.model_config(source_vocab.len(), target_vocab.len()), cfg.seed, &Device::Cpu)?;
    let values = read_values(&file, &model.params)?;
    model.params.move_to(&Device::Cpu, values);
    Ok(TranslatorCheckpoint {
        cfg,
        step: parse_number("step", get("step")?)?,
        source_vocab,
        target_vocab,
        model,
    })
}
