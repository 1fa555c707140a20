// Drives www/bench-cpu.html in headless Chromium: glassformer's CPU kernels
// next to tfjs-backend-wasm and onnxruntime-web, single-threaded, one run.
//   npm run bench                   (after `npm start` or `npm test` has built www/pkg*)
//   npm run bench -- --simd=plain   (our plain simd128 build instead of the relaxed-SIMD one)
//   npm run bench -- --threads=N    (also ours on a pool of N workers, against ours on one thread)
import { closeShared, openCoursePage } from "../e2e/harness.mjs";

const plain = process.argv.includes("--simd=plain");
const threadsArg = process.argv.find((arg) => arg.startsWith("--threads="))?.slice("--threads=".length);
const query = `${plain ? "&simd=plain" : ""}${threadsArg ? `&threads=${threadsArg}` : ""}`;
const { page, browserVersion, close } = await openCoursePage(`/bench-cpu.html?auto=1${query}`);
try {
  await page.waitForFunction(() => document.body.dataset.results || document.body.dataset.error, null, { timeout: 900_000 });
  const error = await page.evaluate(() => document.body.dataset.error);
  if (error) throw new Error(error);
  const results = JSON.parse(await page.evaluate(() => document.body.dataset.results));
  const kernels = await page.evaluate(() => document.body.dataset.kernels);
  console.log(`browser: Chromium ${browserVersion}, single-threaded; ${new Date().toISOString().slice(0, 10)}`);
  console.log(`glassformer CPU kernels: ${kernels}`);
  console.log("kernel".padEnd(36), "ours".padStart(7), "tfjs".padStart(7), "ort".padStart(7), "ours/tfjs".padStart(10), "ours/ort".padStart(9), "  (GFLOP/s)");
  for (const r of results) {
    const g = r.gflops;
    console.log(r.name.padEnd(36), g.ours.toFixed(1).padStart(7), g.tfjs.toFixed(1).padStart(7), g.ort.toFixed(1).padStart(7),
      (g.ours / g.tfjs).toFixed(2).padStart(10), (g.ours / g.ort).toFixed(2).padStart(9));
  }
  const threads = JSON.parse(await page.evaluate(() => document.body.dataset.threads));
  if (threads.length) {
    console.log(`\nglassformer on a pool of ${threads[0].threads} workers (the page is cross-origin isolated), end to end:`);
    console.log("kernel".padEnd(36), "1 thread".padStart(9), `${threads[0].threads} threads`.padStart(10), "speed-up".padStart(9),
      "kernel-only".padStart(12), "  (GFLOP/s end to end; kernel-only: runtime.benchmark, no copies or messages)");
    for (const r of threads) {
      console.log(r.name.padEnd(36), r.gflops.one.toFixed(1).padStart(9), r.gflops.many.toFixed(1).padStart(10), (r.gflops.many / r.gflops.one).toFixed(2).padStart(9),
        (r.kernelSpeedUp?.toFixed(2) ?? "—").padStart(12));
    }
  }
} finally {
  await close();
  await closeShared(); // the browser and server, so that the script ends
}
