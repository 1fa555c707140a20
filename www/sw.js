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

const CACHE = "glassformer-offline-v1";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || request.headers.has("range") || !request.url.startsWith(self.registration.scope)) return;
  event.respondWith(networkFirst(request, event));
});

/** The network's answer (a copy kept), or, if the network fails, the kept copy. */
async function networkFirst(request, event) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) event.waitUntil(cache.put(request, response.clone()).catch(() => {}));
    return response;
  } catch (error) {
    // Offline: the same file under any query (`?lang=zh`, a loader's `?instance=2`) will do.
    const kept = (await cache.match(request)) ?? (await cache.match(request, { ignoreSearch: true }));
    if (kept) return kept;
    throw error;
  }
}

self.addEventListener("message", (event) => {
  if (event.data?.type !== "glassformer-precache") return;
  const reply = event.ports[0];
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const missing = [];
    for (const url of event.data.urls) {
      if (await cache.match(url)) continue;
      try {
        const response = await fetch(url);
        if (response.ok) await cache.put(url, response);
        else missing.push(`${url} (${response.status})`);
      } catch (error) {
        missing.push(`${url} (${error.message})`);
      }
    }
    reply?.postMessage({ missing });
  })());
});
