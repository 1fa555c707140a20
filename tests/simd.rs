//! The SIMD CPU kernels against the scalar reference, on awkward sizes (1, 3,
//! 17, 63, 129) and every transposition. The matmul adds the same products in
//! the same order, so the plain build must agree bit for bit (the fused
//! multiply-add build rounds once per step instead of twice: to rounding);
//! attention, softmax and `exp` take other paths to the same values and must
//! agree to rounding. Natively this runs the SSE path; inside Chromium the
//! wasm simd128 build, and `scripts/test.sh` runs this file once more in the
//! relaxed-SIMD (fused multiply-add) build.

mod common;
use common::assert_close;
use common::random_vec;
use glassformer::ops::attention::{forward_cpu, AttentionShape, Mask};
use glassformer::ops::attention_simd::{forward_fused, forward_simd};
use glassformer::ops::matmul::{matmul_cpu, MatmulShape};
use glassformer::ops::matmul_simd::matmul_simd;
use glassformer::ops::simd::{F32x4, FUSED_MULTIPLY_ADD};
use glassformer::ops::softmax::softmax_row;
use glassformer::ops::softmax_simd::softmax_row_simd;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// `forward_cpu` and `forward_simd`: (out, scores, weights, q, k, v, shape, mask).
type AttentionForward = fn(&mut [f32], &mut [f32], &mut [f32], &[f32], &[f32], &[f32], AttentionShape, Mask);

/// The plain build must equal the reference exactly; the fused one to rounding.
fn assert_matmul_agrees(what: &str, got: &[f32], want: &[f32]) {
    if FUSED_MULTIPLY_ADD {
        assert_close(what, got, want, 1e-5, 1e-5);
    } else {
        assert!(got == want, "{what} differs from the reference");
    }
}

gf_test! {
    fn simd_matmul_equals_the_reference() {
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
                            assert_matmul_agrees(&format!("matmul {m}×{k}×{n} tA={trans_a} tB={trans_b} acc={accumulate}"), &got, &want);
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
            assert_matmul_agrees(&format!("matmul {m}×{k}×{n}"), &got, &want);
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

    fn fused_attention_output_matches_the_reference() {
        // Query and key counts around the blocks of 8 queries and 4 keys;
        // head sizes around the blocks of 4 channels.
        let mut seed = 500;
        for (t, s_len) in [(1usize, 1usize), (3, 3), (17, 17), (9, 63), (63, 63), (8, 129)] {
            for (c, nh) in [(3usize, 1usize), (15, 3), (34, 2), (64, 2)] {
                let b = 2;
                let lengths = [s_len, s_len.div_ceil(3)];
                let mut masks = vec![Mask::none(), Mask::key_padding(&lengths)];
                if s_len >= t {
                    masks.push(Mask::causal());
                    masks.push(Mask { causal: true, key_lengths: Some(&lengths) });
                }
                for mask in masks {
                    seed += 1;
                    let shape = AttentionShape { b, t, s: s_len, c, nh };
                    let (q, k, v) = (random_vec(b * t * c, 2.0, seed), random_vec(b * s_len * c, 2.0, seed + 1), random_vec(b * s_len * c, 1.0, seed + 2));
                    let (mut want, mut sc, mut w) = (vec![0.0; b * t * c], vec![0.0; b * nh * t * s_len], vec![0.0; b * nh * t * s_len]);
                    forward_cpu(&mut want, &mut sc, &mut w, &q, &k, &v, shape, mask);
                    let mut got = vec![f32::NAN; b * t * c];
                    forward_fused(&mut got, &q, &k, &v, shape, mask);
                    assert_close(&format!("fused attention T={t} S={s_len} C={c} NH={nh} {mask:?}"), &got, &want, 1e-6, 1e-5);
                }
            }
        }
    }

    fn simd_softmax_matches_the_reference() {
        for (seed, len) in [1usize, 3, 4, 17, 63, 129].into_iter().enumerate() {
            let mut x = random_vec(len, 30.0, seed as u64 + 900);
            // Masked entries (−∞) must get exactly 0, as in the reference.
            for i in (0..len).step_by(3).skip(1) {
                x[i] = f32::NEG_INFINITY;
            }
            let (mut want, mut got) = (vec![0.0; len], vec![f32::NAN; len]);
            softmax_row(&mut want, &x);
            softmax_row_simd(&mut got, &x);
            assert_close(&format!("softmax of {len}"), &got, &want, 1e-7, 1e-6);
            for i in (0..len).step_by(3).skip(1) {
                assert!(got[i] == 0.0, "softmax of {len}: masked entry {i} got {}", got[i]);
            }
        }
        // A row with every entry masked gives zeros, not NaN.
        let mut got = vec![f32::NAN; 5];
        softmax_row_simd(&mut got, &[f32::NEG_INFINITY; 5]);
        assert!(got.iter().all(|&p| p == 0.0), "all-masked row: {got:?}");
    }

    fn simd_exp_is_within_a_few_ulp() {
        // Every 0.01 from −87 to 88, plus both ends and −∞.
        let xs: Vec<f32> = (-8700..=8800).map(|i| i as f32 * 0.01).chain([-87.3, 88.0, -100.0, f32::NEG_INFINITY]).collect();
        for x in xs {
            let mut lanes = [0.0f32; 4];
            F32x4::splat(x).exp().store(&mut lanes);
            let want = x.exp();
            if want < f32::MIN_POSITIVE {
                assert!(lanes[0] < 2.0 * f32::MIN_POSITIVE, "exp({x}) = {} for a result below the normal range", lanes[0]);
            } else {
                let ulp = f32::from_bits(want.to_bits() + 1) - want;
                assert!((lanes[0] - want).abs() <= 3.0 * ulp, "exp({x}) = {} want {want}", lanes[0]);
            }
        }
        let mut lanes = [1.0f32; 4];
        F32x4::splat(f32::NEG_INFINITY).exp().store(&mut lanes);
        assert_eq!(lanes, [0.0; 4], "exp(−∞) must be exactly 0");
    }

    fn the_build_runs_the_kernels_it_was_asked_for() {
        // scripts/test.sh sets GLASSFORMER_EXPECT_FUSED=1 when it builds this
        // file for relaxed SIMD: then the multiply-adds must really be fused.
        if option_env!("GLASSFORMER_EXPECT_FUSED") == Some("1") {
            assert!(std::hint::black_box(FUSED_MULTIPLY_ADD), "built for relaxed SIMD, but the kernels do not use fused multiply-add");
        }
    }
}
