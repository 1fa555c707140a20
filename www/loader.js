// Which glassformer wasm build this browser runs, and loading it once.
//
// Three builds of the same Rust exist (scripts/build-wasm.sh): plain
// simd128, relaxed SIMD (fused multiply-add) and threaded. The page loads
// the relaxed one where the browser validates a relaxed-SIMD instruction,
// else the plain one; the threaded one only ever runs in www/cpu-worker.js.

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

import { fromPretrained } from "./pretrained.js";
import { restartable } from "./restartable.js";

let loaded = null;
let instances = 0;
/** Each loaded instance's Promise (to tell whether it is still the one loaded), and those dead. */
const current = new WeakMap();
const dead = new WeakSet();

/**
 * The instance `glassformer` died (a panic, or a trap without one, like a
 * failed allocation): once per instance, forget it so that the next call
 * loads a fresh one, fail the calls in flight, and tell the page. (A dead
 * instance may panic again, e.g. when the collector frees one of its
 * models: that says nothing new.)
 */
export function instanceDied(glassformer, message) {
  if (dead.has(glassformer)) return;
  dead.add(glassformer);
  if (loaded === current.get(glassformer)) loaded = null;
  restartable.instanceLost(glassformer, message);
  globalThis.document?.dispatchEvent(new CustomEvent("glassformer-restarted", { detail: { message } }));
}

/**
 * The glassformer wasm package, initialised: the relaxed-SIMD build (fused
 * multiply-add) where the browser has relaxed SIMD, otherwise the plain
 * simd128 build. `?simd=plain` in the address forces the plain one.
 *
 * If a panic (a bug in glassformer) kills the wasm instance, the calls in
 * flight reject with "internal error in <op>; the runtime was restarted",
 * a `glassformer-restarted` event goes to `document`, and the next call of
 * `loadGlassformer` (which every runtime made by `Runtime.create` makes for
 * its next call: see restartable.js) starts a fresh instance.
 */
export function loadGlassformer() {
  if (!loaded) {
    const forcePlain = new URLSearchParams(globalThis.location?.search ?? "").get("simd") === "plain";
    const build = relaxedSimd && !forcePlain ? "./pkg-relaxed/glassformer.js" : "./pkg/glassformer.js";
    // A fresh instance after a crash: the same files under another address make another module.
    const instance = instances++ === 0 ? "" : `?instance=${instances}`;
    const self = (loaded = import(build + instance)
      .catch(() => import("./pkg/glassformer.js" + instance)) // the relaxed build was not built: use the plain one
      .then(async (module) => {
        await module.default();
        // Runtime.create gives a runtime that outlives its instance (restartable.js).
        const raw = module.Runtime;
        const Runtime = Object.create(raw);
        Runtime.create = (preference, options) => restartable.create(preference, options);
        // rt.fromPretrained(source, options): the download lives in JS (pretrained.js), the model in wasm.
        raw.prototype.fromPretrained = function (source, options) {
          return fromPretrained(this, source, options);
        };
        const glassformer = { ...module, Runtime, rawRuntime: raw };
        current.set(glassformer, self);
        module.onInternalError((message) => instanceDied(glassformer, message));
        return glassformer;
      }));
    self.catch(() => { if (loaded === self) loaded = null; });
  }
  return loaded;
}
