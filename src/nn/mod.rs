//! Layers: ops plus the parameters they own, with explicit forward and
//! backward passes side by side.
//!
//! A layer is a small struct of [`ParamRange`](params::ParamRange)s into the
//! model's flat [`Params`](params::Params). `forward` reads parameter values
//! `p` and fills an `...Acts` struct with what backward will need; `backward`
//! reads those acts and accumulates into the flat gradient buffer `g` and
//! into the input gradient `dx`.
//!
//! Parameters, activations and gradients are [`Tensor`](crate::device::tensor::Tensor)s
//! on the model's device; each layer sends its ops to the CPU loops or to the
//! GPU kernels, the two paths side by side.
//!
//! Reading order: `params` → `linear` → `layernorm` → `embedding` →
//! `elementwise` → `dropout` → `feed_forward` → `attention` → `block` →
//! `decoder_block` → `loss`.

pub mod attention;
pub mod block;
pub mod decoder_block;
pub mod dropout;
pub mod elementwise;
pub mod embedding;
pub mod feed_forward;
pub mod gather;
pub mod layernorm;
pub mod linear;
pub mod loss;
pub mod params;
