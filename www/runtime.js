// One glassformer runtime per page, shared by every widget.
//
// The first widget that asks loads the wasm module and creates the runtime;
// every later call gets the same Promise, so a page with ten widgets still
// has one wasm instance (and, with a GPU backend, one GPU device).

/**
 * Does this browser run relaxed SIMD (fused multiply-add)? Asked by
 * validating a tiny module: one function returning
 * `f32x4.relaxed_madd(v128.const 0, v128.const 0, v128.const 0)`.
 */
export const relaxedSimd = (() => {
  const zeros = [0xfd, 0x0c, ...new Array(16).fill(0)]; // v128.const 0
  const module = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  // "\0asm", version 1
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,        // type section: () → v128
    0x03, 0x02, 0x01, 0x00,                          // function section: one function of type 0
    0x0a, 0x3d, 0x01, 0x3b, 0x00,                    // code section: one body of 59 bytes, no locals
    ...zeros, ...zeros, ...zeros,
    0xfd, 0x85, 0x02,                                // f32x4.relaxed_madd (0xfd 0x105)
    0x0b,                                            // end
  ];
  try {
    return WebAssembly.validate(new Uint8Array(module));
  } catch {
    return false;
  }
})();

let loaded = null;

/**
 * The glassformer wasm package, initialised: the relaxed-SIMD build (fused
 * multiply-add) where the browser has relaxed SIMD, otherwise the plain
 * simd128 build. `?simd=plain` in the address forces the plain one.
 */
export function loadGlassformer() {
  if (!loaded) {
    const forcePlain = new URLSearchParams(globalThis.location?.search ?? "").get("simd") === "plain";
    const build = relaxedSimd && !forcePlain ? "./pkg-relaxed/glassformer.js" : "./pkg/glassformer.js";
    loaded = import(build)
      .catch(() => import("./pkg/glassformer.js")) // the relaxed build was not built: use the plain one
      .then(async (module) => {
        await module.default();
        return module;
      });
    loaded.catch(() => { loaded = null; });
  }
  return loaded;
}

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
class WorkerRuntime {
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
  terminate() { this.#worker.terminate(); }
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

/**
 * How many threads the CPU kernels may use on this page. More than one needs
 * a cross-origin isolated page (shared memory requires it) and relaxed SIMD
 * (the threaded build has it). By default the pool takes all cores but one,
 * at most 8, and only on machines with 4 or more: the page's own thread needs
 * a core, and on 2 cores the pool measured slower end to end than one thread
 * (BENCHMARKS.md). `?threads=N` in the address asks for N (1 to 8);
 * `?simd=plain` means one thread.
 */
export function cpuThreads() {
  const params = new URLSearchParams(globalThis.location?.search ?? "");
  if (!globalThis.crossOriginIsolated || !relaxedSimd || params.get("simd") === "plain") return 1;
  const cores = navigator.hardwareConcurrency ?? 1;
  const asked = params.has("threads") ? Number(params.get("threads")) : (cores >= 4 ? cores - 1 : 1);
  return Math.max(1, Math.min(8, Math.floor(asked) || 1));
}

/**
 * A runtime for `preference`: the threaded CPU runtime in a worker where the
 * CPU is what will run and threads are allowed; otherwise the wasm Runtime
 * on the page (WebGPU, or the CPU on one thread).
 */
async function createRuntime(preference) {
  const { Runtime, cpuKernels } = await loadGlassformer();
  const runtime = await Runtime.create(preference);
  runtime.cpuKernels ??= cpuKernels();
  const threads = cpuThreads();
  if (runtime.backend !== "cpu" || threads < 2) return runtime;
  try {
    const threaded = await WorkerRuntime.start(threads);
    runtime.free?.();
    return threaded;
  } catch (error) {
    console.warn(`glassformer: running the CPU kernels on one thread (${error.message})`);
    return runtime;
  }
}

let shared = null;
let requested = "auto";

/**
 * The page's runtime. `preference` ("auto" | "webgpu" | "cpu") only matters
 * for the first call; it can also be set page-wide with
 * `<meta name="glassformer-backend" content="cpu">`, or for one visit with
 * `?backend=cpu` in the address. On the CPU of a cross-origin isolated page
 * the kernels run on several threads, in a worker (see `cpuThreads`);
 * `runtime.cpuKernels` says which kernels and how many threads.
 * @returns {Promise<Runtime>}
 */
export function getRuntime(preference) {
  if (!shared) {
    const meta = document.querySelector('meta[name="glassformer-backend"]');
    const fromAddress = new URLSearchParams(location.search).get("backend");
    const wanted = preference ?? fromAddress ?? meta?.content ?? "auto";
    requested = wanted;
    shared = createRuntime(wanted);
    // A failed start is reported once per call site; let a later call retry.
    shared.catch(() => { shared = null; });
  }
  return shared;
}

/** A sentence for the page: which backend runs, and why. */
export function describeBackend(runtime) {
  if (runtime.backend === "webgpu") {
    return `Running on WebGPU: ${runtime.adapter}.`;
  }
  if (runtime.fallbackReason) {
    return `Switched to the CPU (WebAssembly): ${runtime.fallbackReason}`;
  }
  if (requested === "cpu") {
    return "Running on the CPU (WebAssembly), as asked (backend=cpu).";
  }
  return runtime.webgpuAvailable
    ? "Running on the CPU (WebAssembly): this browser has WebGPU, but no GPU adapter answered (the GPU or its driver may be blocklisted)."
    : "Running on the CPU (WebAssembly). WebGPU is not available in this browser (try a recent Chrome or Edge), so everything runs on the CPU.";
}

/** The short name of the backend, for a widget's status line. */
export function backendLabel(runtime) {
  return runtime.backend === "webgpu" ? "WebGPU" : "CPU (WebAssembly)";
}
