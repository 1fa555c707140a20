// The runtime's CPU methods in a Web Worker (www/cpu-worker.js): the same
// methods and results as the wasm Runtime on the CPU backend, each call a
// message to the worker and back. The threaded build runs only there (its
// pool blocks with memory.atomic.wait, which a page's main thread may not),
// and long work, like training a GPT, runs there without freezing the page.

import { fromPretrained } from "./pretrained.js";

/** The worker's refusal as an Error with the same message and fields as the page runtime's. */
function workerError({ error, fields }) {
  const result = new Error(error);
  for (const [key, value] of Object.entries(fields ?? {})) if (value !== undefined) result[key] = value;
  return result;
}

/**
 * The runtime's CPU methods, run by the threaded build in a Web Worker
 * (www/cpu-worker.js). Same methods and properties as the wasm `Runtime` on
 * the CPU backend; every call is a message to the worker and back.
 */
export class WorkerRuntime {
  static async start(threads) {
    const runtime = new WorkerRuntime();
    const { cpuKernels, version } = await runtime.#startWorker(threads);
    runtime.cpuKernels = cpuKernels;
    runtime.version = version;
    runtime.threads = threads;
    return runtime;
  }

  /** Why the CPU (set by getRuntime from the page's own choice). */
  backendReason = "Running on the CPU (WebAssembly), in a worker.";
  #worker = null;
  #pending = new Map();
  #nextId = 0;
  /** Which worker: models made by an earlier one (before an internal error) are gone. */
  #generation = 0;
  #restarting = null;

  /** A fresh worker running the runtime on `threads` threads → its { cpuKernels, version }. */
  #startWorker(threads) {
    const worker = new Worker(new URL("./cpu-worker.js", import.meta.url), { type: "module" });
    this.#worker = worker;
    this.#generation++;
    worker.addEventListener("message", async ({ data }) => {
      if (data?.type === "glassformer-token") {
        // A generate call streaming: hand the token to its onToken, and tell the worker whether to go on.
        let goOn = false;
        try {
          goOn = (await this.#pending.get(data.id)?.onToken?.(data.step)) !== false;
        } finally {
          worker.postMessage({ type: "glassformer-token-answer", id: data.id, goOn });
        }
        return;
      }
      if (data?.type === "glassformer-internal-error") {
        if (worker !== this.#worker) return; // the same death told twice (the panic, then its trap)
        // A panic killed the worker's wasm instance: the calls in flight say so, the next call gets a fresh worker.
        for (const call of this.#pending.values()) {
          const op = call.op;
          call.reject(workerError({ error: `internal error in ${op}; the runtime was restarted (${data.message.replace(/\s*\n\s*/g, " ")}). Call again: the next call runs on a fresh runtime.`, fields: { op } }));
        }
        this.#pending.clear();
        worker.terminate();
        // A fresh worker for the next calls (if it cannot start, the one after tries again).
        this.#restarting = this.#startWorker(threads).catch((error) => {
          this.#restarting = null;
          throw error;
        });
        // Models made in the old worker are gone: widgets sharing them load them again (shared-models.js, base.js).
        globalThis.document?.dispatchEvent(new CustomEvent("glassformer-restarted", { detail: { message: data.message } }));
        return;
      }
      if (data?.type !== "glassformer-result") return;
      const call = this.#pending.get(data.id);
      this.#pending.delete(data.id);
      if (data.error !== undefined) call.reject(workerError(data));
      else call.resolve(data.result);
    });
    // A worker that fails to load or dies: every waiting call gets an Error.
    worker.addEventListener("error", (event) => {
      // The trap that follows a panic, from a worker already replaced: nothing more to tell.
      if (worker !== this.#worker) {
        event.preventDefault();
        return;
      }
      for (const call of this.#pending.values()) call.reject(workerError({ error: `glassformer CPU worker failed: ${event.message ?? "could not load"}`, fields: { op: "worker" } }));
      this.#pending.clear();
    });
    return this.#send("start", [threads]);
  }

  /** Ask the worker to run `method(...args)`; `onToken`, if given, hears each token a generate call streams. */
  async #call(method, args, onToken) {
    await this.#restarting;
    return this.#send(method, args, onToken);
  }

  #send(method, args, onToken) {
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      // The op an Error names: a model's method, or the runtime's.
      const op = method === "model" ? String(args[1]) : method;
      this.#pending.set(id, { resolve, reject, onToken, op });
      this.#worker.postMessage({ type: "glassformer-call", id, method, args, streams: onToken !== undefined });
    });
  }

  get backend() { return "cpu"; }
  get adapter() { return undefined; }
  get fallbackReason() { return undefined; }
  get webgpuAvailable() { return "gpu" in navigator; }
  attention(q, k, v, options) { return this.#call("attention", [q, k, v, options]); }
  matmul(a, b, options) { return this.#call("matmul", [a, b, options]); }
  positionalEncoding(options) { return this.#call("positionalEncoding", [options]); }
  feedForward(x, w1, b1, w2, b2, options) { return this.#call("feedForward", [x, w1, b1, w2, b2, options]); }
  benchmark(kind, options) { return this.#call("benchmark", [kind, options]); }
  /** What the worker's runtime holds → Promise<{ wasmBytes, wasmMemoryBytes, gpuBytes, models, budgetBytes }>. */
  memory() { return this.#call("memory", []); }
  /** Panic inside the worker, as a bug would: the call rejects, the next one runs on a fresh worker. */
  simulateInternalError() { return this.#call("simulateInternalError", []); }
  loseDevice() {} // nothing to lose on the CPU
  /** End the worker (its models go with it). */
  terminate() {
    this.#worker.terminate();
    // Calls still waiting would never hear back: they fail now, saying why.
    for (const call of this.#pending.values()) call.reject(workerError({ error: "the glassformer CPU worker was ended.", fields: { op: "worker" } }));
    this.#pending.clear();
  }
  /** A translator in the worker → Promise<WorkerModel>, as the page's Runtime gives Promise<Seq2seqModel>. */
  async seq2seq(options) { return this.#model("seq2seq", [options]); }
  async loadSeq2seq(bytes) { return this.#model("loadSeq2seq", [bytes]); }
  async gpt(options) { return this.#model("gpt", [options]); }
  async loadGpt(bytes, text) { return this.#model("loadGpt", [bytes, text]); }
  async bert(options) { return this.#model("bert", [options]); }
  async loadBert(bytes, vocabTxt) { return this.#model("loadBert", [bytes, vocabTxt]); }
  async loadPretrained(files) { return this.#model("loadPretrained", [files]); }
  /** Download in the page, open in the worker (see pretrained.js). */
  fromPretrained(source, options) { return fromPretrained(this, source, options); }
  /** A model made in the worker → its WorkerModel, as the page's Runtime gives Promise<Seq2seqModel> etc. */
  async #model(maker, args) {
    const { handle, weight } = await this.#call(maker, args);
    const generation = this.#generation;
    const model = new WorkerModel((method, methodArgs, onToken) => {
      if (generation !== this.#generation) {
        const op = String(methodArgs[1]);
        return Promise.reject(workerError({ error: `${op}: this model was lost when the runtime restarted after an internal error; make or load it again.`, fields: { op } }));
      }
      return this.#call(method, methodArgs, onToken);
    }, handle);
    // The model lives in the worker, where the page's garbage collector cannot see it: this small
    // object carries its weight (four times what it allocated, as a page's model does) so that a
    // page dropping models makes the collector run, and the registry below free them.
    Object.defineProperty(model, "gcWeight", { value: new ArrayBuffer(weight), enumerable: false });
    return model;
  }
}

/**
 * A model the page drops is disposed of in the worker once the garbage
 * collector collects its WorkerModel, as wasm-bindgen does for the page's
 * own models. (The held value names the model; it must not hold the object.)
 */
const collected = new FinalizationRegistry(({ call, handle }) => {
  call("model", [handle, "dispose", []]).catch(() => {}); // a worker already ended has nothing to free
});

/** A model that lives in the CPU worker: each method is a message naming it. */
class WorkerModel {
  #call;
  #handle;
  constructor(call, handle) {
    this.#call = call;
    this.#handle = handle;
    collected.register(this, { call, handle }, this);
  }
  #method(name, ...args) { return this.#call("model", [this.#handle, name, args]); }
  train(options) { return this.#method("train", options); }
  evaluate(split, options) { return this.#method("evaluate", split, options); }
  translate(text, options) { return this.#method("translate", text, options); }
  save() { return this.#method("save"); }
  describe() { return this.#method("describe"); }
  nextToken(prompt, options) { return this.#method("nextToken", prompt, options); }
  // BERT.
  fillMask(text, options) { return this.#method("fillMask", text, options); }
  maskExample(text, options) { return this.#method("maskExample", text, options); }
  attention(text) { return this.#method("attention", text); }
  fineTune(examples, options) { return this.#method("fineTune", examples, options); }
  classify(text) { return this.#method("classify", text); }
  tokenize(text) { return this.#method("tokenize", text); }
  encode(text) { return this.#method("encode", text); }
  forward(ids, options) { return this.#method("forward", ids, options); }
  embeddingSpace(words, options) { return this.#method("embeddingSpace", words, options); }
  /**
   * A function cannot cross to the worker: with `onToken`, the worker
   * streams each token back as it is drawn, and waits for `onToken`'s answer
   * (false stops) before the next. One call, one random stream: the same
   * seed gives the same text as on the page's runtime.
   */
  generate(prompt, options = {}) {
    const { onToken, ...rest } = options;
    return this.#call("model", [this.#handle, "generate", [prompt, rest]], onToken);
  }
  /** Free the model in the worker now (calls already made finish first); later calls throw. */
  dispose() {
    collected.unregister(this);
    this.#method("dispose").catch(() => {}); // a model lost with an earlier worker has nothing left to free
  }
  free() { this.dispose(); }
}

/**
 * A CPU runtime in a Web Worker of its own, on `threads` threads (1: the
 * single-threaded build, which needs no cross-origin isolation). For work
 * too long for the page's thread, like training a GPT; pages otherwise use
 * getRuntime.
 */
export function startWorkerRuntime(threads = 1) {
  return WorkerRuntime.start(threads);
}

/** The threaded CPU runtime on `threads` threads, in its worker (for benchmarks). */
export const startThreadedRuntime = startWorkerRuntime;
