//! Picking rows out of a matrix by index, and the gradient's way back.
//!
//! ```text
//! forward   out[i]     = x[rows[i]]          out (M, C) from x (N, C)
//! backward  dx[rows[i]] += dout[i]           scatter-add: a row picked twice gets both gradients
//! ```
//!
//! This is exactly an embedding lookup with `x` as the table and `rows` as
//! the token ids, so it runs on the embedding kernels of both devices. BERT
//! uses it to send only the masked positions through its language-model head
//! (about 15% of the rows) and only the `[CLS]` rows through its classifier.

use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::Result;
use crate::ops::embedding;

/// `out (M, C) = x[rows]` for `x (N, C)`.
pub fn gather_rows(dev: &Device, out: &mut Tensor, x: &Tensor, rows: &[u32], n: usize, c: usize) -> Result<()> {
    match dev {
        Device::Cpu => embedding::token_forward(dev, out.host_mut()?, rows, x.host()?, n, c),
        Device::Gpu(gpu) => {
            let (out, x) = (out.gpu_all()?, x.gpu_all()?);
            gpu.record(|e| embedding::token_forward_gpu(gpu, e, out, rows, x, n, c))
        }
    }
}

/// `dx[rows[i]] += dout[i]`: the backward of [`gather_rows`].
pub fn gather_rows_backward(dev: &Device, dx: &mut Tensor, dout: &Tensor, rows: &[u32], n: usize, c: usize) -> Result<()> {
    match dev {
        Device::Cpu => embedding::token_backward(dev, dx.host_mut()?, dout.host()?, rows, n, c),
        Device::Gpu(gpu) => {
            let (dx, dout) = (dx.gpu_all()?, dout.gpu()?);
            gpu.record(|e| embedding::token_backward_gpu(gpu, e, dx, dout, rows, n, c))
        }
    }
}
