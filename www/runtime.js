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
    shared = loadGlassformer().then(({ Runtime }) => Runtime.create(wanted));
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
