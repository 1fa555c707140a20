//! Evaluation: scoring what a model produces against references.

pub mod bleu;
