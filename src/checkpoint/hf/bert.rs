//! BERT-family checkpoints (`BertModel`, `BertForMaskedLM`, `BertForPreTraining`),
//! with or without the `bert.` prefix, into our [`Bert`].
//!
//! | Hugging Face (after `bert.`) | ours |
//! |---|---|
//! | `embeddings.word_embeddings` / `position_embeddings` / `token_type_embeddings` `.weight` | the same, without `.weight` |
//! | `embeddings.LayerNorm` | `embeddings.layer_norm` |
//! | `encoder.layer.i.attention.self.{query,key,value}` | `layer.i.attention.{query,key,value}` |
//! | `encoder.layer.i.attention.output.dense` | `layer.i.attention.output` |
//! | `encoder.layer.i.attention.output.LayerNorm` | `layer.i.ln1` (post-LN: after attention) |
//! | `encoder.layer.i.intermediate.dense` / `output.dense` | `layer.i.ffn.fc1` / `fc2` |
//! | `encoder.layer.i.output.LayerNorm` | `layer.i.ln2` |
//! | `cls.predictions.transform.dense` / `.LayerNorm` | `mlm.transform` / `mlm.layer_norm` |
//! | `cls.predictions.decoder.bias`, else `cls.predictions.bias` | `mlm.decoder.bias` (the decoder's matrix is the token table: tied) |
//! | `cls.predictions.decoder.weight`, when it differs from the token table | `mlm.decoder.weight` (untied) |
//!
//! Both store linear weights as `(out, in)`, so nothing is transposed. Older
//! files call the layer norms' weight and bias `gamma` and `beta`. Not used:
//! the pooler and the next-sentence head (our classifier reads `[CLS]`
//! directly), and the `position_ids` buffer. A file without `cls.predictions`
//! (a plain `BertModel`, such as a sentence-embedding model) gives a BERT
//! without the masked-LM head.

use serde::Deserialize;

use super::{parse_config, put, Tensors, OP};
use crate::device::Device;
use crate::error::{invalid, Result};
use crate::models::bert::{Bert, BertConfig};
use crate::nn::feed_forward::Activation;
use crate::nn::params::Params;

/// The fields of a BERT `config.json` that decide the model.
#[derive(Debug, Deserialize)]
struct Config {
    vocab_size: usize,
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    intermediate_size: usize,
    max_position_embeddings: usize,
    #[serde(default = "two")]
    type_vocab_size: usize,
    #[serde(default = "gelu")]
    hidden_act: String,
    #[serde(default = "bert_eps")]
    layer_norm_eps: f32,
    #[serde(default)]
    position_embedding_type: Option<String>,
}

fn two() -> usize {
    2
}
fn gelu() -> String {
    "gelu".into()
}
fn bert_eps() -> f32 {
    1e-12
}

/// The activation a config's `hidden_act` (or GPT-2's `activation_function`) names.
pub(crate) fn activation(name: &str) -> Result<Activation> {
    match name {
        "gelu" => Ok(Activation::GeluExact),
        "gelu_new" | "gelu_pytorch_tanh" => Ok(Activation::Gelu),
        "relu" => Ok(Activation::Relu),
        other => Err(invalid(
            OP,
            format!("config.json names the activation {other:?}; glassformer runs \"gelu\", \"gelu_new\" and \"relu\"."),
        )),
    }
}

pub fn load(config_json: &str, weights: &[u8], device: &Device) -> Result<Bert> {
    let cfg: Config = parse_config(config_json)?;
    let (c, heads) = (cfg.hidden_size, cfg.num_attention_heads);
    if heads == 0 || c % heads != 0 {
        return Err(invalid(
            OP,
            format!("hidden_size {c} is not a multiple of num_attention_heads {heads}."),
        ));
    }
    if cfg.type_vocab_size != 2 {
        return Err(invalid(
            OP,
            format!("type_vocab_size is {}; glassformer's BERT has two segments.", cfg.type_vocab_size),
        ));
    }
    if let Some(kind) = cfg.position_embedding_type.as_deref().filter(|k| *k != "absolute") {
        return Err(invalid(
            OP,
            format!("position_embedding_type {kind:?}: only \"absolute\" is supported."),
        ));
    }
    let activation = activation(&cfg.hidden_act)?;
    let mut file = Tensors::open(weights, "bert.")?;
    let mlm_head = file.has("cls.predictions.transform.dense.weight");
    // The masked-LM decoder reads the token table (tied), unless the file stores another matrix.
    let untied_decoder = mlm_head
        && file.has("cls.predictions.decoder.weight")
        && !file.same_data("cls.predictions.decoder.weight", "embeddings.word_embeddings.weight");
    let ours = BertConfig {
        vocab: cfg.vocab_size,
        layers: cfg.num_hidden_layers,
        c,
        heads,
        ffn_hidden: cfg.intermediate_size,
        max_len: cfg.max_position_embeddings,
        classes: 2,
        mlm_head,
        untied_decoder,
    };
    let mut bert = Bert::to_fill(ours)?;
    bert.use_numerics(activation, cfg.layer_norm_eps);
    let mut values = bert.params.take_values()?;
    let mut fill = Fill {
        file: &mut file,
        params: &bert.params,
        values: &mut values,
    };
    let (v, f) = (cfg.vocab_size, cfg.intermediate_size);
    fill.copy("embeddings.word_embeddings", &["embeddings.word_embeddings.weight"], &[v, c])?;
    let positions = [cfg.max_position_embeddings, c];
    fill.copy(
        "embeddings.position_embeddings",
        &["embeddings.position_embeddings.weight"],
        &positions,
    )?;
    fill.copy(
        "embeddings.token_type_embeddings",
        &["embeddings.token_type_embeddings.weight"],
        &[2, c],
    )?;
    fill.norm("embeddings.layer_norm", "embeddings", c)?;
    for i in 0..cfg.num_hidden_layers {
        let (ours, theirs) = (format!("layer.{i}"), format!("encoder.layer.{i}"));
        for (mine, hf, shape) in [
            ("attention.query", "attention.self.query", [c, c]),
            ("attention.key", "attention.self.key", [c, c]),
            ("attention.value", "attention.self.value", [c, c]),
            ("attention.output", "attention.output.dense", [c, c]),
            ("ffn.fc1", "intermediate.dense", [f, c]),
            ("ffn.fc2", "output.dense", [c, f]),
        ] {
            fill.copy(&format!("{ours}.{mine}.weight"), &[&format!("{theirs}.{hf}.weight")], &shape)?;
            fill.copy(&format!("{ours}.{mine}.bias"), &[&format!("{theirs}.{hf}.bias")], &[shape[0]])?;
        }
        fill.norm(&format!("{ours}.ln1"), &format!("{theirs}.attention.output"), c)?;
        fill.norm(&format!("{ours}.ln2"), &format!("{theirs}.output"), c)?;
    }
    if mlm_head {
        fill.copy("mlm.transform.weight", &["cls.predictions.transform.dense.weight"], &[c, c])?;
        fill.copy("mlm.transform.bias", &["cls.predictions.transform.dense.bias"], &[c])?;
        fill.norm("mlm.layer_norm", "cls.predictions.transform", c)?;
        // The decoder's own bias where the file has it (an untied head keeps cls.predictions.bias
        // beside it, unused), else cls.predictions.bias (a tied head stores only that one).
        fill.copy("mlm.decoder.bias", &["cls.predictions.decoder.bias", "cls.predictions.bias"], &[v])?;
        fill.file.skip("cls.predictions.bias");
        match untied_decoder {
            true => fill.copy("mlm.decoder.weight", &["cls.predictions.decoder.weight"], &[v, c])?,
            false => fill.file.skip("cls.predictions.decoder.weight"), // the token table again, when stored
        }
    }
    // What the model has no place for: the pooler, the next-sentence head, buffers.
    for name in [
        "pooler.dense.weight",
        "pooler.dense.bias",
        "cls.seq_relationship.weight",
        "cls.seq_relationship.bias",
        "embeddings.position_ids",
    ] {
        file.skip(name);
    }
    file.finish()?;
    // Opened to be read: no gradients until it trains (they would double its memory).
    bert.move_to(device, values)?;
    Ok(bert)
}

/// Copies tensors of the file into the model's parameters (a host copy).
struct Fill<'f, 'a> {
    file: &'f mut Tensors<'a>,
    params: &'f Params,
    values: &'f mut Vec<f32>,
}

impl Fill<'_, '_> {
    /// Parameter `ours` from the first of `theirs` the file has, which must have `shape`.
    fn copy(&mut self, ours: &str, theirs: &[&str], shape: &[usize]) -> Result<()> {
        let data = self.file.get(theirs, shape)?;
        put(self.params, self.values, ours, &data)
    }

    /// Layer norm `ours` from `theirs.LayerNorm`: `weight` and `bias`, or the older `gamma` and `beta`.
    fn norm(&mut self, ours: &str, theirs: &str, c: usize) -> Result<()> {
        for (part, legacy) in [("weight", "gamma"), ("bias", "beta")] {
            let names = [format!("{theirs}.LayerNorm.{part}"), format!("{theirs}.LayerNorm.{legacy}")];
            self.copy(&format!("{ours}.{part}"), &[&names[0], &names[1]], &[c])?;
        }
        Ok(())
    }
}
