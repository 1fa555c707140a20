// One GPT training step (nanoGPT's small CPU configuration) and sampling
// speed: glassformer and TensorFlow.js's wasm backend in headless Chromium
// (www/bench-gpt.html, single-threaded, same browser run), and PyTorch
// natively on one CPU thread (scripts/bench_gpt_torch.py), all from this one
// command. PyTorch runs first, alone, so that the browser does not share the
// cores with it.
//   npm run bench:gpt                  (after `npm start` or `npm test` has built www/pkg*)
//   npm run bench:gpt -- --steps=20    (timed steps per library; default 10)
//   npm run bench:gpt -- --no-torch    (skip PyTorch)
// PyTorch comes from PyPI into .venv-bench/ the first time (about 5 GB with
// the CUDA libraries its Linux wheel depends on; only the CPU is used).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { closeShared, openCoursePage } from "../e2e/harness.mjs";

const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const steps = arg("steps", "10");
const sample = arg("sample", "200");
const root = new URL("..", import.meta.url).pathname;

/** PyTorch's figures: { torch, parameters, step_ms, loss, sample_tokens_per_s }, or null if skipped. */
function pytorch() {
  if (process.argv.includes("--no-torch")) return null;
  const python = `${root}.venv-bench/bin/python`;
  const hasTorch = () => {
    try {
      execFileSync(python, ["-c", "import torch"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };
  if (!existsSync(python) || !hasTorch()) {
    console.log("Installing PyTorch from PyPI into .venv-bench/ (once; about 5 GB)…");
    execFileSync("python3", ["-m", "venv", `${root}.venv-bench`], { stdio: "inherit" });
    execFileSync(python, ["-m", "pip", "install", "--quiet", "torch==2.15.0"], { stdio: "inherit" });
  }
  const out = execFileSync(python, [`${root}scripts/bench_gpt_torch.py`, `--steps=${steps}`, `--sample-tokens=${sample}`], { encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop());
}

const torch = pytorch();
const { page, browserVersion, close } = await openCoursePage(`/bench-gpt.html?auto=1&steps=${steps}&sample=${sample}`);
try {
  await page.waitForFunction(() => document.body.dataset.results || document.body.dataset.error, null, { timeout: 1_800_000, polling: 1000 });
  const error = await page.evaluate(() => document.body.dataset.error);
  if (error) throw new Error(error);
  const r = JSON.parse(await page.evaluate(() => document.body.dataset.results));
  const kernels = await page.evaluate(() => document.body.dataset.kernels);
  const ms = (x) => `${x.toFixed(1).padStart(7)} ms per step`;
  const rate = (x) => `${x.toFixed(0).padStart(5)} characters/s sampled`;
  console.log(`${new Date().toISOString().slice(0, 10)}; browser: Chromium ${browserVersion}, single-threaded`);
  console.log(`GPT: 4 layers, 4 heads, d_model 128, context 64, batch 12, vocabulary 65; ${r.parameters} parameters;`);
  console.log(`training: median of ${r.steps} steps (forward + backward + Adam); sampling: ${r.sampling.characters} characters, temperature 1`);
  console.log(`glassformer, ${kernels}:`);
  console.log(`  ${ms(r.ours)}   ${rate(r.sampling.ours)} (key/value cache)`);
  console.log(`TensorFlow.js ${r.tfjsVersion}, wasm backend, same page:`);
  console.log(`  ${ms(r.tfjs)}   ${rate(r.sampling.tfjs)} (whole window per character)`);
  if (torch) {
    console.log(`PyTorch ${torch.torch}, natively, 1 thread (${torch.parameters} parameters):`);
    console.log(`  ${ms(torch.step_ms)}   ${rate(torch.sample_tokens_per_s)} (whole window per character)`);
  }
  console.log(`training step: ${(r.tfjs / r.ours).toFixed(1)}× faster than TensorFlow.js wasm (target ≥ 15×)` +
    (torch ? `; ${(r.ours / torch.step_ms).toFixed(2)}× PyTorch's native time (target ≤ 2×)` : ""));
  console.log(`sampling: ${(r.sampling.ours / r.sampling.tfjs).toFixed(1)}× TensorFlow.js wasm` +
    (torch ? `, ${(r.sampling.ours / torch.sample_tokens_per_s).toFixed(1)}× PyTorch` : ""));
} finally {
  await close();
  await closeShared(); // the browser and server, so that the script ends
}
