//! The SIMD CPU kernels against the scalar reference, on awkward sizes (1, 3,
//! 17, 63, 129) and every transposition. The matmul adds the same products in
//! the same order, so it must agree bit for bit; attention sums its dot
//! products in four lanes and must agree to rounding. Natively this runs the SSE
//! path, inside Chromium the wasm simd128 one.

mod common;
use common::assert_close;
use common::random_vec;
use glassformer::ops::attention::{forward_cpu, AttentionShape, Mask};
use glassformer::ops::attention_simd::forward_simd;
use glassformer::ops::matmul::{matmul_cpu, MatmulShape};
use glassformer::ops::matmul_simd::matmul_simd;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// `forward_cpu` and `forward_simd`: (out, scores, weights, q, k, v, shape, mask).
type AttentionForward = fn(&mut [f32], &mut [f32], &mut [f32], &[f32], &[f32], &[f32], AttentionShape, Mask);

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

    fn simd_attention_matches_the_reference() {
        // Head sizes with and without a tail past the last group of four.
        let mut seed = 100;
        for (t, s_len) in [(1usize, 1usize), (3, 3), (17, 17), (5, 63)] {
            for (c, nh) in [(15usize, 3usize), (48, 1), (8, 2)] {
                let b = 2;
                let lengths = [s_len, s_len.div_ceil(2)];
                let causal_ok = s_len >= t;
                for mask in [Mask::none(), Mask::key_padding(&lengths), if causal_ok { Mask::causal() } else { Mask::none() }] {
                    seed += 1;
                    let shape = AttentionShape { b, t, s: s_len, c, nh };
                    let (q, k, v) = (random_vec(b * t * c, 1.0, seed), random_vec(b * s_len * c, 1.0, seed + 1), random_vec(b * s_len * c, 1.0, seed + 2));
                    let run = |f: AttentionForward| {
                        let (mut out, mut sc, mut w) = (vec![0.0; b * t * c], vec![0.0; b * nh * t * s_len], vec![0.0; b * nh * t * s_len]);
                        f(&mut out, &mut sc, &mut w, &q, &k, &v, shape, mask);
                        (out, sc, w)
                    };
                    let (want, got) = (run(forward_cpu), run(forward_simd));
                    let what = format!("attention T={t} S={s_len} C={c} NH={nh} {mask:?}");
                    // q·k summed in four lanes: another order, the same value to rounding.
                    assert_close(&format!("{what} scores"), &got.1, &want.1, 1e-6, 1e-5);
                    assert_close(&format!("{what} weights"), &got.2, &want.2, 1e-6, 1e-5);
                    assert_close(&format!("{what} output"), &got.0, &want.0, 1e-6, 1e-5);
                }
            }
        }
    }
}
