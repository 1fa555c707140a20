//! The `threads` feature: the matmul and the attention kernels share their work
//! out over a thread pool, and must give exactly what one thread gives (each
//! output is computed by the same instructions in the same order, only on
//! another thread). Native only here; the threaded wasm build is checked
//! end to end in Chromium (`e2e/threads.test.mjs`).
#![cfg(all(feature = "threads", not(target_arch = "wasm32")))]

mod common;
use common::random_vec;
use glassformer::ops::attention::{AttentionShape, Mask};
use glassformer::ops::attention_simd::{forward_fused, forward_simd};
use glassformer::ops::attention_simd_backward::backward_simd;
use glassformer::ops::matmul::MatmulShape;
use glassformer::ops::matmul_simd::matmul_simd;

fn on_threads<T: Send>(threads: usize, work: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(work)
}

#[test]
fn threaded_matmul_equals_one_thread() {
    // All above the size where the matmul starts to share out its rows.
    for (m, k, n, trans_a, trans_b) in [
        (600usize, 257usize, 260usize, false, false),
        (300, 600, 201, true, true),
        (768, 128, 512, false, true),
    ] {
        let s = MatmulShape { m, k, n, trans_a, trans_b };
        let (a, b) = (random_vec(m * k, 1.0, 1), random_vec(k * n, 1.0, 2));
        let run = |threads| {
            on_threads(threads, || {
                let mut c = vec![0.0; m * n];
                matmul_simd(&mut c, &a, &b, s, false);
                c
            })
        };
        assert!(run(3) == run(1), "matmul {m}×{k}×{n}: threaded result differs from one thread");
    }
}

#[test]
fn threaded_fused_attention_equals_one_thread() {
    let (b, t, c, nh) = (5usize, 67usize, 96usize, 3usize);
    let shape = AttentionShape { b, t, s: t, c, nh };
    let (q, k, v) = (
        random_vec(b * t * c, 1.0, 3),
        random_vec(b * t * c, 1.0, 4),
        random_vec(b * t * c, 1.0, 5),
    );
    for mask in [Mask::none(), Mask::causal()] {
        let run = |threads| {
            on_threads(threads, || {
                let mut out = vec![0.0; b * t * c];
                forward_fused(&mut out, &q, &k, &v, shape, mask);
                out
            })
        };
        assert!(run(3) == run(1), "attention {mask:?}: threaded result differs from one thread");
    }
}

#[test]
fn threaded_training_attention_equals_one_thread() {
    // The forward that keeps its weights and the backward, shared out by batch item.
    let (b, t, c, nh) = (4usize, 70usize, 96usize, 3usize);
    let shape = AttentionShape { b, t, s: t, c, nh };
    let n = b * t * c;
    let (q, k, v, dout) = (
        random_vec(n, 1.0, 6),
        random_vec(n, 1.0, 7),
        random_vec(n, 1.0, 8),
        random_vec(n, 1.0, 9),
    );
    let run = |threads| {
        on_threads(threads, || {
            let (mut out, mut scores, mut weights) = (vec![0.0; n], vec![0.0; b * nh * t * t], vec![0.0; b * nh * t * t]);
            forward_simd(&mut out, &mut scores, &mut weights, &q, &k, &v, shape, Mask::causal());
            let (mut dq, mut dk, mut dv) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
            backward_simd(&mut dq, &mut dk, &mut dv, &dout, &weights, &q, &k, &v, shape);
            (out, weights, dq, dk, dv)
        })
    };
    assert!(run(3) == run(1), "threaded attention forward/backward differs from one thread");
}
