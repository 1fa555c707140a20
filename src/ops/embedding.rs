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

use crate::device::gpu::{grid_1d, Gpu, GpuBuffer, GpuSlice, Kernel};
use crate::device::Device;
use crate::error::{check_len, invalid, Result};

/// Look up `tokens (N)` in `wte (V, C)`, writing `out (N, C)`.
pub fn token_forward(dev: &Device, out: &mut [f32], tokens: &[u32], wte: &[f32], v: usize, c: usize) -> Result<()> {
    check_len("embedding", "table", wte.len(), &[("V", v), ("C", c)])?;
    check_len("embedding", "output", out.len(), &[("N", tokens.len()), ("C", c)])?;
    check_tokens(tokens, v)?;
    dev.ensure_cpu("embedding")?;
    token_forward_cpu(out, tokens, wte, c);
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
    dev.ensure_cpu("embedding")?;
    token_backward_cpu(dwte, dout, tokens, c);
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
    dev.ensure_cpu("embedding")?;
    for seq in out.chunks_exact_mut(t * c) {
        for (o, p) in seq.iter_mut().zip(&wpe[..t * c]) {
            *o += p;
        }
    }
    Ok(())
}

/// `dwpe[t] += Σ_b dout[b, t]`: the twin of `position_forward`'s add.
pub fn position_backward(dev: &Device, dwpe: &mut [f32], dout: &[f32], b: usize, t: usize, c: usize) -> Result<()> {
    check_len("position embedding backward", "dout", dout.len(), &[("B", b), ("T", t), ("C", c)])?;
    check_positions(dwpe.len(), t, c)?;
    dev.ensure_cpu("embedding")?;
    for seq in dout.chunks_exact(t * c) {
        for (d, g) in dwpe[..t * c].iter_mut().zip(seq) {
            *d += g;
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

const WGSL: &str = include_str!("embedding.wgsl");
const TOKEN_FORWARD: Kernel = Kernel {
    file: "embedding.wgsl",
    source: WGSL,
    entry: "token_forward",
};
const TOKEN_BACKWARD: Kernel = Kernel {
    file: "embedding.wgsl",
    source: WGSL,
    entry: "token_backward",
};
const POSITION_FORWARD: Kernel = Kernel {
    file: "embedding.wgsl",
    source: WGSL,
    entry: "position_forward",
};
const POSITION_BACKWARD: Kernel = Kernel {
    file: "embedding.wgsl",
    source: WGSL,
    entry: "position_backward",
};

/// GPU: `out (N, C) = wte[tokens]`. The ids are checked here, then uploaded.
pub fn token_forward_gpu(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    out: GpuSlice,
    tokens: &[u32],
    wte: GpuSlice,
    v: usize,
    c: usize,
) -> Result<()> {
    check_len("embedding", "table", wte.len, &[("V", v), ("C", c)])?;
    check_len("embedding", "output", out.len, &[("N", tokens.len()), ("C", c)])?;
    check_tokens(tokens, v)?;
    let ids = gpu.upload_u32(tokens);
    let uniforms = [tokens.len() as u32, c as u32, v as u32, 1, wte.word(), out.word(), 0];
    gpu.dispatch(
        encoder,
        &TOKEN_FORWARD,
        &uniforms,
        &[(1, &ids), (2, wte.buffer), (3, out.buffer)],
        grid_1d(tokens.len() * c, 256),
    );
    Ok(())
}

/// GPU: scatter-add `dout (N, C)` into `dwte (V, C)`, one invocation per table entry.
pub fn token_backward_gpu(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    dwte: GpuSlice,
    dout: &GpuBuffer,
    tokens: &[u32],
    v: usize,
    c: usize,
) -> Result<()> {
    check_len("embedding backward", "dtable", dwte.len, &[("V", v), ("C", c)])?;
    check_len("embedding backward", "dout", dout.len(), &[("N", tokens.len()), ("C", c)])?;
    check_tokens(tokens, v)?;
    let ids = gpu.upload_u32(tokens);
    let uniforms = [tokens.len() as u32, c as u32, v as u32, 1, 0, 0, dwte.word()];
    gpu.dispatch(
        encoder,
        &TOKEN_BACKWARD,
        &uniforms,
        &[(1, &ids), (4, dout), (5, dwte.buffer)],
        grid_1d(v * c, 256),
    );
    Ok(())
}

/// GPU: `out[b, t] += wpe[t]` for `out (B, T, C)`.
pub fn position_forward_gpu(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    out: GpuSlice,
    wpe: GpuSlice,
    b: usize,
    t: usize,
    c: usize,
) -> Result<()> {
    check_len("position embedding", "activations", out.len, &[("B", b), ("T", t), ("C", c)])?;
    check_positions(wpe.len, t, c)?;
    let uniforms = [(b * t) as u32, c as u32, 0, t as u32, wpe.word(), out.word(), 0];
    gpu.dispatch(
        encoder,
        &POSITION_FORWARD,
        &uniforms,
        &[(2, wpe.buffer), (3, out.buffer)],
        grid_1d(b * t * c, 256),
    );
    Ok(())
}

/// GPU: `dwpe[t] += Σ_b dout[b, t]`.
pub fn position_backward_gpu(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    dwpe: GpuSlice,
    dout: &GpuBuffer,
    b: usize,
    t: usize,
    c: usize,
) -> Result<()> {
    check_len("position embedding backward", "dout", dout.len(), &[("B", b), ("T", t), ("C", c)])?;
    check_positions(dwpe.len, t, c)?;
    let uniforms = [(b * t) as u32, c as u32, 0, t as u32, 0, 0, dwpe.word()];
    gpu.dispatch(
        encoder,
        &POSITION_BACKWARD,
        &uniforms,
        &[(4, dout), (5, dwpe.buffer)],
        grid_1d(t * c, 256),
    );
    Ok(())
}
