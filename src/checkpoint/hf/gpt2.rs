//! GPT-2 checkpoints (`GPT2LMHeadModel`, `GPT2Model`), with or without the
//! `transformer.` prefix, into our [`Gpt`].
//!
//! | Hugging Face (after `transformer.`) | ours |
//! |---|---|
//! | `wte`, `wpe` | `embeddings.word_embeddings`, `embeddings.position_embeddings` |
//! | `h.i.ln_1`, `h.i.ln_2` | `layer.i.ln1`, `layer.i.ln2` (pre-LN) |
//! | `h.i.attn.c_attn` `(C, 3C)` | `layer.i.attention.{query,key,value}`: its three column blocks, transposed |
//! | `h.i.attn.c_proj` `(C, C)` | `layer.i.attention.output`, transposed |
//! | `h.i.mlp.c_fc` `(C, F)`, `h.i.mlp.c_proj` `(F, C)` | `layer.i.ffn.fc1`, `fc2`, transposed |
//! | `ln_f` | `ln_final` |
//! | `lm_head` (if stored: the token table again) | the head, tied to `word_embeddings`; its bias 0 |
//!
//! GPT-2 stores its linear layers as `Conv1D`, whose weight is `(in, out)`
//! (it computes `x W`), where ours is `(out, in)` (`x Wᵀ`): every matrix is
//! transposed on the way in. The causal-mask buffers `attn.bias` and
//! `attn.masked_bias` that older files carry are not weights and are skipped.

use serde::Deserialize;

use super::bert::activation;
use super::{parse_config, put, transpose, Tensors, OP};
use crate::device::Device;
use crate::error::{invalid, Result};
use crate::models::gpt::{Gpt, GptConfig};

/// The fields of a GPT-2 `config.json` that decide the model.
#[derive(Debug, Deserialize)]
struct Config {
    vocab_size: usize,
    #[serde(alias = "n_ctx")]
    n_positions: usize,
    n_embd: usize,
    n_layer: usize,
    n_head: usize,
    #[serde(default)]
    n_inner: Option<usize>,
    #[serde(default = "gelu_new")]
    activation_function: String,
    #[serde(default = "gpt2_eps")]
    layer_norm_epsilon: f32,
    #[serde(default)]
    scale_attn_by_inverse_layer_idx: bool,
}

fn gelu_new() -> String {
    "gelu_new".into()
}
fn gpt2_eps() -> f32 {
    1e-5
}

pub fn load(config_json: &str, weights: &[u8], device: &Device) -> Result<Gpt> {
    let cfg: Config = parse_config(config_json)?;
    let (c, heads) = (cfg.n_embd, cfg.n_head);
    if heads == 0 || c % heads != 0 {
        return Err(invalid(OP, format!("n_embd {c} is not a multiple of n_head {heads}.")));
    }
    if let Some(inner) = cfg.n_inner.filter(|&f| f != 4 * c) {
        return Err(invalid(
            OP,
            format!(
                "n_inner is {inner}; glassformer's GPT has a feed-forward layer 4·n_embd = {} wide.",
                4 * c
            ),
        ));
    }
    if cfg.scale_attn_by_inverse_layer_idx {
        return Err(invalid(
            OP,
            "scale_attn_by_inverse_layer_idx is set; glassformer scales attention by 1/√d_k only.",
        ));
    }
    let activation = activation(&cfg.activation_function)?;
    let mut file = Tensors::open(weights, "transformer.")?;
    let ours = GptConfig {
        vocab: cfg.vocab_size,
        context: cfg.n_positions,
        layers: cfg.n_layer,
        d_model: c,
        heads,
    };
    let mut gpt = Gpt::to_fill(ours)?;
    gpt.use_numerics(activation, cfg.layer_norm_epsilon);
    let mut values = gpt.lm.params.take_values()?;
    let params = &gpt.lm.params;
    let (v, f) = (cfg.vocab_size, 4 * c);
    let mut put_as = |ours: &str, data: &[f32]| put(params, &mut values, ours, data);
    let wte = file.get(&["wte.weight"], &[v, c])?;
    put_as("embeddings.word_embeddings", &wte)?;
    put_as("embeddings.position_embeddings", &file.get(&["wpe.weight"], &[cfg.n_positions, c])?)?;
    put_as("head.bias", &vec![0.0; v])?; // GPT-2's output layer has no bias
    for i in 0..cfg.n_layer {
        let (ours, theirs) = (format!("layer.{i}"), format!("h.{i}"));
        for (mine, hf) in [("ln1", "ln_1"), ("ln2", "ln_2")] {
            put_as(
                &format!("{ours}.{mine}.weight"),
                &file.get(&[&format!("{theirs}.{hf}.weight")], &[c])?,
            )?;
            put_as(&format!("{ours}.{mine}.bias"), &file.get(&[&format!("{theirs}.{hf}.bias")], &[c])?)?;
        }
        // c_attn: x (T, C) · W (C, 3C) → [q | k | v]; each block of C columns, transposed, is one of ours.
        let qkv = file.get(&[&format!("{theirs}.attn.c_attn.weight")], &[c, 3 * c])?;
        let qkv_bias = file.get(&[&format!("{theirs}.attn.c_attn.bias")], &[3 * c])?;
        for (part, name) in ["query", "key", "value"].into_iter().enumerate() {
            let block: Vec<f32> = qkv
                .chunks_exact(3 * c)
                .flat_map(|row| row[part * c..(part + 1) * c].to_vec())
                .collect();
            put_as(&format!("{ours}.attention.{name}.weight"), &transpose(&block, c, c))?;
            put_as(&format!("{ours}.attention.{name}.bias"), &qkv_bias[part * c..(part + 1) * c])?;
        }
        for (mine, hf, rows, cols) in [
            ("attention.output", "attn.c_proj", c, c),
            ("ffn.fc1", "mlp.c_fc", c, f),
            ("ffn.fc2", "mlp.c_proj", f, c),
        ] {
            let w = file.get(&[&format!("{theirs}.{hf}.weight")], &[rows, cols])?;
            put_as(&format!("{ours}.{mine}.weight"), &transpose(&w, rows, cols))?;
            put_as(
                &format!("{ours}.{mine}.bias"),
                &file.get(&[&format!("{theirs}.{hf}.bias")], &[cols])?,
            )?;
        }
    }
    put_as("ln_final.weight", &file.get(&["ln_f.weight"], &[c])?)?;
    put_as("ln_final.bias", &file.get(&["ln_f.bias"], &[c])?)?;
    // The output layer is the token table (tied); a file that stores it must store the same one.
    if file.has("lm_head.weight") && file.get(&["lm_head.weight"], &[v, c])? != wte {
        return Err(invalid(
            OP,
            "lm_head.weight differs from wte.weight: glassformer's GPT ties its output layer to the token table.",
        ));
    }
    // The causal-mask buffers of older files: not weights.
    for name in file
        .names_ending(".attn.bias")
        .into_iter()
        .chain(file.names_ending(".attn.masked_bias"))
    {
        file.skip(&name);
    }
    file.finish()?;
    // Opened to be read: no gradients until it trains (they would double its memory).
    gpt.lm.move_to(device, values)?;
    Ok(gpt)
}
