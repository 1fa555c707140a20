//! Saving and loading trained models as safetensors files: the translator,
//! the GPT and BERT.
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

use half::f16;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use crate::device::Device;
use crate::error::{invalid, Result};
use crate::models::bert::{Bert, BertConfig};
use crate::models::gpt::{Gpt, GptConfig};
use crate::nn::block::NormPlacement;
use crate::nn::params::Params;
use crate::train::chars::CharVocab;
use crate::train::data::DataConfig;
use crate::train::translation::{Translator, TranslatorConfig};
use crate::train::wordpiece::WordPiece;

const OP: &str = "checkpoint";
const FORMAT: &str = "glassformer-seq2seq";
const GPT_FORMAT: &str = "glassformer-gpt";

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
    serialize(&model.params, values, metadata, Dtype::F32)
}

/// Every parameter tensor of `params` (values from `values`) plus `metadata`,
/// as safetensors, each value stored as `dtype` (F32, or F16 for half the size).
fn serialize(params: &Params, values: &[f32], metadata: HashMap<String, String>, dtype: Dtype) -> Result<Vec<u8>> {
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
fn open<'a>(bytes: &'a [u8], format: &str) -> Result<(SafeTensors<'a>, Metadata)> {
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
struct Metadata(HashMap<String, String>);

impl Metadata {
    fn get(&self, key: &str) -> Result<&str> {
        self.0.get(key).map(String::as_str).ok_or_else(|| {
            invalid(
                OP,
                format!("the metadata has no {key:?}; this is not a glassformer checkpoint (or it is damaged)."),
            )
        })
    }

    fn number<T: std::str::FromStr>(&self, key: &str) -> Result<T> {
        parse_number(key, self.get(key)?)
    }
}

fn parse_number<T: std::str::FromStr>(key: &str, text: &str) -> Result<T> {
    text.parse()
        .map_err(|_| invalid(OP, format!("metadata {key}={text:?} is not a number.")))
}

/// Every tensor of `params` from the file: present, F32 or F16, the right shape, finite.
fn read_values(file: &SafeTensors<'_>, params: &Params) -> Result<Vec<f32>> {
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

/// A translator on `device` from checkpoint bytes (see the module docs for what is checked).
pub fn load(bytes: &[u8], device: &Device) -> Result<Translator> {
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
    let values = read_values(&file, &translator.model.params)?;
    translator.opt.step = parse_number("step", get("step")?)?;
    translator.move_to(device, values, Vec::new(), Vec::new());
    Ok(translator)
}

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
    serialize(&bert.params, values, metadata, Dtype::F16)
}

/// A BERT on `device` from `save_bert` bytes; anything broken, foreign or
/// out of range is an error that says what, and nothing is made.
pub fn load_bert(bytes: &[u8], device: &Device) -> Result<BertCheckpoint> {
    let (file, metadata) = open(bytes, BERT_FORMAT)?;
    let vocab = WordPiece::from_vocab_txt(metadata.get("vocab")?)?;
    let cfg = BertConfig {
        vocab: vocab.len(),
        layers: metadata.number("layers")?,
        c: metadata.number("d_model")?,
        heads: metadata.number("heads")?,
        ffn_hidden: metadata.number("ffn_hidden")?,
        max_len: metadata.number("max_len")?,
        classes: metadata.number("classes")?,
        mlm_head: metadata.number("mlm_head")?,
    };
    let in_range = cfg.vocab <= 100_000 && cfg.layers <= 48 && cfg.c <= 4096 && cfg.ffn_hidden <= 16_384 && cfg.max_len <= 4096;
    if !in_range || cfg.classes > 1000 {
        return Err(invalid(OP, "the configuration is out of range for this BERT."));
    }
    let mut bert = Bert::new(cfg, 0, &Device::Cpu)?;
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
