//! The GPU backend: WebGPU through `wgpu` (the browser's WebGPU on wasm,
//! Vulkan natively — on machines without a GPU, Mesa's CPU driver lavapipe).
//!
//! The WebGPU vocabulary, in the order a program meets it:
//!
//! - **Adapter**: one physical (or software) GPU that the browser or driver
//!   offers. We ask for one and read its name and limits.
//! - **Device**: our private, logical connection to the adapter. Every buffer
//!   and pipeline belongs to a device; if the device is *lost* (driver reset,
//!   `device.destroy()`), everything on it is gone.
//! - **Queue**: where finished command buffers are submitted; the GPU runs
//!   them in order, asynchronously from the CPU.
//! - **Storage buffer**: a plain array of bytes on the GPU that kernels read
//!   and write (`var<storage, read_write> x: array<f32>` in WGSL).
//! - **Uniform buffer**: a small read-only struct of parameters (sizes,
//!   offsets, flags) shared by every invocation of a kernel.
//! - **Shader module / compute pipeline**: WGSL source compiled once, and one
//!   entry point of it ready to run. Compiling is slow, so pipelines are cached.
//! - **Bind group**: the list of buffers plugged into a pipeline's numbered
//!   `@binding(i)` slots for one dispatch.
//! - **Workgroup**: invocations that run together, share `var<workgroup>`
//!   memory and can wait for each other (`workgroupBarrier()`). A dispatch
//!   launches a grid of workgroups.
//! - **Command encoder**: records dispatches and copies; nothing runs until
//!   the finished command buffer is submitted to the queue. A training step
//!   records all its kernels into one encoder.
//! - **mapAsync**: the only way to read a buffer back on the CPU: copy it to a
//!   mappable staging buffer, ask for it to be mapped, and wait (on the web,
//!   for a Promise) until the GPU has finished.
//!
//! Two kinds of reuse keep a training step from allocating: every
//! dispatch's uniforms take a slot of one shared ring ([`Gpu::dispatch`]),
//! and temporaries come from a pool of freed buffers ([`Gpu::scratch`]).
//!
//! Conventions for kernels: binding 0 is the uniform parameters, the other
//! bindings are storage buffers, named in each `.wgsl` file's header. One
//! file holds an op's forward and backward entry points; each entry point
//! uses the subset of bindings it needs, and the launcher passes exactly
//! those as `(binding, buffer)` pairs. Buffers are bound whole and every tensor is addressed by an element
//! offset carried in the uniforms, so one flat parameter buffer can feed a
//! weight and its bias to the same kernel without alignment rules.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use super::buffer::{Allocation, Ledger, Pool};
pub use super::buffer::{GpuBuffer, GpuSlice};

use crate::error::{Error, Result};

/// A WGSL entry point: which file, its source, and which function.
#[derive(Debug, Clone, Copy)]
pub struct Kernel {
    /// The WGSL file, e.g. `"matmul.wgsl"` (also the module cache key).
    pub file: &'static str,
    pub source: &'static str,
    /// The `@compute` function to run.
    pub entry: &'static str,
}

/// A connected GPU: device, queue, and compiled kernels.
pub struct Gpu {
    /// Adapter name and driver, shown on the page.
    pub adapter_name: String,
    /// A software renderer (SwiftShader, llvmpipe/lavapipe, WARP): the
    /// "GPU" runs on the CPU, slower than our own CPU kernels.
    pub software: bool,
    device: wgpu::Device,
    queue: wgpu::Queue,
    modules: RefCell<HashMap<&'static str, wgpu::ShaderModule>>,
    pipelines: RefCell<HashMap<(&'static str, &'static str), wgpu::ComputePipeline>>,
    /// The first validation or out-of-memory error the device reported.
    error: Arc<Mutex<Option<String>>>,
    /// Set when the device is lost; every later call fails with this reason.
    lost: Arc<Mutex<Option<String>>>,
    /// Work recorded by [`Gpu::record`] and not yet submitted: a whole
    /// training step accumulates here and goes to the queue in one piece.
    pending: RefCell<Option<wgpu::CommandEncoder>>,
    /// The uniform ring and its next free offset (see [`Gpu::uniform_slot`]).
    uniforms: RefCell<Option<(wgpu::Buffer, u64)>>,
    /// Freed scratch buffers (see [`Gpu::scratch`]).
    pool: Rc<RefCell<Pool>>,
    /// Storage buffers alive and let go (see [`Ledger`]).
    ledger: Rc<Ledger>,
}

/// Bytes per dispatch's uniforms: WebGPU's required alignment of uniform
/// binding offsets (`minUniformBufferOffsetAlignment` is at most 256).
const UNIFORM_SLOT: u64 = 256;
/// Bytes per uniform ring: 256 dispatches.
const UNIFORM_RING: u64 = 256 * UNIFORM_SLOT;

impl std::fmt::Debug for Gpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gpu").field("adapter_name", &self.adapter_name).finish()
    }
}

impl Gpu {
    /// The most f32 values one buffer may hold and a kernel may bind: the
    /// smaller of the device's buffer-size and storage-binding limits (WebGPU's
    /// default binding limit is 128 MiB; adapters often give more).
    pub fn max_buffer_values(&self) -> usize {
        let limits = self.device.limits();
        (limits.max_buffer_size.min(limits.max_storage_buffer_binding_size) / 4) as usize
    }

    /// Find an adapter and open a device on it.
    pub async fn new() -> Result<Gpu> {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle());
        let options = wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            ..Default::default()
        };
        let adapter = instance.request_adapter(&options).await.map_err(|e| {
            Error::Backend(format!(
                "WebGPU: no GPU adapter was found ({e}). In a browser, use one with WebGPU enabled; natively, install a Vulkan driver (on Debian: mesa-vulkan-drivers)."
            ))
        })?;
        let info = adapter.get_info();
        let descriptor = wgpu::DeviceDescriptor {
            label: Some("glassformer"),
            // Ask for the adapter's own limits: bigger buffers than the defaults.
            required_limits: adapter.limits(),
            ..Default::default()
        };
        let (device, queue) = adapter
            .request_device(&descriptor)
            .await
            .map_err(|e| Error::Backend(format!("WebGPU: the adapter {:?} refused a device: {e}.", info.name)))?;
        let error = Arc::new(Mutex::new(None));
        let error_slot = Arc::clone(&error);
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            let mut slot = error_slot.lock().unwrap_or_else(|p| p.into_inner());
            slot.get_or_insert_with(|| e.to_string());
        }));
        let lost = Arc::new(Mutex::new(None));
        let lost_slot = Arc::clone(&lost);
        device.set_device_lost_callback(move |reason, message| {
            *lost_slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(format!("{reason:?}: {message}"));
        });
        Ok(Gpu {
            adapter_name: describe_adapter(&info),
            software: is_software(&info),
            device,
            queue,
            modules: RefCell::new(HashMap::new()),
            pipelines: RefCell::new(HashMap::new()),
            error,
            lost,
            pending: RefCell::new(None),
            uniforms: RefCell::new(None),
            pool: Rc::new(RefCell::new(Pool::default())),
            ledger: Rc::new(Ledger::default()),
        })
    }

    /// Fail if the device was lost or reported an error since the last check.
    pub fn check(&self) -> Result<()> {
        if let Some(reason) = self.lost.lock().unwrap_or_else(|p| p.into_inner()).clone() {
            return Err(Error::Backend(format!("WebGPU: the GPU device was lost ({reason}).")));
        }
        if let Some(message) = self.error.lock().unwrap_or_else(|p| p.into_inner()).take() {
            return Err(Error::Backend(format!("WebGPU: the GPU reported an error: {message}")));
        }
        Ok(())
    }

    /// Destroy the device (as a driver reset would); for testing recovery.
    pub fn destroy(&self) {
        self.mark_lost("destroyed on request");
        self.device.destroy();
    }

    /// Has the device been lost (destroyed, reset, or failing to map buffers)?
    pub fn is_lost(&self) -> bool {
        self.lost.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    fn mark_lost(&self, reason: &str) {
        self.lost
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert_with(|| reason.to_string());
    }

    /// A new GPU buffer holding `data`. (Written through the queue rather
    /// than mapped at creation, which cannot fail loudly on a lost device.)
    pub fn upload(&self, data: &[f32]) -> GpuBuffer {
        let buffer = self.zeros(data.len());
        if !data.is_empty() {
            self.queue.write_buffer(&buffer.buffer, 0, bytemuck::cast_slice(data));
        }
        buffer
    }

    /// A new GPU buffer holding 32-bit unsigned integers (token ids, lengths).
    /// It is a [`GpuBuffer`] too: `len` counts 32-bit values either way.
    pub fn upload_u32(&self, data: &[u32]) -> GpuBuffer {
        let bits: Vec<f32> = data.iter().map(|&v| f32::from_bits(v)).collect();
        self.upload(&bits)
    }

    /// A new GPU buffer of `len` zeros.
    pub fn zeros(&self, len: usize) -> GpuBuffer {
        let buffer = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: None,
            size: (len.max(1) * 4) as u64,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false, // new buffers are zero-filled by WebGPU
        });
        GpuBuffer {
            buffer: Rc::new(Allocation::new(buffer, &self.ledger)),
            len,
            pool: None,
        }
    }

    /// Bytes of the storage buffers alive now (tensors, and freed ones the pool keeps).
    pub fn held_bytes(&self) -> u64 {
        self.ledger.held_bytes()
    }

    /// `len` zeros for work recorded with [`Gpu::record`]: a freed buffer of
    /// the same size when the pool has one, cleared by a command recorded in
    /// the pending encoder — so after any earlier use of it there, and before
    /// any later one. (Work recorded into other encoders must use
    /// [`Gpu::zeros`].) The buffer returns to the pool when dropped.
    pub fn scratch(&self, len: usize) -> GpuBuffer {
        let size = (len.max(1) * 4) as u64;
        let reused = self.pool.borrow_mut().take(size);
        let buffer = match (reused, self.pending.try_borrow_mut()) {
            (Some(buffer), Ok(mut pending)) => {
                pending.get_or_insert_with(|| self.encoder()).clear_buffer(&buffer, 0, None);
                buffer
            }
            _ => Rc::clone(&self.zeros(len).buffer),
        };
        GpuBuffer {
            buffer,
            len,
            pool: Some(Rc::downgrade(&self.pool)),
        }
    }

    /// Destroy the freed buffers waiting in the pool and those let go (when a
    /// model goes: its temporaries' sizes will not be asked for again).
    pub fn trim(&self) {
        self.pool.borrow_mut().clear();
        self.flush();
    }

    /// Bytes of freed buffers waiting in the pool.
    pub fn pooled_bytes(&self) -> u64 {
        self.pool.borrow().bytes
    }

    /// Overwrite a buffer's contents from the CPU.
    pub fn write(&self, buffer: &GpuBuffer, data: &[f32]) {
        self.queue.write_buffer(&buffer.buffer, 0, bytemuck::cast_slice(data));
    }

    /// A command encoder: record kernels into it, then [`Gpu::submit`] it.
    pub fn encoder(&self) -> wgpu::CommandEncoder {
        self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None })
    }

    /// Send recorded work to the GPU. It runs asynchronously.
    pub fn submit(&self, encoder: wgpu::CommandEncoder) {
        self.queue.submit([encoder.finish()]);
        // Buffers let go may still be named by the pending encoder's work: only once it is empty.
        if self.pending.try_borrow().is_ok_and(|pending| pending.is_none()) {
            self.ledger.destroy_released();
        }
    }

    /// Record work into the pending command encoder (created on first use).
    /// Nothing runs until [`Gpu::flush`], which [`Gpu::read`] calls. On a
    /// lost device nothing is recorded and the error says so.
    pub fn record<T>(&self, work: impl FnOnce(&mut wgpu::CommandEncoder) -> Result<T>) -> Result<T> {
        if let Some(reason) = self.lost.lock().unwrap_or_else(|p| p.into_inner()).clone() {
            return Err(Error::Backend(format!("WebGPU: the GPU device was lost ({reason}).")));
        }
        let mut pending = self.pending.borrow_mut();
        let encoder = pending.get_or_insert_with(|| self.encoder());
        work(encoder)
    }

    /// Submit the pending encoder, if any work was recorded.
    pub fn flush(&self) {
        let pending = self.pending.borrow_mut().take();
        if let Some(encoder) = pending {
            self.queue.submit([encoder.finish()]);
        }
        self.ledger.destroy_released();
    }

    /// Record `buffer ← 0` into an encoder (e.g. zeroing gradients each step).
    pub fn clear(&self, encoder: &mut wgpu::CommandEncoder, buffer: &GpuBuffer) {
        encoder.clear_buffer(&buffer.buffer, 0, None);
    }

    /// Copy a buffer back to the CPU, waiting for the GPU to finish.
    pub async fn read(&self, buffer: &GpuBuffer) -> Result<Vec<f32>> {
        self.flush();
        self.check()?;
        let size = (buffer.len.max(1) * 4) as u64;
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut encoder = self.encoder();
        encoder.copy_buffer_to_buffer(&buffer.buffer, 0, &staging, 0, size);
        self.submit(encoder);
        let (sender, receiver) = futures_channel::oneshot::channel();
        staging.slice(..).map_async(wgpu::MapMode::Read, move |result| {
            let _ = sender.send(result);
        });
        // Natively nothing runs the callback unless we wait on the device;
        // in the browser the event loop does it while we await.
        #[cfg(not(target_arch = "wasm32"))]
        let _ = self.device.poll(wgpu::PollType::wait_indefinitely());
        let mapped = receiver
            .await
            .map_err(|_| Error::Backend("WebGPU: reading a buffer back was cancelled.".into()))?;
        self.check()?;
        // Mapping a buffer we just created fails only when the device is gone:
        // say so at once, even before the browser's lost notification arrives.
        mapped.map_err(|e| {
            self.mark_lost(&format!("mapping failed: {e}"));
            Error::Backend(format!("WebGPU: the GPU device was lost (reading a buffer back failed: {e})."))
        })?;
        let values = {
            let view = staging
                .get_mapped_range(..)
                .map_err(|e| Error::Backend(format!("WebGPU: could not view a mapped buffer: {e}.")))?;
            bytemuck::cast_slice::<u8, f32>(&view)[..buffer.len].to_vec()
        };
        staging.unmap();
        Ok(values)
    }

    /// A free slot for one dispatch's uniforms: the next 256 bytes of the
    /// current uniform ring, or the start of a fresh ring when it is full.
    /// Slots are never reused (a slot written again before its command buffer
    /// ran would change what that dispatch sees); full rings are dropped and
    /// freed once the GPU is done with them. So a training step allocates one
    /// small buffer for hundreds of dispatches, not one per dispatch.
    fn uniform_slot(&self) -> (wgpu::Buffer, u64) {
        let new_ring = || {
            self.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("uniforms"),
                size: UNIFORM_RING,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        };
        let mut ring = self.uniforms.borrow_mut();
        let (buffer, next) = ring.get_or_insert_with(|| (new_ring(), 0));
        if *next + UNIFORM_SLOT > UNIFORM_RING {
            *buffer = new_ring();
            *next = 0;
        }
        let offset = *next;
        *next += UNIFORM_SLOT;
        (buffer.clone(), offset)
    }

    /// The compiled pipeline for a kernel, compiling it on first use.
    fn pipeline(&self, kernel: &Kernel) -> wgpu::ComputePipeline {
        if let Some(pipeline) = self.pipelines.borrow().get(&(kernel.file, kernel.entry)) {
            return pipeline.clone();
        }
        let mut modules = self.modules.borrow_mut();
        let module = modules.entry(kernel.file).or_insert_with(|| {
            self.device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(kernel.file),
                source: wgpu::ShaderSource::Wgsl(kernel.source.into()),
            })
        });
        let pipeline = self.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(kernel.entry),
            layout: None, // derived from the WGSL bindings
            module,
            entry_point: Some(kernel.entry),
            compilation_options: Default::default(),
            cache: None,
        });
        self.pipelines.borrow_mut().insert((kernel.file, kernel.entry), pipeline.clone());
        pipeline
    }

    /// Record one kernel launch: `uniforms` (as 32-bit words) at binding 0,
    /// each `(binding, buffer)` pair, and a grid of `groups` workgroups.
    pub fn dispatch(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        kernel: &Kernel,
        uniforms: &[u32],
        buffers: &[(u32, &GpuBuffer)],
        groups: [u32; 3],
    ) {
        let pipeline = self.pipeline(kernel);
        // Uniform buffers are read in 16-byte rows: pad to a multiple of 4 words.
        let mut words = uniforms.to_vec();
        words.resize(uniforms.len().div_ceil(4).max(1) * 4, 0);
        let (ring, offset) = self.uniform_slot();
        self.queue.write_buffer(&ring, offset, bytemuck::cast_slice(&words));
        let params = wgpu::BufferBinding {
            buffer: &ring,
            offset,
            size: std::num::NonZeroU64::new((words.len() * 4) as u64),
        };
        let mut entries = vec![wgpu::BindGroupEntry {
            binding: 0,
            resource: wgpu::BindingResource::Buffer(params),
        }];
        for &(binding, buffer) in buffers {
            entries.push(wgpu::BindGroupEntry {
                binding,
                resource: buffer.buffer.as_entire_binding(),
            });
        }
        let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(kernel.entry),
            layout: &pipeline.get_bind_group_layout(0),
            entries: &entries,
        });
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some(kernel.entry),
            timestamp_writes: None,
        });
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups(groups[0], groups[1], groups[2]);
    }
}

/// "llvmpipe (Vulkan, Mesa 22.3.6)"; browsers often hide the adapter's name.
/// Is this adapter a CPU pretending to be a GPU? WebGPU says so for its
/// fallback adapters (wgpu maps `isFallbackAdapter` to `DeviceType::Cpu`,
/// as Vulkan reports lavapipe); the names catch the software renderers a
/// browser may offer as its only adapter without saying.
fn is_software(info: &wgpu::AdapterInfo) -> bool {
    let name = info.name.to_ascii_lowercase();
    info.device_type == wgpu::DeviceType::Cpu
        || ["swiftshader", "llvmpipe", "lavapipe", "basic render"]
            .iter()
            .any(|s| name.contains(s))
}

fn describe_adapter(info: &wgpu::AdapterInfo) -> String {
    if info.name.is_empty() {
        return "the browser's WebGPU adapter".to_string();
    }
    let details: Vec<String> = [format!("{:?}", info.backend), info.driver_info.clone()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    format!("{} ({})", info.name, details.join(", "))
}

/// Workgroups for `n` invocations of a 1-D kernel with `size` per group,
/// folded into two dimensions because one dimension stops at 65 535 groups.
/// Kernels rebuild the index as `id.x + id.y · (groups.x · size)`.
pub fn grid_1d(n: usize, size: u32) -> [u32; 3] {
    let groups = (n.max(1) as u32).div_ceil(size);
    let x = groups.min(65_535);
    [x, groups.div_ceil(x), 1]
}
