//! The SIMD CPU kernels against the scalar reference, on awkward sizes (1, 3,
//! 17, 63, 129) and every transposition. They add the same products in the
//! same order, so they must agree bit for bit. Natively this runs the SSE
//! path, inside Chromium the wasm simd128 one.

mod common;
use common::random_vec;
use glassformer::ops::matmul::{matmul_cpu, MatmulShape};
use glassformer::ops::matmul_simd::matmul_simd;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

gf_test! {
    fn simd_matmul_equals_the_reference_bit_for_bit() {
        let sizes = [1usize, 3, 17, 63, 129];
        let mut seed = 0;
        for &m in &sizes {
            for &k in &sizes {
                for &n in &sizes {
                    for (trans_a, trans_b) in [(false, false), (true, false), (false, true), (true, true)] {
                        seed += 1;
                        let s = MatmulShape { m, k, n, trans_a, trans_b };
                        let (a, b, c0) = (random_vec(m * k, 1.0, seed), random_vec(k * n, 1.0, seed + 7), random_vec(m * n, 1.0, seed + 13));
                        for accumulate in [false, true] {
                            let (mut want, mut got) = (c0.clone(), c0.clone());
                            matmul_cpu(&mut want, &a, &b, s, accumulate);
                            matmul_simd(&mut got, &a, &b, s, accumulate);
                            assert!(got == want, "matmul {m}×{k}×{n} tA={trans_a} tB={trans_b} acc={accumulate} differs from the reference");
                        }
                    }
                }
            }
        }
    }

    fn simd_matmul_on_the_transformer_shapes() {
        // (B·T = 96) × 128 × 512 and back, as in a feed-forward layer.
        for (m, k, n, trans_b) in [(96usize, 128usize, 512usize, true), (96, 512, 128, true), (128, 96, 512, false)] {
            let s = MatmulShape { m, k, n, trans_a: false, trans_b };
            let (a, b) = (random_vec(m * k, 1.0, 1), random_vec(k * n, 1.0, 2));
            let (mut want, mut got) = (vec![0.0; m * n], vec![0.0; m * n]);
            matmul_cpu(&mut want, &a, &b, s, false);
            matmul_simd(&mut got, &a, &b, s, false);
            assert!(got == want, "matmul {m}×{k}×{n}");
        }
    }
}
