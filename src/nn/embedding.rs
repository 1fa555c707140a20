//! `Embedding`: token vectors plus position information, `(B, T)` ids →
//! `(B, T, C)` vectors.
//!
//! Positions come either from the fixed sinusoidal table of the original
//! paper (no parameters, works at any length) or from a learned table of
//! `max_len` rows (BERT, GPT), which cannot go past `max_len`.

use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::{invalid, Result};
use crate::nn::params::{Init, ParamRange, Params};
use crate::ops::{embedding, positional};

/// How position is added to the token vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Positions {
    Sinusoidal,
    Learned { table: ParamRange, max_len: usize },
}

/// Token table `(V, C)` and a position scheme.
#[derive(Debug, Clone)]
pub struct Embedding {
    pub tokens: ParamRange,
    pub positions: Positions,
    pub vocab: usize,
    pub c: usize,
}

impl Embedding {
    /// `learned_max_len: Some(n)` gives a learned table of `n` positions,
    /// `None` the sinusoidal encoding.
    pub fn new(params: &mut Params, name: &str, vocab: usize, c: usize, learned_max_len: Option<usize>) -> Embedding {
        let tokens = params.add(&format!("{name}.word_embeddings"), &[vocab, c], Init::Normal(0.02));
        let positions = match learned_max_len {
            Some(max_len) => Positions::Learned {
                table: params.add(&format!("{name}.position_embeddings"), &[max_len, c], Init::Normal(0.02)),
                max_len,
            },
            None => Positions::Sinusoidal,
        };
        Embedding {
            tokens,
            positions,
            vocab,
            c,
        }
    }

    /// `out (B, T, C) = wte[tokens] + position(t)`.
    pub fn forward(&self, dev: &Device, p: &Tensor, out: &mut Tensor, tokens: &[u32], b: usize, t: usize) -> Result<()> {
        if tokens.len() != b * t {
            return Err(invalid(
                "embedding",
                format!("got {} token ids, expected B×T = {b}×{t} = {}.", tokens.len(), b * t),
            ));
        }
        if let Positions::Learned { max_len, .. } = self.positions {
            if t > max_len {
                return Err(invalid(
                    "embedding",
                    format!("a sequence of T={t} tokens is longer than the model's context of {max_len} positions. Shorten the input."),
                ));
            }
        }
        let (v, c) = (self.vocab, self.c);
        match dev {
            Device::Cpu => {
                let (p, out) = (p.host()?, out.host_mut()?);
                embedding::token_forward(dev, out, tokens, self.tokens.of(p), v, c)?;
                match self.positions {
                    Positions::Sinusoidal => positional::add_forward(dev, out, b, t, c),
                    Positions::Learned { table, .. } => embedding::position_forward(dev, out, table.of(p), b, t, c),
                }
            }
            Device::Gpu(gpu) => {
                // The sinusoidal table is a constant: upload it and add it as a position table.
                let sinusoid;
                let positions = match self.positions {
                    Positions::Sinusoidal => {
                        sinusoid = gpu.upload(&positional::table_cpu(t, c));
                        sinusoid.all()
                    }
                    Positions::Learned { table, .. } => table.gpu_slice(p)?,
                };
                let (out, wte) = (out.gpu_all()?, self.tokens.gpu_slice(p)?);
                gpu.record(|e| {
                    embedding::token_forward_gpu(gpu, e, out, tokens, wte, v, c)?;
                    embedding::position_forward_gpu(gpu, e, out, positions, b, t, c)
                })
            }
        }
    }

    /// Accumulates the token (and learned position) table gradients.
    pub fn backward(&self, dev: &Device, g: &mut Tensor, dout: &Tensor, tokens: &[u32], b: usize, t: usize) -> Result<()> {
        let (v, c) = (self.vocab, self.c);
        match dev {
            Device::Cpu => {
                let (g, dout) = (g.host_mut()?, dout.host()?);
                embedding::token_backward(dev, self.tokens.of_mut(g), dout, tokens, v, c)?;
                match self.positions {
                    // x + PE: the constant table has no gradient, and dx = dout.
                    Positions::Sinusoidal => Ok(()),
                    Positions::Learned { table, .. } => embedding::position_backward(dev, table.of_mut(g), dout, b, t, c),
                }
            }
            Device::Gpu(gpu) => {
                let (dwte, dout) = (self.tokens.gpu_slice(g)?, dout.gpu()?);
                gpu.record(|e| embedding::token_backward_gpu(gpu, e, dwte, dout, tokens, v, c))?;
                match self.positions {
                    Positions::Sinusoidal => Ok(()),
                    Positions::Learned { table, .. } => {
                        let dwpe = table.gpu_slice(g)?;
                        gpu.record(|e| embedding::position_backward_gpu(gpu, e, dwpe, dout, b, t, c))
                    }
                }
            }
        }
    }
}
