//! Layers: ops plus the parameters they own, with explicit forward and
//! backward passes side by side.
//!
//! A layer is a small struct of [`ParamRange`](params::ParamRange)s into the
//! model's flat [`Params`](params::Params). `forward` reads parameter values
//! `p` and fills an `...Acts` struct with what backward will need; `backward`
//! reads those acts and accumulates into the flat gradient buffer `g` and
//! into the input gradient `dx`.
//!
//! Reading order: `params` → `linear` → `layernorm` → `embedding` →
//! `feed_forward` → `attention` → `block`.

pub mod attention;
pub mod block;
pub mod embedding;
pub mod feed_forward;
pub mod layernorm;
pub mod linear;
pub mod params;
