// The course page's first widget, driven as a student would: edit one
// embedding value and check that the attention weights on screen change and
// equal what the Rust kernels compute for the new inputs.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openCoursePage, ARTIFACTS } from "./harness.mjs";

/** The value of every cell of one output table, by row (Playwright's CSS
 *  selectors pierce the widget's open shadow root). */
function readTable(page, name) {
  return page.$$eval(`[data-out="${name}"]`, (cells) => {
    const rows = [];
    for (const cell of cells) (rows[cell.dataset.r] ??= [])[cell.dataset.c] = { shown: cell.textContent, value: Number(cell.dataset.value) };
    return rows;
  });
}

// Headless Chromium here has only a software WebGPU adapter (SwiftShader),
// which the default ("auto") passes over for the CPU; ?backend=webgpu forces
// it and ?backend=cpu asks for the CPU. Each must show the numbers the CPU
// reference computes.
for (const [path, badgePattern, shot] of [
  ["/?backend=webgpu", /Running on WebGPU/, "course-page.png"],
  ["/?backend=cpu", /Running on the CPU/, "course-page-cpu.png"],
]) {
test(`gf-attention-steps at ${path}: editing an embedding updates the weights to the Rust reference`, { timeout: 120_000 }, async () => {
  const { page, errors, close } = await openCoursePage(path);
  try {
    await page.waitForSelector('gf-attention-steps[data-state="ready"]', { timeout: 30_000 });
    const badge = await page.textContent('#backend [data-lang="en"]');
    assert.match(badge, badgePattern);

    // The worked example: softmax([2.5, 1.5]) = [0.7311, 0.2689].
    const before = await readTable(page, "weights");
    assert.deepEqual(before.map((r) => r.map((c) => c.shown)), [["0.7311", "0.2689"], ["0.2689", "0.7311"]]);

    // Change x₁'s first component from 1 to 3.
    const waitForUpdate = () => page.evaluate(() => new Promise((done) =>
      document.querySelector("gf-attention-steps").addEventListener("gf-update", () => done(), { once: true })));
    const updated = waitForUpdate();
    await page.fill('input[data-m="x"][data-r="0"][data-c="0"]', "3");
    await updated;
    const after = await readTable(page, "weights");
    assert.notDeepEqual(after.map((r) => r.map((c) => c.value)), before.map((r) => r.map((c) => c.value)));

    // Recompute the same inputs with the kernels directly (a fresh CPU runtime)
    // and compare with what the widget shows.
    const reference = await page.evaluate(async () => {
      const { Runtime } = await (await import("./runtime.js")).loadGlassformer();
      const rt = await Runtime.create("cpu");
      const x = new Float32Array([3, 0, 1, 0, 0, 1, 0, 1]);
      const m = (rows) => new Float32Array(rows.flat());
      const wq = m([[1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0], [0, 0, 1, 1]]);
      const wk = m([[1, 1, 0, 0], [1, 0, 0, 1], [0, 1, 1, 0], [0, 0, 1, 1]]);
      const wv = m([[1, 2, 0, 0], [0, 0, 1, 2], [2, 0, 0, 1], [0, 1, 2, 0]]);
      const shape = { m: 2, k: 4, n: 4 };
      const [q, k, v] = await Promise.all([wq, wk, wv].map((w) => rt.matmul(x, w, shape)));
      const att = await rt.attention(q.data, k.data, v.data, { dModel: 4, heads: 1 });
      return { weights: Array.from(att.weights.data), output: Array.from(att.output.data) };
    });
    const shown = after.flat().map((c) => c.value);
    reference.weights.forEach((w, i) => assert.ok(Math.abs(shown[i] - w) < 1e-6, `weight ${i}: shown ${shown[i]}, kernel ${w}`));
    // By hand: q₁ = 3·W_Q[0] + W_Q[2] = [4,1,3,0], k₁ = 3·W_K[0] + W_K[2] = [3,4,1,0], k₂ = [1,0,1,2] (unchanged);
    // q₁·k = [19, 7] → ÷2 → softmax([9.5, 3.5]) = [1/(1+e⁻⁶), e⁻⁶/(1+e⁻⁶)] = [0.9975, 0.0025].
    assert.deepEqual(after[0].map((c) => c.shown), ["0.9975", "0.0025"]);
    const z = (await readTable(page, "z")).flat().map((c) => c.value);
    reference.output.forEach((o, i) => assert.ok(Math.abs(z[i] - o) < 1e-5, `z ${i}: shown ${z[i]}, kernel ${o}`));

    // A bad value reaches the student as the kernel's own message, not a crash.
    await page.fill('input[data-m="wq"][data-r="1"][data-c="1"]', "");
    await page.waitForSelector('gf-attention-steps[data-state="error"]');
    assert.match(await page.locator("gf-attention-steps .error").textContent(), /matmul: B contains a non-finite value/);
    await page.fill('input[data-m="wq"][data-r="1"][data-c="1"]', "1");
    await page.waitForSelector('gf-attention-steps[data-state="ready"]');

    await page.screenshot({ path: `${ARTIFACTS}/${shot}`, fullPage: true });

    // In Chinese: the heading changes, the student's numbers and results stay.
    await page.evaluate(() => document.querySelector("gf-attention-steps").setAttribute("lang", "zh"));
    await page.waitForFunction(() => document.querySelector("gf-attention-steps").shadowRoot.querySelector("h3").textContent === "“Thinking Machines”上的自注意力");
    assert.deepEqual((await readTable(page, "weights"))[0].map((c) => c.shown), ["0.9975", "0.0025"]);
    assert.equal(await page.inputValue('input[data-m="x"][data-r="0"][data-c="0"]'), "3");
    assert.match(await page.textContent('gf-attention-steps [data-role="copy-link"]'), /复制链接/);
    // The edit lives in the x attribute, so the copied link reproduces it.
    assert.equal(await page.evaluate(() => document.querySelector("gf-attention-steps").getAttribute("x")), "3 0 1 0; 0 1 0 1");
    await page.click('gf-attention-steps [data-role="copy-link"]');
    const link = await page.evaluate(() => document.querySelector("gf-attention-steps").dataset.lastCopied);
    assert.match(link, /share\.html\?widget=gf-attention-steps&.*x=3/);
    await page.locator("gf-attention-steps").screenshot({ path: `${ARTIFACTS}/${shot.replace(".png", "-zh.png")}` });

    // Moved in the page, it keeps its numbers and computes again; removed, it goes quietly.
    const moved = page.evaluate(() => new Promise((done) => {
      const widget = document.querySelector("gf-attention-steps");
      widget.addEventListener("gf-update", () => done(), { once: true });
      document.querySelector("main").append(widget);
    }));
    await moved;
    assert.deepEqual((await readTable(page, "weights"))[0].map((c) => c.shown), ["0.9975", "0.0025"]);
    await page.evaluate(() => document.querySelector("gf-attention-steps").remove());
    assert.equal(await page.locator("gf-attention-steps").count(), 0);
    // The shared link opens the widget alone, with the student's 3 in place.
    await page.goto(link + (path.includes("backend=") ? "&" + path.split("?")[1] : ""));
    await page.waitForSelector('gf-attention-steps[data-state="ready"]', { timeout: 30_000 });
    assert.deepEqual((await readTable(page, "weights"))[0].map((c) => c.shown), ["0.9975", "0.0025"]);
    assert.deepEqual(errors, [], "no console errors");
  } finally {
    await close();
  }
});
}

test("the default page passes over the software adapter: the translator trains on the CPU, and the badge says why", { timeout: 120_000 }, async () => {
  const { page, errors, close } = await openCoursePage("/");
  try {
    await page.waitForSelector('gf-attention-steps[data-state="ready"]', { timeout: 30_000 });
    const badge = await page.textContent('#backend [data-lang="en"]');
    assert.match(badge, /^Running on the CPU \(WebAssembly\): this browser's only WebGPU adapter.* is a software renderer.*\?backend=webgpu/);
    const trained = await page.evaluate(async () => {
      const { getRuntime } = await import("./glassformer.js");
      const rt = await getRuntime();
      const model = await rt.seq2seq({ sentences: 300, dModel: 16, dFF: 32, batchSize: 8 });
      const { step } = await model.train({ steps: 20 });
      const { backend, backendReason } = await model.describe();
      model.dispose();
      return { runtime: rt.backend, step, backend, backendReason };
    });
    assert.deepEqual([trained.runtime, trained.step, trained.backend], ["cpu", 20, "cpu"]);
    assert.match(trained.backendReason, /software renderer/);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("a lost GPU device: the widget keeps working on the CPU and the page says so", { timeout: 120_000 }, async () => {
  const { page, errors, close } = await openCoursePage("/?backend=webgpu");
  try {
    await page.waitForSelector('gf-attention-steps[data-state="ready"]', { timeout: 30_000 });
    assert.match(await page.textContent('#backend [data-lang="en"]'), /Running on WebGPU/);
    await page.evaluate(async () => {
      const { getRuntime } = await import("./glassformer.js");
      (await getRuntime()).loseDevice();
    });
    const updated = page.evaluate(() => new Promise((done) =>
      document.querySelector("gf-attention-steps").addEventListener("gf-update", () => done(), { once: true })));
    await page.fill('input[data-m="x"][data-r="0"][data-c="0"]', "3");
    await updated;
    const weights = await readTable(page, "weights");
    assert.deepEqual(weights[0].map((c) => c.shown), ["0.9975", "0.0025"]);
    assert.match(await page.textContent('#backend [data-lang="en"]'), /Switched to the CPU .*lost/);
    assert.match(await page.locator("gf-attention-steps .status").textContent(), /CPU \(WebAssembly\) kernels/);
    // Chromium logs the destroyed device itself; nothing else may be in the console.
    assert.deepEqual(errors.filter((e) => !/destroy|lost/i.test(e)), []);
  } finally {
    await close();
  }
});

test("gf-attention-steps: an author's seeded widget with other sizes, inserted later", { timeout: 120_000 }, async () => {
  const { page, errors, close } = await openCoursePage("/");
  try {
    await page.waitForSelector('gf-attention-steps[data-state="ready"]', { timeout: 30_000 });
    // Insert a second widget the way a page script or a notebook would.
    const inputsOf = () => page.evaluate(() => {
      const el = document.createElement("gf-attention-steps");
      el.id = "extra";
      el.setAttribute("tokens", "the cat sat on");
      el.setAttribute("d-model", "3");
      el.setAttribute("d-k", "2");
      el.setAttribute("seed", "3");
      document.querySelector("#extra")?.remove();
      document.querySelector("main").append(el);
      return new Promise((done) => el.addEventListener("gf-update", () => {
        const values = Array.from(el.shadowRoot.querySelectorAll("input"), (i) => Number(i.value));
        done({ values, weights: Array.from(el.result.weights.data), shape: el.result.weights.shape });
      }, { once: true }));
    });
    const first = await inputsOf();
    const again = await inputsOf();
    assert.deepEqual(again.values, first.values, "the same seed gives the same starting values");
    assert.equal(first.values.length, 4 * 3 + 3 * 3 * 2, "x is 4×3, each W is 3×2");
    assert.deepEqual(first.shape, [1, 1, 4, 4]);
    for (let row = 0; row < 4; row++) {
      const sum = first.weights.slice(row * 4, row * 4 + 4).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-6, `row ${row} of the weights sums to ${sum}`);
    }
    // Both widgets share the page's single runtime and both are ready.
    assert.equal(await page.locator('gf-attention-steps[data-state="ready"]').count(), 2);
    await page.locator("#extra").screenshot({ path: `${ARTIFACTS}/attention-steps-seeded.png` });
    assert.deepEqual(errors, [], "no console errors");
  } finally {
    await close();
  }
});

test("bench.html: every kernel agrees with the CPU reference before it is timed", { timeout: 300_000 }, async () => {
  const { page, errors, close } = await openCoursePage("/bench.html?auto=1");
  try {
    await page.waitForFunction(() => document.body.dataset.results, null, { timeout: 240_000 });
    const { results } = JSON.parse(await page.evaluate(() => document.body.dataset.results));
    assert.equal(results.length, 6, "three kernels on two backends");
    assert.deepEqual([...new Set(results.map((r) => r.backend))].sort(), ["cpu", "webgpu"]);
    for (const r of results) {
      assert.ok(r.maxError < 1e-4, `${r.name} on ${r.backend}: max error ${r.maxError}`);
      assert.ok(r.ms > 0 && Number.isFinite(r.gflops), `${r.name} on ${r.backend}: ${r.ms} ms`);
    }
    assert.equal(await page.locator("#results tbody tr").count(), 6);
    await page.screenshot({ path: `${ARTIFACTS}/bench.png`, fullPage: true });
    assert.deepEqual(errors, [], "no console errors");
  } finally {
    await close();
  }
});
