//! The SIMD CPU kernels against the scalar reference, on awkward sizes (1, 3,
//! 17, 63, 129) and every transposition. The packed matmul adds the same
//! products in the same order, so the plain build must agree bit for bit (the
//! fused multiply-add build rounds once per step instead of twice: to
//! rounding); the few-row dot products add by lanes, and they, attention,
//! softmax and `exp` take other paths to the same values and must agree to
//! rounding. Natively this runs the SSE path; inside Chromium the
//! wasm simd128 build, and `scripts/test.sh` runs this file once more in the
//! relaxed-SIMD (fused multiply-add) build.

mod common;
use common::assert_close;
use common::random_vec;
use glassformer::ops::adamw::{step_cpu, AdamWConfig};
use glassformer::ops::adamw_simd::step_simd;
use glassformer::ops::attention::{backward_cpu, forward_cpu, AttentionShape, Mask};
use glassformer::ops::attention_simd::{forward_fused, forward_simd, forward_weights};
use glassformer::ops::attention_simd_backward::backward_simd;
use glassformer::ops::matmul::{matmul_cpu, MatmulShape};
use glassformer::ops::matmul_simd::matmul_simd;
use glassformer::ops::matmul_thin::THIN_MAX_ROWS;
use glassformer::ops::simd::{F32x4, FUSED_MULTIPLY_ADD};
use glassformer::ops::softmax::softmax_row;
use glassformer::ops::softmax_simd::softmax_row_simd;
use glassformer::ops::{gelu, gelu_simd, layernorm, layernorm_simd};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// `forward_cpu` and `forward_simd`: (out, scores, weights, q, k, v, shape, mask).
type AttentionForward = fn(&mut [f32], &mut [f32], &mut [f32], &[f32], &[f32], &[f32], AttentionShape, Mask);

/// The plain build must equal the reference exactly; the fused one, and the
/// few-row dot products (`matmul_thin.rs`, which add by lanes), to rounding.
fn assert_matmul_agrees(what: &str, s: MatmulShape, got: &[f32], want: &[f32]) {
    if FUSED_MULTIPLY_ADD || (s.m <= THIN_MAX_ROWS && s.trans_b) {
        assert_close(what, got, want, 1e-5, 1e-5);
    } else {
        assert!(got == want, "{what} differs from the reference");
    }
}

/// `matmul_simd` against the reference on one size: every transposition, overwriting and accumulating.
fn check_matmul(m: usize, k: usize, n: usize, seed: &mut u64) {
    for (trans_a, trans_b) in [(false, false), (true, false), (false, true), (true, true)] {
        *seed += 1;
        let s = MatmulShape { m, k, n, trans_a, trans_b };
        let (a, b, c0) = (
            random_vec(m * k, 1.0, *seed),
            random_vec(k * n, 1.0, *seed + 7),
            random_vec(m * n, 1.0, *seed + 13),
        );
        for accumulate in [false, true] {
            let (mut want, mut got) = (c0.clone(), c0.clone());
            matmul_cpu(&mut want, &a, &b, s, accumulate);
            matmul_simd(&mut got, &a, &b, s, accumulate);
            assert_matmul_agrees(
                &format!("matmul {m}×{k}×{n} tA={trans_a} tB={trans_b} acc={accumulate}"),
                s,
                &got,
                &want,
            );
        }
    }
}

gf_test! {
    fn simd_matmul_equals_the_reference() {
        let sizes = [1usize, 3, 17, 63, 129];
        let mut seed = 0;
        for &m in &sizes {
            for &k in &sizes {
                for &n in &sizes {
                    check_matmul(m, k, n, &mut seed);
                }
            }
        }
    }

    fn thin_matmul_equals_the_reference() {
        // One to three rows take the unpacked path, four the packed one: both
        // sides of the switch, depths with and without a tail of four, widths
        // with and without a tail of 12 or 16 lines.
        let mut seed = 5000;
        for m in 1..=4usize {
            for k in [1usize, 4, 7, 33] {
                for n in [1usize, 8, 9, 16, 17, 40] {
                    check_matmul(m, k, n, &mut seed);
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
            assert_matmul_agrees(&format!("matmul {m}×{k}×{n}"), s, &got, &want);
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
                    // q·k summed in blocks: another order, the same value to rounding.
                    assert_close(&format!("{what} scores"), &got.1, &want.1, 1e-6, 1e-5);
                    assert_close(&format!("{what} weights"), &got.2, &want.2, 1e-6, 1e-5);
                    assert_close(&format!("{what} output"), &got.0, &want.0, 1e-6, 1e-5);
                    // The training forward: the same output and weights (stale values overwritten), no scores.
                    let (mut out, mut w) = (vec![f32::NAN; b * t * c], vec![f32::NAN; b * nh * t * s_len]);
                    forward_weights(&mut out, &mut w, &q, &k, &v, shape, mask);
                    assert_close(&format!("{what} training weights"), &w, &want.2, 1e-6, 1e-5);
                    assert_close(&format!("{what} training output"), &out, &want.0, 1e-6, 1e-5);
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

    fn simd_gelu_matches_the_reference() {
        for (seed, n) in [1usize, 3, 17, 63, 129].into_iter().enumerate() {
            // Wide enough to reach both flat ends of tanh.
            let (x, dout, dx0) = (random_vec(n, 12.0, seed as u64 + 40), random_vec(n, 1.0, seed as u64 + 41), random_vec(n, 1.0, seed as u64 + 42));
            let (mut want, mut got) = (vec![0.0; n], vec![f32::NAN; n]);
            gelu::forward_cpu(&mut want, &x);
            gelu_simd::forward_simd(&mut got, &x);
            assert_close(&format!("gelu of {n}"), &got, &want, 1e-6, 1e-5);
            let (mut want, mut got) = (dx0.clone(), dx0.clone());
            gelu::backward_cpu(&mut want, &dout, &x);
            gelu_simd::backward_simd(&mut got, &dout, &x);
            assert_close(&format!("gelu backward of {n}"), &got, &want, 1e-6, 1e-5);
        }
    }

    fn simd_layernorm_matches_the_reference() {
        for (seed, c) in [1usize, 3, 17, 63, 129].into_iter().enumerate() {
            let (n, seed) = (5, seed as u64 * 10 + 60);
            let x: Vec<f32> = random_vec(n * c, 3.0, seed).iter().map(|v| v + 2.0).collect();
            let (gamma, beta, dout) = (random_vec(c, 1.0, seed + 1), random_vec(c, 1.0, seed + 2), random_vec(n * c, 1.0, seed + 3));
            let (mut want, mut mean, mut rstd) = (vec![0.0; n * c], vec![0.0; n], vec![0.0; n]);
            layernorm::forward_cpu(&mut want, &mut mean, &mut rstd, &x, &gamma, &beta, c, layernorm::EPS);
            let (mut got, mut mean2, mut rstd2) = (vec![f32::NAN; n * c], vec![f32::NAN; n], vec![f32::NAN; n]);
            layernorm_simd::forward_simd(&mut got, &mut mean2, &mut rstd2, &x, &gamma, &beta, c, layernorm::EPS);
            assert_close(&format!("layernorm C={c}"), &got, &want, 1e-5, 1e-5);
            assert_close(&format!("layernorm C={c} mean"), &mean2, &mean, 1e-6, 1e-5);
            assert_close(&format!("layernorm C={c} rstd"), &rstd2, &rstd, 1e-6, 1e-4);
            let start = (random_vec(n * c, 1.0, seed + 4), random_vec(c, 1.0, seed + 5), random_vec(c, 1.0, seed + 6));
            let (mut dx, mut dgamma, mut dbeta) = start.clone();
            layernorm::backward_cpu(&mut dx, &mut dgamma, &mut dbeta, &dout, &x, &mean, &rstd, &gamma, c);
            let (mut dx2, mut dgamma2, mut dbeta2) = start;
            layernorm_simd::backward_simd(&mut dx2, &mut dgamma2, &mut dbeta2, &dout, &x, &mean, &rstd, &gamma, c);
            assert_close(&format!("layernorm C={c} dx"), &dx2, &dx, 1e-5, 1e-4);
            assert_close(&format!("layernorm C={c} dgamma"), &dgamma2, &dgamma, 1e-5, 1e-5);
            assert_close(&format!("layernorm C={c} dbeta"), &dbeta2, &dbeta, 1e-6, 1e-6);
        }
    }

    fn simd_adamw_equals_the_reference_bit_for_bit() {
        let cfg = AdamWConfig { lr: 0.01, weight_decay: 0.1, ..AdamWConfig::default() };
        for (seed, n) in [1usize, 3, 17, 63, 129].into_iter().enumerate() {
            let seed = seed as u64 * 10 + 80;
            let (params, grads) = (random_vec(n, 1.0, seed), random_vec(n, 1.0, seed + 1));
            let v0: Vec<f32> = random_vec(n, 0.01, seed + 3).iter().map(|x| x.abs()).collect();
            let mut want = (params.clone(), random_vec(n, 0.1, seed + 2), v0.clone());
            let mut got = want.clone();
            for step in 1..=3 {
                step_cpu(&mut want.0, &grads, &mut want.1, &mut want.2, step, &cfg, 0.7);
                step_simd(&mut got.0, &grads, &mut got.1, &mut got.2, step, &cfg, 0.7);
            }
            assert!(got == want, "adamw on {n} parameters differs from the reference");
        }
    }

    fn simd_attention_backward_matches_the_reference() {
        let mut seed = 700;
        // Around the blocks of 4 queries, 4 and 8 keys and 8 channels; GPT's training shape (T=64, HS=32) last.
        for (t, s_len, c, nh) in [
            (1usize, 1usize, 15usize, 3usize),
            (3, 3, 48, 1),
            (17, 17, 34, 2),
            (5, 63, 15, 3),
            (9, 13, 48, 1),
            (64, 64, 128, 4),
        ] {
            let b = 2;
            let lengths = [s_len, s_len.div_ceil(3)];
            let mut masks = vec![Mask::none(), Mask::key_padding(&lengths)];
            if s_len >= t {
                masks.push(Mask::causal());
                masks.push(Mask { causal: true, key_lengths: Some(&lengths) });
            }
            {
                for mask in masks {
                    seed += 1;
                    let shape = AttentionShape { b, t, s: s_len, c, nh };
                    let (q, k, v) = (random_vec(b * t * c, 1.0, seed), random_vec(b * s_len * c, 1.0, seed + 1), random_vec(b * s_len * c, 1.0, seed + 2));
                    let dout = random_vec(b * t * c, 1.0, seed + 3);
                    let (mut out, mut sc, mut w) = (vec![0.0; b * t * c], vec![0.0; b * nh * t * s_len], vec![0.0; b * nh * t * s_len]);
                    forward_cpu(&mut out, &mut sc, &mut w, &q, &k, &v, shape, mask);
                    // Start from non-zero gradients: both must accumulate.
                    let start = (random_vec(b * t * c, 1.0, seed + 4), random_vec(b * s_len * c, 1.0, seed + 5), random_vec(b * s_len * c, 1.0, seed + 6));
                    let (mut dq, mut dk, mut dv) = start.clone();
                    backward_cpu(&mut dq, &mut dk, &mut dv, &dout, &w, &q, &k, &v, shape);
                    let (mut dq2, mut dk2, mut dv2) = start;
                    backward_simd(&mut dq2, &mut dk2, &mut dv2, &dout, &w, &q, &k, &v, shape);
                    let what = format!("attention backward T={t} S={s_len} C={c} NH={nh} {mask:?}");
                    assert_close(&format!("{what} dq"), &dq2, &dq, 1e-5, 1e-5);
                    assert_close(&format!("{what} dk"), &dk2, &dk, 1e-5, 1e-5);
                    assert_close(&format!("{what} dv"), &dv2, &dv, 1e-5, 1e-5);
                }
            }
        }
    }

    fn cross_entropy_on_the_vector_softmax_matches_the_reference() {
        use glassformer::ops::cross_entropy::{forward, forward_cpu, IGNORE_INDEX};
        let (n, v) = (6, 37);
        let logits = random_vec(n * v, 8.0, 901);
        let targets = [3, IGNORE_INDEX, 0, 36, 17, 5];
        let (mut want_probs, mut got_probs) = (vec![0.0; n * v], vec![0.0; n * v]);
        for smoothing in [0.0, 0.1] {
            let want = forward_cpu(&mut want_probs, &logits, &targets, v, IGNORE_INDEX, smoothing);
            let got = forward(&glassformer::Device::Cpu, &mut got_probs, &logits, &targets, v, IGNORE_INDEX, smoothing).unwrap();
            assert_eq!(got.1, want.1);
            assert!((got.0 - want.0).abs() <= 1e-5 * want.0.abs(), "ε={smoothing}: loss {} vs {}", got.0, want.0);
            assert_close("cross-entropy probabilities", &got_probs, &want_probs, 1e-7, 1e-5);
        }
    }
}
