// Drives www/bench-gpt.html in headless Chromium: one GPT training step
// (nanoGPT's small CPU configuration) in glassformer and in TensorFlow.js's
// wasm backend, single-threaded, same browser run.
//   npm run bench:gpt                 (after `npm start` or `npm test` has built www/pkg*)
//   npm run bench:gpt -- --steps=20   (timed steps per library; default 10)
import { openCoursePage } from "../e2e/harness.mjs";

const steps = process.argv.find((arg) => arg.startsWith("--steps="))?.slice("--steps=".length) ?? "10";
const { page, browserVersion, close } = await openCoursePage(`/bench-gpt.html?auto=1&steps=${steps}`);
try {
  await page.waitForFunction(() => document.body.dataset.results || document.body.dataset.error, null, { timeout: 1_800_000, polling: 1000 });
  const error = await page.evaluate(() => document.body.dataset.error);
  if (error) throw new Error(error);
  const r = JSON.parse(await page.evaluate(() => document.body.dataset.results));
  const kernels = await page.evaluate(() => document.body.dataset.kernels);
  console.log(`browser: Chromium ${browserVersion}, single-threaded; ${new Date().toISOString().slice(0, 10)}`);
  console.log(`GPT: 4 layers, 4 heads, d_model 128, context 64, batch 12, vocabulary 65; ${r.parameters} parameters; median of ${r.steps} steps`);
  console.log(`glassformer (${kernels}): ${r.ours.toFixed(1)} ms per step (loss ${r.losses.ours.toFixed(3)})`);
  console.log(`TensorFlow.js wasm:  ${r.tfjs.toFixed(1)} ms per step (loss ${r.losses.tfjs.toFixed(3)})`);
  console.log(`ours / tfjs-wasm: ${(r.tfjs / r.ours).toFixed(1)}× faster`);
} finally {
  await close();
}
