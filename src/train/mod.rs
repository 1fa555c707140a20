//! Training: what turns gradients into learning. For now the optimizer state;
//! schedules, data sets, tokenizers and sampling join it as the models do.

pub mod optimizer;
