// The threaded CPU path: on a cross-origin isolated page (the dev server sends
// COOP/COEP) the CPU kernels run in www/cpu-worker.js on a pool of workers.
// Its results must equal the single-threaded runtime's, its errors must reach
// the page as Errors that name the op, and the footer must say how many
// threads run.

import { test } from "node:test";
import assert from "node:assert/strict";
import { BUILDS, openCoursePage } from "./harness.mjs";

test("?backend=cpu&threads=2 runs the kernels on two threads, with the single-threaded results", { timeout: 180_000, skip: !BUILDS.threads && "no threaded build (a quick run)" }, async () => {
  const { page, errors, close } = await openCoursePage("/?backend=cpu&threads=2");
  try {
    await page.waitForFunction(() => document.querySelector('[data-role="cpu-kernels"]')?.textContent !== "…", null, { timeout: 60_000 });
    assert.match(await page.textContent('[data-role="cpu-kernels"]'), /, 2 threads$/);
    const result = await page.evaluate(async () => {
      const { getRuntime, loadGlassformer } = await import("./runtime.js");
      const threaded = await getRuntime();
      const { Runtime } = await loadGlassformer();
      const single = await Runtime.create("cpu");
      const values = (n, seed) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed));
      const worst = (x, y) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
      // Large enough that both kernels share their work out.
      const [m, k, n] = [600, 257, 260];
      const [a, b] = [values(m * k, 1), values(k * n, 2)];
      const matmul = await Promise.all([threaded, single].map((rt) => rt.matmul(a, b, { m, k, n })));
      const [B, T, C] = [6, 70, 96];
      const [q, kk, v] = [values(B * T * C, 3), values(B * T * C, 4), values(B * T * C, 5)];
      const options = { dModel: C, heads: 3, batch: B, causal: true, outputOnly: true };
      const attention = await Promise.all([threaded, single].map((rt) => rt.attention(q, kk, v, options)));
      let message = null, fields = null;
      try { await threaded.matmul(a, b, { m: 2, k: 2, n: 2 }); } catch (error) {
        message = error.message;
        fields = { op: error.op, what: error.what, expected: error.expected, got: error.got };
      }
      // A translator in the worker trains, translates and saves like one on the page.
      const small = { sentences: 300, dModel: 16, dFF: 32, batchSize: 8 };
      const translators = [await threaded.seq2seq(small), await single.seq2seq(small)];
      const trained = await Promise.all(translators.map((model) => model.train({ steps: 3 })));
      const described = await translators[0].describe();
      const reloaded = await threaded.loadSeq2seq(await translators[0].save());
      const texts = await Promise.all([translators[0], reloaded].map(async (model) => (await model.translate("the agreement was signed .")).text));
      let seq2seqMessage = null;
      try { await translators[0].translate(""); } catch (error) { seq2seqMessage = error.message; }
      return {
        threads: threaded.threads,
        shape: matmul[0].shape,
        matmulDiff: worst(matmul[0].data, matmul[1].data),
        attentionDiff: worst(attention[0].output.data, attention[1].output.data),
        message,
        fields,
        losses: trained.map((r) => r.loss),
        step: described.step,
        texts,
        seq2seqMessage,
      };
    });
    assert.equal(result.threads, 2);
    assert.deepEqual(result.shape, [600, 260]);
    assert.ok(result.matmulDiff <= 1e-5, `threaded matmul differs by ${result.matmulDiff}`);
    assert.ok(result.attentionDiff <= 1e-5, `threaded attention differs by ${result.attentionDiff}`);
    assert.match(result.message, /^matmul: A has shape/);
    // The worker's Errors carry the same fields as the page runtime's.
    assert.equal(result.fields.op, "matmul");
    assert.equal(result.fields.what, "A");
    assert.match(result.fields.expected, /^\(m=2, k=2\) = 4 values$/);
    assert.ok(Math.abs(result.losses[0] - result.losses[1]) <= 1e-4, `losses ${result.losses}`);
    assert.equal(result.step, 3);
    assert.equal(result.texts[0], result.texts[1]);
    assert.match(result.seq2seqMessage, /^seq2seq\.translate: .*empty/);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("?backend=cpu&threads=1 keeps the kernels on the page, on one thread; a worker's GPT streams like the page's", { timeout: 120_000 }, async () => {
  const { page, errors, close } = await openCoursePage("/?backend=cpu&threads=1");
  try {
    await page.waitForFunction(() => document.querySelector('[data-role="cpu-kernels"]')?.textContent !== "…", null, { timeout: 60_000 });
    assert.match(await page.textContent('[data-role="cpu-kernels"]'), /, 1 thread$/);
    // A GPT in a worker streams its tokens to onToken from one call: the same seed gives the
    // page runtime's text, token by token, and onToken's false stops it.
    const streamed = await page.evaluate(async () => {
      const { getRuntime, startWorkerRuntime } = await import("./runtime.js");
      const bytes = new Uint8Array(await (await fetch("models/shakespeare.safetensors")).arrayBuffer());
      const worker = await startWorkerRuntime(1);
      const [onPage, inWorker] = [await (await getRuntime()).loadGpt(bytes), await worker.loadGpt(bytes)];
      const options = { maxTokens: 12, seed: 7, temperature: 1 };
      const whole = await onPage.generate("ROMEO:\n", options);
      const heard = [];
      const streamed = await inWorker.generate("ROMEO:\n", { ...options, onToken: async (step) => { heard.push(step.token); } });
      const stopped = [];
      await inWorker.generate("ROMEO:\n", { ...options, onToken: (step) => stopped.push(step.token) < 3 });
      worker.terminate();
      return { whole: whole.text, streamed: streamed.text, heard: heard.join(""), stopped: stopped.join("") };
    });
    assert.equal(streamed.whole.length, 12);
    assert.equal(streamed.streamed, streamed.whole);
    assert.equal(streamed.heard, streamed.whole);
    assert.equal(streamed.stopped, streamed.whole.slice(0, 3));
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});
