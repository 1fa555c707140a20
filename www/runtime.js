// One glassformer runtime per page, shared by every widget.
//
// The first widget that asks loads the wasm module and creates the runtime;
// every later call gets the same Promise, so a page with ten widgets still
// has one wasm instance (and, with a GPU backend, one GPU device).

import init, { Runtime } from "./pkg/glassformer.js";

let shared = null;
let requested = "auto";

/**
 * The page's runtime. `preference` ("auto" | "webgpu" | "cpu") only matters
 * for the first call; it can also be set page-wide with
 * `<meta name="glassformer-backend" content="cpu">`, or for one visit with
 * `?backend=cpu` in the address.
 * @returns {Promise<Runtime>}
 */
export function getRuntime(preference) {
  if (!shared) {
    const meta = document.querySelector('meta[name="glassformer-backend"]');
    const fromAddress = new URLSearchParams(location.search).get("backend");
    const wanted = preference ?? fromAddress ?? meta?.content ?? "auto";
    requested = wanted;
    shared = init().then(() => Runtime.create(wanted));
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
