// One glassformer runtime per page, shared by every widget.
//
// The first widget that asks loads the wasm module and creates the runtime;
// every later call gets the same Promise, so a page with ten widgets still
// has one wasm instance (and, with a GPU backend, one GPU device). This file
// holds that choice and the thread policy; loader.js picks and loads the
// wasm build, worker-runtime.js runs the CPU kernels in a Web Worker.

import { loadGlassformer, relaxedSimd } from "./loader.js";
import { WorkerRuntime } from "./worker-runtime.js";

export { loadGlassformer, relaxedSimd } from "./loader.js";
export { startWorkerRuntime, startThreadedRuntime } from "./worker-runtime.js";

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
    threaded.backendReason = runtime.backendReason; // why the CPU: the page's choice, not the worker's
    runtime.free?.();
    return threaded;
  } catch (error) {
    console.warn(`glassformer: running the CPU kernels on one thread (${error.message})`);
    return runtime;
  }
}

let shared = null;

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
    shared = createRuntime(wanted);
    // A failed start is reported once per call site; let a later call retry.
    shared.catch(() => { shared = null; });
  }
  return shared;
}

/**
 * A sentence for the page: which backend runs, and why — the runtime's own
 * (see src/web/runtime/choice.rs: "auto" never takes a software WebGPU
 * adapter and says so; on a real GPU each model times both backends when it
 * is built), or why it left a lost GPU.
 */
export function describeBackend(runtime) {
  if (runtime.fallbackReason) {
    return `Switched to the CPU (WebAssembly): ${runtime.fallbackReason}`;
  }
  return runtime.backendReason;
}

/**
 * The same in Chinese: the sentence for each reason the runtime gives
 * (src/web/runtime/choice.rs writes them, in English; each is recognised
 * here by its wording).
 */
export function describeBackendZh(runtime) {
  const reason = runtime.backendReason ?? "";
  const adapter = runtime.adapter ? `（${runtime.adapter}）` : "";
  if (runtime.fallbackReason) return "GPU 设备已丢失，已改用 CPU（WebAssembly）继续计算。";
  if (reason.includes('as asked (backend "cpu")')) return "按要求（backend=\"cpu\"）在 CPU（WebAssembly）上运行。";
  if (reason.includes('as asked (backend "webgpu")')) {
    const software = reason.includes("software renderer") ? "它是软件渲染器，实际在 CPU 上运行，所以 CPU 后端更快。" : "";
    return `按要求（backend="webgpu"）在 WebGPU${adapter} 上运行。${software}`;
  }
  if (reason.includes("has no WebGPU")) return "在 CPU（WebAssembly）上运行：这个浏览器没有 WebGPU（可以试试新版的 Chrome 或 Edge）。";
  if (reason.includes("no GPU adapter answered")) {
    return "在 CPU（WebAssembly）上运行：浏览器支持 WebGPU，但没有可用的 GPU 适配器（GPU 或它的驱动可能被浏览器屏蔽了）。";
  }
  if (reason.includes("software renderer")) {
    return "在 CPU（WebAssembly）上运行：这个浏览器唯一的 WebGPU 适配器是软件渲染器，它本身就在 CPU 上运行，比 WebAssembly 内核还慢。" +
      "在地址后加上 ?backend=webgpu 可以强制使用它。";
  }
  if (reason.includes("each model times")) {
    return `WebGPU${adapter} 可用：每个模型创建时会在它和 CPU 上各计时一个训练步，然后在更快的那个上运行（describe() 会说明是哪一个）。`;
  }
  return runtime.backend === "webgpu" ? `在 WebGPU${adapter} 上运行。` : "在 CPU（WebAssembly）上运行。";
}

/** The short name of the backend, for a widget's status line. */
export function backendLabel(runtime) {
  return runtime.backend === "webgpu" ? "WebGPU" : "CPU (WebAssembly)";
}
