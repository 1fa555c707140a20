//! Memory the page can see and get back.
//!
//! **Counting.** Wasm linear memory only grows: what Rust frees is reused
//! by later allocations, never returned to the browser. So the number that
//! says what the runtime holds is not the memory's size but the bytes
//! allocated and not yet freed, which [`Counting`], the wasm build's global
//! allocator, keeps (one atomic add per allocation and free). `rt.memory()`
//! reports it beside the memory's size, the GPU bytes held and the live
//! models.
//!
//! **Giving back.** Every model object of the JS API holds its model in a
//! [`Handle`] (with the queue its calls wait in, see `queue`): `model.dispose()` drops it at once (GPU buffers included,
//! and the buffers the host and GPU pools kept for its temporaries);
//! a model the page simply drops is freed when the garbage collector
//! collects its JS object (wasm-bindgen registers each object with a
//! `FinalizationRegistry`). Two things make that collection happen in time:
//!
//! - The garbage collector cannot see wasm memory: to it a model is a tiny
//!   object, and a loop making and dropping models never makes it collect.
//!   So each model object carries a zero-filled `ArrayBuffer` four times as
//!   large as what building the model allocated (up to 64 MiB): engines
//!   count such buffers as the object's weight and collect sooner. (Zero
//!   pages of a large buffer are mapped lazily: it costs address space, not
//!   RAM.) Measured: 100 translators made and dropped in a loop grow the
//!   wasm memory by 35 MB with it, by 100 MB with the weight equal to the
//!   allocation, and by 1.2 GB without (e2e/memory.e2e.mjs).
//! - Finalizers run as tasks of the event loop, never between the
//!   microtasks of a loop of `await`s. So every constructor first yields to
//!   the event loop ([`yield_to_event_loop`]), letting the models already
//!   collected be freed before the new one is allocated.

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::convert::js_error;
use super::queue::{Place, Queue};
use super::runtime::State;
use crate::device::Device;
use crate::error::invalid;

/// The system allocator, counting the bytes it has handed out and not got back.
pub struct Counting;

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed straight to the system allocator; the counters are plain atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        ptr
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        ptr
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        if !moved.is_null() {
            LIVE_BYTES.fetch_add(new_size, Ordering::Relaxed);
            LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        moved
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// Bytes allocated by Rust and not yet freed (all threads).
pub fn wasm_bytes_in_use() -> usize {
    LIVE_BYTES.load(Ordering::Relaxed)
}

/// Allocations (and reallocations) made so far, for tests that check a loop allocates nothing.
pub fn allocations() -> usize {
    ALLOCATIONS.load(Ordering::Relaxed)
}

/// The size of the wasm linear memory: what the tab holds for good.
pub fn wasm_memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    memory.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length() as f64
}

/// Model objects alive now (made and neither disposed nor collected).
static LIVE_MODELS: AtomicUsize = AtomicUsize::new(0);

pub fn live_models() -> usize {
    LIVE_MODELS.load(Ordering::Relaxed)
}

/// What a [`Handle`] holds: a model's shared handles, and the runtime it runs on.
pub(in crate::web) trait Held: Clone {
    /// The runtime's state, to give pooled memory back when the model goes.
    fn runtime(&self) -> Rc<RefCell<State>>;
}

/// What a model object of the JS API holds until it is disposed or
/// collected: `T` is cheap to clone (shared handles), and every call takes
/// a clone with [`Handle::call`], so a call already running keeps the model
/// until it ends even if the page disposes of it meanwhile.
pub(in crate::web) struct Handle<T: Held> {
    inner: Option<T>,
    queue: Queue,
    /// The class name, for the Error of a call on a disposed model.
    kind: &'static str,
}

impl<T: Held> Handle<T> {
    pub fn new(kind: &'static str, inner: T) -> Handle<T> {
        LIVE_MODELS.fetch_add(1, Ordering::Relaxed);
        Handle {
            inner: Some(inner),
            queue: Queue::default(),
            kind,
        }
    }

    /// A call being made: the model and the call's place in the queue, or
    /// a readable Error if the page disposed of the model.
    pub fn call(&self, op: &'static str) -> Result<(T, Place), JsValue> {
        let inner = self.inner.clone().ok_or_else(|| {
            js_error(invalid(
                op,
                format!(
                    "this {} was disposed (dispose() frees it for good); make or load a new one.",
                    self.kind
                ),
            ))
        })?;
        Ok((inner, self.queue.join()))
    }

    /// Drop the model now (a call still running keeps its own handle until
    /// it ends), then free what the pools kept for its temporaries. Calling
    /// it twice does nothing.
    pub fn dispose(&mut self) {
        let Some(model) = self.inner.take() else { return };
        LIVE_MODELS.fetch_sub(1, Ordering::Relaxed);
        let runtime = model.runtime();
        drop(model);
        release_pooled_memory(&runtime);
    }
}

/// A model object the garbage collector collected goes as a disposed one does.
impl<T: Held> Drop for Handle<T> {
    fn drop(&mut self) {
        self.dispose();
    }
}

/// After a model went: free the buffers the pools keep for temporaries
/// (host and GPU; the next model sizes its own), and destroy the GPU
/// buffers let go so far instead of waiting for the browser to collect them.
fn release_pooled_memory(runtime: &RefCell<State>) {
    crate::device::tensor::clear_host_pool();
    if let Device::Gpu(gpu) = runtime.borrow().device() {
        gpu.trim();
    }
}

/// `handle.call(op)` inside a method returning a Promise: `(model, place)`,
/// or, for a disposed model, return a rejected Promise.
macro_rules! live {
    ($handle:expr, $op:expr) => {
        match $handle.call($op) {
            Ok(call) => call,
            Err(error) => return js_sys::Promise::reject(&error),
        }
    };
}
pub(crate) use live;

/// Wait for the next task of the event loop (a `setTimeout(0)`), so that
/// finalizers of collected objects can run.
pub(in crate::web) async fn yield_to_event_loop() {
    let promise = Promise::new(&mut |resolve, _| {
        let set_timeout = Reflect::get(&js_sys::global(), &"setTimeout".into()).ok();
        match set_timeout.and_then(|f| f.dyn_into::<js_sys::Function>().ok()) {
            Some(set_timeout) => {
                let _ = set_timeout.call2(&JsValue::UNDEFINED, &resolve, &JsValue::from(0));
            }
            None => {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// The most weight one object carries for the garbage collector.
const MAX_WEIGHT: usize = 64 << 20;

/// Build a model object: yield first (see the module docs), then `make`,
/// then give the new object a weight the garbage collector can see, four
/// times what `make` allocated.
pub(in crate::web) async fn build<M, F>(make: F) -> Result<JsValue, JsValue>
where
    M: Into<JsValue>,
    F: Future<Output = Result<M, JsValue>>,
{
    yield_to_event_loop().await;
    // Buffers pooled for the temporaries of models gone (see `device::tensor`).
    crate::device::tensor::clear_host_pool();
    let before = wasm_bytes_in_use();
    let model = make.await?;
    let weight = (4 * wasm_bytes_in_use().saturating_sub(before)).min(MAX_WEIGHT);
    let value: JsValue = model.into();
    if weight > 0 && value.is_object() {
        let descriptor = Object::new();
        let _ = Reflect::set(&descriptor, &"value".into(), &js_sys::ArrayBuffer::new(weight as u32));
        let _ = Reflect::set(&descriptor, &"enumerable".into(), &JsValue::FALSE);
        Object::define_property(value.unchecked_ref::<Object>(), &"gcWeight".into(), &descriptor);
    }
    Ok(value)
}
