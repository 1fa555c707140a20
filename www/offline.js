// Keeping the course page usable offline: register sw.js (the service
// worker that keeps a copy of every file the page loads) and ask it for the
// files the page would need later, then say so in the footer.
//
// Only over http(s): a page opened from a file:// address has no service
// worker, and nothing is said.

/** Files the page loads only later or only in some browsers: fetched once now so that they are there offline. */
const LATER = [
  "models/translator.safetensors",
  "models/shakespeare.safetensors",
  "models/bert.safetensors",
  "data/shakespeare.txt",
  "pkg/glassformer.js",
  "pkg/glassformer_bg.wasm",
  "pkg-relaxed/glassformer.js",
  "pkg-relaxed/glassformer_bg.wasm",
];

/**
 * Every file of this folder the page has loaded so far (on a first visit
 * they came before the service worker took over, so it has no copy yet: the
 * page itself, its modules, styles and wasm), and the LATER ones.
 */
function filesToKeep(here) {
  const loaded = performance.getEntriesByType("resource").map((entry) => entry.name);
  const urls = [location.href, ...loaded, ...LATER.map((file) => new URL(file, here).href)];
  return [...new Set(urls.map((url) => url.split("#")[0]))].filter((url) => url.startsWith(here.href));
}

const SAID = {
  en: { ready: "Available offline.", partly: (n) => `Available offline, except ${n} file(s) the server did not send.` },
  zh: { ready: "已可离线使用。", partly: (n) => `已可离线使用，但有 ${n} 个文件服务器未能提供。` },
};

/**
 * Register the service worker and fill its cache; `status` (an element)
 * then says that the page works offline, in the page's language.
 * Resolves when done (or at once where there is no service worker).
 */
export async function keepOffline(status) {
  if (!("serviceWorker" in navigator) || !location.protocol.startsWith("http")) return;
  try {
    const here = new URL("./", import.meta.url);
    const { loadGlassformer } = await import("./loader.js");
    const version = (await loadGlassformer()).version();
    await navigator.serviceWorker.register(new URL(`sw.js?v=${encodeURIComponent(version)}`, here), { scope: here.href });
    const worker = (await navigator.serviceWorker.ready).active;
    // Let the page load what it needs first: on a slow network the widgets come before the copies.
    if (document.readyState !== "complete") await new Promise((loaded) => addEventListener("load", loaded, { once: true }));
    const { missing } = await new Promise((resolve, reject) => {
      // A worker stopped mid-way (browsers stop long-running ones) never answers: give up after five minutes.
      const timer = setTimeout(() => reject(new Error("the service worker did not finish keeping the files")), 300_000);
      const channel = new MessageChannel();
      channel.port1.onmessage = (event) => { clearTimeout(timer); resolve(event.data); };
      worker.postMessage({ type: "glassformer-precache", urls: filesToKeep(here) }, [channel.port2]);
    });
    // A build the server does not have (a quick build has only pkg/) is not an error.
    const lost = missing.filter((entry) => !entry.includes("/pkg-"));
    const say = () => {
      const t = SAID[document.documentElement.lang === "zh" ? "zh" : "en"];
      status.textContent = lost.length ? t.partly(lost.length) : t.ready;
    };
    say();
    status.dataset.offline = lost.length ? "partly" : "ready";
    document.addEventListener("glassformer-lang", say);
  } catch (error) {
    console.warn(`glassformer: the page will not work offline (${error.message ?? error})`);
  }
}
