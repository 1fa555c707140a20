// Opening a Hugging Face model in the page: find its files, download them
// with progress (kept in the browser's cache, so a reload does not download
// again), and hand them to the runtime's `loadPretrained`.
//
//   const bert = await rt.fromPretrained("https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main/",
//                                        { onProgress: ({ file, loaded, total }) => … });
//
// `source` is a folder's URL (a Hub repository's `…/resolve/main/`, or a
// path on this site), or the files a student picked or dropped (a FileList
// or an array of File). A folder needs `config.json`, `model.safetensors`,
// and the tokenizer: `tokenizer.json`, or else `vocab.txt` (BERT) or
// `vocab.json` + `merges.txt` (GPT-2).

const CACHE = "glassformer-models";

/**
 * Download a Hugging Face model folder (or read picked files) and open it
 * with `runtime.loadPretrained` → Promise<the model>.
 * @param {object} runtime  the page's runtime (or a worker runtime)
 * @param {string | FileList | File[]} source
 * @param {{ onProgress?: (p: { file: string, loaded: number, total: number | null, percent: number | null, cached: boolean }) => void, signal?: AbortSignal, cache?: boolean }} [options]
 *   `cache: false` neither reads from nor writes to the browser's cache.
 */
export async function fromPretrained(runtime, source, { onProgress = () => {}, signal, cache = true } = {}) {
  const read = typeof source === "string" ? folderReader(source, onProgress, signal, cache) : pickedReader(source, onProgress);
  const config = await read.text("config.json");
  const gpt2 = JSON.parse(config).model_type === "gpt2";
  const files = { config };
  const tokenizer = await read.text("tokenizer.json", { optional: true });
  if (tokenizer !== null) files.tokenizer = tokenizer;
  else if (!gpt2) files.vocab = await read.text("vocab.txt", { optional: true });
  else [files.vocab, files.merges] = [await read.text("vocab.json", { optional: true }), await read.text("merges.txt", { optional: true })];
  if (tokenizer === null && (files.vocab === null || files.merges === null)) {
    const needed = gpt2 ? "tokenizer.json, or vocab.json and merges.txt" : "tokenizer.json or vocab.txt";
    throw new Error(`fromPretrained: ${read.where} lacks the tokenizer (${needed}); the model needs it.`);
  }
  files.weights = await read.bytes("model.safetensors");
  return runtime.loadPretrained(files);
}

/** Files from a folder URL, each through the cache (unless `useCache` is false). */
function folderReader(folder, onProgress, signal, useCache) {
  const base = new URL(folder.endsWith("/") ? folder : `${folder}/`, globalThis.location?.href);
  const get = async (name, optional) => {
    const url = new URL(name, base).href;
    const cache = useCache && globalThis.caches ? await caches.open(CACHE).catch(() => null) : null;
    const hit = await cache?.match(url);
    if (hit) return { response: hit, cached: true };
    const response = await fetch(url, { signal });
    if (!response.ok) {
      if (optional && response.status === 404) return null;
      throw new Error(`fromPretrained: ${url} answered ${response.status} ${response.statusText}; is ${base.href} a model folder?`);
    }
    // Kept for the next visit: the browser writes a copy to disk while the page reads the original.
    const stored = cache?.put(url, response.clone()).catch(() => {});
    return { response, cached: false, stored };
  };
  return {
    where: base.href,
    async text(name, { optional = false } = {}) {
      const got = await get(name, optional);
      if (got === null) return null;
      const text = await got.response.text();
      await got.stored;
      return text;
    },
    async bytes(name) {
      const { response, cached, stored } = await get(name, false);
      const bytes = await readWithProgress(response, name, onProgress, cached);
      await stored;
      return bytes;
    },
  };
}

/**
 * The body of `response` as bytes, reporting progress as it arrives
 * (`onProgress({ file, loaded, total, percent, cached })`); one buffer,
 * filled in place when the size is known.
 */
export async function readWithProgress(response, file, onProgress, cached = false) {
  // A compressed answer's length is that of the compressed bytes, not of what the page reads: unknown then.
  const encoding = response.headers.get("content-encoding");
  const total = (!encoding || encoding === "identity") ? Number(response.headers.get("content-length")) || null : null;
  const report = (loaded) => onProgress({ file, loaded, total, percent: total ? Math.min(100, (100 * loaded) / total) : null, cached });
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    report(bytes.length);
    return bytes;
  }
  const reader = response.body.getReader();
  let buffer = new Uint8Array(total ?? 1 << 20);
  let loaded = 0;
  report(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.length > buffer.length) {
      // Larger than announced (or not announced): grow by doubling.
      const bigger = new Uint8Array(Math.max(buffer.length * 2, loaded + value.length));
      bigger.set(buffer.subarray(0, loaded));
      buffer = bigger;
    }
    buffer.set(value, loaded);
    loaded += value.length;
    report(loaded);
  }
  return loaded === buffer.length ? buffer : buffer.slice(0, loaded);
}

/** Files a student picked or dropped, by name. */
function pickedReader(files, onProgress) {
  const byName = new Map([...files].map((f) => [f.name, f]));
  const file = (name, optional) => {
    const found = byName.get(name);
    if (!found && !optional) {
      throw new Error(`fromPretrained: the files picked have no ${name}; pick config.json, model.safetensors and tokenizer.json (or vocab.txt) together.`);
    }
    return found ?? null;
  };
  return {
    where: "the files picked",
    async text(name, { optional = false } = {}) {
      const found = file(name, optional);
      return found === null ? null : found.text();
    },
    async bytes(name) {
      const found = file(name, false);
      const bytes = new Uint8Array(await found.arrayBuffer());
      onProgress({ file: name, loaded: bytes.length, total: bytes.length, percent: 100, cached: false });
      return bytes;
    },
  };
}
