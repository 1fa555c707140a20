//! `Runtime`: one per page, shared by every widget. It owns the device and
//! exposes the kernels that the teaching widgets show step by step.
//!
//! ```js
//! const rt = await Runtime.create("auto");
//! rt.backend;                                   // "cpu"
//! const { scores, weights, output } = await rt.attention(q, k, v, { dModel: 4, heads: 1 });
//! ```

use js_sys::{Object, Promise};
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::convert::{f32_vec, js_error, options, set, tensor};
use crate::device::{Device, Preference};
use crate::error::{check_len, invalid, Result};
use crate::ops::attention::{self, AttentionShape, Mask};
use crate::ops::matmul::{self, MatmulShape};
use crate::ops::positional;

/// The entry point of the JS API.
#[wasm_bindgen]
pub struct Runtime {
    device: Device,
}

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

/// The largest positional-encoding table the API will build (16M values, 64 MB).
const MAX_TABLE_VALUES: usize = 1 << 24;

/// A JS number that must be a whole number ≥ 1.
fn whole_number(op: &'static str, what: &str, value: f64) -> Result<usize> {
    if value.is_finite() && value >= 1.0 && value.fract() == 0.0 {
        Ok(value as usize)
    } else {
        Err(invalid(op, format!("{what} must be a whole number of at least 1, got {value}.")))
    }
}

fn one() -> usize {
    1
}

/// Wrap a computation in a Promise that rejects with a JS `Error` on failure.
fn promise(work: impl FnOnce() -> Result<JsValue> + 'static) -> Promise {
    future_to_promise(async move { work().map_err(js_error) })
}

/// Does this JS environment expose WebGPU (`navigator.gpu`)?
fn webgpu_present() -> bool {
    let navigator = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).unwrap_or(JsValue::UNDEFINED);
    !navigator.is_undefined() && js_sys::Reflect::get(&navigator, &"gpu".into()).is_ok_and(|gpu| !gpu.is_undefined())
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
    /// `Runtime.create("auto" | "webgpu" | "cpu")` → Promise<Runtime>.
    pub async fn create(preference: Option<String>) -> std::result::Result<Runtime, JsError> {
        let preference = Preference::parse(preference.as_deref().unwrap_or("auto"))?;
        let device = Device::pick(preference, webgpu_present())?;
        Ok(Runtime { device })
    }

    /// Which backend runs the kernels: `"cpu"` (later also `"webgpu"`).
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.device.name().to_string()
    }

    /// Whether the browser exposes WebGPU at all, for the page to explain
    /// why it runs on the CPU.
    #[wasm_bindgen(getter, js_name = webgpuAvailable)]
    pub fn webgpu_available(&self) -> bool {
        webgpu_present()
    }

    /// Multi-head attention on `q (B,T,C)`, `k, v (B,S,C)` →
    /// Promise<{ dotProducts, scores, weights, output }>: raw `q·k` and the
    /// scaled scores (both `(B,NH,T,S)`, before masking), the weights after
    /// mask and softmax `(B,NH,T,S)`, and the output `(B,T,C)`.
    pub fn attention(&self, q: JsValue, k: JsValue, v: JsValue, options_object: JsValue) -> Promise {
        let device = self.device.clone();
        promise(move || {
            const OP: &str = "attention";
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
            let mask = Mask {
                causal: opts.causal,
                key_lengths: opts.key_lengths.as_deref(),
            };
            let (b, nh, c) = (shape.b, shape.nh, shape.c);
            let (mut out, mut scores, mut weights) = (vec![0.0; b * t * c], vec![0.0; b * nh * t * s], vec![0.0; b * nh * t * s]);
            attention::forward(&device, &mut out, &mut scores, &mut weights, &q, &k, &v, shape, mask)?;
            // The scores are q·k/√HS; undo the scaling to show the raw dot products.
            let sqrt_hs = (shape.hs() as f32).sqrt();
            let dots: Vec<f32> = scores.iter().map(|s| s * sqrt_hs).collect();
            let result = Object::new();
            set(&result, "dotProducts", &tensor(&dots, &[b, nh, t, s]));
            set(&result, "scores", &tensor(&scores, &[b, nh, t, s]));
            set(&result, "weights", &tensor(&weights, &[b, nh, t, s]));
            set(&result, "output", &tensor(&out, &[b, t, c]));
            Ok(result.into())
        })
    }

    /// `A (m,k) · B (k,n)` → Promise<{ data, shape: [m, n] }>.
    pub fn matmul(&self, a: JsValue, b: JsValue, options_object: JsValue) -> Promise {
        let device = self.device.clone();
        promise(move || {
            const OP: &str = "matmul";
            let opts: MatmulOptions = options(OP, options_object)?;
            let (a, b) = (f32_vec(OP, "A", &a)?, f32_vec(OP, "B", &b)?);
            for (name, dim) in [("m", opts.m), ("k", opts.k), ("n", opts.n)] {
                crate::error::check_nonzero(OP, name, dim)?;
            }
            // Check the inputs before allocating the (m, n) result.
            check_len(OP, "A", a.len(), &[("m", opts.m), ("k", opts.k)])?;
            check_len(OP, "B", b.len(), &[("k", opts.k), ("n", opts.n)])?;
            let shape = MatmulShape {
                m: opts.m,
                k: opts.k,
                n: opts.n,
                trans_a: opts.transpose_a,
                trans_b: opts.transpose_b,
            };
            let mut c = vec![0.0; opts.m * opts.n];
            matmul::matmul(&device, &mut c, &a, &b, shape, false)?;
            Ok(tensor(&c, &[opts.m, opts.n]))
        })
    }

    /// The sinusoidal table → Promise<{ data, shape: [length, dModel] }>.
    #[wasm_bindgen(js_name = positionalEncoding)]
    pub fn positional_encoding(&self, length: f64, d_model: f64) -> Promise {
        let device = self.device.clone();
        promise(move || {
            const OP: &str = "positionalEncoding";
            let length = whole_number(OP, "length", length)?;
            let d_model = whole_number(OP, "dModel", d_model)?;
            if length.saturating_mul(d_model) > MAX_TABLE_VALUES {
                return Err(invalid(
                    OP,
                    format!("a {length}×{d_model} table is too large to show; keep length·dModel under {MAX_TABLE_VALUES}."),
                ));
            }
            let table = positional::table(&device, length, d_model)?;
            Ok(tensor(&table, &[length, d_model]))
        })
    }
}
