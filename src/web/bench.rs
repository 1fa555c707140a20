//! `runtime.benchmark(kind, options)`: time one kernel on the runtime's
//! backend, after checking its result against the CPU reference. Used by
//! `www/bench.html`; on a software WebGPU adapter the times say nothing about
//! GPU speed, only that the kernels run and agree.

use js_sys::Promise;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::convert::{js_error, options, to_js};
use super::runtime::Runtime;
use crate::device::gpu::Gpu;
use crate::device::Device;
use crate::error::{invalid, Result};
use crate::ops::attention::{self, AttentionShape, Mask};
use crate::ops::attention_gpu;
use crate::ops::matmul::{self, MatmulShape};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BenchOptions {
    /// matmul: M = K = N = size.
    #[serde(default)]
    size: usize,
    /// attention: batch, heads, length, head size.
    #[serde(default)]
    batch: usize,
    #[serde(default)]
    heads: usize,
    #[serde(default)]
    length: usize,
    #[serde(default)]
    head_size: usize,
    #[serde(default = "three")]
    iterations: usize,
}

fn three() -> usize {
    3
}

fn random(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| rng.random::<f32>() * 2.0 - 1.0).collect()
}

/// Milliseconds from the page's high-resolution clock.
pub(super) fn now_ms() -> f64 {
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).unwrap_or(JsValue::UNDEFINED);
    let now = js_sys::Reflect::get(&performance, &"now".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    now.and_then(|f| f.call0(&performance).ok())
        .and_then(|v| v.as_f64())
        .unwrap_or_else(js_sys::Date::now)
}

fn worst_difference(got: &[f32], want: &[f32]) -> f32 {
    got.iter().zip(want).map(|(g, w)| (g - w).abs()).fold(0.0, f32::max)
}

/// One kernel, `iterations` times on the GPU, the last result read back.
async fn matmul_on_gpu(gpu: &Gpu, a: &[f32], b: &[f32], shape: MatmulShape, iterations: usize) -> Result<(Vec<f32>, f64)> {
    let (ga, gb, gc) = (gpu.upload(a), gpu.upload(b), gpu.zeros(shape.m * shape.n));
    let run = |times: usize| -> Result<()> {
        for _ in 0..times {
            gpu.record(|e| matmul::matmul_gpu(gpu, e, gc.all(), ga.all(), gb.all(), None, shape, false))?;
            gpu.flush();
        }
        Ok(())
    };
    run(1)?; // compile the pipeline and warm up
    gpu.read(&gc).await?;
    let start = now_ms();
    run(iterations)?;
    let c = gpu.read(&gc).await?;
    Ok((c, (now_ms() - start) / iterations as f64))
}

async fn attention_on_gpu(gpu: &Gpu, q: &[f32], k: &[f32], v: &[f32], shape: AttentionShape, iterations: usize) -> Result<(Vec<f32>, f64)> {
    let (gq, gk, gv) = (gpu.upload(q), gpu.upload(k), gpu.upload(v));
    let (out, lse) = (gpu.zeros(shape.b * shape.t * shape.c), gpu.zeros(shape.b * shape.nh * shape.t));
    let run = |times: usize| -> Result<()> {
        for _ in 0..times {
            gpu.record(|e| attention_gpu::forward_gpu(gpu, e, out.all(), &lse, gq.all(), gk.all(), gv.all(), shape, Mask::causal()))?;
            gpu.flush();
        }
        Ok(())
    };
    run(1)?;
    gpu.read(&out).await?;
    let start = now_ms();
    run(iterations)?;
    let result = gpu.read(&out).await?;
    Ok((result, (now_ms() - start) / iterations as f64))
}

/// Time `work` on the CPU: the mean of `iterations` runs after a first one.
fn on_cpu<T>(iterations: usize, mut work: impl FnMut() -> Result<T>) -> Result<(T, f64)> {
    let first = work()?;
    let start = now_ms();
    for _ in 0..iterations {
        work()?;
    }
    Ok((first, (now_ms() - start) / iterations as f64))
}

/// `benchmark` → { name, backend, ms, gflops, maxError }.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Timing {
    name: String,
    backend: &'static str,
    ms: f64,
    gflops: f64,
    /// The largest difference from the CPU reference.
    max_error: f32,
}

async fn benchmark(device: Device, kind: String, opts: BenchOptions) -> Result<JsValue> {
    const OP: &str = "benchmark";
    let iterations = opts.iterations.clamp(1, 100);
    let (name, flop, got, want, ms) = match kind.as_str() {
        "matmul" => {
            let size = opts.size;
            if !(1..=4096).contains(&size) {
                return Err(invalid(OP, format!("matmul size {size} must be in 1..=4096.")));
            }
            let shape = MatmulShape {
                m: size,
                k: size,
                n: size,
                trans_a: false,
                trans_b: false,
            };
            let (a, b) = (random(size * size, 1), random(size * size, 2));
            // The CPU backend runs the packed SIMD kernel; the reference is the textbook loop.
            let fast = || -> Result<Vec<f32>> {
                let mut c = vec![0.0; size * size];
                matmul::matmul(&Device::Cpu, &mut c, &a, &b, shape, false)?;
                Ok(c)
            };
            let mut reference = vec![0.0; size * size];
            matmul::matmul_cpu(&mut reference, &a, &b, shape, false);
            let (got, ms) = match &device {
                Device::Gpu(gpu) => matmul_on_gpu(gpu, &a, &b, shape, iterations).await?,
                Device::Cpu => on_cpu(iterations, fast)?,
            };
            (
                format!("matmul {size}×{size}×{size}"),
                2.0 * (size as f64).powi(3),
                got,
                reference,
                ms,
            )
        }
        "attention" => {
            let (b, nh, t, hs) = (opts.batch, opts.heads, opts.length, opts.head_size);
            if b == 0 || nh == 0 || t == 0 || hs == 0 || b * nh * t * t > 1 << 24 {
                return Err(invalid(
                    OP,
                    "attention needs batch, heads, length and headSize ≥ 1, with batch·heads·length² ≤ 16M.",
                ));
            }
            let shape = AttentionShape {
                b,
                t,
                s: t,
                c: nh * hs,
                nh,
            };
            let (q, k, v) = (random(b * t * nh * hs, 3), random(b * t * nh * hs, 4), random(b * t * nh * hs, 5));
            let reference = || -> Result<Vec<f32>> {
                let (mut out, mut scores, mut weights) = (vec![0.0; b * t * nh * hs], vec![0.0; b * nh * t * t], vec![0.0; b * nh * t * t]);
                attention::forward(&Device::Cpu, &mut out, &mut scores, &mut weights, &q, &k, &v, shape, Mask::causal())?;
                Ok(out)
            };
            // The CPU times the fused output-only kernel, as the GPU times its flash-style forward.
            let fused = || -> Result<Vec<f32>> {
                let mut out = vec![0.0; b * t * nh * hs];
                attention::forward_output(&Device::Cpu, &mut out, &q, &k, &v, shape, Mask::causal())?;
                Ok(out)
            };
            let (got, ms) = match &device {
                Device::Gpu(gpu) => attention_on_gpu(gpu, &q, &k, &v, shape, iterations).await?,
                Device::Cpu => on_cpu(iterations, fused)?,
            };
            // QKᵀ and weights·V over the visible half of the matrix.
            let flop = 2.0 * (b * nh * t * t * hs) as f64;
            (
                format!("attention fwd causal B={b} NH={nh} T={t} HS={hs}"),
                flop,
                got,
                reference()?,
                ms,
            )
        }
        other => return Err(invalid(OP, format!("unknown kernel {other:?}; use \"matmul\" or \"attention\"."))),
    };
    to_js(&Timing {
        name,
        backend: device.name(),
        ms,
        gflops: flop / (ms / 1e3) / 1e9,
        max_error: worst_difference(&got, &want),
    })
}

#[wasm_bindgen]
impl Runtime {
    /// Time one kernel on this runtime's backend, checked against the CPU
    /// reference first → Promise<{ name, backend, ms, gflops, maxError }>.
    /// `kind`: "matmul" ({ size }) or "attention" ({ batch, heads, length, headSize }).
    pub fn benchmark(&self, kind: String, options_object: JsValue) -> Promise {
        let device = self.current_device();
        let opts = options("benchmark", options_object);
        future_to_promise(async move {
            let opts = opts?;
            benchmark(device, kind, opts).await.map_err(js_error)
        })
    }
}
