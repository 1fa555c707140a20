//! Training: what turns gradients into learning. The optimizer state, and the
//! translation data (grammar, splits, tokenizer); schedules and sampling join
//! them as the models do.

pub mod data;
pub mod optimizer;
pub mod schedule;
pub mod translation;
