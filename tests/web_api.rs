//! The JS boundary, inside Chromium: results come back as `{ data, shape }`
//! objects, and every bad call rejects with a JS `Error` whose message names
//! the op. Runs under `wasm-pack test --headless --chrome` only.
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use glassformer::web::{BertModel, GptModel, Runtime, Seq2seqModel};
use js_sys::{Array, Float32Array, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn runtime(preference: &str) -> Runtime {
    Runtime::create(Some(preference.into()), JsValue::UNDEFINED)
        .await
        .map_err(|_| "create")
        .unwrap()
}

/// A CPU runtime and a WebGPU one (Chromium runs here with a software adapter).
async fn both() -> [Runtime; 2] {
    let (cpu, gpu) = (runtime("cpu").await, runtime("webgpu").await);
    assert_eq!((cpu.backend().as_str(), gpu.backend().as_str()), ("cpu", "webgpu"));
    [cpu, gpu]
}

fn f32s(values: &[f32]) -> JsValue {
    Float32Array::from(values).into()
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap()
}

fn data(tensor: &JsValue) -> Vec<f32> {
    get(tensor, "data").dyn_into::<Float32Array>().unwrap().to_vec()
}

fn shape(tensor: &JsValue) -> Vec<u32> {
    Array::from(&get(tensor, "shape"))
        .iter()
        .map(|d| d.as_f64().unwrap() as u32)
        .collect()
}

fn opts(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in pairs {
        Reflect::set(&object, &(*key).into(), value).unwrap();
    }
    object.into()
}

/// Options of a translator small enough to train in a test: 300 sentences, dModel 16, dFF 32, batches of 8.
fn small_translator() -> JsValue {
    opts(&[
        ("sentences", 300.into()),
        ("dModel", 16.into()),
        ("dFF", 32.into()),
        ("batchSize", 8.into()),
    ])
}

/// A model from the Promise a constructor returns.
async fn made<T: wasm_bindgen::convert::TryFromJsValue>(promise: Promise) -> T {
    let value = JsFuture::from(promise)
        .await
        .unwrap_or_else(|e| panic!("the model should be made: {e:?}"));
    T::try_from_js_value(value).unwrap_or_else(|_| panic!("the Promise resolved to another kind of object"))
}

/// Await a Promise that must resolve.
async fn resolved(promise: Promise) -> JsValue {
    JsFuture::from(promise)
        .await
        .unwrap_or_else(|e| panic!("the call should have resolved: {e:?}"))
}

/// Await a Promise that must reject; return the JS Error's message.
async fn rejection(promise: Promise) -> String {
    let error = JsFuture::from(promise).await.expect_err("the call should have been rejected");
    let error: js_sys::Error = error.dyn_into().expect("rejections are JS Error objects");
    String::from(error.message())
}

#[wasm_bindgen_test]
async fn attention_returns_tensors_with_shapes() {
    for rt in both().await {
        attention_worked_example(&rt).await;
    }
}

async fn attention_worked_example(rt: &Runtime) {
    // The worked example's projections (see tests/ops_behaviour.rs).
    let q = f32s(&[2.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 2.0]);
    let k = f32s(&[1.0, 2.0, 1.0, 0.0, 1.0, 0.0, 1.0, 2.0]);
    let v = f32s(&[3.0, 2.0, 0.0, 1.0, 0.0, 1.0, 3.0, 2.0]);
    let result = JsFuture::from(rt.attention(q, k, v, opts(&[("dModel", 4.into())]))).await.unwrap();
    assert_eq!(shape(&get(&result, "weights")), [1, 1, 2, 2]);
    assert_eq!(shape(&get(&result, "output")), [1, 2, 4]);
    assert_eq!(data(&get(&result, "dotProducts")), [5.0, 3.0, 3.0, 5.0]);
    assert_eq!(data(&get(&result, "scores")), [2.5, 1.5, 1.5, 2.5]);
    let w = data(&get(&result, "weights"));
    assert!(
        (w[0] - 0.731_059).abs() < 1e-6 && (w[1] - 0.268_941).abs() < 1e-6,
        "{} weights {w:?}",
        rt.backend()
    );
    let z = data(&get(&result, "output"));
    assert!(
        (z[0] - 2.193_177).abs() < 1e-5 && (z[4] - 0.806_824).abs() < 1e-5,
        "{} output {z:?}",
        rt.backend()
    );
}

#[wasm_bindgen_test]
async fn positional_encoding_and_matmul_across_the_boundary() {
    for rt in both().await {
        positional_encoding_and_matmul(&rt).await;
    }
}

async fn positional_encoding_and_matmul(rt: &Runtime) {
    let pe = JsFuture::from(rt.positional_encoding(opts(&[("length", 2.into()), ("dModel", 4.into())])))
        .await
        .unwrap();
    assert_eq!(shape(&pe), [2, 4]);
    assert!((data(&pe)[4] - 1f32.sin()).abs() < 1e-7);
    let a = Array::of3(&1.into(), &2.into(), &3.into()); // plain arrays work too
    let c = JsFuture::from(rt.matmul(
        a.into(),
        f32s(&[1.0, 1.0, 1.0]),
        opts(&[("m", 1.into()), ("k", 3.into()), ("n", 1.into())]),
    ))
    .await
    .unwrap();
    assert_eq!(data(&c), [6.0]);
}

#[wasm_bindgen_test]
async fn bad_calls_throw_errors_that_name_the_op() {
    for rt in both().await {
        bad_calls(&rt).await;
    }
}

async fn bad_calls(rt: &Runtime) {
    let four = || f32s(&[0.5; 8]);
    let with = |pairs: &[(&str, JsValue)]| opts(pairs);

    // wrong shapes: 7 values are not a whole number of 4-wide rows
    let msg = rejection(rt.attention(f32s(&[0.0; 7]), four(), four(), with(&[("dModel", 4.into())]))).await;
    assert!(msg.starts_with("attention: q holds 7 values"), "{msg}");
    // v must match k
    let msg = rejection(rt.attention(four(), four(), f32s(&[0.0; 12]), with(&[("dModel", 4.into())]))).await;
    assert!(msg.starts_with("attention: v holds 12 values, expected 2·4 = 8"), "{msg}");
    // NaN input
    let msg = rejection(rt.attention(f32s(&[0.0, f32::NAN, 0.0, 0.0]), four(), four(), with(&[("dModel", 4.into())]))).await;
    assert!(msg.contains("attention: q contains a non-finite value (NaN) at index 1"), "{msg}");
    // zero heads
    let msg = rejection(rt.attention(four(), four(), four(), with(&[("dModel", 4.into()), ("heads", 0.into())]))).await;
    assert!(msg.contains("attention: heads is 0"), "{msg}");
    // heads not dividing the width
    let msg = rejection(rt.attention(four(), four(), four(), with(&[("dModel", 4.into()), ("heads", 3.into())]))).await;
    assert!(msg.contains("heads=3 does not divide the width C=4"), "{msg}");
    // empty input
    let msg = rejection(rt.attention(f32s(&[]), four(), four(), with(&[("dModel", 4.into())]))).await;
    assert!(msg.contains("attention: q is empty"), "{msg}");
    // not numbers at all
    let msg = rejection(rt.attention("hello".into(), four(), four(), with(&[("dModel", 4.into())]))).await;
    assert!(msg.contains("attention: q must be a Float32Array"), "{msg}");
    // a misspelt option
    let msg = rejection(rt.attention(four(), four(), four(), with(&[("dmodel", 4.into())]))).await;
    assert!(
        msg.starts_with("attention: unknown option \"dmodel\"; the options are dModel, heads, batch"),
        "{msg}"
    );
    // a misspelt optional one is refused too, not ignored
    let msg = rejection(rt.seq2seq(with(&[("dFf", 32.into())]))).await;
    assert!(
        msg.starts_with("seq2seq: unknown option \"dFf\"; the options are seed, sentences, layers, dModel, heads, dFF"),
        "{msg}"
    );
    // a mistyped one
    let msg = rejection(rt.attention(four(), four(), four(), with(&[("dModel", "four".into())]))).await;
    assert!(msg.starts_with("attention: bad options"), "{msg}");
    // causal with fewer keys than queries
    let msg = rejection(rt.attention(
        four(),
        f32s(&[0.0; 4]),
        f32s(&[0.0; 4]),
        with(&[("dModel", 4.into()), ("causal", true.into())]),
    ))
    .await;
    assert!(msg.contains("causal mask needs at least as many keys"), "{msg}");
    // matmul with the wrong inner size
    let msg = rejection(rt.matmul(four(), four(), with(&[("m", 2.into()), ("k", 3.into()), ("n", 2.into())]))).await;
    assert!(msg.starts_with("matmul: A has shape 8 values, expected (m=2, k=3)"), "{msg}");
    // a negative length
    let msg = rejection(rt.positional_encoding(opts(&[("length", (-1).into()), ("dModel", 4.into())]))).await;
    assert!(msg.starts_with("positionalEncoding: length must be a whole number"), "{msg}");
}

#[wasm_bindgen_test]
async fn unknown_backends_are_errors_and_auto_never_takes_a_software_adapter() {
    let error: js_sys::Error = Runtime::create(Some("tpu".into()), JsValue::UNDEFINED)
        .await
        .err()
        .expect("no such backend")
        .dyn_into()
        .unwrap();
    assert_eq!(
        String::from(error.message()),
        "Runtime.create: unknown backend preference \"tpu\"; use \"auto\", \"webgpu\" or \"cpu\"."
    );
    assert_eq!(get(&error, "op").as_string().as_deref(), Some("Runtime.create"));
    // Chromium here has only SwiftShader, a software adapter: "auto" runs on the CPU and says why.
    let auto = Runtime::create(None, JsValue::UNDEFINED).await.map_err(|_| ()).unwrap();
    assert_eq!(auto.backend(), "cpu");
    assert!(auto.backend_reason().contains("software renderer"), "{}", auto.backend_reason());
    // Forced, it is used (and the reason says it is slow).
    let forced = runtime("webgpu").await;
    assert!(forced.adapter().is_some());
    assert!(forced.backend_reason().contains("as asked"), "{}", forced.backend_reason());
    // Allowed, "auto" keeps it and each model times a step on both backends: the CPU wins.
    let timed = Runtime::create(None, opts(&[("allowSoftwareAdapter", true.into())]))
        .await
        .map_err(|_| ())
        .unwrap();
    assert_eq!(timed.backend(), "webgpu");
    let small = small_translator();
    let model = made::<Seq2seqModel>(timed.seq2seq(small)).await;
    let described = resolved(model.describe()).await;
    let reason = get(&described, "backendReason").as_string().unwrap();
    assert_eq!(get(&described, "backend").as_string().as_deref(), Some("cpu"), "{reason}");
    assert!(reason.contains("ms on WebGPU"), "{reason}");
    assert_eq!(get(&described, "step").as_f64(), Some(0.0), "the timing steps are undone");
    // Undone entirely, its data order included: it trains exactly as a model on a CPU runtime.
    let cpu = runtime("cpu").await;
    let plain = made::<Seq2seqModel>(cpu.seq2seq(small_translator())).await;
    for _ in 0..2 {
        let timed_run = JsFuture::from(model.train(opts(&[("steps", 3.into())]))).await.unwrap();
        let plain_run = JsFuture::from(plain.train(opts(&[("steps", 3.into())]))).await.unwrap();
        assert_eq!(get(&timed_run, "loss").as_f64(), get(&plain_run, "loss").as_f64());
    }
    let bad = Runtime::create(None, opts(&[("memoryBudget", 1.into())])).await.err().unwrap();
    let bad: js_sys::Error = bad.dyn_into().unwrap();
    assert!(
        String::from(bad.message()).contains("memoryBudget 1 must be"),
        "{}",
        String::from(bad.message())
    );
}

#[wasm_bindgen_test]
async fn sizes_past_the_memory_budget_are_refused_before_allocating() {
    let rt = Runtime::create(Some("cpu".into()), opts(&[("memoryBudget", 200e6.into())]))
        .await
        .map_err(|_| ())
        .unwrap();
    let (bytes_before, ..) = memory(&rt).await;
    let huge = opts(&[
        ("layers", 12.into()),
        ("dModel", 1024.into()),
        ("dFF", 4096.into()),
        ("batchSize", 512.into()),
    ]);
    let msg = rejection(rt.seq2seq(huge)).await;
    assert!(msg.starts_with("seq2seq: this would hold about"), "{msg}");
    assert!(
        msg.contains("memory budget leaves") && msg.contains("200.0 MB") && msg.contains("batchSize"),
        "{msg}"
    );
    let text = "to be or not to be, that is the question. ".repeat(80);
    let msg = rejection(rt.gpt(opts(&[("text", text.into()), ("batchSize", 100_000.into())]))).await;
    assert!(
        msg.starts_with("gpt: this would hold about") && msg.contains("activations"),
        "{msg}"
    );
    let msg = rejection(rt.bert(opts(&[("batchSize", 100_000.into())]))).await;
    assert!(msg.starts_with("bert: this would hold about"), "{msg}");
    // A kernel whose result alone is too big: (m, n) = 100000 × 100000 from two 100000-value inputs.
    let column = f32s(&vec![1.0; 100_000]);
    let msg = rejection(rt.matmul(
        column.clone(),
        column,
        opts(&[("m", 100_000.into()), ("k", 1.into()), ("n", 100_000.into())]),
    ))
    .await;
    assert!(msg.starts_with("matmul: this would hold about 80.00 GB"), "{msg}");
    let long = f32s(&vec![0.5; 60_000]);
    let msg = rejection(rt.attention(long.clone(), long.clone(), long, opts(&[("dModel", 1.into())]))).await;
    assert!(msg.starts_with("attention: this would hold about"), "{msg}");
    // Nothing was allocated on the way, and a model that fits is still made.
    assert!(memory(&rt).await.0 < bytes_before + 1e6);
    let small = small_translator();
    made::<Seq2seqModel>(rt.seq2seq(small)).await;
    // A classifier copies its BERT and trains at its own batch size: checked too.
    let bert = made::<BertModel>(rt.bert(opts(&[
        ("dModel", 16.into()),
        ("heads", 2.into()),
        ("layers", 1.into()),
        ("documents", 40.into()),
    ])))
    .await;
    let examples = get(
        &glassformer::web::bert_opinion_examples(opts(&[("split", 0.into()), ("count", 4.into()), ("seed", 1.into())])).unwrap(),
        "examples",
    );
    let msg = rejection(bert.fine_tune(examples, opts(&[("batchSize", 10_000_000.into())]))).await;
    assert!(
        msg.starts_with("bert.fineTune: this would hold about") && msg.contains("batchSize"),
        "{msg}"
    );
}

#[wasm_bindgen_test]
async fn a_lost_gpu_device_falls_back_to_the_cpu() {
    let rt = runtime("webgpu").await;
    attention_worked_example(&rt).await;
    assert_eq!(rt.fallback_reason(), None);
    rt.lose_device();
    // The next call notices, finishes on the CPU, and the runtime stays there.
    attention_worked_example(&rt).await;
    assert_eq!(rt.backend(), "cpu");
    let reason = rt.fallback_reason().expect("the runtime says why it switched");
    assert!(reason.contains("lost") && reason.contains("Continuing on the CPU"), "{reason}");
    positional_encoding_and_matmul(&rt).await;
}

/// The translator through the JS API, on both backends: training steps,
/// evaluation, translation with its attention, and the errors.
#[wasm_bindgen_test]
async fn seq2seq_trains_translates_and_rejects_bad_input() {
    for rt in both().await {
        let small = small_translator();
        let model = made::<Seq2seqModel>(rt.seq2seq(small)).await;
        let first = JsFuture::from(model.train(opts(&[("steps", 3.into())]))).await.unwrap();
        assert_eq!(get(&first, "step").as_f64(), Some(3.0));
        assert!(get(&first, "loss").as_f64().unwrap().is_finite());
        let described = resolved(model.describe()).await;
        assert_eq!(get(&described, "step").as_f64(), Some(3.0));
        assert_eq!(get(&described, "dModel").as_f64(), Some(16.0));
        assert_eq!(get(&described, "dFF").as_f64(), Some(32.0), "the width asked for, not the default");
        assert!(get(&described, "trainPairs").as_f64().unwrap() > 100.0);
        assert!((get(&described, "labelSmoothing").as_f64().unwrap() - 0.1).abs() < 1e-6);
        assert!(get(&first, "tokensPerSecond").as_f64().unwrap() > 0.0);
        let evaluation = JsFuture::from(model.evaluate("test".into(), opts(&[("limit", 3.into())])))
            .await
            .unwrap();
        assert_eq!(get(&evaluation, "sentences").as_f64(), Some(3.0));
        // A slice: sentences 1 and 2 again, with their sources, outputs and references.
        let slice = JsFuture::from(model.evaluate("test".into(), opts(&[("offset", 1.into()), ("limit", 2.into())])))
            .await
            .unwrap();
        assert_eq!(get(&slice, "sentences").as_f64(), Some(2.0));
        for key in ["sources", "hypotheses", "references"] {
            assert_eq!(Array::from(&get(&slice, key)).length(), 2, "{key}");
        }
        let whole: Vec<JsValue> = Array::from(&get(&evaluation, "hypotheses")).iter().collect();
        assert_eq!(Array::from(&get(&slice, "hypotheses")).get(0), whole[1]);
        let past = rejection(model.evaluate("test".into(), opts(&[("offset", 1_000_000.into())]))).await;
        assert!(past.contains("offset 1000000 is past the end"), "{past}");
        // An unknown word is kept as <unk>, not an error.
        let translation = JsFuture::from(model.translate("The agreement on the zebra was signed.".into(), opts(&[("beam", 3.into())])))
            .await
            .unwrap();
        let source: Vec<String> = Array::from(&get(&translation, "sourceTokens"))
            .iter()
            .map(|w| w.as_string().unwrap())
            .collect();
        assert_eq!(source[4], "<unk>");
        let targets = Array::from(&get(&translation, "targetTokens")).length();
        let attention = Array::from(&get(&translation, "crossAttention"));
        assert_eq!(attention.length(), 2); // one per decoder layer
        assert_eq!(shape(&attention.get(0)), [4, targets, source.len() as u32]);

        // save → load → the same translation; broken bytes are an Error.
        let bytes = JsFuture::from(model.save())
            .await
            .unwrap()
            .dyn_into::<js_sys::Uint8Array>()
            .unwrap()
            .to_vec();
        let loaded = made::<Seq2seqModel>(rt.load_seq2seq(bytes.clone())).await;
        let again = JsFuture::from(loaded.translate("The agreement on the zebra was signed.".into(), opts(&[("beam", 3.into())])))
            .await
            .unwrap();
        assert_eq!(get(&again, "text").as_string(), get(&translation, "text").as_string());
        let msg = rejection(rt.load_seq2seq(bytes[..100].to_vec())).await;
        assert!(msg.starts_with("checkpoint: this is not a safetensors file"), "{msg}");

        let msg = rejection(model.translate("   ".into(), JsValue::UNDEFINED)).await;
        assert!(msg.starts_with("seq2seq.translate: the text is empty"), "{msg}");
        let msg = rejection(model.translate("word ".repeat(41), JsValue::UNDEFINED)).await;
        assert!(msg.contains("has 41 words; this translator takes at most 40"), "{msg}");
        let msg = rejection(model.translate("the law".into(), opts(&[("beam", 0.into())]))).await;
        assert!(msg.contains("beam width 0 must be between 1 and 16"), "{msg}");
        let msg = rejection(model.evaluate("tset".into(), JsValue::UNDEFINED)).await;
        assert!(msg.contains("unknown split \"tset\""), "{msg}");
        let msg = rejection(model.train(opts(&[("steps", 0.into())]))).await;
        assert!(msg.contains("steps must be between 1 and 10000"), "{msg}");
        let msg = rejection(rt.seq2seq(opts(&[("dModel", 10.into()), ("heads", 4.into())]))).await;
        assert!(msg.contains("heads=4 does not divide"), "{msg}");
        // Sizes past what a tab holds are refused before anything is allocated.
        for (option, value) in [("layers", 1e6), ("dModel", 4096.0), ("dFF", 65536.0), ("batchSize", 0.0)] {
            let msg = rejection(rt.seq2seq(opts(&[(option, value.into())]))).await;
            assert!(
                msg.contains("in the browser, layers 1–12, dModel 1–1024, dFF 1–4096, batchSize 1–512"),
                "{option}: {msg}"
            );
        }
    }
}

/// `bleu` for course authors: sentences as strings, the sacreBLEU figure.
#[wasm_bindgen_test]
fn bleu_scores_sentences_given_as_strings() {
    let result = glassformer::web::bleu(vec!["the cat sat on".into()], vec!["the cat sat on the mat".into()]).unwrap();
    let score = get(&result, "score").as_f64().unwrap();
    assert!((score - 60.6530659713).abs() < 1e-8, "{score}");
    assert_eq!(get(&result, "hypothesisLength").as_f64(), Some(4.0));
    let error: js_sys::Error = glassformer::web::bleu(vec!["a".into()], vec![]).unwrap_err().dyn_into().unwrap();
    assert!(String::from(error.message()).starts_with("bleu: got 1 hypotheses and 0 references"));
}

/// A GPU lost in the middle of training: the translator goes on on the CPU
/// from its last snapshot instead of losing its training state.
#[wasm_bindgen_test]
async fn a_translator_on_a_lost_gpu_keeps_training_on_the_cpu() {
    let rt = runtime("webgpu").await;
    let small = small_translator();
    let model = made::<Seq2seqModel>(rt.seq2seq(small)).await;
    let first = JsFuture::from(model.train(opts(&[("steps", 3.into())]))).await.unwrap();
    assert_eq!(get(&first, "step").as_f64(), Some(3.0));
    rt.lose_device();
    // The snapshot is the step-0 state (the next is due at step 100): 0 + 2 steps.
    let after = JsFuture::from(model.train(opts(&[("steps", 2.into())]))).await.unwrap();
    assert_eq!(get(&after, "step").as_f64(), Some(2.0));
    assert!(get(&after, "loss").as_f64().unwrap().is_finite());
    assert_eq!(rt.backend(), "cpu");
    assert!(rt.fallback_reason().is_some());
    let translation = JsFuture::from(model.translate("the agreement was signed .".into(), JsValue::UNDEFINED))
        .await
        .unwrap();
    assert!(get(&translation, "text").as_string().is_some());
    let bytes = JsFuture::from(model.save()).await.unwrap();
    assert!(js_sys::Uint8Array::from(bytes).length() > 1000);
}

/// The same for a GPT: a lost GPU mid-training, and the call finishes on the
/// CPU from the last snapshot; sampling and saving still work.
#[wasm_bindgen_test]
async fn a_gpt_on_a_lost_gpu_keeps_training_on_the_cpu() {
    let rt = runtime("webgpu").await;
    let text = "to be, or not to be, that is the question.\n".repeat(30);
    let gpt = made::<GptModel>(rt.gpt(opts(&[
        ("text", text.into()),
        ("context", 16.into()),
        ("layers", 1.into()),
        ("dModel", 16.into()),
        ("heads", 2.into()),
        ("batchSize", 4.into()),
    ])))
    .await;
    let quick = |steps: u32| opts(&[("steps", steps.into()), ("validationBatches", 0.into())]);
    let first = JsFuture::from(gpt.train(quick(3))).await.unwrap();
    assert_eq!(get(&first, "step").as_f64(), Some(3.0));
    rt.lose_device();
    // Back to the step-0 snapshot, then 2 steps on the CPU.
    let after = JsFuture::from(gpt.train(opts(&[("steps", 2.into()), ("validationBatches", 1.into())])))
        .await
        .unwrap();
    assert_eq!(get(&after, "step").as_f64(), Some(2.0));
    assert!(get(&after, "loss").as_f64().unwrap().is_finite() && get(&after, "valLoss").as_f64().unwrap().is_finite());
    assert_eq!(rt.backend(), "cpu");
    assert!(rt.fallback_reason().is_some_and(|r| r.contains("Continuing on the CPU")));
    let sample = JsFuture::from(gpt.generate("to be".into(), opts(&[("maxTokens", 5.into())])))
        .await
        .unwrap();
    assert_eq!(get(&sample, "text").as_string().unwrap().chars().count(), 5);
    let bytes = JsFuture::from(gpt.save()).await.unwrap();
    assert!(js_sys::Uint8Array::from(bytes).length() > 1000);
}

/// And for BERT: pre-training and its fine-tuned classifier both go on on
/// the CPU after the GPU is lost, each from its own snapshot.
#[wasm_bindgen_test]
async fn a_bert_on_a_lost_gpu_keeps_pre_training_and_fine_tuning_on_the_cpu() {
    let rt = runtime("webgpu").await;
    let bert = made::<BertModel>(rt.bert(opts(&[
        ("documents", 60.into()),
        ("layers", 1.into()),
        ("dModel", 16.into()),
        ("heads", 2.into()),
        ("batchSize", 4.into()),
        ("vocabSize", 200.into()),
    ])))
    .await;
    let first = JsFuture::from(bert.train(opts(&[("steps", 3.into())]))).await.unwrap();
    assert_eq!(get(&first, "step").as_f64(), Some(3.0));
    let examples = || {
        get(
            &glassformer::web::bert_opinion_examples(opts(&[("split", 0.into()), ("count", 8.into()), ("seed", 1.into())]))
                .map_err(|_| "examples")
                .unwrap(),
            "examples",
        )
    };
    let tuned = JsFuture::from(bert.fine_tune(examples(), opts(&[("steps", 2.into())])))
        .await
        .unwrap();
    assert_eq!(get(&tuned, "step").as_f64(), Some(2.0));
    rt.lose_device();
    let after = JsFuture::from(bert.train(opts(&[("steps", 2.into())]))).await.unwrap();
    assert_eq!(
        get(&after, "step").as_f64(),
        Some(2.0),
        "pre-training: the step-0 snapshot, then 2 steps"
    );
    assert!(get(&after, "mlmLoss").as_f64().unwrap().is_finite() && get(&after, "nspLoss").as_f64().unwrap().is_finite());
    assert_eq!(rt.backend(), "cpu");
    let tuned = JsFuture::from(bert.fine_tune(examples(), opts(&[("steps", 1.into())])))
        .await
        .unwrap();
    assert_eq!(
        get(&tuned, "step").as_f64(),
        Some(1.0),
        "the classifier: its step-0 snapshot, then 1 step"
    );
    let classified = JsFuture::from(bert.classify("the bread was stale.".into())).await.unwrap();
    let probs = data(&get(&classified, "probabilities"));
    assert!((probs.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    let filled = JsFuture::from(bert.fill_mask("a [MASK] of milk".into(), JsValue::UNDEFINED))
        .await
        .unwrap();
    assert_eq!(Array::from(&filled).length(), 1);
}

/// The paper's training options through the JS API, and their limits.
#[wasm_bindgen_test]
async fn seq2seq_takes_dropout_smoothing_tied_embeddings_and_length_limits() {
    let rt = runtime("cpu").await;
    let paper = opts(&[
        ("sentences", 300.into()),
        ("dModel", 16.into()),
        ("dFF", 32.into()),
        ("batchSize", 8.into()),
        ("dropout", 0.1.into()),
        ("labelSmoothing", 0.1.into()),
        ("tieEmbeddings", true.into()),
        ("maxSourceWords", 5.into()),
    ]);
    let model = made::<Seq2seqModel>(rt.seq2seq(paper)).await;
    let trained = JsFuture::from(model.train(opts(&[("steps", 2.into())]))).await.unwrap();
    assert!(get(&trained, "loss").as_f64().unwrap().is_finite());
    let msg = rejection(model.translate("the agreement was signed in august .".into(), JsValue::UNDEFINED)).await;
    assert!(msg.contains("has 7 words; this translator takes at most 5"), "{msg}");
    // Saved and loaded, the options come back (the limit still applies).
    let bytes = js_sys::Uint8Array::new(&JsFuture::from(model.save()).await.unwrap()).to_vec();
    let again = made::<Seq2seqModel>(rt.load_seq2seq(bytes.clone())).await;
    let msg = rejection(again.translate("the agreement was signed in august .".into(), JsValue::UNDEFINED)).await;
    assert!(msg.contains("at most 5"), "{msg}");
    for (key, value) in [("dropout", 1.5), ("labelSmoothing", -0.1), ("maxSourceWords", 0.0)] {
        let msg = rejection(rt.seq2seq(opts(&[("sentences", 300.into()), (key, value.into())]))).await;
        assert!(msg.starts_with("seq2seq") || msg.starts_with("translator"), "{key}: {msg}");
    }
}

/// The GPT through the JS API: training, the next-token distribution,
/// seeded generation that streams and can stop, save → load, and the errors.
#[wasm_bindgen_test]
async fn gpt_trains_samples_streams_and_rejects_bad_options() {
    let rt = runtime("cpu").await;
    let text = "ROMEO:\nBut soft, what light through yonder window breaks?\n\n".repeat(6);
    let small = opts(&[
        ("text", text.clone().into()),
        ("context", 16.into()),
        ("layers", 1.into()),
        ("dModel", 16.into()),
        ("heads", 2.into()),
        ("batchSize", 4.into()),
    ]);
    let gpt = made::<GptModel>(rt.gpt(small)).await;
    let trained = JsFuture::from(gpt.train(opts(&[("steps", 2.into())]))).await.unwrap();
    assert_eq!(get(&trained, "step").as_f64(), Some(2.0));
    assert!(get(&trained, "valLoss").as_f64().unwrap().is_finite());
    // The distribution before and after the filters.
    let next = JsFuture::from(gpt.next_token("ROMEO:\n".into(), opts(&[("topK", 3.into())])))
        .await
        .unwrap();
    let (raw, sampled) = (data(&get(&next, "raw")), data(&get(&next, "sampled")));
    assert_eq!(raw.len(), Array::from(&get(&next, "characters")).length() as usize);
    assert!((raw.iter().sum::<f32>() - 1.0).abs() < 1e-4 && (sampled.iter().sum::<f32>() - 1.0).abs() < 1e-4);
    assert_eq!(sampled.iter().filter(|&&p| p > 0.0).count(), 3);
    // The same seed, the same text; onToken sees every step and can stop.
    let generate = |options: JsValue| JsFuture::from(gpt.generate("ROMEO:\n".into(), options));
    let a = generate(opts(&[("maxTokens", 20.into()), ("seed", 5.into())])).await.unwrap();
    let b = generate(opts(&[("maxTokens", 20.into()), ("seed", 5.into())])).await.unwrap();
    assert_eq!(get(&a, "text"), get(&b, "text"));
    assert_eq!(Array::from(&get(&a, "steps")).length(), 20);
    let seen = Rc::new(RefCell::new(0));
    let counter = Rc::clone(&seen);
    let stop_after_three = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |_step: JsValue| {
        *counter.borrow_mut() += 1;
        JsValue::from_bool(*counter.borrow() < 3)
    });
    let stopped = generate(opts(&[("maxTokens", 50.into()), ("onToken", stop_after_three.as_ref().clone())]))
        .await
        .unwrap();
    assert_eq!(*seen.borrow(), 3);
    assert_eq!(get(&stopped, "text").as_string().unwrap().chars().count(), 3);
    // Saved and loaded without the text: it samples the same, but cannot train.
    let bytes = js_sys::Uint8Array::new(&JsFuture::from(gpt.save()).await.unwrap()).to_vec();
    let loaded = made::<GptModel>(rt.load_gpt(bytes.clone(), None)).await;
    let c = JsFuture::from(loaded.generate("ROMEO:\n".into(), opts(&[("maxTokens", 20.into()), ("seed", 5.into())])))
        .await
        .unwrap();
    assert_eq!(get(&a, "text"), get(&c, "text"));
    let msg = rejection(loaded.train(JsValue::UNDEFINED)).await;
    assert!(msg.contains("no text to train on"), "{msg}");
    // Bad options and prompts.
    for (key, value, expected) in [
        ("temperature", -1.0, "temperature -1 must be 0"),
        ("topK", -2.0, "topK -2 must be a whole number"),
        ("topP", 0.0, "top-p 0 must be in (0, 1]"),
        ("maxTokens", 6000.0, "maxTokens 6000 must be a whole number from 1 to 5000"),
    ] {
        let msg = rejection(gpt.generate("ROMEO".into(), opts(&[(key, value.into())]))).await;
        assert!(msg.starts_with("gpt.generate: ") && msg.contains(expected), "{key}: {msg}");
    }
    let msg = rejection(gpt.generate("Roméo".into(), JsValue::UNDEFINED)).await;
    assert!(msg.contains("'é'"), "{msg}");
    let msg = rejection(gpt.next_token(String::new(), JsValue::UNDEFINED)).await;
    assert!(msg.contains("the prompt is empty"), "{msg}");
    let msg = rejection(rt.gpt(JsValue::UNDEFINED)).await;
    assert_eq!(msg, "gpt: give the text to learn from: runtime.gpt({ text })");
}

#[wasm_bindgen_test]
async fn bert_fills_masks_masks_attends_fine_tunes_and_rejects_bad_input() {
    let [cpu, gpu] = both().await;
    let small = || {
        opts(&[
            ("documents", 200.into()),
            ("layers", 1.into()),
            ("dModel", 16.into()),
            ("heads", 2.into()),
            ("batchSize", 4.into()),
            ("vocabSize", 300.into()),
        ])
    };
    for rt in [&cpu, &gpu] {
        let bert = made::<BertModel>(rt.bert(small())).await;
        let trained = JsFuture::from(bert.train(opts(&[("steps", 2.into())]))).await.unwrap();
        assert_eq!(get(&trained, "step").as_f64(), Some(2.0));
        assert!(get(&trained, "mlmLoss").as_f64().unwrap().is_finite() && get(&trained, "nspLoss").as_f64().unwrap().is_finite());
        // One list of topK guesses per [MASK], most probable first.
        let question = "the man went to the [MASK] to buy a [MASK] of milk.";
        let filled = Array::from(
            &JsFuture::from(bert.fill_mask(question.into(), opts(&[("topK", 4.into())])))
                .await
                .unwrap(),
        );
        assert_eq!(filled.length(), 2);
        for guesses in filled.iter() {
            let guesses = Array::from(&guesses);
            assert_eq!(guesses.length(), 4);
            let p: Vec<f64> = guesses.iter().map(|g| get(&g, "probability").as_f64().unwrap()).collect();
            assert!(p.windows(2).all(|w| w[0] >= w[1]) && p.iter().all(|&x| x > 0.0 && x <= 1.0));
        }
        // Attention: one (heads, T, T) tensor per layer, rows summing to 1.
        let att = JsFuture::from(bert.attention("open a bank account".into())).await.unwrap();
        let t = Array::from(&get(&att, "tokens")).length() as usize;
        let layers = Array::from(&get(&att, "layers"));
        assert_eq!(layers.length(), 1);
        assert_eq!(shape(&layers.get(0)), [2, t as u32, t as u32]);
        let weights = data(&layers.get(0));
        assert!(weights.chunks(t).all(|row| (row.iter().sum::<f32>() - 1.0).abs() < 1e-4));
        // Fine-tuning on labelled opinions, then classifying.
        let examples = get(
            &glassformer::web::bert_opinion_examples(opts(&[("split", 0.into()), ("count", 16.into()), ("seed", 1.into())]))
                .map_err(|_| "examples")
                .unwrap(),
            "examples",
        );
        let tuned = JsFuture::from(bert.fine_tune(examples, opts(&[("steps", 3.into())])))
            .await
            .unwrap();
        assert_eq!(get(&tuned, "step").as_f64(), Some(3.0));
        let accuracy = get(&tuned, "accuracy").as_f64().unwrap();
        assert!((0.0..=1.0).contains(&accuracy));
        let classified = JsFuture::from(bert.classify("the bread was stale.".into())).await.unwrap();
        let probs = data(&get(&classified, "probabilities"));
        assert!(probs.len() == 2 && (probs.iter().sum::<f32>() - 1.0).abs() < 1e-4);
    }
    let bert = made::<BertModel>(cpu.bert(small())).await;
    // The masking widget's data: every token with its fate; the same seed, the same fates.
    let sentence = "the man went to the store to buy a gallon of milk .".repeat(4);
    let masked = Array::from(&resolved(bert.mask_example(sentence.clone(), opts(&[("seed", 3.into())]))).await);
    let again = Array::from(&resolved(bert.mask_example(sentence, opts(&[("seed", 3.into())]))).await);
    let fates: Vec<String> = masked.iter().map(|m| get(&m, "fate").as_string().unwrap()).collect();
    assert_eq!(
        fates,
        again.iter().map(|m| get(&m, "fate").as_string().unwrap()).collect::<Vec<_>>()
    );
    assert!(fates
        .iter()
        .all(|f| ["not chosen", "masked", "random", "kept", "special"].contains(&f.as_str())));
    assert!(fates.iter().any(|f| f != "not chosen"), "48 tokens and none chosen: {fates:?}");
    for m in masked.iter() {
        if get(&m, "fate").as_string().unwrap() == "masked" {
            assert_eq!(get(&m, "shown").as_string().unwrap(), "[MASK]");
        }
    }
    // Save → load: the same guesses.
    let bytes = js_sys::Uint8Array::new(&JsFuture::from(bert.save()).await.unwrap()).to_vec();
    let loaded = made::<BertModel>(cpu.load_bert(bytes.clone(), None)).await;
    // A vocab.txt that does not fit the model is refused, naming both sizes.
    let short_vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nmilk\n".to_string();
    let msg = rejection(cpu.load_bert(bytes.clone(), Some(short_vocab))).await;
    assert!(msg.contains("has 6 tokens") && msg.contains("must match"), "{msg}");
    let guess = |b: &glassformer::web::BertModel| JsFuture::from(b.fill_mask("a [MASK] of milk".into(), JsValue::UNDEFINED));
    let (x, y) = (guess(&bert).await.unwrap(), guess(&loaded).await.unwrap());
    let first = |v: &JsValue| get(&Array::from(&Array::from(v).get(0)).get(0), "token").as_string().unwrap();
    assert_eq!(first(&x), first(&y));
    // Bad input: readable errors naming the op; unknown characters become [UNK], not errors.
    let msg = rejection(bert.fill_mask("no mask here".into(), JsValue::UNDEFINED)).await;
    assert!(msg.starts_with("fill_mask: ") && msg.contains("no [MASK]"), "{msg}");
    let msg = rejection(bert.fill_mask(format!("{} [MASK]", "milk ".repeat(60)), JsValue::UNDEFINED)).await;
    assert!(msg.contains("more than the model's 48"), "{msg}");
    assert!(Array::from(&resolved(bert.tokenize("the ☃ store".into())).await)
        .iter()
        .any(|p| p.as_string().unwrap() == "[UNK]"));
    let msg = rejection(bert.classify("the bread".into())).await;
    assert!(msg.contains("call fineTune"), "{msg}");
    let msg = rejection(bert.fine_tune(
        get(
            &glassformer::web::bert_opinion_examples(opts(&[("split", 0.into()), ("count", 4.into()), ("seed", 1.into())])).unwrap(),
            "examples",
        ),
        opts(&[("classes", 1.into())]),
    ))
    .await;
    assert!(msg.contains("from 2 to 1000 labels"), "{msg}");
    let mut broken = bytes.clone();
    broken.truncate(bytes.len() / 2);
    let msg = rejection(cpu.load_bert(broken.clone(), None)).await;
    assert!(msg.starts_with("checkpoint: this is not a safetensors file"), "{msg}");
    // The embedding space: found and missing words, a word's cosine with itself 1, neighbours, the projection.
    // Two entries of this small trained vocabulary: the first and last pieces of a sentence.
    let pieces: Vec<String> = Array::from(&resolved(loaded.tokenize("milk for the store".into())).await)
        .iter()
        .map(|p| p.as_string().unwrap())
        .collect();
    let (first, last) = (pieces[0].clone(), pieces[pieces.len() - 1].clone());
    assert_ne!(first, last, "{pieces:?}");
    let words = || vec![first.clone(), last.clone(), "zzzz".to_string()];
    let analogy: JsValue = Array::of3(&first.as_str().into(), &last.as_str().into(), &first.as_str().into()).into();
    let space = JsFuture::from(loaded.embedding_space(words(), opts(&[("neighbours", 3.into()), ("analogy", analogy)])))
        .await
        .unwrap();
    let strings = |v: JsValue| Array::from(&v).iter().map(|w| w.as_string().unwrap()).collect::<Vec<_>>();
    assert_eq!(strings(get(&space, "words")), [first.clone(), last.clone()]);
    assert_eq!(strings(get(&space, "missing")), ["zzzz"]);
    assert_eq!(shape(&get(&space, "cosines")), [2, 2]);
    let cosines = data(&get(&space, "cosines"));
    assert!((cosines[0] - 1.0).abs() < 1e-5 && (cosines[3] - 1.0).abs() < 1e-5, "{cosines:?}");
    assert_eq!(Array::from(&Array::from(&get(&space, "neighbours")).get(1)).length(), 3);
    assert_eq!(Array::from(&get(&space, "analogy")).length(), 3);
    let vocabulary = Array::from(&get(&get(&space, "projection"), "vocabulary")).length();
    assert_eq!(
        vocabulary as f64,
        get(&resolved(loaded.describe()).await, "vocabularySize").as_f64().unwrap() - 5.0
    );
    let msg = rejection(loaded.embedding_space(vec!["zzzz".into()], JsValue::UNDEFINED)).await;
    assert!(
        msg.starts_with("embedding_space: ") && msg.contains("none of the words (zzzz)"),
        "{msg}"
    );
}

#[wasm_bindgen_test]
async fn the_widgets_feed_forward_and_rnn_across_the_boundary() {
    let rt = runtime("cpu").await;
    // x (1, 2) = [1, −1]; W1 = I, b1 = [0, 0.5] → [1, −0.5] → ReLU [1, 0]; W2 = diag(2, 3), b2 = [0.1, 0.2] → [2.1, 0.2].
    let ffn = JsFuture::from(rt.feed_forward(
        f32s(&[1.0, -1.0]),
        f32s(&[1.0, 0.0, 0.0, 1.0]),
        f32s(&[0.0, 0.5]),
        f32s(&[2.0, 0.0, 0.0, 3.0]),
        f32s(&[0.1, 0.2]),
        opts(&[("dModel", 2.into()), ("dFF", 2.into())]),
    ))
    .await
    .unwrap();
    assert_eq!(data(&get(&ffn, "preActivation")), [1.0, -0.5]);
    assert_eq!(data(&get(&ffn, "hidden")), [1.0, 0.0]);
    let output = data(&get(&ffn, "output"));
    assert!((output[0] - 2.1).abs() < 1e-6 && (output[1] - 0.2).abs() < 1e-6, "{output:?}");
    assert_eq!(shape(&get(&ffn, "output")), [1, 2]);
    let msg = rejection(rt.feed_forward(
        f32s(&[1.0, -1.0]),
        f32s(&[1.0, 0.0, 0.0]),
        f32s(&[0.0, 0.5]),
        f32s(&[2.0, 0.0, 0.0, 3.0]),
        f32s(&[0.1, 0.2]),
        opts(&[("dModel", 2.into()), ("dFF", 2.into())]),
    ))
    .await;
    assert!(msg.starts_with("feedForward: ") && msg.contains("W1"), "{msg}");
    // The error's parts as fields, for code that handles errors.
    let error = JsFuture::from(rt.feed_forward(
        f32s(&[1.0, -1.0]),
        f32s(&[1.0, 0.0, 0.0]),
        f32s(&[0.0, 0.5]),
        f32s(&[2.0, 0.0, 0.0, 3.0]),
        f32s(&[0.1, 0.2]),
        opts(&[("dModel", 2.into()), ("dFF", 2.into())]),
    ))
    .await
    .expect_err("W1 is too short");
    let field = |key: &str| get(&error, key).as_string().unwrap_or_default();
    assert_eq!(
        [field("op"), field("what"), field("expected"), field("got")],
        ["feedForward", "W1", "(dModel=2, dFF=2) = 4 values", "3 values"]
    );
    // The identity RNN: ‖∂L/∂h_t‖ = ρ^(T−1−t).
    let rnn = glassformer::web::rnn_gradients(opts(&[
        ("radius", 0.5.into()),
        ("steps", 5.into()),
        ("activation", "identity".into()),
    ]))
    .unwrap();
    assert_eq!(shape(&get(&rnn, "gradientNorms")), [5]);
    let norms = data(&get(&rnn, "gradientNorms"));
    for (t, norm) in norms.iter().enumerate() {
        assert!((norm - 0.5f32.powi(4 - t as i32)).abs() < 1e-5, "{norms:?}");
    }
    let error: js_sys::Error = glassformer::web::rnn_gradients(opts(&[("activation", "relu".into())]))
        .unwrap_err()
        .dyn_into()
        .unwrap();
    let msg = String::from(error.message());
    assert!(msg.starts_with("rnnGradients: ") && msg.contains("\"relu\""), "{msg}");
}

/// A random Hugging Face BERT (`tests/fixtures/hf/bert/`, from `transformers`) through
/// `loadPretrained`, on both backends: `forward` gives the library's hidden states,
/// attention weights and logits within 1e-4 (on the CPU, which `forward` runs on).
#[wasm_bindgen_test]
async fn a_hugging_face_bert_through_load_pretrained() {
    const EXPECTED: &[u8] = include_bytes!("fixtures/hf/bert/expected.safetensors");
    let tensor = |name: &str| common::fixture_tensor(EXPECTED, name);
    // The fixture's vocabulary: the five specials and 94 made-up words (99 tokens, as the config says).
    let vocab: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        .map(String::from)
        .into_iter()
        .chain((5..99).map(|i| format!("w{i}")))
        .collect();
    let files = |config: &str, weights: &[u8]| {
        opts(&[
            ("config", config.into()),
            ("weights", js_sys::Uint8Array::from(weights).into()),
            ("vocab", vocab.join("\n").into()),
        ])
    };
    let config = include_str!("fixtures/hf/bert/config.json");
    let weights: &[u8] = include_bytes!("fixtures/hf/bert/model.safetensors");
    let ids: Vec<u32> = tensor("input_ids").iter().map(|&v| v as u32).collect();
    let segments = Array::new();
    for s in tensor("token_type_ids") {
        segments.push(&(s as u32).into());
    }
    for rt in both().await {
        let bert: BertModel = made(rt.load_pretrained(files(config, weights))).await;
        let asked = opts(&[
            ("segments", segments.clone().into()),
            ("hiddenStates", true.into()),
            ("attentions", true.into()),
        ]);
        let out = resolved(bert.forward(ids.clone(), asked)).await;
        let (hidden, attentions) = (Array::from(&get(&out, "hiddenStates")), Array::from(&get(&out, "attentions")));
        assert_eq!((hidden.length(), attentions.length()), (3, 2));
        assert_eq!(shape(&hidden.get(2)), [9, 32]);
        assert_eq!(shape(&attentions.get(1)), [4, 9, 9]);
        let close = |what: String, got: Vec<f32>, want: Vec<f32>| {
            let worst = got
                .iter()
                .zip(&want)
                .map(|(a, b)| (a - b).abs() / (1.0 + b.abs()))
                .fold(0.0f32, f32::max);
            assert!(
                got.len() == want.len() && worst <= 1e-4,
                "{what} on {}: off by {worst}",
                rt.backend()
            );
        };
        for i in 0..3 {
            close(
                format!("hidden_states.{i}"),
                data(&hidden.get(i)),
                tensor(&format!("hidden_states.{i}")),
            );
        }
        for i in 0..2 {
            close(
                format!("attentions.{i}"),
                data(&attentions.get(i)),
                tensor(&format!("attentions.{i}")),
            );
        }
        close("logits".into(), data(&get(&out, "logits")), tensor("logits"));
        // What it reads: [CLS] w7 [SEP].
        let encoded = resolved(bert.encode("w7".into())).await;
        assert_eq!(
            Array::from(&get(&encoded, "ids"))
                .iter()
                .map(|v| v.as_f64().unwrap() as u32)
                .collect::<Vec<_>>(),
            [2, 7, 3]
        );
    }
    // Refusals: no tokenizer, a GPT-2, a vocabulary of the wrong size.
    let rt = runtime("cpu").await;
    let no_tokenizer = opts(&[("config", config.into()), ("weights", js_sys::Uint8Array::from(weights).into())]);
    assert!(rejection(rt.load_pretrained(no_tokenizer)).await.contains("tokenizer"));
    // A GPT-2 given a BERT vocab.txt and no merges: the message names what GPT-2 needs.
    let gpt2 = files(
        include_str!("fixtures/hf/gpt2/config.json"),
        include_bytes!("fixtures/hf/gpt2/model.safetensors"),
    );
    assert!(rejection(rt.load_pretrained(gpt2)).await.contains("merges"));
    let short = opts(&[
        ("config", config.into()),
        ("weights", js_sys::Uint8Array::from(weights).into()),
        ("vocab", vocab[..50].join("\n").into()),
    ]);
    let m = rejection(rt.load_pretrained(short)).await;
    assert!(
        m.starts_with("loadPretrained: ") && m.contains("50 tokens") && m.contains("99"),
        "{m}"
    );
}

/// A random Hugging Face GPT-2 with its own byte-level BPE (`tests/fixtures/hf/gpt2/`) through
/// `loadPretrained`: `encode` gives the ids Hugging Face's tokenizer gave, `forward` the
/// library's logits, hidden states and attention weights within 1e-4; it generates.
#[wasm_bindgen_test]
async fn a_hugging_face_gpt2_through_load_pretrained() {
    const EXPECTED: &[u8] = include_bytes!("fixtures/hf/gpt2/expected.safetensors");
    let tensor = |name: &str| common::fixture_tensor(EXPECTED, name);
    let rt = runtime("cpu").await;
    let tokenizers: [Vec<(&str, JsValue)>; 2] = [
        vec![("tokenizer", include_str!("fixtures/hf/gpt2/tokenizer.json").into())],
        vec![
            ("vocab", include_str!("fixtures/hf/gpt2/vocab.json").into()),
            ("merges", include_str!("fixtures/hf/gpt2/merges.txt").into()),
        ],
    ];
    for tokenizer in tokenizers {
        let mut files = vec![
            ("config", JsValue::from(include_str!("fixtures/hf/gpt2/config.json"))),
            (
                "weights",
                js_sys::Uint8Array::from(&include_bytes!("fixtures/hf/gpt2/model.safetensors")[..]).into(),
            ),
        ];
        files.extend(tokenizer);
        let gpt: GptModel = made(rt.load_pretrained(opts(&files))).await;
        let encoded = resolved(gpt.encode("Hello world, it's a tiny GPT-2!".into())).await;
        let ids: Vec<u32> = Array::from(&get(&encoded, "ids"))
            .iter()
            .map(|v| v.as_f64().unwrap() as u32)
            .collect();
        assert_eq!(ids.iter().map(|&i| i as f32).collect::<Vec<_>>(), tensor("input_ids"));
        let out = resolved(gpt.forward(ids.clone(), opts(&[("hiddenStates", true.into()), ("attentions", true.into())]))).await;
        let (hidden, attentions) = (Array::from(&get(&out, "hiddenStates")), Array::from(&get(&out, "attentions")));
        let close = |what: &str, got: Vec<f32>, want: Vec<f32>| {
            let worst = got
                .iter()
                .zip(&want)
                .map(|(a, b)| (a - b).abs() / (1.0 + b.abs()))
                .fold(0.0f32, f32::max);
            assert!(got.len() == want.len() && worst <= 1e-4, "gpt2 {what}: off by {worst}");
        };
        for i in 0..3 {
            close(
                &format!("hidden_states.{i}"),
                data(&hidden.get(i)),
                tensor(&format!("hidden_states.{i}")),
            );
        }
        for i in 0..2 {
            close(
                &format!("attentions.{i}"),
                data(&attentions.get(i)),
                tensor(&format!("attentions.{i}")),
            );
        }
        // Without the options: the logits and the last hidden state only.
        let plain = resolved(gpt.forward(ids.clone(), JsValue::UNDEFINED)).await;
        assert!(get(&plain, "hiddenStates").is_undefined() && get(&plain, "attentions").is_undefined());
        close("lastHiddenState", data(&get(&plain, "lastHiddenState")), tensor("hidden_states.2"));
        close("logits", data(&get(&out, "logits")), tensor("logits"));
        // It samples as the course's GPT does, and says what it cannot do.
        let generated = resolved(gpt.generate("Hello".into(), opts(&[("maxTokens", 5.into()), ("temperature", 0.into())]))).await;
        assert_eq!(Array::from(&get(&generated, "steps")).length(), 5);
        assert!(rejection(gpt.save()).await.contains("GPT-2"));
        let m = rejection(gpt.forward(vec![299, 300], JsValue::UNDEFINED)).await;
        assert!(m.contains("300") && m.contains("vocabulary"), "{m}");
    }
}

/// `rt.memory()` as numbers: (wasm bytes in use, GPU bytes held, live models).
async fn memory(rt: &Runtime) -> (f64, f64, f64) {
    let report = resolved(rt.memory()).await;
    let number = |key| get(&report, key).as_f64().unwrap_or_else(|| panic!("memory().{key} is a number"));
    assert!(number("wasmMemoryBytes") >= number("wasmBytes"), "in use ≤ the memory's size");
    (number("wasmBytes"), number("gpuBytes"), number("models"))
}

#[wasm_bindgen_test]
async fn dispose_frees_a_model_at_once_and_memory_says_so() {
    for rt in both().await {
        // A first model sizes the kernels' scratch buffers, which stay for the next one.
        let mut first = made::<Seq2seqModel>(rt.seq2seq(small_translator())).await;
        resolved(first.train(opts(&[("steps", 2.into())]))).await;
        first.dispose();
        let (bytes_before, gpu_before, models_before) = memory(&rt).await;
        let mut model = made::<Seq2seqModel>(rt.seq2seq(small_translator())).await;
        resolved(model.train(opts(&[("steps", 2.into())]))).await;
        let (bytes_held, gpu_held, models_held) = memory(&rt).await;
        assert_eq!(models_held, models_before + 1.0);
        assert!(
            bytes_held > bytes_before + 100_000.0,
            "a translator holds its data: {bytes_before} → {bytes_held}"
        );
        if rt.backend() == "webgpu" {
            assert!(gpu_held > gpu_before, "its parameters are GPU buffers: {gpu_before} → {gpu_held}");
        }
        model.dispose();
        model.dispose(); // twice is harmless
        let (bytes_after, gpu_after, models_after) = memory(&rt).await;
        assert_eq!(models_after, models_before);
        // What the model held is back (the scratch buffers a step sized may stay pooled on the GPU).
        assert!(
            bytes_after < bytes_before + 0.1 * (bytes_held - bytes_before),
            "{bytes_before} → {bytes_held} → {bytes_after} bytes in use"
        );
        assert!(gpu_after <= gpu_held, "GPU bytes {gpu_held} → {gpu_after}");
        let msg = rejection(model.translate("the cat .".into(), JsValue::UNDEFINED)).await;
        assert!(msg.contains("seq2seq.translate") && msg.contains("disposed"), "{msg}");
        // A GPT and a BERT come and go the same way.
        let text = "to be or not to be, that is the question. ".repeat(80);
        let mut gpt = made::<GptModel>(rt.gpt(opts(&[
            ("text", text.into()),
            ("dModel", 16.into()),
            ("heads", 2.into()),
            ("layers", 1.into()),
        ])))
        .await;
        let mut bert = made::<BertModel>(rt.bert(opts(&[
            ("dModel", 16.into()),
            ("heads", 2.into()),
            ("layers", 1.into()),
            ("documents", 40.into()),
        ])))
        .await;
        assert_eq!(memory(&rt).await.2, models_before + 2.0);
        gpt.dispose();
        bert.dispose();
        assert_eq!(memory(&rt).await.2, models_before);
        assert!(rejection(bert.fill_mask("a [MASK] .".into(), JsValue::UNDEFINED))
            .await
            .contains("disposed"));
        assert!(rejection(gpt.generate("to".into(), JsValue::UNDEFINED)).await.contains("disposed"));
    }
}

#[wasm_bindgen_test]
async fn fifty_calls_at_once_on_one_model_resolve_in_order_with_their_own_results() {
    for rt in both().await {
        let small = small_translator();
        let model = made::<Seq2seqModel>(rt.seq2seq(small)).await;
        let sentence = "the agreement was signed .";
        // Fifty calls made at once: train, describe and translate interleaved.
        let order = Rc::new(RefCell::new(Vec::new()));
        let mut calls = Vec::new();
        for i in 0..50u32 {
            let promise = match i % 5 {
                0 => model.train(opts(&[("steps", 1.into())])),
                1 | 3 => model.describe(),
                _ => model.translate(sentence.into(), JsValue::UNDEFINED),
            };
            let order = Rc::clone(&order);
            let note = Closure::<dyn FnMut(JsValue)>::new(move |_| order.borrow_mut().push(i));
            let _ = promise.then(&note);
            note.forget();
            calls.push(promise);
        }
        let mut results = Vec::new();
        for call in calls {
            results.push(resolved(call).await);
        }
        assert_eq!(*order.borrow(), (0..50).collect::<Vec<u32>>(), "resolved in the order made");
        // Each describe saw exactly the training calls made before it.
        for (i, result) in results.iter().enumerate() {
            match i % 5 {
                0 => assert_eq!(get(result, "step").as_f64(), Some((i / 5 + 1) as f64)),
                1 | 3 => assert_eq!(get(result, "step").as_f64(), Some((i / 5 + 1) as f64), "describe #{i}"),
                _ => assert!(get(result, "text").as_string().is_some()),
            }
        }
        // Translations between the same two training steps agree (same weights, greedy).
        for group in results.chunks(5) {
            assert_eq!(get(&group[2], "text").as_string(), get(&group[4], "text").as_string());
        }
    }
}
