//! GPU memory as the rest of the crate sees it: [`GpuBuffer`] (a whole
//! buffer of `f32`s, or of `u32` token ids), [`GpuSlice`] (one tensor inside
//! a buffer, addressed by an element offset that kernels receive in their
//! uniforms), and the [`Pool`] that recycles freed buffers. The device that
//! creates them is in [`gpu`](super::gpu).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ops::Deref;
use std::rc::{Rc, Weak};

use crate::error::Result;

/// An `f32` array living on the GPU. Clones share the buffer; a buffer from
/// [`Gpu::scratch`](super::gpu::Gpu::scratch) goes back to the pool when its last clone is dropped.
#[derive(Debug, Clone)]
pub struct GpuBuffer {
    pub(super) buffer: Rc<Allocation>,
    pub(super) len: usize,
    pub(super) pool: Option<Weak<RefCell<Pool>>>,
}

impl Drop for GpuBuffer {
    fn drop(&mut self) {
        if Rc::strong_count(&self.buffer) > 1 {
            return; // another clone still uses it
        }
        if let Some(pool) = self.pool.as_ref().and_then(Weak::upgrade) {
            pool.borrow_mut().give_back(Rc::clone(&self.buffer));
        }
    }
}

/// A buffer the device made, counted in the device's [`Ledger`] until the
/// last handle to it (a [`GpuBuffer`] or the pool) lets it go.
#[derive(Debug)]
pub struct Allocation {
    buffer: wgpu::Buffer,
    ledger: Rc<Ledger>,
}

/// The device's account of its storage buffers: bytes alive now, and
/// buffers let go but not yet destroyed. A buffer let go may still be named
/// by commands recorded and not yet submitted, so it is destroyed (its memory
/// given back at once, instead of when the browser collects its JS object)
/// only once nothing recorded is left unsubmitted, by [`Ledger::destroy_released`].
#[derive(Debug, Default)]
pub struct Ledger {
    held: Cell<u64>,
    released: RefCell<Vec<wgpu::Buffer>>,
}

impl Ledger {
    /// Bytes of storage buffers alive now, pooled ones included.
    pub fn held_bytes(&self) -> u64 {
        self.held.get()
    }

    /// Destroy the buffers let go so far: call it only when every encoder that may name them is submitted.
    pub fn destroy_released(&self) {
        for buffer in self.released.take() {
            buffer.destroy();
        }
    }
}

impl Allocation {
    /// Count `buffer` in `ledger` for as long as it lives.
    pub(super) fn new(buffer: wgpu::Buffer, ledger: &Rc<Ledger>) -> Allocation {
        ledger.held.set(ledger.held.get() + buffer.size());
        Allocation {
            buffer,
            ledger: Rc::clone(ledger),
        }
    }
}

impl Deref for Allocation {
    type Target = wgpu::Buffer;
    fn deref(&self) -> &wgpu::Buffer {
        &self.buffer
    }
}

impl Drop for Allocation {
    fn drop(&mut self) {
        let ledger = &self.ledger;
        ledger.held.set(ledger.held.get().saturating_sub(self.buffer.size()));
        ledger.released.borrow_mut().push(self.buffer.clone());
    }
}

/// Storage buffers no longer in use, by size in bytes, ready to be handed out
/// again: a training step allocates the same temporaries every time.
#[derive(Debug, Default)]
pub struct Pool {
    free: HashMap<u64, Vec<Rc<Allocation>>>,
    pub(super) bytes: u64,
}

/// The most the pool keeps (beyond it, freed buffers go back to the driver).
const POOL_MAX_BYTES: u64 = 256 << 20;

impl Pool {
    pub(super) fn give_back(&mut self, buffer: Rc<Allocation>) {
        if self.bytes + buffer.size() <= POOL_MAX_BYTES {
            self.bytes += buffer.size();
            self.free.entry(buffer.size()).or_default().push(buffer);
        }
    }

    /// Let every pooled buffer go.
    pub(super) fn clear(&mut self) {
        self.free.clear();
        self.bytes = 0;
    }

    pub(super) fn take(&mut self, size: u64) -> Option<Rc<Allocation>> {
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
        Rc::ptr_eq(&self.buffer, &other.buffer) || self.buffer.buffer == other.buffer.buffer
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
