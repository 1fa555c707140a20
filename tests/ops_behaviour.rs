//! What the ops must do beyond having the right gradients: stay finite at
//! extreme inputs, respect masks exactly, match numbers worked by hand, and
//! refuse bad shapes with a message that names the op.

mod common;
use common::{assert_close, random_vec};
use glassformer::ops::adamw::{self, AdamWConfig};
use glassformer::ops::attention::{AttentionShape, Mask};
use glassformer::ops::matmul::MatmulShape;
use glassformer::ops::*;
use glassformer::{Device, Error};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const CPU: Device = Device::Cpu;

/// Run attention and return `(out, scores, weights)`.
fn attend(q: &[f32], k: &[f32], v: &[f32], shape: AttentionShape, mask: Mask) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let AttentionShape { b, t, s, c, nh } = shape;
    let (mut out, mut sc, mut w) = (vec![0.0; b * t * c], vec![0.0; b * nh * t * s], vec![0.0; b * nh * t * s]);
    attention::forward(&CPU, &mut out, &mut sc, &mut w, q, k, v, shape, mask).unwrap();
    (out, sc, w)
}

gf_test! {
    fn softmax_is_stable_at_huge_logits() {
        let x = [1e4f32, -1e4, 0.0, 1e4 - 1.0, -1e4, 1e4, 3.0, -3.0];
        let mut y = vec![0.0; 8];
        softmax::forward(&CPU, &mut y, &x, 2, 4).unwrap();
        assert!(y.iter().all(|v| v.is_finite()), "softmax produced {y:?}");
        // e^0 / (e^0 + e^-1) and e^-1 / (e^0 + e^-1); the −1e4 and 0 terms vanish.
        assert_close("row 0", &y[..4], &[0.731_058_6, 0.0, 0.0, 0.268_941_4], 1e-6, 1e-5);
        assert_close("row 1", &y[4..], &[0.0, 1.0, 0.0, 0.0], 1e-6, 0.0);
        let mut probs = vec![0.0; 8];
        let (loss, _) = cross_entropy::forward(&CPU, &mut probs, &x, &[1, 0], 4, cross_entropy::IGNORE_INDEX, 0.0).unwrap();
        assert!(loss.is_finite() && loss > 1e4, "the loss of a −1e4 logit is about 2e4, got {loss}");
    }

    fn label_smoothing_on_a_worked_example() {
        // logits [0, ln 3] → p = [0.25, 0.75]; target 1 with ε = 0.2 → q = [0.1, 0.9]:
        // loss = −(0.1·ln 0.25 + 0.9·ln 0.75) = 0.397 543, gradient p − q = [0.15, −0.15].
        let logits = [0.0, 3f32.ln()];
        let mut probs = vec![0.0; 2];
        let (loss, _) = cross_entropy::forward(&CPU, &mut probs, &logits, &[1], 2, cross_entropy::IGNORE_INDEX, 0.2).unwrap();
        assert!((loss - 0.397_543).abs() < 1e-5, "{loss}");
        let mut d = vec![0.0; 2];
        cross_entropy::backward(&CPU, &mut d, &probs, &[1], 2, cross_entropy::IGNORE_INDEX, 0.2).unwrap();
        assert_close("p − q", &d, &[0.15, -0.15], 1e-6, 1e-5);
        let bad = cross_entropy::forward(&CPU, &mut probs, &logits, &[1], 2, cross_entropy::IGNORE_INDEX, 1.0).unwrap_err();
        assert!(bad.to_string().contains("label smoothing 1 must be in [0, 1)"), "{bad}");
    }

    fn softmax_matches_worked_example() {
        let mut y = vec![0.0; 3];
        softmax::forward(&CPU, &mut y, &[1.0, 2.0, 3.0], 1, 3).unwrap();
        assert_close("softmax([1,2,3])", &y, &[0.090_030_57, 0.244_728_47, 0.665_240_94], 1e-7, 1e-6);
    }

    fn gelu_exact_and_tanh_forms_on_worked_values() {
        // x·Φ(x) with Φ from tables: Φ(1) = 0.841 344 7, Φ(−1) = 0.158 655 3, Φ(3) = 0.998 650 1.
        let x = [0.0, 1.0, -1.0, 3.0];
        let mut exact = vec![0.0; 4];
        gelu_exact::forward(&CPU, &mut exact, &x).unwrap();
        assert_close("exact GELU", &exact, &[0.0, 0.841_344_7, -0.158_655_3, 2.995_950_3], 1e-7, 1e-6);
        // The tanh form is close (GPT-2's) but not equal: 1e-4 off at x = 1, which a
        // 12-layer BERT would carry into every hidden state.
        let mut tanh_form = vec![0.0; 4];
        gelu::forward(&CPU, &mut tanh_form, &x).unwrap();
        assert!((tanh_form[1] - exact[1]).abs() > 1e-4, "tanh {} vs exact {}", tanh_form[1], exact[1]);
        assert!((tanh_form[1] - exact[1]).abs() < 1e-3);
    }

    fn layernorm_eps_is_the_layers_own() {
        // A row of nearly equal values: σ² = 1e-8, so ε = 1e-5 squashes it and ε = 1e-12 does not.
        let x = [1.0, 1.0002, 1.0, 1.0002];
        let (gamma, beta) = ([1.0; 4], [0.0; 4]);
        let (mut mean, mut rstd) = ([0.0], [0.0]);
        let mut out = [0.0; 4];
        layernorm::forward(&CPU, &mut out, &mut mean, &mut rstd, &x, &gamma, &beta, 1, 4, 1e-12).unwrap();
        assert_close("ε = 1e-12", &out, &[-1.0, 1.0, -1.0, 1.0], 1e-3, 1e-3);
        layernorm::forward(&CPU, &mut out, &mut mean, &mut rstd, &x, &gamma, &beta, 1, 4, layernorm::EPS).unwrap();
        assert!(out[1] < 0.04, "ε = 1e-5 keeps the row near 0, got {out:?}");
    }

    fn causal_attention_never_sees_the_future() {
        let shape = AttentionShape { b: 1, t: 5, s: 5, c: 4, nh: 2 };
        let (q, k, v) = (random_vec(20, 1.0, 1), random_vec(20, 1.0, 2), random_vec(20, 1.0, 3));
        let (out, _, weights) = attend(&q, &k, &v, shape, Mask::causal());
        // Change the last token's query, key and value.
        let (mut q2, mut k2, mut v2) = (q.clone(), k.clone(), v.clone());
        for i in 16..20 {
            q2[i] += 3.0;
            k2[i] -= 2.0;
            v2[i] *= -5.0;
        }
        let (out2, _, _) = attend(&q2, &k2, &v2, shape, Mask::causal());
        assert_eq!(&out[..16], &out2[..16], "outputs before the changed token must be bit-identical");
        assert_ne!(&out[16..], &out2[16..]);
        // Above the diagonal every weight is exactly zero.
        for h in 0..2 {
            for t in 0..5 {
                for s in t + 1..5 {
                    assert_eq!(weights[(h * 5 + t) * 5 + s], 0.0);
                }
            }
        }
    }

    fn key_padding_ignores_padded_keys() {
        let shape = AttentionShape { b: 2, t: 3, s: 4, c: 4, nh: 2 };
        let lengths = [2usize, 4];
        let (q, k, v) = (random_vec(24, 1.0, 4), random_vec(32, 1.0, 5), random_vec(32, 1.0, 6));
        let (out, _, weights) = attend(&q, &k, &v, shape, Mask::key_padding(&lengths));
        // Garbage in the padding of sequence 0 (keys 2 and 3) changes nothing.
        let (mut k2, mut v2) = (k.clone(), v.clone());
        for i in 8..16 {
            k2[i] = 100.0;
            v2[i] = -100.0;
        }
        let (out2, _, _) = attend(&q, &k2, &v2, shape, Mask::key_padding(&lengths));
        assert_eq!(out, out2);
        for h in 0..2 {
            for t in 0..3 {
                let row = &weights[(h * 3 + t) * 4..][..4];
                assert_eq!(&row[2..], &[0.0, 0.0]);
                assert!((row[0] + row[1] - 1.0).abs() < 1e-6);
            }
        }
    }

    fn cross_attention_with_different_lengths() {
        // 2 decoder queries look at 5 encoder positions.
        let shape = AttentionShape { b: 1, t: 2, s: 5, c: 4, nh: 1 };
        let (q, k) = (random_vec(8, 1.0, 7), random_vec(20, 1.0, 8));
        // Values are one-hot rows scaled by position, so out = Σ weight·v is readable.
        let v: Vec<f32> = (0..5).flat_map(|s| [s as f32, 1.0, 0.0, 0.0]).collect();
        let (out, scores, weights) = attend(&q, &k, &v, shape, Mask::none());
        assert_eq!((scores.len(), weights.len(), out.len()), (10, 10, 8));
        for t in 0..2 {
            let row = &weights[t * 5..(t + 1) * 5];
            let expected_first: f32 = row.iter().enumerate().map(|(s, w)| s as f32 * w).sum();
            assert!((out[t * 4] - expected_first).abs() < 1e-6);
            assert!((out[t * 4 + 1] - 1.0).abs() < 1e-6, "weights of a row sum to 1");
        }
    }

    fn thinking_machines_worked_by_hand() {
        // The course's example: two tokens, d_model = d_k = 4, one head.
        //   x₁ (Thinking) = [1, 0, 1, 0]      x₂ (Machines) = [0, 1, 0, 1]
        // Each projection picks rows of its matrix: x₁ sums rows 0 and 2,
        // x₂ sums rows 1 and 3.
        //   W_Q rows [1,0,1,0] [0,1,0,1] [1,1,0,0] [0,0,1,1] → q₁ = [2,1,1,0]  q₂ = [0,1,1,2]
        //   W_K rows [1,1,0,0] [1,0,0,1] [0,1,1,0] [0,0,1,1] → k₁ = [1,2,1,0]  k₂ = [1,0,1,2]
        //   W_V rows [1,2,0,0] [0,0,1,2] [2,0,0,1] [0,1,2,0] → v₁ = [3,2,0,1]  v₂ = [0,1,3,2]
        // Scores q·k: q₁·k₁ = 2+2+1+0 = 5, q₁·k₂ = 2+0+1+0 = 3, q₂·k₁ = 3, q₂·k₂ = 0+0+1+4 = 5.
        // ÷ √d_k = ÷ 2 → [2.5, 1.5] and [1.5, 2.5].
        // softmax([2.5, 1.5]) = [e/(e+1), 1/(e+1)] = [0.731059, 0.268941].
        // z₁ = 0.731059·v₁ + 0.268941·v₂ = [2.193177, 1.731059, 0.806824, 1.268941]
        // z₂ = 0.268941·v₁ + 0.731059·v₂ = [0.806824, 1.268941, 2.193177, 1.731059]
        let x = [1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0];
        let w_q = [1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0];
        let w_k = [1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0];
        let w_v = [1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 2.0, 0.0, 0.0, 1.0, 0.0, 1.0, 2.0, 0.0];
        let project = |w: &[f32]| {
            let mut out = vec![0.0; 8];
            matmul::matmul(&CPU, &mut out, &x, w, MatmulShape { m: 2, k: 4, n: 4, trans_a: false, trans_b: false }, false).unwrap();
            out
        };
        let (q, k, v) = (project(&w_q), project(&w_k), project(&w_v));
        assert_eq!(q, [2.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 2.0]);
        assert_eq!(k, [1.0, 2.0, 1.0, 0.0, 1.0, 0.0, 1.0, 2.0]);
        assert_eq!(v, [3.0, 2.0, 0.0, 1.0, 0.0, 1.0, 3.0, 2.0]);
        let (z, scores, weights) = attend(&q, &k, &v, AttentionShape { b: 1, t: 2, s: 2, c: 4, nh: 1 }, Mask::none());
        assert_eq!(scores, [2.5, 1.5, 1.5, 2.5]);
        assert_close("weights", &weights, &[0.731_059, 0.268_941, 0.268_941, 0.731_059], 1e-6, 0.0);
        assert_close(
            "z",
            &z,
            &[2.193_177, 1.731_059, 0.806_824, 1.268_941, 0.806_824, 1.268_941, 2.193_177, 1.731_059],
            1e-5,
            0.0,
        );
    }

    fn positional_encoding_matches_formula() {
        let pe = positional::table(&CPU, 3, 4).unwrap();
        // pos 0: sin 0, cos 0 per pair; pos 1: [sin 1, cos 1, sin 0.01, cos 0.01]
        assert_close("pos 0", &pe[..4], &[0.0, 1.0, 0.0, 1.0], 0.0, 0.0);
        assert_close("pos 1", &pe[4..8], &[1f32.sin(), 1f32.cos(), 0.01f32.sin(), 0.01f32.cos()], 1e-7, 1e-6);
        assert_close("pos 2", &pe[8..], &[2f32.sin(), 2f32.cos(), 0.02f32.sin(), 0.02f32.cos()], 1e-7, 1e-6);
    }

    fn adamw_matches_a_step_worked_by_hand() {
        // lr 0.1, β₁ 0.9, β₂ 0.999, ε 1e-8, λ 0.01, θ = [1, −2], g = [0.5, 0.1], step 1:
        // m = 0.1·g, v = 0.001·g², m̂ = g, v̂ = g², so m̂/(√v̂+ε) = sign(g) = 1 (up to ε).
        // θ₀ = 1 − 0.1·(1 + 0.01·1)     = 0.899
        // θ₁ = −2 − 0.1·(1 + 0.01·(−2)) = −2.098
        let cfg = AdamWConfig { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01, max_grad_norm: None };
        let (mut theta, grads) = (vec![1.0f32, -2.0], vec![0.5f32, 0.1]);
        let (mut m, mut v) = (vec![0.0; 2], vec![0.0; 2]);
        adamw::step(&CPU, &mut theta, &grads, &mut m, &mut v, 1, &cfg, 1.0).unwrap();
        assert_close("θ", &theta, &[0.899, -2.098], 1e-6, 0.0);
        assert_close("m", &m, &[0.05, 0.01], 1e-7, 0.0);
        assert_close("v", &v, &[0.00025, 0.00001], 1e-9, 1e-5);
        // Clipping: ‖[3, 4]‖ = 5, clipped to 1 → every gradient × 0.2.
        let norm = adamw::global_norm(&CPU, &[3.0, 4.0]).unwrap();
        assert_eq!(norm, 5.0);
        assert_eq!(adamw::clip_scale(norm, Some(1.0)), 0.2);
        assert_eq!(adamw::clip_scale(norm, Some(10.0)), 1.0);
    }

    fn dropout_is_seeded_and_off_in_evaluation() {
        let x = random_vec(1000, 1.0, 9);
        let (mut out1, mut mask1, mut out2, mut mask2) = (vec![0.0; 1000], vec![0.0; 1000], vec![0.0; 1000], vec![0.0; 1000]);
        dropout::forward(&CPU, &mut out1, &mut mask1, &x, 0.25, 7, true).unwrap();
        dropout::forward(&CPU, &mut out2, &mut mask2, &x, 0.25, 7, true).unwrap();
        assert_eq!(out1, out2, "same seed, same mask");
        let dropped = mask1.iter().filter(|&&m| m == 0.0).count();
        assert!((200..300).contains(&dropped), "about 25% dropped, got {dropped}/1000");
        assert!(mask1.iter().all(|&m| m == 0.0 || (m - 1.0 / 0.75).abs() < 1e-6));
        dropout::forward(&CPU, &mut out1, &mut mask1, &x, 0.25, 7, false).unwrap();
        assert_eq!(out1, x, "evaluation mode leaves values untouched");
    }

    fn bad_shapes_name_the_op() {
        let mut out = vec![0.0; 6];
        let err = matmul::matmul(&CPU, &mut out, &[0.0; 5], &[0.0; 6], MatmulShape { m: 2, k: 3, n: 3, trans_a: false, trans_b: false }, false)
            .unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("matmul: A has shape 5 values, expected (M=2, K=3) = 6 values"), "{text}");

        let shape = AttentionShape { b: 1, t: 2, s: 2, c: 6, nh: 4 };
        let text = shape.validate("attention").unwrap_err().to_string();
        assert!(text.contains("heads=4 does not divide the width C=6"), "{text}");
        let shape = AttentionShape { b: 1, t: 2, s: 2, c: 4, nh: 0 };
        assert!(matches!(shape.validate("attention"), Err(Error::InvalidArgument { op: "attention", .. })));

        let mut emb = vec![0.0; 4];
        let text = embedding::token_forward(&CPU, &mut emb, &[0, 9], &[0.0; 6], 3, 2).unwrap_err().to_string();
        assert!(text.contains("token id 9 at position 1 is outside the vocabulary (size V=3)"), "{text}");

        let mut y = vec![0.0; 2];
        let mut mask = vec![0.0; 2];
        let msg = dropout::forward(&CPU, &mut y, &mut mask, &[1.0, 2.0], 1.0, 0, true).unwrap_err().to_string();
        assert!(msg.starts_with("dropout: p=1 must be in [0, 1)"), "{msg}");
        let mut probs = vec![0.0; 3];
        let text = cross_entropy::forward(&CPU, &mut probs, &[0.0; 3], &[5], 3, -100, 0.0).unwrap_err().to_string();
        assert!(text.starts_with("cross_entropy: target 5"), "{text}");
    }
}
