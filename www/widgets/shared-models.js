// Models several widgets on a page share: widgets that show the same
// checkpoint load it once. Each widget acquires the model when it connects
// and releases it when it is removed; the last release frees it.
//
// A model is named by the `model` attribute: "bert" (the course's own, instant)
// or the URL of a Hugging Face BERT-family folder (anything with a "/": a Hub
// repository's `…/resolve/main/`, or a path on the site), opened with
// `rt.fromPretrained` (www/pretrained.js) and kept in the browser's cache.

import { getRuntime } from "../runtime.js";
import { readWithProgress } from "../pretrained.js";

const MODELS = {
  bert: { url: new URL("../models/bert.safetensors", import.meta.url).href, load: (runtime, bytes) => runtime.loadBert(bytes) },
};
const shared = new Map(); // key → { promise, users }

/** Names of the course's own checkpoints widgets can share (the `model` attribute). */
export const sharedModelNames = Object.keys(MODELS);

/** Whether `name` is a model folder's URL or path rather than one of `sharedModelNames`. */
export const isModelFolder = (name) => name.includes("/");

/**
 * The page's copy of model `name` (one of `sharedModelNames`, or a model
 * folder's URL), loading it on the first call; `onProgress` hears a
 * download's progress (see pretrained.js). Pair each call with `releaseModel(name)`.
 */
export function acquireModel(name, onProgress) {
  const spec = MODELS[name];
  if (!spec && !isModelFolder(name)) return Promise.reject(new Error(`unknown model "${name}": use one of ${sharedModelNames.join(", ")}, or a model folder's URL.`));
  let entry = shared.get(name);
  if (!entry) {
    // Aborted when the last user lets go before the download is done.
    const download = new AbortController();
    entry = {
      users: 0,
      download,
      promise: (async () => {
        const runtime = await getRuntime();
        if (!spec) return runtime.fromPretrained(name, { onProgress, signal: download.signal });
        const response = await fetch(spec.url, { signal: download.signal });
        if (!response.ok) throw new Error(`could not fetch the ${name} checkpoint (${spec.url}): HTTP ${response.status}.`);
        const file = spec.url.split("/").pop();
        return spec.load(runtime, await readWithProgress(response, file, onProgress));
      })(),
    };
    // A failed load is forgotten, so that the next widget tries again.
    entry.promise.catch(() => { if (shared.get(name) === entry) shared.delete(name); });
    shared.set(name, entry);
  }
  entry.users++;
  return entry.promise;
}

// After an internal error the runtime restarts on a fresh wasm instance and
// the models loaded before are gone: forget them, so that widgets starting
// again (base.js) load them anew.
globalThis.document?.addEventListener("glassformer-restarted", () => shared.clear());

/** One user fewer of model `name`; the last one frees it, or stops its download. */
export function releaseModel(name) {
  const entry = shared.get(name);
  if (!entry) return;
  entry.users--;
  if (entry.users <= 0) {
    shared.delete(name);
    entry.download.abort(); // nothing left to stop once the files are in
    entry.promise.then((model) => model.dispose?.(), () => {});
  }
}

/** How many widgets hold each shared model, by name (what the tests check). */
export function sharedModelUsers() {
  return Object.fromEntries([...shared].map(([name, entry]) => [name, entry.users]));
}
