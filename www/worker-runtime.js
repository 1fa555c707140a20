// The runtime's CPU methods in a Web Worker (www/cpu-worker.js): the same
// methods and results as the wasm Runtime on the CPU backend, each call a
// message to the worker and back. The threaded build runs only there (its
// pool blocks with memory.atomic.wait, which a page's main thread may not),
// and long work, like training a GPT, runs there without freezing the page.

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
    const worker = new Worker(new URL("./cpu-worker.js", import.meta.url), { type: "module" });
    const runtime = new WorkerRuntime(worker);
    const { cpuKernels } = await runtime.#call("start", [threads]);
    runtime.cpuKernels = cpuKernels;
    runtime.threads = threads;
    return runtime;
  }

  #worker;
  #pending = new Map();
  #nextId = 0;

  constructor(worker) {
    this.#worker = worker;
    worker.addEventListener("message", ({ data }) => {
      if (data?.type !== "glassformer-result") return;
      const call = this.#pending.get(data.id);
      this.#pending.delete(data.id);
      if (data.error !== undefined) call.reject(workerError(data));
      else call.resolve(data.result);
    });
    // A worker that fails to load or dies: every waiting call gets an Error.
    worker.addEventListener("error", (event) => {
      for (const call of this.#pending.values()) call.reject(workerError({ error: `glassformer CPU worker failed: ${event.message ?? "could not load"}`, fields: { op: "worker" } }));
      this.#pending.clear();
    });
  }

  #call(method, args) {
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ type: "glassformer-call", id, method, args });
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
  loseDevice() {} // nothing to lose on the CPU
  /** End the worker (its models go with it). */
  terminate() {
    this.#worker.terminate();
    // Calls still waiting would never hear back: they fail now, saying why.
    for (const call of this.#pending.values()) call.reject(workerError({ error: "the glassformer CPU worker was ended.", fields: { op: "worker" } }));
    this.#pending.clear();
  }
  /** A translator in the worker → Promise<WorkerModel>, as the page's Runtime gives Promise<Seq2seqModel>. */
  async seq2seq(options) { return new WorkerModel((method, args) => this.#call(method, args), await this.#call("seq2seq", [options])); }
  async loadSeq2seq(bytes) { return new WorkerModel((method, args) => this.#call(method, args), await this.#call("loadSeq2seq", [bytes])); }
  async gpt(options) { return new WorkerModel((method, args) => this.#call(method, args), await this.#call("gpt", [options])); }
  async loadGpt(bytes, text) { return new WorkerModel((method, args) => this.#call(method, args), await this.#call("loadGpt", [bytes, text])); }
  async bert(options) { return new WorkerModel((method, args) => this.#call(method, args), await this.#call("bert", [options])); }
  async loadBert(bytes, vocabTxt) { return new WorkerModel((method, args) => this.#call(method, args), await this.#call("loadBert", [bytes, vocabTxt])); }
}

/** A model that lives in the CPU worker: each method is a message naming it. */
class WorkerModel {
  #call;
  #handle;
  constructor(call, handle) {
    this.#call = call;
    this.#handle = handle;
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
  embeddingSpace(words, options) { return this.#method("embeddingSpace", words, options); }
  /**
   * A function cannot cross to the worker, so with `onToken` the worker is
   * asked for one character at a time (seed + i for the i-th), each handed
   * to `onToken` as it comes; without it, one call does all.
   */
  async generate(prompt, options = {}) {
    const { onToken, ...rest } = options;
    if (!onToken) return this.#method("generate", prompt, rest);
    const steps = [];
    let text = "", cropped = 0;
    for (let i = 0; i < (rest.maxTokens ?? 200); i++) {
      const one = await this.#method("generate", prompt + text, { ...rest, maxTokens: 1, seed: (rest.seed ?? 0) + i });
      steps.push(one.steps[0]);
      text += one.text;
      cropped = one.cropped;
      if ((await onToken(one.steps[0])) === false) break;
    }
    return { text, steps, cropped };
  }
  free() { this.#method("free"); }
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
