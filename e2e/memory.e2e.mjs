// Memory that comes back, through the public API in the browser: models a
// page drops without calling dispose() are freed once the garbage collector
// runs, and thousands of calls on one model leave the memory where it was.
// (The browser runs with --js-flags=--expose-gc, see harness.mjs.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { openCoursePage } from "./harness.mjs";

const MB = 1e6;

test("100 translators made and dropped without dispose() are freed by the garbage collector", { timeout: 300_000 }, async () => {
  const { page, errors, close } = await openCoursePage("/share.html?widget=gf-causal-mask&backend=cpu");
  try {
    const result = await page.evaluate(async () => {
      const { loadGlassformer } = await import("/runtime.js");
      const { Runtime } = await loadGlassformer();
      const rt = await Runtime.create("cpu");
      const settle = async () => {
        for (let i = 0; i < 3; i++) {
          gc();
          await new Promise((done) => setTimeout(done, 50)); // finalizers run as tasks
        }
        return rt.memory();
      };
      // One model first: it sizes what stays (the kernels' scratch, the page's first allocations).
      await (await rt.seq2seq({ seed: 100 })).describe();
      const start = await settle();
      // In a function of its own, whose frame (holding the last model) ends with it.
      const makeAndDrop = async () => {
        for (let i = 0; i < 100; i++) {
          const model = await rt.seq2seq({ seed: i + 1 });
          await model.describe();
        }
      };
      await makeAndDrop();
      const end = await settle();
      return { start, end };
    });
    const { start, end } = result;
    console.log(`  wasm bytes in use ${(start.wasmBytes / MB).toFixed(1)} → ${(end.wasmBytes / MB).toFixed(1)} MB; wasm memory ${(start.wasmMemoryBytes / MB).toFixed(0)} → ${(end.wasmMemoryBytes / MB).toFixed(0)} MB; models ${start.models} → ${end.models}`);
    assert.equal(end.models, start.models, "every dropped model was collected");
    assert.ok(end.wasmBytes <= start.wasmBytes * 1.1, `bytes in use ${start.wasmBytes} → ${end.wasmBytes}`);
    // Without the collector's help each translator (12 MB with its data) would stay: 1.2 GB.
    assert.ok(end.wasmMemoryBytes - start.wasmMemoryBytes < 100 * MB, `the wasm memory grew ${start.wasmMemoryBytes} → ${end.wasmMemoryBytes}`);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("1,000 generate and 500 fillMask calls leave the wasm and GPU memory flat, on both backends", { timeout: 600_000 }, async () => {
  const { page, errors, close } = await openCoursePage("/share.html?widget=gf-causal-mask&backend=cpu");
  try {
    const reports = await page.evaluate(async () => {
      const { loadGlassformer } = await import("/runtime.js");
      const { Runtime } = await loadGlassformer();
      const text = "to be or not to be, that is the question: whether 'tis nobler in the mind to suffer. ".repeat(40);
      const reports = {};
      for (const backend of ["cpu", "webgpu"]) {
        const rt = await Runtime.create(backend);
        const gpt = await rt.gpt({ text, dModel: 32, heads: 2, layers: 2, context: 64 });
        const bert = await rt.bert({ dModel: 32, heads: 2, layers: 2, documents: 40 });
        await gpt.train({ steps: 2, validationBatches: 0 });
        await bert.train({ steps: 2 });
        const calls = async (n, call) => { for (let i = 0; i < n; i++) await call(i); };
        // The first calls size what stays; then measure.
        await calls(20, (i) => gpt.generate("to be", { maxTokens: 8, seed: i }));
        await calls(20, () => bert.fillMask("the man went to the [MASK] .", { topK: 3 }));
        const before = await rt.memory();
        await calls(1000, (i) => gpt.generate("to be", { maxTokens: 8, seed: i }));
        await calls(500, () => bert.fillMask("the man went to the [MASK] .", { topK: 3 }));
        const after = await rt.memory();
        reports[backend] = { before, after };
        gpt.dispose();
        bert.dispose();
        rt.free();
      }
      return reports;
    });
    for (const [backend, { before, after }] of Object.entries(reports)) {
      console.log(`  ${backend}: wasm bytes ${before.wasmBytes} → ${after.wasmBytes}, wasm memory ${before.wasmMemoryBytes} → ${after.wasmMemoryBytes}, GPU bytes ${before.gpuBytes} → ${after.gpuBytes}`);
      assert.ok(Math.abs(after.wasmBytes - before.wasmBytes) < 0.01 * before.wasmBytes + 64_000, `${backend}: bytes in use ${before.wasmBytes} → ${after.wasmBytes}`);
      assert.equal(after.wasmMemoryBytes, before.wasmMemoryBytes, `${backend}: the wasm memory grew`);
      assert.ok(after.gpuBytes <= before.gpuBytes, `${backend}: GPU bytes ${before.gpuBytes} → ${after.gpuBytes}`);
    }
    assert.ok(reports.webgpu.before.gpuBytes > 0, "the WebGPU runtime holds its models' buffers");
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});
