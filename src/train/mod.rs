//! Training: what turns gradients into learning, and what it learns from and
//! is scored by.
//!
//! - Shared by every model: `optimizer` (AdamW's state across steps),
//!   `schedule` (warm-up, then 1/√step or cosine decay) and `trainer` (what
//!   every training loop is, and training that outlives a lost GPU).
//! - The translator: `data` (the English→French grammar and its splits),
//!   `tokenizer` (words and their vocabulary), `bleu`, and `translation`
//!   (its training loop and evaluation).
//! - The GPT: `chars` (characters as tokens, text splits, random windows)
//!   and `language_model` (its training loop and validation loss).
//! - BERT: `wordpiece` (its tokenizer and vocabulary trainer), `errands`
//!   (the stories and opinions it learns from), `masked_lm` (80/10/10
//!   masking, next-sentence pairs), `pretraining` (the pre-training loop and
//!   fill-mask) and `fine_tuning` (a classifier from the pre-trained encoder
//!   or from scratch).
//!
//! - Pretrained models' own tokenizers: `gpt2_words` and `bpe` (GPT-2's
//!   words, then its byte-level BPE;
//!   BERT's WordPiece is `wordpiece`); `lm_vocab` (a GPT's tokens:
//!   characters or GPT-2's).
//!
//! Trainers start fresh (`new`) or from what a checkpoint holds (`resume`);
//! they never save themselves: `crate::checkpoint` sits above them.

pub mod bleu;
pub mod bpe;
pub mod chars;
pub mod data;
pub mod errands;
pub mod fine_tuning;
pub mod footprint;
pub mod gpt2_words;
pub mod language_model;
pub mod lm_vocab;
pub mod masked_lm;
pub mod optimizer;
pub mod pretraining;
pub mod schedule;
pub mod tokenizer;
pub mod trainer;
pub mod translation;
pub mod wordpiece;
