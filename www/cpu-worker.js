// A Web Worker that hosts a glassformer runtime off the page's main thread.
//
// With several threads it loads the threaded build: its CPU kernels share
// their work out over a pool of further workers (rayon through
// wasm-bindgen-rayon) that all see one shared wasm memory. While the pool
// works, the thread that asked waits for it with `memory.atomic.wait`, which
// browsers forbid on a page's main thread — hence the worker.
// With one thread it loads the single-threaded build (relaxed SIMD where the
// browser has it): work that takes seconds, like a GPT training step, then
// runs here and the page stays responsive.
//
// The page talks to it through WorkerRuntime (worker-runtime.js): each message names
// a runtime method and its arguments; the answer carries the result or the
// error's message.

import { relaxedSimd } from "./loader.js";

let runtime = null;
// Models made through this worker (runtime.seq2seq, runtime.gpt, runtime.bert, and their load*), by handle.
const models = new Map();
let nextModel = 0;

// Streaming generate calls waiting for the page's answer to their last token, by call id.
const tokenAnswers = new Map();

addEventListener("message", async ({ data }) => {
  if (data?.type === "glassformer-token-answer") {
    tokenAnswers.get(data.id)?.(data.goOn);
    return;
  }
  if (data?.type !== "glassformer-call") return;
  const { id, method, args, streams } = data;
  try {
    let result;
    if (method === "start") {
      const threads = args[0];
      const build = threads > 1 ? "./pkg-threads/glassformer.js" : relaxedSimd ? "./pkg-relaxed/glassformer.js" : "./pkg/glassformer.js";
      // Without a relaxed-SIMD build (a quick test run builds only www/pkg), the plain one.
      const pkg = await import(build).catch((error) => (threads > 1 ? Promise.reject(error) : import("./pkg/glassformer.js")));
      await pkg.default();
      // A panic (a bug) kills this instance: the page's WorkerRuntime rejects the calls in flight and starts a fresh worker.
      pkg.onInternalError((message) => postMessage({ type: "glassformer-internal-error", message }));
      // The pool must exist before any kernel runs: rayon would otherwise
      // try to start threads of its own, which wasm cannot.
      if (threads > 1) await pkg.initThreadPool(threads);
      runtime = await pkg.Runtime.create("cpu");
      result = { cpuKernels: pkg.cpuKernels(), version: pkg.version() };
    } else if (["seq2seq", "loadSeq2seq", "gpt", "loadGpt", "bert", "loadBert", "loadPretrained"].includes(method)) {
      const handle = nextModel++;
      const before = (await runtime.memory()).wasmBytes;
      models.set(handle, await runtime[method](...args));
      // What the model took, for the page's garbage collector to see (see worker-runtime.js).
      const weight = Math.min(64 << 20, 4 * Math.max(0, (await runtime.memory()).wasmBytes - before));
      result = { handle, weight };
    } else if (method === "model") {
      const [handle, name, modelArgs] = args;
      const model = models.get(handle);
      if (name === "dispose") {
        model?.dispose();
        models.delete(handle);
      } else if (!model) {
        throw Object.assign(new Error("this model was disposed (dispose() frees it for good); make or load a new one."), { op: name });
      } else if (name === "generate" && streams) {
        // Each token goes to the page; the next is drawn once the page's onToken has answered.
        const [prompt, options] = modelArgs;
        const onToken = (step) => new Promise((answer) => {
          tokenAnswers.set(id, answer);
          postMessage({ type: "glassformer-token", id, step });
        });
        try {
          result = await model.generate(prompt, { ...options, onToken });
        } finally {
          tokenAnswers.delete(id);
        }
      } else {
        result = await model[name](...modelArgs);
      }
    } else {
      result = await runtime[method](...args);
    }
    // Hand the result arrays over instead of copying them (this worker keeps no reference).
    postMessage({ type: "glassformer-result", id, result }, buffersOf(result));
  } catch (error) {
    // A trap without a panic first (a failed allocation aborts straight away): the instance is dead all the same.
    if (error instanceof WebAssembly.RuntimeError) {
      postMessage({ type: "glassformer-internal-error", message: error.message });
      return;
    }
    // The Error's message and its fields (op, what, expected, got), which a structured clone would drop.
    const { op, what, expected, got } = error ?? {};
    postMessage({ type: "glassformer-result", id, error: String(error?.message ?? error), fields: { op, what, expected, got } });
  }
});

/** The ArrayBuffers of every `{ data: Float32Array }` in a result. */
function buffersOf(result) {
  if (!result || typeof result !== "object") return [];
  const tensors = ArrayBuffer.isView(result.data) ? [result] : Object.values(result);
  return tensors.filter((t) => ArrayBuffer.isView(t?.data)).map((t) => t.data.buffer);
}
