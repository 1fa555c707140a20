//! The kernels a widget shows step by step, as runtime methods:
//! `attention` (with its dot products, scores and weights, or the output
//! alone), `matmul`, `feedForward` and `positionalEncoding`. Each checks its
//! buffers against the shapes it is given and runs on the runtime's device,
//! falling back to the CPU if the GPU is lost (`Runtime::run`).

use std::rc::Rc;

use js_sys::Promise;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::Runtime;
use crate::device::gpu::Gpu;
use crate::device::tensor::Tensor;
use crate::device::Device;
use crate::error::{check_len, check_nonzero, invalid, Result};
use crate::nn::feed_forward::{Activation, FeedForward, FeedForwardActs};
use crate::ops::attention::{self, AttentionShape, Mask};
use crate::ops::attention_gpu;
use crate::ops::matmul::{self, MatmulShape};
use crate::ops::positional;
use crate::train::footprint::Footprint;
use crate::web::convert::{f32_vec, js_error, js_tensor, options, tensor, to_js, Js};

/// Options of `runtime.attention`. Lengths not given are inferred from the
/// buffer sizes: `T = q.length / (batch·dModel)`, `S = k.length / (batch·dModel)`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AttentionOptions {
    d_model: usize,
    #[serde(default = "one")]
    heads: usize,
    #[serde(default = "one")]
    batch: usize,
    query_length: Option<usize>,
    key_length: Option<usize>,
    #[serde(default)]
    causal: bool,
    key_lengths: Option<Vec<usize>>,
    /// Return `{ output }` only, computed without the `(B,NH,T,S)` matrices
    /// (the fused kernels: faster, and what a model's forward pass needs).
    #[serde(default)]
    output_only: bool,
}

/// Options of `runtime.matmul`: `A (m, k) · B (k, n)`, optionally transposed.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MatmulOptions {
    m: usize,
    k: usize,
    n: usize,
    #[serde(default)]
    transpose_a: bool,
    #[serde(default)]
    transpose_b: bool,
}

/// Options of `runtime.feedForward`: `x (N, dModel)`, `W1 (dModel, hidden)`, `W2 (hidden, dModel)`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FeedForwardOptions {
    d_model: usize,
    /// The hidden layer's width.
    #[serde(rename = "dFF")]
    d_ff: usize,
}

/// Options of `runtime.positionalEncoding`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PositionalOptions {
    length: f64,
    d_model: f64,
}

/// `attention` → the raw and scaled scores, the weights `(B, NH, T, S)` and the output `(B, T, C)`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AttentionResultJs {
    dot_products: Js,
    scores: Js,
    weights: Js,
    output: Js,
}

/// `attention` with `outputOnly` → the output `(B, T, C)` alone.
#[derive(Serialize)]
struct AttentionOutput {
    output: Js,
}

/// `feedForward` → `x W1 + b1` and its ReLU `(N, dFF)`, and the output `(N, dModel)`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FeedForwardResult {
    pre_activation: Js,
    hidden: Js,
    output: Js,
}

/// Attention results on the host: output, scaled scores, weights.
type AttentionResult = (Vec<f32>, Vec<f32>, Vec<f32>);

/// The largest positional-encoding table the API will build (16M values, 64 MB).
const MAX_TABLE_VALUES: usize = 1 << 24;

fn one() -> usize {
    1
}

/// A JS number that must be a whole number ≥ 1.
fn whole_number(op: &'static str, what: &str, value: f64) -> Result<usize> {
    if value.is_finite() && value >= 1.0 && value.fract() == 0.0 {
        Ok(value as usize)
    } else {
        Err(invalid(op, format!("{what} must be a whole number of at least 1, got {value}.")))
    }
}

/// Infer a length from a buffer size, or check a given one.
fn length(op: &'static str, what: &str, len: usize, per_item: usize, given: Option<usize>) -> Result<usize> {
    let inferred = len / per_item;
    if !len.is_multiple_of(per_item) || given.is_some_and(|g| g != inferred) {
        let expected = given.map_or("a multiple of batch·dModel".to_string(), |g| {
            format!("{g}·{per_item} = {}", g * per_item)
        });
        return Err(invalid(
            op,
            format!("{what} holds {len} values, expected {expected} (batch·length·dModel)."),
        ));
    }
    Ok(inferred)
}

#[wasm_bindgen]
impl Runtime {
    /// Multi-head attention on `q (B,T,C)`, `k, v (B,S,C)` →
    /// Promise<{ dotProducts, scores, weights, output }>: raw `q·k` and the
    /// scaled scores (both `(B,NH,T,S)`, before masking), the weights after
    /// mask and softmax `(B,NH,T,S)`, and the output `(B,T,C)`.
    /// With `outputOnly: true`: Promise<{ output }>, by the fused kernels.
    pub fn attention(&self, q: JsValue, k: JsValue, v: JsValue, options_object: JsValue) -> Promise {
        const OP: &str = "attention";
        let checked = (|| {
            let opts: AttentionOptions = options(OP, options_object)?;
            let (q, k, v) = (f32_vec(OP, "q", &q)?, f32_vec(OP, "k", &k)?, f32_vec(OP, "v", &v)?);
            if opts.d_model == 0 || opts.batch == 0 {
                return Err(invalid(OP, "dModel and batch must be at least 1."));
            }
            let per_item = opts.batch * opts.d_model;
            let t = length(OP, "q", q.len(), per_item, opts.query_length)?;
            let s = length(OP, "k", k.len(), per_item, opts.key_length)?;
            length(OP, "v", v.len(), per_item, Some(s))?;
            let shape = AttentionShape {
                b: opts.batch,
                t,
                s,
                c: opts.d_model,
                nh: opts.heads,
            };
            shape.validate(OP)?;
            // The (B, NH, T, S) dot products, scores and weights (and their copies for JS), unless only the output is asked.
            let matrices = if opts.output_only {
                0.0
            } else {
                6.0 * (opts.batch * opts.heads) as f64 * t as f64 * s as f64
            };
            let results = matrices + 4.0 * (opts.batch * t * opts.d_model) as f64;
            self.check_budget(
                OP,
                &Footprint::buffers("the results, and their copies for JS", results),
                "Use shorter sequences, or outputOnly",
            )?;
            Mask {
                causal: opts.causal,
                key_lengths: opts.key_lengths.as_deref(),
            }
            .validate(OP, &shape)?;
            Ok((
                Rc::new((q, k, v)),
                shape,
                Rc::new((opts.causal, opts.key_lengths)),
                opts.output_only,
            ))
        })();
        let (qkv, shape, mask, output_only) = match checked {
            Ok(parts) => parts,
            Err(e) => return Promise::reject(&js_error(e)),
        };
        let (qkv_gpu, mask_gpu) = (Rc::clone(&qkv), Rc::clone(&mask));
        self.run(
            move |gpu| async move {
                let (q, k, v) = &*qkv_gpu;
                let mask = Mask {
                    causal: mask_gpu.0,
                    key_lengths: mask_gpu.1.as_deref(),
                };
                if output_only {
                    let out = attention_output_on_gpu(&gpu, q, k, v, shape, mask).await?;
                    return output_object(out, shape);
                }
                let result = attention_on_gpu(&gpu, q, k, v, shape, mask).await?;
                attention_object(result, shape)
            },
            move || {
                let (q, k, v) = &*qkv;
                let mask = Mask {
                    causal: mask.0,
                    key_lengths: mask.1.as_deref(),
                };
                let AttentionShape { b, t, s, c, nh } = shape;
                if output_only {
                    let mut out = vec![0.0; b * t * c];
                    attention::forward_output(&Device::Cpu, &mut out, q, k, v, shape, mask)?;
                    return output_object(out, shape);
                }
                let (mut out, mut scores, mut weights) = (vec![0.0; b * t * c], vec![0.0; b * nh * t * s], vec![0.0; b * nh * t * s]);
                attention::forward(&Device::Cpu, &mut out, &mut scores, &mut weights, q, k, v, shape, mask)?;
                attention_object((out, scores, weights), shape)
            },
        )
    }

    /// `A (m,k) · B (k,n)` → Promise<{ data, shape: [m, n] }>.
    pub fn matmul(&self, a: JsValue, b: JsValue, options_object: JsValue) -> Promise {
        const OP: &str = "matmul";
        let checked = (|| {
            let opts: MatmulOptions = options(OP, options_object)?;
            let (a, b) = (f32_vec(OP, "A", &a)?, f32_vec(OP, "B", &b)?);
            for (name, dim) in [("m", opts.m), ("k", opts.k), ("n", opts.n)] {
                check_nonzero(OP, name, dim)?;
            }
            // Check the inputs before allocating the (m, n) result.
            check_len(OP, "A", a.len(), &[("m", opts.m), ("k", opts.k)])?;
            check_len(OP, "B", b.len(), &[("k", opts.k), ("n", opts.n)])?;
            let result = opts.m as f64 * opts.n as f64;
            self.check_budget(
                OP,
                &Footprint::buffers("the (m, n) result, and its copy for JS", 2.0 * result),
                "Use smaller m and n",
            )?;
            let shape = MatmulShape {
                m: opts.m,
                k: opts.k,
                n: opts.n,
                trans_a: opts.transpose_a,
                trans_b: opts.transpose_b,
            };
            Ok((Rc::new((a, b)), shape))
        })();
        let (ab, shape) = match checked {
            Ok(parts) => parts,
            Err(e) => return Promise::reject(&js_error(e)),
        };
        let ab_gpu = Rc::clone(&ab);
        self.run(
            move |gpu| async move {
                let (a, b) = &*ab_gpu;
                let (ga, gb, gc) = (gpu.upload(a), gpu.upload(b), gpu.zeros(shape.m * shape.n));
                let mut encoder = gpu.encoder();
                matmul::matmul_gpu(&gpu, &mut encoder, gc.all(), ga.all(), gb.all(), None, shape, false)?;
                gpu.submit(encoder);
                Ok(tensor(&gpu.read(&gc).await?, &[shape.m, shape.n]))
            },
            move || {
                let (a, b) = &*ab;
                let mut c = vec![0.0; shape.m * shape.n];
                matmul::matmul(&Device::Cpu, &mut c, a, b, shape, false)?;
                Ok(tensor(&c, &[shape.m, shape.n]))
            },
        )
    }

    /// The original Transformer's position-wise feed-forward network,
    /// `FFN(x) = max(0, x W1 + b1) W2 + b2`, on every row of `x (N, dModel)`,
    /// with `W1 (dModel, dFF)` and `W2 (dFF, dModel)`; options `{ dModel, dFF }`
    /// → Promise<{ preActivation, hidden, output }>: `x W1 + b1` and its ReLU
    /// (both `(N, dFF)`), and the output `(N, dModel)`. A handful of rows:
    /// computed by the CPU kernels whatever the backend.
    #[wasm_bindgen(js_name = feedForward)]
    pub fn feed_forward(&self, x: JsValue, w1: JsValue, b1: JsValue, w2: JsValue, b2: JsValue, options_object: JsValue) -> Promise {
        const OP: &str = "feedForward";
        let result = (|| {
            let opts: FeedForwardOptions = options(OP, options_object)?;
            let (c, f) = (opts.d_model, opts.d_ff);
            check_nonzero(OP, "dModel", c)?;
            check_nonzero(OP, "dFF", f)?;
            let x = f32_vec(OP, "x", &x)?;
            let n = length(OP, "x", x.len(), c, None)?;
            check_nonzero(OP, "rows of x", n)?;
            let (w1, b1, w2, b2) = (
                f32_vec(OP, "W1", &w1)?,
                f32_vec(OP, "b1", &b1)?,
                f32_vec(OP, "W2", &w2)?,
                f32_vec(OP, "b2", &b2)?,
            );
            check_len(OP, "W1", w1.len(), &[("dModel", c), ("dFF", f)])?;
            check_len(OP, "b1", b1.len(), &[("dFF", f)])?;
            check_len(OP, "W2", w2.len(), &[("dFF", f), ("dModel", c)])?;
            check_len(OP, "b2", b2.len(), &[("dModel", c)])?;
            let results = n as f64 * (4.0 * f as f64 + 2.0 * c as f64);
            self.check_budget(
                OP,
                &Footprint::buffers("the (N, dFF) and (N, dModel) results, and their copies for JS", results),
                "Use fewer rows or a smaller dFF",
            )?;
            // The same layer the models use, with these weights and ReLU.
            let cpu = Device::Cpu;
            let (ffn, params) = FeedForward::from_matrices(&w1, &b1, &w2, &b2, c, f, Activation::Relu)?;
            let mut acts = FeedForwardActs::new(&cpu, n, f); // pre = x W1 + b1, hidden = max(0, pre): (N, F)
            let mut out = Tensor::zeros(&cpu, n * c); // (N, C) = hidden W2 + b2
            ffn.forward(&cpu, &params.values, &mut acts, &mut out, &Tensor::from_host(&cpu, x), n)?;
            let (pre, hidden, out) = (acts.pre.host()?, acts.hidden.host()?, out.host()?);
            to_js(&FeedForwardResult {
                pre_activation: js_tensor(pre, &[n, f]),
                hidden: js_tensor(hidden, &[n, f]),
                output: js_tensor(out, &[n, c]),
            })
        })();
        match result {
            Ok(value) => Promise::resolve(&value),
            Err(e) => Promise::reject(&js_error(e)),
        }
    }

    /// The sinusoidal table, `positionalEncoding({ length, dModel })` →
    /// Promise<{ data, shape: [length, dModel] }>. A constant table: computed
    /// on the CPU whatever the backend.
    #[wasm_bindgen(js_name = positionalEncoding)]
    pub fn positional_encoding(&self, options_object: JsValue) -> Promise {
        const OP: &str = "positionalEncoding";
        let result = (|| {
            let opts: PositionalOptions = options(OP, options_object)?;
            let length = whole_number(OP, "length", opts.length)?;
            let d_model = whole_number(OP, "dModel", opts.d_model)?;
            if length.saturating_mul(d_model) > MAX_TABLE_VALUES {
                return Err(invalid(
                    OP,
                    format!("a {length}×{d_model} table is too large to show; keep length·dModel under {MAX_TABLE_VALUES}."),
                ));
            }
            Ok(tensor(&positional::table(&Device::Cpu, length, d_model)?, &[length, d_model]))
        })();
        match result {
            Ok(value) => Promise::resolve(&value),
            Err(e) => Promise::reject(&js_error(e)),
        }
    }
}

/// Attention on the GPU: the flash-style forward, then the weights rebuilt
/// from its log-sum-exp for display; three buffers read back.
async fn attention_on_gpu(gpu: &Gpu, q: &[f32], k: &[f32], v: &[f32], shape: AttentionShape, mask: Mask<'_>) -> Result<AttentionResult> {
    gpu.check()?;
    let AttentionShape { b, t, s, c, nh } = shape;
    let (gq, gk, gv) = (gpu.upload(q), gpu.upload(k), gpu.upload(v));
    let (out, lse, scores, weights) = (
        gpu.zeros(b * t * c),
        gpu.zeros(b * nh * t),
        gpu.zeros(b * nh * t * s),
        gpu.zeros(b * nh * t * s),
    );
    let mut encoder = gpu.encoder();
    attention_gpu::forward_gpu(gpu, &mut encoder, out.all(), &lse, gq.all(), gk.all(), gv.all(), shape, mask)?;
    attention_gpu::weights_gpu(gpu, &mut encoder, &scores, &weights, &lse, gq.all(), gk.all(), shape, mask)?;
    gpu.submit(encoder);
    Ok((gpu.read(&out).await?, gpu.read(&scores).await?, gpu.read(&weights).await?))
}

/// The output only: the flash-style forward, no `(B,NH,T,S)` buffers.
async fn attention_output_on_gpu(gpu: &Gpu, q: &[f32], k: &[f32], v: &[f32], shape: AttentionShape, mask: Mask<'_>) -> Result<Vec<f32>> {
    gpu.check()?;
    let AttentionShape { b, t, c, nh, .. } = shape;
    let (gq, gk, gv) = (gpu.upload(q), gpu.upload(k), gpu.upload(v));
    let (out, lse) = (gpu.zeros(b * t * c), gpu.zeros(b * nh * t));
    let mut encoder = gpu.encoder();
    attention_gpu::forward_gpu(gpu, &mut encoder, out.all(), &lse, gq.all(), gk.all(), gv.all(), shape, mask)?;
    gpu.submit(encoder);
    gpu.read(&out).await
}

fn output_object(out: Vec<f32>, shape: AttentionShape) -> Result<JsValue> {
    to_js(&AttentionOutput {
        output: js_tensor(&out, &[shape.b, shape.t, shape.c]),
    })
}

fn attention_object((out, scores, weights): AttentionResult, shape: AttentionShape) -> Result<JsValue> {
    let AttentionShape { b, t, s, c, nh } = shape;
    // The scores are q·k/√HS; undo the scaling to show the raw dot products.
    let sqrt_hs = (shape.hs() as f32).sqrt();
    let dots: Vec<f32> = scores.iter().map(|x| x * sqrt_hs).collect();
    to_js(&AttentionResultJs {
        dot_products: js_tensor(&dots, &[b, nh, t, s]),
        scores: js_tensor(&scores, &[b, nh, t, s]),
        weights: js_tensor(&weights, &[b, nh, t, s]),
        output: js_tensor(&out, &[b, t, c]),
    })
}
