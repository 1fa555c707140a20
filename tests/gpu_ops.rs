//! The WGSL kernels against the CPU reference, natively through `wgpu`
//! (on CI: Vulkan on Mesa's lavapipe). Random inputs and awkward shapes;
//! on failure the worst element is printed.
//!
//! A machine with no adapter at all fails these tests loudly rather than
//! skipping them: the kernels must be checked on every run.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::{assert_close, random_vec};
use glassformer::device::gpu::Gpu;
use glassformer::ops::matmul::{self, MatmulShape};

fn gpu() -> Gpu {
    let gpu = pollster::block_on(Gpu::new()).unwrap_or_else(|e| panic!("the GPU tests need an adapter: {e}"));
    eprintln!("GPU tests on {}", gpu.adapter_name);
    gpu
}

#[test]
fn matmul_matches_reference_on_awkward_shapes() {
    let gpu = gpu();
    let mut seed = 0;
    for (m, k, n) in [(1, 1, 1), (7, 33, 5), (65, 48, 129), (128, 64, 64), (3, 130, 67)] {
        for (trans_a, trans_b) in [(false, false), (true, false), (false, true), (true, true)] {
            for (with_bias, accumulate) in [(false, false), (true, true)] {
                seed += 1;
                let s = MatmulShape { m, k, n, trans_a, trans_b };
                let (a, b, bias, c0) = (
                    random_vec(m * k, 1.0, seed),
                    random_vec(k * n, 1.0, seed + 100),
                    random_vec(n, 1.0, seed + 200),
                    random_vec(m * n, 1.0, seed + 300),
                );
                // Reference.
                let mut want = if accumulate { c0.clone() } else { vec![0.0; m * n] };
                matmul::matmul_cpu(&mut want, &a, &b, s, accumulate);
                if with_bias {
                    for row in want.chunks_exact_mut(n) {
                        row.iter_mut().zip(&bias).for_each(|(w, b)| *w += b);
                    }
                }
                // GPU, with A and the bias placed at offsets inside larger buffers.
                let mut a_padded = vec![9.0; 3];
                a_padded.extend(&a);
                let mut b_and_bias = b.clone();
                b_and_bias.extend(&bias);
                let (ga, gb, gc) = (gpu.upload(&a_padded), gpu.upload(&b_and_bias), gpu.upload(&c0));
                let mut encoder = gpu.encoder();
                let bias_slice = with_bias.then(|| gb.range(k * n, n));
                matmul::matmul_gpu(
                    &gpu,
                    &mut encoder,
                    gc.all(),
                    ga.range(3, m * k),
                    gb.range(0, k * n),
                    bias_slice,
                    s,
                    accumulate,
                )
                .unwrap();
                gpu.submit(encoder);
                let got = pollster::block_on(gpu.read(&gc)).unwrap();
                // Sums of k products in another order: relative error grows like √k·ε.
                assert_close(
                    &format!("matmul {m}×{k}×{n} tA={trans_a} tB={trans_b} bias={with_bias}"),
                    &got,
                    &want,
                    1e-5,
                    1e-4,
                );
            }
        }
    }
}
