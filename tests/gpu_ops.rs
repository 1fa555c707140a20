//! The WGSL kernels against the CPU reference, natively through `wgpu`
//! (on CI: Vulkan on Mesa's lavapipe). Random inputs and awkward shapes;
//! on failure the worst element is printed.
//!
//! The same bodies run inside Chromium (`wasm-pack test`) on its WebGPU
//! adapter, which compiles WGSL with another compiler (Tint rather than naga).
//!
//! A machine with no adapter at all fails these tests loudly rather than
//! skipping them: the kernels must be checked on every run.

mod common;
use common::{assert_close, random_vec};
use glassformer::device::gpu::{Gpu, GpuBuffer, GpuSlice};
use glassformer::ops::adamw::{self, AdamWConfig};
use glassformer::ops::attention::{self, AttentionShape, Mask};
use glassformer::ops::matmul::{self, MatmulShape};
use glassformer::ops::{attention_gpu, cross_entropy, dropout, embedding, gelu, gelu_exact, layernorm, relu, residual, softmax};
use glassformer::Device;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

gpu_tests!(
    matmul_matches_reference_on_awkward_shapes,
    elementwise_ops_match_reference,
    softmax_and_layernorm_match_reference,
    attention_matches_reference_every_mask_and_shape,
    attention_rows_longer_than_a_span_match_reference,
    embedding_cross_entropy_and_adamw_match_reference,
    scratch_buffers_are_reused_and_cleared,
);

async fn gpu() -> Gpu {
    let gpu = Gpu::new().await.unwrap_or_else(|e| panic!("the GPU tests need an adapter: {e}"));
    eprintln!("GPU tests on {}", gpu.adapter_name);
    gpu
}

/// Record with `record`, submit, and wait for nothing: reads wait for the GPU.
fn run(gpu: &Gpu, record: impl FnOnce(&mut wgpu::CommandEncoder)) {
    let mut encoder = gpu.encoder();
    record(&mut encoder);
    gpu.submit(encoder);
}

/// The GPU attention forward, weights and backward against the CPU reference on one shape and mask.
async fn check_attention(gpu: &Gpu, shape: AttentionShape, mask: Mask<'_>, mask_name: &str, seed: u64) {
    let cpu = Device::Cpu;
    let AttentionShape { b, t, s, c, nh } = shape;
    let what = format!("attention T={t} S={s} NH={nh} mask={mask_name}");
    let (q, k, v) = (
        random_vec(b * t * c, 1.0, seed),
        random_vec(b * s * c, 1.0, seed + 1),
        random_vec(b * s * c, 1.0, seed + 2),
    );
    let dout = random_vec(b * t * c, 1.0, seed + 3);
    let (acc_q, acc_kv) = (random_vec(b * t * c, 1.0, seed + 4), random_vec(b * s * c, 1.0, seed + 5));
    // reference
    let (mut out, mut scores, mut weights) = (vec![0.0; b * t * c], vec![0.0; b * nh * t * s], vec![0.0; b * nh * t * s]);
    attention::forward(&cpu, &mut out, &mut scores, &mut weights, &q, &k, &v, shape, mask).unwrap();
    let (mut dq, mut dk, mut dv) = (acc_q.clone(), acc_kv.clone(), acc_kv.clone());
    attention::backward(&cpu, &mut dq, &mut dk, &mut dv, &dout, &weights, &q, &k, &v, shape).unwrap();
    // GPU
    let (gq, gk, gv, gdout) = (gpu.upload(&q), gpu.upload(&k), gpu.upload(&v), gpu.upload(&dout));
    let (gout, lse) = (gpu.zeros(b * t * c), gpu.zeros(b * nh * t));
    let (gscores, gweights) = (gpu.zeros(b * nh * t * s), gpu.zeros(b * nh * t * s));
    let (gdq, gdk, gdv) = (gpu.upload(&acc_q), gpu.upload(&acc_kv), gpu.upload(&acc_kv));
    run(gpu, |e| {
        attention_gpu::forward_gpu(gpu, e, gout.all(), &lse, gq.all(), gk.all(), gv.all(), shape, mask).unwrap();
        attention_gpu::weights_gpu(gpu, e, &gscores, &gweights, &lse, gq.all(), gk.all(), shape, mask).unwrap();
        attention_gpu::backward_gpu(
            gpu,
            e,
            gdq.all(),
            gdk.all(),
            gdv.all(),
            gdout.all(),
            gout.all(),
            &lse,
            gq.all(),
            gk.all(),
            gv.all(),
            shape,
            mask,
        )
        .unwrap();
    });
    // Online softmax adds in another order and rescales: a few ulp per key.
    assert_close(&format!("{what} out"), &read(gpu, &gout).await, &out, 1e-5, 1e-4);
    assert_close(&format!("{what} scores"), &read(gpu, &gscores).await, &scores, 1e-5, 1e-5);
    assert_close(&format!("{what} weights"), &read(gpu, &gweights).await, &weights, 1e-6, 1e-4);
    // Gradients sum S (or T) terms rebuilt from lse: looser.
    assert_close(&format!("{what} dq"), &read(gpu, &gdq).await, &dq, 1e-4, 1e-3);
    assert_close(&format!("{what} dk"), &read(gpu, &gdk).await, &dk, 1e-4, 1e-3);
    assert_close(&format!("{what} dv"), &read(gpu, &gdv).await, &dv, 1e-4, 1e-3);
}

async fn read(gpu: &Gpu, buffer: &GpuBuffer) -> Vec<f32> {
    gpu.read(buffer).await.unwrap()
}

/// A launcher call that must fail; its message.
fn run_err(gpu: &Gpu, record: impl FnOnce(&mut wgpu::CommandEncoder) -> glassformer::Result<()>) -> String {
    let mut encoder = gpu.encoder();
    let err = record(&mut encoder).expect_err("the call should have been refused");
    err.to_string()
}

/// The test bodies, each an async function of the same name as its test.
mod bodies {
    use super::*;

    pub async fn matmul_matches_reference_on_awkward_shapes() {
        let gpu = gpu().await;
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
                    let got = read(&gpu, &gc).await;
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

    pub async fn elementwise_ops_match_reference() {
        let gpu = gpu().await;
        let cpu = Device::Cpu;
        for n in [1usize, 7, 33, 1000, 70_000] {
            // Include large magnitudes: GELU's tanh must not overflow.
            let mut x = random_vec(n, 4.0, n as u64);
            x[0] = 30.0;
            if n > 1 {
                x[1] = -30.0;
            }
            let (g, acc) = (random_vec(n, 1.0, n as u64 + 1), random_vec(n, 1.0, n as u64 + 2));
            let (gx, gg) = (gpu.upload(&x), gpu.upload(&g));
            type Fwd = fn(&Device, &mut [f32], &[f32]) -> glassformer::Result<()>;
            type Bwd = fn(&Device, &mut [f32], &[f32], &[f32]) -> glassformer::Result<()>;
            type FwdGpu = fn(&Gpu, &mut wgpu::CommandEncoder, GpuSlice, GpuSlice) -> glassformer::Result<()>;
            type BwdGpu = fn(&Gpu, &mut wgpu::CommandEncoder, GpuSlice, GpuSlice, GpuSlice) -> glassformer::Result<()>;
            let ops: [(&str, Fwd, Bwd, FwdGpu, BwdGpu); 3] = [
                ("relu", relu::forward, relu::backward, relu::forward_gpu, relu::backward_gpu),
                ("gelu", gelu::forward, gelu::backward, gelu::forward_gpu, gelu::backward_gpu),
                // The kernel's erf is a 1.5e-7 approximation of libm's.
                (
                    "gelu_exact",
                    gelu_exact::forward,
                    gelu_exact::backward,
                    gelu_exact::forward_gpu,
                    gelu_exact::backward_gpu,
                ),
            ];
            for (name, fwd, bwd, fwd_gpu, bwd_gpu) in ops {
                let mut want = vec![0.0; n];
                fwd(&cpu, &mut want, &x).unwrap();
                let out = gpu.zeros(n);
                run(&gpu, |e| fwd_gpu(&gpu, e, out.all(), gx.all()).unwrap());
                // exp/tanh differ between libm and the GPU's builtins by a few ulp.
                assert_close(&format!("{name} forward n={n}"), &read(&gpu, &out).await, &want, 1e-6, 1e-5);
                let mut want = acc.clone();
                bwd(&cpu, &mut want, &g, &x).unwrap();
                let dx = gpu.upload(&acc);
                run(&gpu, |e| bwd_gpu(&gpu, e, dx.all(), gg.all(), gx.all()).unwrap());
                assert_close(&format!("{name} backward n={n}"), &read(&gpu, &dx).await, &want, 1e-6, 1e-5);
            }
            // residual: exact (one addition each)
            let out = gpu.zeros(n);
            run(&gpu, |e| residual::forward_gpu(&gpu, e, out.all(), gx.all(), gg.all()).unwrap());
            let mut want = vec![0.0; n];
            residual::forward(&cpu, &mut want, &x, &g).unwrap();
            assert_eq!(read(&gpu, &out).await, want, "residual forward n={n}");
            let (da, db) = (gpu.upload(&acc), gpu.upload(&x));
            run(&gpu, |e| residual::backward_gpu(&gpu, e, da.all(), db.all(), gg.all()).unwrap());
            let (mut want_a, mut want_b) = (acc.clone(), x.clone());
            residual::backward(&cpu, &mut want_a, &mut want_b, &g).unwrap();
            assert_eq!(
                (read(&gpu, &da).await, read(&gpu, &db).await),
                (want_a, want_b),
                "residual backward n={n}"
            );
            // dropout: the same seed drops exactly the same values on both devices
            for training in [true, false] {
                let (out, mask) = (gpu.zeros(n), gpu.zeros(n));
                run(&gpu, |e| {
                    dropout::forward_gpu(&gpu, e, out.all(), mask.all(), gx.all(), 0.3, 1234, training).unwrap()
                });
                let (mut want, mut want_mask) = (vec![0.0; n], vec![0.0; n]);
                dropout::forward(&cpu, &mut want, &mut want_mask, &x, 0.3, 1234, training).unwrap();
                assert_eq!(read(&gpu, &mask).await, want_mask, "dropout mask n={n} training={training}");
                assert_eq!(read(&gpu, &out).await, want, "dropout output n={n}");
                let dx = gpu.upload(&acc);
                run(&gpu, |e| dropout::backward_gpu(&gpu, e, dx.all(), gg.all(), mask.all()).unwrap());
                let mut want = acc.clone();
                dropout::backward(&cpu, &mut want, &g, &want_mask).unwrap();
                assert_eq!(read(&gpu, &dx).await, want, "dropout backward n={n}");
            }
        }
    }

    pub async fn softmax_and_layernorm_match_reference() {
        let gpu = gpu().await;
        let cpu = Device::Cpu;
        for (rows, cols) in [(1, 1), (3, 7), (33, 48), (5, 65), (2, 1000), (129, 3)] {
            let seed = (rows * 1000 + cols) as u64;
            let (x, g, acc) = (
                random_vec(rows * cols, 3.0, seed),
                random_vec(rows * cols, 1.0, seed + 1),
                random_vec(rows * cols, 1.0, seed + 2),
            );
            let (gx, gg) = (gpu.upload(&x), gpu.upload(&g));
            // softmax
            let y = gpu.zeros(rows * cols);
            run(&gpu, |e| softmax::forward_gpu(&gpu, e, y.all(), gx.all(), rows, cols).unwrap());
            let mut want_y = vec![0.0; rows * cols];
            softmax::forward(&cpu, &mut want_y, &x, rows, cols).unwrap();
            assert_close(&format!("softmax {rows}×{cols}"), &read(&gpu, &y).await, &want_y, 1e-6, 1e-5);
            let dx = gpu.upload(&acc);
            run(&gpu, |e| {
                softmax::backward_gpu(&gpu, e, dx.all(), gg.all(), y.all(), rows, cols).unwrap()
            });
            let mut want = acc.clone();
            softmax::backward(&cpu, &mut want, &g, &want_y, rows, cols).unwrap();
            assert_close(
                &format!("softmax backward {rows}×{cols}"),
                &read(&gpu, &dx).await,
                &want,
                1e-6,
                1e-4,
            );

            // layer norm, with γ and β at offsets inside one parameter buffer
            let (gamma, beta) = (random_vec(cols, 1.0, seed + 3), random_vec(cols, 1.0, seed + 4));
            let mut params = vec![0.5; 5];
            params.extend(&gamma);
            params.extend(&beta);
            let gparams = gpu.upload(&params);
            let (gamma_slice, beta_slice) = (gparams.range(5, cols), gparams.range(5 + cols, cols));
            let (out, mean, rstd) = (gpu.zeros(rows * cols), gpu.zeros(rows), gpu.zeros(rows));
            run(&gpu, |e| {
                layernorm::forward_gpu(
                    &gpu,
                    e,
                    out.all(),
                    &mean,
                    &rstd,
                    gx.all(),
                    gamma_slice,
                    beta_slice,
                    rows,
                    cols,
                    1e-12,
                )
                .unwrap()
            });
            let (mut want_out, mut want_mean, mut want_rstd) = (vec![0.0; rows * cols], vec![0.0; rows], vec![0.0; rows]);
            layernorm::forward(
                &cpu,
                &mut want_out,
                &mut want_mean,
                &mut want_rstd,
                &x,
                &gamma,
                &beta,
                rows,
                cols,
                1e-12,
            )
            .unwrap();
            // A constant row (cols = 1) has variance 0: rstd = 1/√ε is large, so compare relatively.
            assert_close(&format!("layernorm {rows}×{cols}"), &read(&gpu, &out).await, &want_out, 1e-5, 1e-4);
            assert_close("layernorm mean", &read(&gpu, &mean).await, &want_mean, 1e-6, 1e-5);
            assert_close("layernorm rstd", &read(&gpu, &rstd).await, &want_rstd, 1e-5, 1e-4);
            let mut grads = vec![0.25; 3];
            grads.extend(random_vec(2 * cols, 1.0, seed + 5));
            let (ggrads, dx) = (gpu.upload(&grads), gpu.upload(&acc));
            run(&gpu, |e| {
                layernorm::backward_gpu(
                    &gpu,
                    e,
                    dx.all(),
                    ggrads.range(3, cols),
                    ggrads.range(3 + cols, cols),
                    gg.all(),
                    gx.all(),
                    &mean,
                    &rstd,
                    gamma_slice,
                    rows,
                    cols,
                )
                .unwrap()
            });
            let (mut want_dx, mut want_grads) = (acc.clone(), grads.clone());
            let (dgamma, dbeta) = want_grads[3..].split_at_mut(cols);
            layernorm::backward(
                &cpu,
                &mut want_dx,
                dgamma,
                dbeta,
                &g,
                &x,
                &want_mean,
                &want_rstd,
                &gamma,
                rows,
                cols,
            )
            .unwrap();
            assert_close(&format!("layernorm dx {rows}×{cols}"), &read(&gpu, &dx).await, &want_dx, 1e-4, 1e-3);
            assert_close(
                &format!("layernorm dγ dβ {rows}×{cols}"),
                &read(&gpu, &ggrads).await,
                &want_grads,
                1e-4,
                1e-4,
            );
        }
    }

    pub async fn attention_matches_reference_every_mask_and_shape() {
        let gpu = gpu().await;
        let mut seed = 500;
        for (t, s) in [(1usize, 1usize), (7, 7), (33, 33), (129, 129), (5, 9)] {
            for nh in [1, 3] {
                let (b, c) = (2, 48);
                let lengths = [s, s.div_ceil(2)];
                let masks = [
                    ("none", Mask::none()),
                    ("causal", Mask::causal()),
                    ("padding", Mask::key_padding(&lengths)),
                ];
                for (mask_name, mask) in masks {
                    seed += 1;
                    check_attention(&gpu, AttentionShape { b, t, s, c, nh }, mask, mask_name, seed).await;
                }
            }
        }
    }

    pub async fn attention_rows_longer_than_a_span_match_reference() {
        // 64-wide heads walk 256 keys per launch (`span_len`): 600 keys take
        // three launches whose results merge, and the padding and causal
        // masks end inside a span or leave whole spans unseen by a row.
        let gpu = gpu().await;
        assert_eq!(attention_gpu::span_len(64), 256);
        let lengths = [300usize];
        for (t, s, mask_name, mask) in [
            (600usize, 600usize, "causal", Mask::causal()),
            (3, 600, "padding", Mask::key_padding(&lengths)),
            (3, 700, "none", Mask::none()),
        ] {
            check_attention(&gpu, AttentionShape { b: 1, t, s, c: 128, nh: 2 }, mask, mask_name, 900 + t as u64).await;
        }
    }

    pub async fn embedding_cross_entropy_and_adamw_match_reference() {
        let gpu = gpu().await;
        let cpu = Device::Cpu;
        // Embeddings: V = 65 (a character vocabulary), repeated ids, T = 7.
        let (v, c, b, t) = (65, 48, 3, 7);
        let tokens: Vec<u32> = (0..b * t).map(|i| ((i * 13) % 9) as u32 * 7).collect();
        let (wte, wpe, dout) = (random_vec(v * c, 1.0, 1), random_vec(10 * c, 1.0, 2), random_vec(b * t * c, 1.0, 3));
        let mut params = vec![0.0; 2];
        params.extend(&wte);
        params.extend(&wpe);
        let gparams = gpu.upload(&params);
        let (wte_slice, wpe_slice) = (gparams.range(2, v * c), gparams.range(2 + v * c, 10 * c));
        let out = gpu.zeros(b * t * c);
        run(&gpu, |e| {
            embedding::token_forward_gpu(&gpu, e, out.all(), &tokens, wte_slice, v, c).unwrap();
            embedding::position_forward_gpu(&gpu, e, out.all(), wpe_slice, b, t, c).unwrap();
        });
        let mut want = vec![0.0; b * t * c];
        embedding::token_forward(&cpu, &mut want, &tokens, &wte, v, c).unwrap();
        embedding::position_forward(&cpu, &mut want, &wpe, b, t, c).unwrap();
        assert_eq!(read(&gpu, &out).await, want, "embedding forward (copies and one add: exact)");
        let grads0 = random_vec(params.len(), 1.0, 4);
        let (ggrads, gdout) = (gpu.upload(&grads0), gpu.upload(&dout));
        run(&gpu, |e| {
            embedding::token_backward_gpu(&gpu, e, ggrads.range(2, v * c), &gdout, &tokens, v, c).unwrap();
            embedding::position_backward_gpu(&gpu, e, ggrads.range(2 + v * c, 10 * c), &gdout, b, t, c).unwrap();
        });
        let mut want = grads0.clone();
        let (dwte, dwpe) = want[2..].split_at_mut(v * c);
        embedding::token_backward(&cpu, dwte, &dout, &tokens, v, c).unwrap();
        embedding::position_backward(&cpu, dwpe, &dout, b, t, c).unwrap();
        assert_close("embedding backward", &read(&gpu, &ggrads).await, &want, 1e-6, 1e-5);
        let text = run_err(&gpu, |e| {
            embedding::token_forward_gpu(&gpu, e, out.range(0, 2 * c), &[0, 99], wte_slice, v, c)
        });
        assert!(text.contains("token id 99"), "{text}");

        // Cross-entropy: V = 65, rows with the ignore index, logits of ±30.
        let n = 9;
        let mut logits = random_vec(n * v, 3.0, 5);
        logits[3] = 30.0;
        logits[v + 4] = -30.0;
        let targets: Vec<i32> = (0..n as i32)
            .map(|i| {
                if i % 4 == 1 {
                    cross_entropy::IGNORE_INDEX
                } else {
                    (i * 7) % v as i32
                }
            })
            .collect();
        for smoothing in [0.0, 0.1] {
            let gtargets = cross_entropy::GpuTargets::new(&gpu, &targets, v, cross_entropy::IGNORE_INDEX, smoothing).unwrap();
            let (glogits, probs, loss) = (gpu.upload(&logits), gpu.zeros(n * v), gpu.zeros(1));
            let acc = random_vec(n * v, 1.0, 6);
            let dlogits = gpu.upload(&acc);
            run(&gpu, |e| {
                cross_entropy::forward_gpu(&gpu, e, &loss, &probs, glogits.all(), &gtargets, v).unwrap();
                cross_entropy::backward_gpu(&gpu, e, &dlogits, &probs, &gtargets, v).unwrap();
            });
            let mut want_probs = vec![0.0; n * v];
            let (want_loss, _) =
                cross_entropy::forward(&cpu, &mut want_probs, &logits, &targets, v, cross_entropy::IGNORE_INDEX, smoothing).unwrap();
            let mut want_d = acc.clone();
            cross_entropy::backward(&cpu, &mut want_d, &want_probs, &targets, v, cross_entropy::IGNORE_INDEX, smoothing).unwrap();
            assert_close(
                &format!("cross_entropy ε={smoothing} loss"),
                &read(&gpu, &loss).await,
                &[want_loss],
                1e-5,
                1e-5,
            );
            assert_close(
                &format!("cross_entropy ε={smoothing} probs"),
                &read(&gpu, &probs).await,
                &want_probs,
                1e-7,
                1e-5,
            );
            assert_close(
                &format!("cross_entropy ε={smoothing} dlogits"),
                &read(&gpu, &dlogits).await,
                &want_d,
                1e-6,
                1e-5,
            );
        }
        let msg = cross_entropy::GpuTargets::new(&gpu, &[70], v, cross_entropy::IGNORE_INDEX, 0.0)
            .unwrap_err()
            .to_string();
        assert!(msg.starts_with("cross_entropy: target 70 is not a class in 0..64"), "{msg}");

        // AdamW over 10 000 parameters, with and without clipping, three steps.
        let count = 10_000;
        for max_grad_norm in [Some(1.0), None] {
            let cfg = AdamWConfig {
                lr: 1e-2,
                max_grad_norm,
                ..AdamWConfig::default()
            };
            let mut want_params = random_vec(count, 1.0, 7);
            let (mut want_m, mut want_v) = (vec![0.0; count], vec![0.0; count]);
            let (gp, gm, gv, norm_sq) = (gpu.upload(&want_params), gpu.zeros(count), gpu.zeros(count), gpu.zeros(1));
            for step in 1..=3 {
                let grads = random_vec(count, 0.5, 10 + step as u64);
                let gg = gpu.upload(&grads);
                run(&gpu, |e| {
                    adamw::step_gpu(&gpu, e, &gp, &gg, &gm, &gv, &norm_sq, step, &cfg).unwrap()
                });
                let norm = adamw::global_norm(&cpu, &grads).unwrap();
                let scale = adamw::clip_scale(norm, cfg.max_grad_norm);
                adamw::step(&cpu, &mut want_params, &grads, &mut want_m, &mut want_v, step, &cfg, scale).unwrap();
                // f32 pairwise sum on the GPU vs f64 on the CPU.
                assert_close("global norm²", &read(&gpu, &norm_sq).await, &[norm * norm], 1e-3, 1e-5);
            }
            assert_close(
                &format!("adamw params clip={max_grad_norm:?}"),
                &read(&gpu, &gp).await,
                &want_params,
                1e-6,
                1e-5,
            );
            assert_close("adamw m", &read(&gpu, &gm).await, &want_m, 1e-7, 1e-5);
            assert_close("adamw v", &read(&gpu, &gv).await, &want_v, 1e-9, 1e-5);
        }
    }

    pub async fn scratch_buffers_are_reused_and_cleared() {
        let gpu = gpu().await;
        let first = gpu.scratch(100);
        gpu.write(&first, &[7.0; 100]);
        let copy = first.clone();
        drop(first);
        assert_eq!(gpu.pooled_bytes(), 0, "a clone still uses the buffer");
        drop(copy);
        assert_eq!(gpu.pooled_bytes(), 400, "the last clone gave it back");
        let again = gpu.scratch(100);
        assert_eq!(gpu.pooled_bytes(), 0, "handed out again");
        assert_eq!(read(&gpu, &again).await, vec![0.0; 100], "and cleared after its earlier use");
    }
}
