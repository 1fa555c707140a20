//! Training: what turns gradients into learning, and what it learns from and
//! is scored by: the optimizer state, the learning-rate schedule, the
//! translation data (grammar and splits), the word tokenizer, the translator's
//! training loop, and BLEU.

pub mod bleu;
pub mod chars;
pub mod data;
pub mod errands;
pub mod fine_tuning;
pub mod language_model;
pub mod masked_lm;
pub mod optimizer;
pub mod pretraining;
pub mod schedule;
pub mod tokenizer;
pub mod translation;
pub mod wordpiece;
