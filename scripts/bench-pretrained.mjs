// Drives www/bench-pretrained.html in headless Chromium: GPT-2 small's shape
// generating and bert-base's shape reading, glassformer next to
// onnxruntime-web, on the CPU, one thread, in one page.
//   npm run bench:pretrained     (after `npm test` or `npm start` has built www/pkg*)
// The models are made once by scripts/make-pretrained-bench.py (torch,
// transformers, onnx, onnxscript from PyPI, into .venv-fixtures).
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { closeShared, openCoursePage } from "../e2e/harness.mjs";

const root = new URL("..", import.meta.url).pathname;
if (!existsSync(`${root}.bench/gpt2-small/decode.onnx`) || !existsSync(`${root}.bench/bert-base/bert.onnx`)) {
  const python = `${root}.venv-fixtures/bin/python`;
  if (!existsSync(python)) {
    execFileSync("python3", ["-m", "venv", `${root}.venv-fixtures`], { stdio: "inherit" });
  }
  execFileSync(python, ["-m", "pip", "install", "--quiet", "torch", "transformers", "safetensors", "onnx", "onnxscript"], { stdio: "inherit" });
  execFileSync(python, [`${root}scripts/make-pretrained-bench.py`], { stdio: "inherit" });
}
const { page, browserVersion, close } = await openCoursePage("/bench-pretrained.html?auto=1");
try {
  await page.waitForFunction(() => document.body.dataset.results || document.body.dataset.error, null, { timeout: 1_800_000, polling: 1000 });
  const error = await page.evaluate(() => document.body.dataset.error);
  if (error) throw new Error(error);
  const { rows, bertDiff } = JSON.parse(await page.evaluate(() => document.body.dataset.results));
  const kernels = await page.evaluate(() => document.body.dataset.kernels);
  console.log(`browser: Chromium ${browserVersion}, one thread; ${new Date().toISOString().slice(0, 10)}`);
  console.log(`glassformer CPU kernels: ${kernels}`);
  console.log("task".padEnd(50), "ours".padStart(9), "ort".padStart(9), "ours vs ort".padStart(12));
  for (const r of rows) {
    const ratio = r.higher ? r.ours / r.ort : r.ort / r.ours;
    console.log(r.task.padEnd(50), r.ours.toFixed(1).padStart(9), r.ort.toFixed(1).padStart(9), `${ratio.toFixed(2)}×`.padStart(12));
  }
  console.log(`(ours vs ort > 1: glassformer faster. bert-base's last hidden states agree within ${bertDiff.toExponential(1)}.)`);
} finally {
  await close();
  await closeShared(); // the browser and server, so that the script ends
}
