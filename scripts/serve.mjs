// A small static file server for www/, used by `npm start` and the
// end-to-end tests (and, as `startPlainServer`, for any folder, the way a
// course author's static host serves it). It sends the cross-origin isolation headers
// (COOP/COEP) so that a threaded build can use SharedArrayBuffer, and the
// right MIME type for .wasm so browsers can stream-compile it.
//
//   node scripts/serve.mjs            serves http://localhost:8080
//   PORT=9000 node scripts/serve.mjs

import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(fileURLToPath(new URL("../www", import.meta.url)));
// The CPU benchmark page loads its peers (tfjs, onnxruntime-web) from here.
const MODULES = resolve(fileURLToPath(new URL("../node_modules", import.meta.url)));
/** The benchmark's models (scripts/make-pretrained-bench.py), served at /bench-data/. */
const BENCH_DATA = resolve(fileURLToPath(new URL("../.bench", import.meta.url)));

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ico": "image/x-icon",
  ".ts": "text/plain; charset=utf-8",
  ".safetensors": "application/octet-stream",
};

/** Start serving www/ on `port` (0 picks a free one); resolves to the server. */
export function startServer(port = 8080, host = "127.0.0.1") {
  const headers = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cache-Control": "no-cache",
  };
  return listen(port, host, (path) =>
    path.startsWith("/node_modules/") ? [MODULES, path.slice("/node_modules".length)]
      : path.startsWith("/bench-data/") ? [BENCH_DATA, path.slice("/bench-data".length)] : [ROOT, path], headers);
}

/**
 * Serve the folder `root` under the address prefix `prefix` (e.g. "/course"),
 * as a plain static host would: no cross-origin isolation headers, so pages
 * run the single-threaded path. The tests of the package use it.
 */
export function startPlainServer(root, prefix = "", port = 0, host = "127.0.0.1") {
  const base = resolve(root);
  return listen(port, host, (path) => (path.startsWith(`${prefix}/`) ? [base, path.slice(prefix.length)] : [null, path]), {});
}

/** A server answering each GET with the file `route(path)` names ([root, path inside it]; root null: 404). */
function listen(port, host, route, headers) {
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
      const [root, rest] = route(path);
      if (root === null) throw new Error("outside the served folder");
      let file = normalize(join(root, rest));
      if (file !== root && !file.startsWith(root + sep)) {
        res.writeHead(403, headers).end("forbidden");
        return;
      }
      if ((await stat(file)).isDirectory()) file = join(file, "index.html");
      const body = await readFile(file);
      // The length lets a page show a download's percentage, as static hosts do.
      res.writeHead(200, { ...headers, "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Content-Length": body.length }).end(body);
    } catch {
      res.writeHead(404, { ...headers, "Content-Type": "text/plain" }).end("not found");
    }
  });
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => done(server));
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8080);
  const server = await startServer(port, process.env.HOST ?? "127.0.0.1");
  console.log(`glassformer course page: http://localhost:${server.address().port}/  (Ctrl+C to stop)`);
}
