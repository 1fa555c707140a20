//! GPU memory as the rest of the crate sees it: [`GpuBuffer`] (a whole
//! buffer of `f32`s, or of `u32` token ids), [`GpuSlice`] (one tensor inside
//! a buffer, addressed by an element offset that kernels receive in their
//! uniforms), and the [`Pool`] that recycles freed buffers. The device that
//! creates them is in [`gpu`](super::gpu).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use crate::error::Result;

/// An `f32` array living on the GPU. Clones share the buffer; a buffer from
/// [`Gpu::scratch`](super::gpu::Gpu::scratch) goes back to the pool when its last clone is dropped.
#[derive(Debug, Clone)]
pub struct GpuBuffer {
    pub(super) buffer: Rc<wgpu::Buffer>,
    pub(super) len: usize,
    pub(super) pool: Option<Weak<RefCell<Pool>>>,
}

impl Drop for GpuBuffer {
    fn drop(&mut self) {
        if Rc::strong_count(&self.buffer) > 1 {
            return; // another clone still uses it
        }
        if let Some(pool) = self.pool.as_ref().and_then(Weak::upgrade) {
            pool.borrow_mut().give_back((*self.buffer).clone());
        }
    }
}

/// Storage buffers no longer in use, by size in bytes, ready to be handed out
/// again: a training step allocates the same temporaries every time.
#[derive(Debug, Default)]
pub struct Pool {
    free: HashMap<u64, Vec<wgpu::Buffer>>,
    pub(super) bytes: u64,
}

/// The most the pool keeps (beyond it, freed buffers go back to the driver).
const POOL_MAX_BYTES: u64 = 256 << 20;

impl Pool {
    pub(super) fn give_back(&mut self, buffer: wgpu::Buffer) {
        if self.bytes + buffer.size() <= POOL_MAX_BYTES {
            self.bytes += buffer.size();
            self.free.entry(buffer.size()).or_default().push(buffer);
        }
    }

    pub(super) fn take(&mut self, size: u64) -> Option<wgpu::Buffer> {
        let buffer = self.free.get_mut(&size)?.pop()?;
        self.bytes -= size;
        Some(buffer)
    }
}

impl GpuBuffer {
    /// Number of `f32` values.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Is `other` a handle to this same GPU buffer?
    pub fn same_as(&self, other: &GpuBuffer) -> bool {
        *self.buffer == *other.buffer
    }

    /// True when the buffer holds no values.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A tensor inside a GPU buffer: `len` values from element `offset`
/// (e.g. one weight matrix inside the flat parameter buffer).
#[derive(Debug, Clone, Copy)]
pub struct GpuSlice<'a> {
    pub buffer: &'a GpuBuffer,
    pub offset: usize,
    pub len: usize,
}

impl GpuBuffer {
    /// The whole buffer as a slice.
    pub fn all(&self) -> GpuSlice<'_> {
        GpuSlice {
            buffer: self,
            offset: 0,
            len: self.len,
        }
    }

    /// `len` values from element `offset`.
    pub fn range(&self, offset: usize, len: usize) -> GpuSlice<'_> {
        GpuSlice { buffer: self, offset, len }
    }
}

impl GpuSlice<'_> {
    /// Check that the slice lies inside its buffer (kernels do not check).
    pub fn check(&self, op: &'static str, what: &str) -> Result<()> {
        if self.offset + self.len > self.buffer.len {
            return Err(crate::error::invalid(
                op,
                format!(
                    "{what} covers values {}..{} of a GPU buffer of {}.",
                    self.offset,
                    self.offset + self.len,
                    self.buffer.len
                ),
            ));
        }
        Ok(())
    }

    /// The offset as the 32-bit word a kernel's uniforms carry.
    pub fn word(&self) -> u32 {
        self.offset as u32
    }
}
