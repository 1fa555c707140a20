//! Every op's backward pass against central finite differences.
//!
//! For an op `y = f(x, ...)` we pick random weights `G` of `y`'s shape and the
//! scalar loss `L = Σ y ⊙ G`, so `∂L/∂y = G`. Backward seeded with `dout = G`
//! must then agree with `(L(x + ε) − L(x − ε)) / 2ε`, element by element.
//! Shapes are tiny so each check perturbs every input.

mod common;
use common::{assert_close, numeric_grad, random_vec, weighted_sum};
use glassformer::ops::attention::{AttentionShape, Mask};
use glassformer::ops::matmul::MatmulShape;
use glassformer::ops::*;
use glassformer::Device;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const EPS: f32 = 1e-2;
const ATOL: f32 = 2e-3;
const RTOL: f32 = 1e-2;
const CPU: Device = Device::Cpu;

fn check(what: &str, analytic: &[f32], x: &[f32], loss: impl FnMut(&[f32]) -> f64) {
    let numeric = numeric_grad(x, EPS, loss);
    assert_close(what, analytic, &numeric, ATOL, RTOL);
}

fn transpose(x: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    (0..cols * rows).map(|i| x[(i % rows) * cols + i / rows]).collect()
}

fn matmul_case(trans_a: bool, trans_b: bool) {
    let s = MatmulShape {
        m: 3,
        k: 4,
        n: 5,
        trans_a,
        trans_b,
    };
    let (a, b, g) = (random_vec(12, 1.0, 1), random_vec(20, 1.0, 2), random_vec(15, 1.0, 3));
    let run = |a: &[f32], b: &[f32]| {
        let mut c = vec![0.0; 15];
        matmul::matmul(&CPU, &mut c, a, b, s, false).unwrap();
        weighted_sum(&c, &g)
    };
    // d op(A) = G · op(B)ᵀ  (M, K)   and   d op(B) = op(A)ᵀ · G  (K, N),
    // then transposed back when the operand is stored transposed.
    let (mut d_op_a, mut d_op_b) = (vec![0.0; 12], vec![0.0; 20]);
    matmul::matmul(
        &CPU,
        &mut d_op_a,
        &g,
        &b,
        MatmulShape {
            m: 3,
            k: 5,
            n: 4,
            trans_a: false,
            trans_b: !trans_b,
        },
        false,
    )
    .unwrap();
    matmul::matmul(
        &CPU,
        &mut d_op_b,
        &a,
        &g,
        MatmulShape {
            m: 4,
            k: 3,
            n: 5,
            trans_a: !trans_a,
            trans_b: false,
        },
        false,
    )
    .unwrap();
    let da = if trans_a { transpose(&d_op_a, 3, 4) } else { d_op_a };
    let db = if trans_b { transpose(&d_op_b, 4, 5) } else { d_op_b };
    check("matmul dA", &da, &a, |a| run(a, &b));
    check("matmul dB", &db, &b, |b| run(&a, b));
}

gf_test! {
    fn matmul_gradients_all_transposes() {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            matmul_case(ta, tb);
        }
    }

    fn linear_gradients() {
        let (n, c, oc) = (3, 4, 5);
        let (x, w, b, g) = (random_vec(n * c, 1.0, 4), random_vec(oc * c, 1.0, 5), random_vec(oc, 1.0, 6), random_vec(n * oc, 1.0, 7));
        let run = |x: &[f32], w: &[f32], b: &[f32]| {
            let mut out = vec![0.0; n * oc];
            matmul::linear_forward(&CPU, &mut out, x, w, Some(b), n, c, oc).unwrap();
            weighted_sum(&out, &g)
        };
        let (mut dx, mut dw, mut db) = (vec![0.0; n * c], vec![0.0; oc * c], vec![0.0; oc]);
        matmul::linear_backward(&CPU, &mut dx, &mut dw, Some(&mut db), &g, &x, &w, n, c, oc).unwrap();
        check("linear dx", &dx, &x, |x| run(x, &w, &b));
        check("linear dW", &dw, &w, |w| run(&x, w, &b));
        check("linear db", &db, &b, |b| run(&x, &w, b));
    }

    fn embedding_gradients() {
        let (v, c, b, t) = (5, 3, 2, 3);
        let tokens = [1u32, 4, 1, 0, 2, 1]; // token 1 three times: its gradient is a sum
        let (wte, wpe, g) = (random_vec(v * c, 1.0, 8), random_vec(4 * c, 1.0, 9), random_vec(b * t * c, 1.0, 10));
        let run = |wte: &[f32], wpe: &[f32]| {
            let mut out = vec![0.0; b * t * c];
            embedding::token_forward(&CPU, &mut out, &tokens, wte, v, c).unwrap();
            embedding::position_forward(&CPU, &mut out, wpe, b, t, c).unwrap();
            weighted_sum(&out, &g)
        };
        let (mut dwte, mut dwpe) = (vec![0.0; v * c], vec![0.0; 4 * c]);
        embedding::token_backward(&CPU, &mut dwte, &g, &tokens, v, c).unwrap();
        embedding::position_backward(&CPU, &mut dwpe, &g, b, t, c).unwrap();
        check("token embedding dwte", &dwte, &wte, |w| run(w, &wpe));
        check("position embedding dwpe", &dwpe, &wpe, |w| run(&wte, w));
    }

    fn sinusoidal_encoding_passes_gradient_through() {
        let (b, t, c) = (2, 3, 4);
        let (x, g) = (random_vec(b * t * c, 1.0, 11), random_vec(b * t * c, 1.0, 12));
        // backward of x + PE is the identity: dx = dout = G
        check("x + PE dx", &g, &x, |x| {
            let mut y = x.to_vec();
            positional::add_forward(&CPU, &mut y, b, t, c).unwrap();
            weighted_sum(&y, &g)
        });
    }

    fn layernorm_gradients() {
        let (n, c) = (3, 5);
        let (x, gamma, beta, g) = (random_vec(n * c, 2.0, 13), random_vec(c, 1.0, 14), random_vec(c, 1.0, 15), random_vec(n * c, 1.0, 16));
        let run = |x: &[f32], gamma: &[f32], beta: &[f32]| {
            let (mut out, mut mean, mut rstd) = (vec![0.0; n * c], vec![0.0; n], vec![0.0; n]);
            layernorm::forward(&CPU, &mut out, &mut mean, &mut rstd, x, gamma, beta, n, c, layernorm::EPS).unwrap();
            weighted_sum(&out, &g)
        };
        let (mut out, mut mean, mut rstd) = (vec![0.0; n * c], vec![0.0; n], vec![0.0; n]);
        layernorm::forward(&CPU, &mut out, &mut mean, &mut rstd, &x, &gamma, &beta, n, c, layernorm::EPS).unwrap();
        let (mut dx, mut dgamma, mut dbeta) = (vec![0.0; n * c], vec![0.0; c], vec![0.0; c]);
        layernorm::backward(&CPU, &mut dx, &mut dgamma, &mut dbeta, &g, &x, &mean, &rstd, &gamma, n, c).unwrap();
        check("layernorm dx", &dx, &x, |x| run(x, &gamma, &beta));
        check("layernorm dgamma", &dgamma, &gamma, |w| run(&x, w, &beta));
        check("layernorm dbeta", &dbeta, &beta, |w| run(&x, &gamma, w));
    }

    fn relu_and_gelu_gradients() {
        // ReLU's kink at 0 has no derivative: keep inputs at least 2ε away from it.
        let x: Vec<f32> = random_vec(12, 2.0, 17).into_iter().map(|v| if v.abs() < 0.05 { v + 0.1 } else { v }).collect();
        let g = random_vec(12, 1.0, 18);
        let mut dx = vec![0.0; 12];
        relu::backward(&CPU, &mut dx, &g, &x).unwrap();
        check("relu dx", &dx, &x, |x| {
            let mut y = vec![0.0; 12];
            relu::forward(&CPU, &mut y, x).unwrap();
            weighted_sum(&y, &g)
        });
        let mut dx = vec![0.0; 12];
        gelu::backward(&CPU, &mut dx, &g, &x).unwrap();
        check("gelu dx", &dx, &x, |x| {
            let mut y = vec![0.0; 12];
            gelu::forward(&CPU, &mut y, x).unwrap();
            weighted_sum(&y, &g)
        });
        let mut dx = vec![0.0; 12];
        gelu_exact::backward(&CPU, &mut dx, &g, &x).unwrap();
        check("gelu (exact) dx", &dx, &x, |x| {
            let mut y = vec![0.0; 12];
            gelu_exact::forward(&CPU, &mut y, x).unwrap();
            weighted_sum(&y, &g)
        });
    }

    fn softmax_gradients() {
        let (rows, cols) = (3, 4);
        let (x, g) = (random_vec(rows * cols, 2.0, 19), random_vec(rows * cols, 1.0, 20));
        let mut y = vec![0.0; rows * cols];
        softmax::forward(&CPU, &mut y, &x, rows, cols).unwrap();
        let mut dx = vec![0.0; rows * cols];
        softmax::backward(&CPU, &mut dx, &g, &y, rows, cols).unwrap();
        check("softmax dx", &dx, &x, |x| {
            let mut y = vec![0.0; rows * cols];
            softmax::forward(&CPU, &mut y, x, rows, cols).unwrap();
            weighted_sum(&y, &g)
        });
    }

    fn attention_gradients_every_mask_and_cross() {
        let lengths = [3usize, 2];
        let cases: [(&str, AttentionShape, Mask); 4] = [
            ("bidirectional", AttentionShape { b: 2, t: 3, s: 3, c: 4, nh: 2 }, Mask::none()),
            ("causal", AttentionShape { b: 2, t: 3, s: 3, c: 4, nh: 2 }, Mask::causal()),
            ("key padding", AttentionShape { b: 2, t: 3, s: 3, c: 4, nh: 2 }, Mask::key_padding(&lengths)),
            ("cross S≠T", AttentionShape { b: 2, t: 2, s: 3, c: 4, nh: 2 }, Mask::none()),
        ];
        for (name, shape, mask) in cases {
            let AttentionShape { b, t, s, c, nh } = shape;
            let (q, k, v) = (random_vec(b * t * c, 1.0, 21), random_vec(b * s * c, 1.0, 22), random_vec(b * s * c, 1.0, 23));
            let g = random_vec(b * t * c, 1.0, 24);
            let forward = |q: &[f32], k: &[f32], v: &[f32]| {
                let (mut out, mut sc, mut w) = (vec![0.0; b * t * c], vec![0.0; b * nh * t * s], vec![0.0; b * nh * t * s]);
                attention::forward(&CPU, &mut out, &mut sc, &mut w, q, k, v, shape, mask).unwrap();
                (out, w)
            };
            let (_, weights) = forward(&q, &k, &v);
            let (mut dq, mut dk, mut dv) = (vec![0.0; q.len()], vec![0.0; k.len()], vec![0.0; v.len()]);
            attention::backward(&CPU, &mut dq, &mut dk, &mut dv, &g, &weights, &q, &k, &v, shape).unwrap();
            check(&format!("attention {name} dq"), &dq, &q, |q| weighted_sum(&forward(q, &k, &v).0, &g));
            check(&format!("attention {name} dk"), &dk, &k, |k| weighted_sum(&forward(&q, k, &v).0, &g));
            check(&format!("attention {name} dv"), &dv, &v, |v| weighted_sum(&forward(&q, &k, v).0, &g));
        }
    }

    fn residual_and_dropout_gradients() {
        let (a, b, g) = (random_vec(8, 1.0, 25), random_vec(8, 1.0, 26), random_vec(8, 1.0, 27));
        let (mut da, mut db) = (vec![0.0; 8], vec![0.0; 8]);
        residual::backward(&CPU, &mut da, &mut db, &g).unwrap();
        let run = |a: &[f32], b: &[f32]| {
            let mut out = vec![0.0; 8];
            residual::forward(&CPU, &mut out, a, b).unwrap();
            weighted_sum(&out, &g)
        };
        check("residual da", &da, &a, |a| run(a, &b));
        check("residual db", &db, &b, |b| run(&a, b));

        // A fixed seed draws the same mask on every call, so dropout is a
        // fixed linear map that finite differences can probe.
        let dropout_run = |x: &[f32]| {
            let (mut out, mut mask) = (vec![0.0; 8], vec![0.0; 8]);
            dropout::forward(&CPU, &mut out, &mut mask, x, 0.5, 42, true).unwrap();
            (weighted_sum(&out, &g), mask)
        };
        let (_, mask) = dropout_run(&a);
        let mut dx = vec![0.0; 8];
        dropout::backward(&CPU, &mut dx, &g, &mask).unwrap();
        check("dropout dx", &dx, &a, |x| dropout_run(x).0);
    }

    fn cross_entropy_gradients_with_ignore_index() {
        let (n, v) = (4, 5);
        let targets = [2, cross_entropy::IGNORE_INDEX, 0, 4];
        let logits = random_vec(n * v, 2.0, 28);
        // Plain, and with label smoothing ε = 0.2.
        for smoothing in [0.0, 0.2] {
            let mut probs = vec![0.0; n * v];
            cross_entropy::forward(&CPU, &mut probs, &logits, &targets, v, cross_entropy::IGNORE_INDEX, smoothing).unwrap();
            let mut dlogits = vec![0.0; n * v];
            cross_entropy::backward(&CPU, &mut dlogits, &probs, &targets, v, cross_entropy::IGNORE_INDEX, smoothing).unwrap();
            assert!(dlogits[v..2 * v].iter().all(|&d| d == 0.0), "an ignored row must get no gradient");
            check(&format!("cross_entropy ε={smoothing} dlogits"), &dlogits, &logits, |z| {
                let mut p = vec![0.0; n * v];
                cross_entropy::forward(&CPU, &mut p, z, &targets, v, cross_entropy::IGNORE_INDEX, smoothing)
                    .unwrap()
                    .0 as f64
            });
        }
    }
}
