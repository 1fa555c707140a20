//! Times the WGSL kernels natively through wgpu (Vulkan) and reports GFLOP/s,
//! and, given the GPU's fp32 peak, the fraction of it reached.
//!
//!   cargo bench --bench gpu_kernels                      # whatever adapter wgpu finds
//!   cargo bench --bench gpu_kernels -- --peak-tflops 67  # e.g. an H100/H200's fp32 peak
//!   cargo bench --bench gpu_kernels -- --quick           # small shapes only
//!
//! Every kernel's result is checked against the CPU reference before it is
//! timed (on sampled entries for the large matmuls). On a software adapter
//! (lavapipe, SwiftShader) the figures say nothing about GPU speed.

#[cfg(target_arch = "wasm32")]
fn main() {} // a native benchmark: nothing to run in wasm

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::time::Instant;

    use glassformer::device::gpu::Gpu;
    use glassformer::ops::attention::{self, AttentionShape, Mask};
    use glassformer::ops::attention_gpu;
    use glassformer::ops::matmul::{self, MatmulShape};
    use glassformer::Device;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn random(n: usize, seed: u64) -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n).map(|_| rng.random::<f32>() * 2.0 - 1.0).collect()
    }

    /// Median seconds of `runs` timings of `iterations` submissions each.
    fn time(gpu: &Gpu, iterations: usize, runs: usize, mut record: impl FnMut(&mut wgpu::CommandEncoder)) -> f64 {
        let sync = gpu.zeros(1);
        let mut samples = Vec::new();
        for _ in 0..runs {
            let start = Instant::now();
            for _ in 0..iterations {
                let mut encoder = gpu.encoder();
                record(&mut encoder);
                gpu.submit(encoder);
            }
            pollster::block_on(gpu.read(&sync)).expect("the GPU finished"); // waits for all submitted work
            samples.push(start.elapsed().as_secs_f64() / iterations as f64);
        }
        samples.sort_by(f64::total_cmp);
        samples[runs / 2]
    }

    fn report(name: &str, flop: f64, seconds: f64, peak_tflops: Option<f64>) {
        let gflops = flop / seconds / 1e9;
        let peak = peak_tflops.map_or(String::new(), |p| {
            format!("   {:5.1}% of {p} TFLOP/s fp32 peak", 100.0 * gflops / (p * 1e3))
        });
        println!("{name:<44} {:>9.3} ms {gflops:>10.1} GFLOP/s{peak}", seconds * 1e3);
    }

    fn bench_matmul(gpu: &Gpu, size: usize, peak: Option<f64>) {
        let (m, k, n) = (size, size, size);
        let (a, b) = (random(m * k, 1), random(k * n, 2));
        let (ga, gb, gc) = (gpu.upload(&a), gpu.upload(&b), gpu.zeros(m * n));
        let shape = MatmulShape {
            m,
            k,
            n,
            trans_a: false,
            trans_b: false,
        };
        let mut encoder = gpu.encoder();
        matmul::matmul_gpu(gpu, &mut encoder, gc.all(), ga.all(), gb.all(), None, shape, false).expect("valid shapes");
        gpu.submit(encoder);
        let c = pollster::block_on(gpu.read(&gc)).expect("read back");
        // Check 64 sampled entries against dot products computed in f64.
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..64 {
            let (i, j) = (rng.random_range(0..m), rng.random_range(0..n));
            let want: f64 = (0..k).map(|p| a[i * k + p] as f64 * b[p * n + j] as f64).sum();
            let got = c[i * n + j] as f64;
            assert!(
                (got - want).abs() <= 1e-3 * (k as f64).sqrt(),
                "matmul {size}³ entry ({i},{j}): got {got}, want {want}"
            );
        }
        let iterations = if size >= 1024 { 3 } else { 10 };
        let seconds = time(gpu, iterations, 3, |e| {
            matmul::matmul_gpu(gpu, e, gc.all(), ga.all(), gb.all(), None, shape, false).expect("valid shapes");
        });
        report(&format!("matmul {size}×{size}×{size}"), 2.0 * (m * k * n) as f64, seconds, peak);
    }

    fn bench_attention(gpu: &Gpu, shape: AttentionShape, peak: Option<f64>) {
        let AttentionShape { b, t, s, c, nh } = shape;
        let (q, k, v) = (random(b * t * c, 4), random(b * s * c, 5), random(b * s * c, 6));
        let (gq, gk, gv) = (gpu.upload(&q), gpu.upload(&k), gpu.upload(&v));
        let (gout, lse) = (gpu.zeros(b * t * c), gpu.zeros(b * nh * t));
        let mut encoder = gpu.encoder();
        attention_gpu::forward_gpu(
            gpu,
            &mut encoder,
            gout.all(),
            &lse,
            gq.all(),
            gk.all(),
            gv.all(),
            shape,
            Mask::causal(),
        )
        .expect("valid");
        gpu.submit(encoder);
        let got = pollster::block_on(gpu.read(&gout)).expect("read back");
        let (mut want, mut scores, mut weights) = (vec![0.0; b * t * c], vec![0.0; b * nh * t * s], vec![0.0; b * nh * t * s]);
        attention::forward(
            &Device::Cpu,
            &mut want,
            &mut scores,
            &mut weights,
            &q,
            &k,
            &v,
            shape,
            Mask::causal(),
        )
        .expect("valid");
        let worst = got.iter().zip(&want).map(|(g, w)| (g - w).abs()).fold(0.0f32, f32::max);
        assert!(worst < 1e-4, "attention: worst difference {worst}");
        let seconds = time(gpu, 5, 3, |e| {
            attention_gpu::forward_gpu(gpu, e, gout.all(), &lse, gq.all(), gk.all(), gv.all(), shape, Mask::causal()).expect("valid");
        });
        // QKᵀ and weights·V over the visible half of the (T × S) matrix: 2·2·B·NH·T·S·HS / 2.
        let flop = 2.0 * (b * nh * t * s * shape.hs()) as f64;
        report(
            &format!("attention fwd causal B={b} NH={nh} T={t} HS={}", shape.hs()),
            flop,
            seconds,
            peak,
        );
    }

    pub fn main() {
        let args: Vec<String> = std::env::args().collect();
        let peak = args
            .iter()
            .position(|a| a == "--peak-tflops")
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<f64>().ok());
        let quick = args.iter().any(|a| a == "--quick");
        let gpu = pollster::block_on(Gpu::new()).unwrap_or_else(|e| panic!("no GPU adapter: {e}"));
        println!("adapter: {}", gpu.adapter_name);
        let software = gpu.adapter_name.contains("llvmpipe") || gpu.adapter_name.contains("SwiftShader");
        if software {
            println!("note: a software adapter: the kernels run on the CPU, so these figures say nothing about GPU speed");
        }
        // 4096³ is 137 GFLOP: minutes per run on a software adapter, so only on real GPUs.
        let sizes: &[usize] = if quick {
            &[256, 512]
        } else if software {
            &[256, 1024]
        } else {
            &[256, 1024, 4096]
        };
        for &size in sizes {
            bench_matmul(&gpu, size, peak);
        }
        // Mesa's lavapipe ends any shader loop after 65 535 iterations in total,
        // which the attention kernel's inner loops pass at T = 512, HS = 64
        // (Chromium's WebGPU and real GPUs have no such limit): T = 256 there.
        let t = if quick {
            128
        } else if software {
            256
        } else {
            512
        };
        bench_attention(
            &gpu,
            AttentionShape {
                b: 8,
                t,
                s: t,
                c: 8 * 64,
                nh: 8,
            },
            peak,
        );
    }
}
