// A runtime that outlives its wasm instance.
//
// A panic in Rust (a bug in glassformer, never bad input: that is an Error)
// kills the wasm instance: its memory is left as the panic found it, and the
// Promise of the call that panicked would never settle. So the runtime a
// page gets from `Runtime.create` (or getRuntime) is this wrapper around the
// wasm one. When the instance dies (loader.js hears it from Rust's panic
// hook), every call in flight rejects with "internal error in <op>; the
// runtime was restarted", and the next call starts a fresh instance and a
// fresh runtime with the same preference and options, then runs there.
// Models made before are gone with the old instance: their calls reject
// with an Error that says to make or load them again (the widgets do so on
// the `glassformer-restarted` event).

import { instanceDied, loadGlassformer } from "./loader.js";
import { fromPretrained } from "./pretrained.js";

/** Every runtime made and not yet collected (weakly: a runtime the page drops is freed as before). */
const runtimes = new Set();

/** The model classes of the wasm package, and the prefix of their ops in Errors. */
const MODEL_OPS = { Seq2seqModel: "seq2seq", GptModel: "gpt", BertModel: "bert" };
/** Methods that answer at once rather than with a Promise. */
const AT_ONCE = new Set(["loseDevice", "free", "dispose"]);

function internalError(op, message) {
  const error = new Error(`internal error in ${op}; the runtime was restarted (${String(message).replace(/\s*\n\s*/g, " ")}). Call again: the next call runs on a fresh runtime.`);
  error.op = op;
  return error;
}

function lostModel(op) {
  const error = new Error(`${op}: this model was lost when the runtime restarted after an internal error; make or load it again.`);
  error.op = op;
  return error;
}

/** Each wasm call the wrapper makes is a (possibly) trapping one: a panic shows up as a RuntimeError. */
const isTrap = (error) => error instanceof WebAssembly.RuntimeError;

class Restartable {
  constructor(preference, options) {
    this.preference = preference;
    this.options = options;
    this.module = null;
    this.raw = null;
    this.generation = 0;
    this.deathMessage = null;
    this.restarting = null;
    this.inflight = new Set();
    this.extra = {}; // properties the page sets on the runtime (cpuKernels)
    const self = this;
    this.proxy = new Proxy({}, {
      get(_, prop) {
        if (prop in self.extra) return self.extra[prop];
        if (prop === "fromPretrained") return (source, options) => fromPretrained(self.proxy, source, options);
        if (prop === "then") return undefined; // not a thenable: `await Runtime.create()` must give the runtime itself
        let value;
        try {
          value = self.raw[prop];
        } catch {
          return undefined; // a property of a dead instance
        }
        if (typeof value !== "function") return value;
        return (...args) => self.method(prop, args);
      },
      set(_, prop, value) {
        self.extra[prop] = value;
        return true;
      },
      has(_, prop) {
        return prop in self.extra || prop in (self.raw ?? {});
      },
    });
  }

  /** Load the (current or a fresh) instance and make the wasm runtime on it. */
  async start() {
    this.module = await loadGlassformer();
    this.raw = await this.module.rawRuntime.create(this.preference, this.options);
    this.generation++;
    this.deathMessage = null;
    this.ref ??= new WeakRef(this);
    runtimes.add(this.ref);
  }

  /** The instance died: every call in flight learns it now, and the next one starts afresh. */
  lost(message) {
    this.deathMessage = message;
    this.restarting = null; // a restart that died with it will never finish
    for (const call of this.inflight) call.reject(internalError(call.op, message));
    this.inflight.clear();
  }

  async restart() {
    this.restarting ??= this.start().finally(() => { this.restarting = null; });
    return this.restarting;
  }

  method(name, args) {
    if (name === "free") {
      runtimes.delete(this.ref);
      if (!this.deathMessage) this.raw.free();
      return undefined;
    }
    if (AT_ONCE.has(name)) {
      if (this.deathMessage) throw internalError(name, this.deathMessage);
      return this.raw[name](...args);
    }
    return this.call(name, async () => {
      if (this.deathMessage) await this.restart();
      return this.raw[name](...args);
    });
  }

  /** Run one call, rejecting it with a readable Error if the instance dies meanwhile; models it makes are wrapped. */
  call(op, run) {
    return new Promise((resolve, reject) => {
      const entry = { op, reject };
      this.inflight.add(entry);
      Promise.resolve()
        .then(run)
        .then((value) => resolve(this.wrap(value)), (error) => {
          // A trap without a panic first (a failed allocation aborts straight away) kills the instance all the same.
          if (isTrap(error) && !this.deathMessage) instanceDied(this.module, error.message);
          reject(isTrap(error) ? internalError(op, this.deathMessage ?? error.message) : error);
        })
        .finally(() => this.inflight.delete(entry));
    });
  }

  /** A model made on this instance, whose calls go through `call` while the instance lives. */
  wrap(value) {
    const prefix = MODEL_OPS[value?.constructor?.name];
    if (!prefix) return value;
    const generation = this.generation;
    const alive = () => generation === this.generation && !this.deathMessage;
    return new Proxy(value, {
      get: (model, prop) => {
        const member = model[prop];
        if (typeof member !== "function") return member;
        const op = `${prefix}.${String(prop)}`;
        if (AT_ONCE.has(prop)) return () => (alive() ? member.call(model) : undefined);
        return (...args) => (alive() ? this.call(op, () => member.apply(model, args)) : Promise.reject(lostModel(op)));
      },
    });
  }
}

export const restartable = {
  /** `Runtime.create(preference, options)` as the page gets it: a runtime that restarts after an internal error. */
  async create(preference, options) {
    const runtime = new Restartable(preference, options);
    await runtime.start();
    return runtime.proxy;
  },
  /** loader.js: the instance `module` died with `message`. */
  instanceLost(module, message) {
    for (const ref of runtimes) {
      const runtime = ref.deref();
      if (!runtime) runtimes.delete(ref);
      else if (runtime.module === module) runtime.lost(message);
    }
  },
};
