// Models several widgets on a page share: widgets that show the same
// checkpoint load it once. Each widget acquires the model when it connects
// and releases it when it is removed; the last release frees it.

import { getRuntime } from "../runtime.js";

const MODELS = {
  bert: { url: new URL("../models/bert.safetensors", import.meta.url).href, load: (runtime, bytes) => runtime.loadBert(bytes) },
};
const shared = new Map(); // key → { promise, users }

/** Names of the checkpoints widgets can share (the `model` attribute). */
export const sharedModelNames = Object.keys(MODELS);

/**
 * The page's copy of model `name` (one of `sharedModelNames`), loading it on the
 * first call. Pair each call with `releaseModel(name)`.
 */
export function acquireModel(name) {
  const spec = MODELS[name];
  if (!spec) return Promise.reject(new Error(`unknown model "${name}": use one of ${sharedModelNames.join(", ")}.`));
  let entry = shared.get(name);
  if (!entry) {
    entry = {
      users: 0,
      promise: (async () => {
        const response = await fetch(spec.url);
        if (!response.ok) throw new Error(`could not fetch the ${name} checkpoint (${spec.url}): HTTP ${response.status}.`);
        return spec.load(await getRuntime(), new Uint8Array(await response.arrayBuffer()));
      })(),
    };
    // A failed load is forgotten, so that the next widget tries again.
    entry.promise.catch(() => { if (shared.get(name) === entry) shared.delete(name); });
    shared.set(name, entry);
  }
  entry.users++;
  return entry.promise;
}

/** One user fewer of model `name`; the last one frees it. */
export function releaseModel(name) {
  const entry = shared.get(name);
  if (!entry) return;
  entry.users--;
  if (entry.users <= 0) {
    shared.delete(name);
    entry.promise.then((model) => model.free?.(), () => {});
  }
}

/** How many widgets hold each shared model, by name (what the tests check). */
export function sharedModelUsers() {
  return Object.fromEntries([...shared].map(([name, entry]) => [name, entry.users]));
}
