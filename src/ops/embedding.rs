//! Token embedding and learned position embedding.
//!
//! A token embedding is a table `wte: (V, C)`: token id `i` is represented by
//! row `i`. Looking it up is the same as multiplying a one-hot vector by the
//! table, which is why its gradient is a *scatter-add*: every position that
//! used token `i` adds its output gradient into row `i`.
//!
//! ```text
//! forward   out[n, :] = wte[tokens[n], :]
//! backward  dwte[tokens[n], :] += dout[n, :]     (rows used twice get two adds)
//! ```
//!
//! A learned position embedding `wpe: (T_max, C)` is a second table indexed by
//! position instead of token, added to the token vectors:
//!
//! ```text
//! forward   out[b, t, :] += wpe[t, :]
//! backward  dwpe[t, :]   += Σ_b dout[b, t, :]
//! ```

use crate::device::Device;
use crate::error::{check_len, invalid, Result};

/// Look up `tokens (N)` in `wte (V, C)`, writing `out (N, C)`.
pub fn token_forward(dev: &Device, out: &mut [f32], tokens: &[u32], wte: &[f32], v: usize, c: usize) -> Result<()> {
    check_len("embedding", "table", wte.len(), &[("V", v), ("C", c)])?;
    check_len("embedding", "output", out.len(), &[("N", tokens.len()), ("C", c)])?;
    check_tokens(tokens, v)?;
    match dev {
        Device::Cpu => token_forward_cpu(out, tokens, wte, c),
    }
    Ok(())
}

/// Reference: copy one table row per token.
pub fn token_forward_cpu(out: &mut [f32], tokens: &[u32], wte: &[f32], c: usize) {
    for (n, &tok) in tokens.iter().enumerate() {
        let row = &wte[tok as usize * c..(tok as usize + 1) * c];
        out[n * c..(n + 1) * c].copy_from_slice(row);
    }
}

/// Scatter-add `dout (N, C)` into `dwte (V, C)`.
pub fn token_backward(dev: &Device, dwte: &mut [f32], dout: &[f32], tokens: &[u32], v: usize, c: usize) -> Result<()> {
    check_len("embedding backward", "dtable", dwte.len(), &[("V", v), ("C", c)])?;
    check_len("embedding backward", "dout", dout.len(), &[("N", tokens.len()), ("C", c)])?;
    check_tokens(tokens, v)?;
    match dev {
        Device::Cpu => token_backward_cpu(dwte, dout, tokens, c),
    }
    Ok(())
}

/// Reference: the twin of `token_forward_cpu`'s row copy.
pub fn token_backward_cpu(dwte: &mut [f32], dout: &[f32], tokens: &[u32], c: usize) {
    for (n, &tok) in tokens.iter().enumerate() {
        let row = &mut dwte[tok as usize * c..(tok as usize + 1) * c];
        for (d, g) in row.iter_mut().zip(&dout[n * c..(n + 1) * c]) {
            *d += g;
        }
    }
}

/// Add `wpe[t]` to every `out[b, t]`; `out` is `(B, T, C)`, `wpe` is `(T_max, C)`.
pub fn position_forward(dev: &Device, out: &mut [f32], wpe: &[f32], b: usize, t: usize, c: usize) -> Result<()> {
    check_len("position embedding", "activations", out.len(), &[("B", b), ("T", t), ("C", c)])?;
    check_positions(wpe.len(), t, c)?;
    match dev {
        Device::Cpu => {
            for seq in out.chunks_exact_mut(t * c) {
                for (o, p) in seq.iter_mut().zip(&wpe[..t * c]) {
                    *o += p;
                }
            }
        }
    }
    Ok(())
}

/// `dwpe[t] += Σ_b dout[b, t]`: the twin of `position_forward`'s add.
pub fn position_backward(dev: &Device, dwpe: &mut [f32], dout: &[f32], b: usize, t: usize, c: usize) -> Result<()> {
    check_len("position embedding backward", "dout", dout.len(), &[("B", b), ("T", t), ("C", c)])?;
    check_positions(dwpe.len(), t, c)?;
    match dev {
        Device::Cpu => {
            for seq in dout.chunks_exact(t * c) {
                for (d, g) in dwpe[..t * c].iter_mut().zip(seq) {
                    *d += g;
                }
            }
        }
    }
    Ok(())
}

fn check_tokens(tokens: &[u32], v: usize) -> Result<()> {
    match tokens.iter().position(|&tok| tok as usize >= v) {
        None => Ok(()),
        Some(i) => Err(invalid(
            "embedding",
            format!(
                "token id {} at position {i} is outside the vocabulary (size V={v}); ids must be 0..{}.",
                tokens[i],
                v.saturating_sub(1)
            ),
        )),
    }
}

fn check_positions(table_len: usize, t: usize, c: usize) -> Result<()> {
    if c == 0 || !table_len.is_multiple_of(c) || table_len / c < t {
        return Err(invalid(
            "position embedding",
            format!(
                "a sequence of T={t} positions needs a table of at least (T={t}, C={c}), but the table holds {table_len} values. Shorten the sequence to the model's context length."
            ),
        ));
    }
    Ok(())
}
