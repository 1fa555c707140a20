//! What a model will hold in memory, estimated from its configuration
//! before anything is allocated — so that a size a browser tab cannot hold
//! is refused with a readable Error instead of growing the wasm memory (which
//! never shrinks) until the allocator fails.
//!
//! Three parts, in bytes:
//!
//! - **Training state**, 48 bytes per parameter: the values, their
//!   gradients and AdamW's two moments (16 bytes), plus what the kernels
//!   and trainers keep beside them (packed weight copies, a snapshot for a
//!   lost GPU, the CPU copy a call decodes with). Measured: 43 for the GPT.
//! - **Activations** of one training step (kept for the backward pass,
//!   then kept by the pool of host buffers for the next step): per sequence
//!   and per layer, `T·(8C + 2F)` values for the sub-layers' inputs and
//!   outputs (a decoder layer has a third sub-layer: `12C`), plus
//!   `2·T·NH·S` for the attention scores and weights over `S` keys; then
//!   the logits, their softmax and its gradient, `3·T·V`.
//! - **Data**: the sentences, stories or text a model trains on (measured:
//!   about 1.2 KB per translation pair, 1 KB per BERT story, 8 bytes per
//!   character of a GPT's text).
//!
//! The estimates err on the large side (tests/footprint.rs checks each
//! against what the allocator counts: between 1 and 4 times it).

use crate::train::language_model::LanguageModelConfig;
use crate::train::pretraining::PretrainingConfig;
use crate::train::translation::TranslatorConfig;

/// Bytes of training state per parameter (see the module docs).
const STATE_BYTES_PER_PARAMETER: f64 = 48.0;
/// The translator's vocabularies never pass this (the grammar's lexicon has about 210 words a side).
const TRANSLATOR_VOCAB: f64 = 256.0;

/// An estimate, part by part.
#[derive(Debug, Clone, PartialEq)]
pub struct Footprint {
    /// (what, bytes), e.g. ("training state", 5.8e6).
    pub parts: Vec<(&'static str, f64)>,
}

impl Footprint {
    /// All parts together, in bytes.
    pub fn total(&self) -> f64 {
        self.parts.iter().map(|(_, bytes)| bytes).sum()
    }

    /// "training state 5.8 MB, activations 10.4 MB, data 14.4 MB".
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .parts
            .iter()
            .map(|(what, bytes)| format!("{what} {}", megabytes(*bytes)))
            .collect();
        parts.join(", ")
    }

    /// The translator of `cfg`, trained at its batch size.
    pub fn translator(cfg: &TranslatorConfig) -> Footprint {
        let (c, f, l, nh) = (cfg.d_model as f64, cfg.d_ff as f64, cfg.layers as f64, cfg.heads as f64);
        let (s, t, v) = (cfg.max_source as f64 + 2.0, cfg.max_target as f64 + 2.0, TRANSLATOR_VOCAB);
        let encoder_layer = 4.0 * c * c + 2.0 * c * f + f + 9.0 * c;
        let decoder_layer = 8.0 * c * c + 2.0 * c * f + f + 15.0 * c;
        let head = if cfg.tie_output_embedding { 0.0 } else { c * v + v };
        let parameters = 2.0 * v * c + l * (encoder_layer + decoder_layer) + head + 4.0 * c;
        let per_sequence = l * s * (8.0 * c + 2.0 * f + 2.0 * nh * s) + l * t * (12.0 * c + 2.0 * f + 2.0 * nh * (t + s)) + 3.0 * t * v;
        Footprint::of(parameters, cfg.batch_size as f64 * per_sequence, 1200.0 * cfg.data.sentences as f64)
    }

    /// A character-level GPT of `cfg` over a text of `text_chars`
    /// characters, `vocab` of them distinct.
    pub fn gpt(cfg: &LanguageModelConfig, text_chars: usize, vocab: usize) -> Footprint {
        let (c, l, nh, t, v) = (
            cfg.d_model as f64,
            cfg.layers as f64,
            cfg.heads as f64,
            cfg.context as f64,
            vocab as f64,
        );
        let parameters = v * c + t * c + l * (12.0 * c * c + 13.0 * c) + 2.0 * c + c * v;
        // GELU keeps its input and output beside the four-times-wider hidden layer: 20C.
        let per_sequence = l * t * (20.0 * c + 2.0 * nh * t) + 3.0 * t * v;
        Footprint::of(parameters, cfg.batch_size as f64 * per_sequence, 8.0 * text_chars as f64)
    }

    /// A BERT of `cfg`, pre-trained on its stories.
    pub fn bert(cfg: &PretrainingConfig) -> Footprint {
        let (c, l, nh, t, v) = (
            cfg.d_model as f64,
            cfg.layers as f64,
            cfg.heads as f64,
            cfg.max_len as f64,
            cfg.vocab_size as f64,
        );
        let parameters = v * c + t * c + 4.0 * c + l * (12.0 * c * c + 13.0 * c) + c * c + 3.0 * c + v + c * c + 2.0 * c;
        let per_sequence = l * t * (16.0 * c + 2.0 * nh * t) + 3.0 * t * v;
        Footprint::of(parameters, cfg.batch_size as f64 * per_sequence, 1000.0 * cfg.documents as f64)
    }

    /// A model read from a checkpoint of `file_bytes` (half-precision
    /// weights: a parameter per two bytes; the file itself is in memory
    /// already) and trained on `data_bytes` of data.
    pub fn checkpoint(file_bytes: usize, data_bytes: f64) -> Footprint {
        Footprint {
            parts: vec![
                ("training state", STATE_BYTES_PER_PARAMETER * file_bytes as f64 / 2.0),
                ("data", data_bytes),
            ],
        }
    }

    /// A Hugging Face model of `file_bytes` (F32, F16 or BF16 weights), for
    /// inference: the file's copy, the weights in f32 (at most twice the
    /// file) and one CPU copy while a call runs.
    pub fn pretrained(file_bytes: usize) -> Footprint {
        Footprint {
            parts: vec![
                ("the file's copy", file_bytes as f64),
                ("weights in f32, and a copy while a call runs", 4.0 * file_bytes as f64),
            ],
        }
    }

    /// `values` f32s of buffers (a kernel call's results), described as `what`.
    pub fn buffers(what: &'static str, values: f64) -> Footprint {
        Footprint {
            parts: vec![(what, 4.0 * values)],
        }
    }

    fn of(parameters: f64, activation_values: f64, data: f64) -> Footprint {
        Footprint {
            parts: vec![
                ("training state", STATE_BYTES_PER_PARAMETER * parameters),
                ("activations", 4.0 * activation_values),
                ("data", data),
            ],
        }
    }
}

/// Bytes as the page shows them: "12.3 MB", "1.52 GB".
pub fn megabytes(bytes: f64) -> String {
    if bytes >= 1e9 {
        format!("{:.2} GB", bytes / 1e9)
    } else {
        format!("{:.1} MB", bytes / 1e6)
    }
}
