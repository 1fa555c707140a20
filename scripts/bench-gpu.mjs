// Drives www/bench.html in headless Chromium and prints its table:
//   npm run bench:gpu          (after `npm start` or `npm test` has built www/pkg)
import { closeShared, openCoursePage } from "../e2e/harness.mjs";

const { page, browserVersion, close } = await openCoursePage("/bench.html?auto=1");
try {
  await page.waitForFunction(() => document.body.dataset.results, null, { timeout: 600_000 });
  const { adapter, results } = JSON.parse(await page.evaluate(() => document.body.dataset.results));
  console.log(`browser: Chromium ${browserVersion}; WebGPU adapter: ${adapter ?? "none"}`);
  console.log("note: on a machine without a GPU, Chromium's WebGPU adapter is SwiftShader (software): its times measure the CPU.");
  console.log("kernel".padEnd(44), "backend".padEnd(8), "ms".padStart(10), "GFLOP/s".padStart(9), "max |x - ref|".padStart(14));
  for (const r of results) {
    console.log(r.name.padEnd(44), r.backend.padEnd(8), r.ms.toFixed(2).padStart(10), r.gflops.toFixed(2).padStart(9), r.maxError.toExponential(1).padStart(14));
  }
} finally {
  await close();
  await closeShared(); // the browser and server, so that the script ends
}
