// A panic is survivable: when a bug kills the wasm instance, the call in
// flight rejects with a readable Error, models made before say they were
// lost, the next call runs on a fresh instance, and a widget sharing a
// model loads it again by itself.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openCoursePage } from "./harness.mjs";

test("an internal error: the call says so, the runtime restarts, widgets reload their models", { timeout: 180_000 }, async () => {
  const { page, errors, close } = await openCoursePage("/share.html?widget=gf-bert-fill&backend=cpu&threads=1");
  try {
    const guesses = () => page.evaluate(() => document.querySelector("gf-bert-fill").shadowRoot.querySelectorAll(".guesses figure, .bar").length);
    await page.waitForFunction(() => document.querySelector("gf-bert-fill")?.shadowRoot.querySelectorAll(".guesses figure, .bar").length > 0, null, { timeout: 60_000 });
    const result = await page.evaluate(async () => {
      const { getRuntime } = await import("./glassformer.js");
      const rt = await getRuntime();
      const small = { sentences: 300, dModel: 16, dFF: 32, batchSize: 8 };
      const before = await rt.seq2seq(small);
      await before.train({ steps: 2 });
      const restarted = new Promise((done) => document.addEventListener("glassformer-restarted", (e) => done(e.detail.message), { once: true }));
      const crash = await rt.simulateInternalError().then(() => "resolved", (e) => `${e.op}: ${e.message}`);
      const message = await restarted;
      const lost = await before.describe().then(() => "resolved", (e) => e.message);
      // The next calls run on a fresh instance.
      const after = await rt.seq2seq(small);
      const { step } = await after.train({ steps: 3 });
      window.__kept = after; // alive for the count below
      return { crash, message, lost, step, backend: rt.backend };
    });
    assert.match(result.crash, /^simulateInternalError: internal error in simulateInternalError; the runtime was restarted \(panicked at .*simulated internal error.*\)\. Call again/);
    assert.match(result.message, /simulated internal error/);
    assert.match(result.lost, /^seq2seq\.describe: this model was lost when the runtime restarted/);
    assert.equal(result.step, 3);
    assert.equal(result.backend, "cpu");
    // The widget loaded the shared BERT again on the fresh instance and answers.
    await page.waitForFunction(() => document.querySelector("gf-bert-fill")?.shadowRoot.querySelectorAll(".guesses figure, .bar").length > 0, null, { timeout: 60_000 });
    assert.ok((await guesses()) > 0);
    const models = await page.evaluate(async () => (await (await import("./glassformer.js")).getRuntime()).memory().then((m) => m.models));
    assert.equal(models, 2, "the fresh translator and the widget's BERT, on the fresh instance");
    // The panic itself is logged (Rust's message, then the trap): nothing else.
    assert.deepEqual(errors.filter((e) => !/simulated internal error|unreachable|RuntimeError/.test(e)), []);
  } finally {
    await close();
  }
});

test("an internal error in the CPU worker: the call says so, and the next call runs on a fresh worker", { timeout: 120_000 }, async () => {
  const { page, errors, close } = await openCoursePage("/share.html?widget=gf-causal-mask&backend=cpu&threads=1");
  try {
    const result = await page.evaluate(async () => {
      const { startWorkerRuntime } = await import("./runtime.js");
      const worker = await startWorkerRuntime(1);
      const small = { sentences: 300, dModel: 16, dFF: 32, batchSize: 8 };
      const before = await worker.seq2seq(small);
      await before.train({ steps: 1 });
      const crash = await worker.simulateInternalError().then(() => "resolved", (e) => `${e.op}: ${e.message}`);
      const lost = await before.describe().then(() => "resolved", (e) => e.message);
      before.dispose(); // nothing left to free: no error either
      const after = await worker.seq2seq(small);
      const { step } = await after.train({ steps: 2 });
      worker.terminate();
      return { crash, lost, step };
    });
    assert.match(result.crash, /^simulateInternalError: internal error in simulateInternalError; the runtime was restarted \(panicked at .*simulated internal error/);
    assert.match(result.lost, /^describe: this model was lost when the runtime restarted/);
    assert.equal(result.step, 2);
    assert.deepEqual(errors.filter((e) => !/simulated internal error|unreachable|RuntimeError/.test(e)), []);
  } finally {
    await close();
  }
});
