//! Whole models built from the layers in [`nn`](crate::nn): each has a config,
//! its parameters in one flat buffer, an activations struct, and explicit
//! forward and backward passes.

pub mod bert;
pub mod embedding_space;
pub mod gpt;
pub mod outputs;
pub mod rnn;
pub mod sampling;
pub mod seq2seq;
pub mod tiny_lm;
pub mod translate;
