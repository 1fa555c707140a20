// The course page's service worker: after one visit, the page, its widgets,
// the wasm builds and the shipped models work offline.
//
// Every request for a file of this folder goes to the network first, and a
// copy of each good answer is kept in the Cache API; when the network fails
// (offline, or the server is gone), the kept copy answers instead. Network
// first, not cache first: a page that is online always gets the newest
// files, so an edited widget never hides behind an old copy.
//
// The page (offline.js) also asks, once it has loaded, for the files it
// loaded before this worker took over (on a first visit: the page itself,
// its modules and its wasm) and those it did not need yet but would offline
// — the models of the demos, the GPT's corpus, the other wasm build — with a
// "glassformer-precache" message.
//
// Requests elsewhere (another site: a Hugging Face model, kept by
// pretrained.js in its own cache) and partial (Range) requests pass through
// untouched.

// One cache per glassformer version (offline.js registers `sw.js?v=<version>`):
// a new version starts a fresh cache and the old ones are deleted, so files
// kept offline never mix two versions.
const CACHE = `glassformer-offline-${new URL(location.href).searchParams.get("v") ?? "dev"}`;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil((async () => {
  for (const name of await caches.keys()) {
    if (name.startsWith("glassformer-offline-") && name !== CACHE) await caches.delete(name);
  }
  await self.clients.claim();
})()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || request.headers.has("range") || !request.url.startsWith(self.registration.scope)) return;
  event.respondWith(networkFirst(request, event));
});

/**
 * The network's answer (a copy kept), or, if the network fails, the kept
 * copy. The cache is opened only when needed, and a cache that fails
 * (storage refused, quota) never stands between the page and the network.
 */
async function networkFirst(request, event) {
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    // Offline: the same file under any query (`?lang=zh`, a loader's `?instance=2`) will do.
    const cache = await caches.open(CACHE).catch(() => null);
    const kept = (await cache?.match(request)) ?? (await cache?.match(request, { ignoreSearch: true }));
    if (kept) return kept;
    throw error;
  }
  if (response.ok) {
    const copy = response.clone();
    event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)).catch(() => {}));
  }
  return response;
}

self.addEventListener("message", (event) => {
  if (event.data?.type !== "glassformer-precache") return;
  const reply = event.ports[0];
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE).catch(() => null);
    if (!cache) return reply?.postMessage({ missing: ["the Cache API (storage refused)"] });
    const missing = [];
    for (const url of event.data.urls) {
      if (await cache.match(url)) continue;
      try {
        const response = await fetch(url, { cache: "no-cache" }); // the server's current file, not an old HTTP copy
        if (response.ok) await cache.put(url, response);
        else missing.push(`${url} (${response.status})`);
      } catch (error) {
        missing.push(`${url} (${error.message})`);
      }
    }
    reply?.postMessage({ missing });
  })());
});
