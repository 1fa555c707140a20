// Sharing a run, as a student would: train a demo, press "Copy link", open
// the link as someone else (a fresh browser context). The link carries the
// demo's configuration, seed and step count (`train-to`); the copy trains
// again on its own, with its progress shown and a Pause that works, stops
// on the same step and shows the same loss.
//
// The losses must be equal, not close (tolerance 0): both runs are made by
// the same wasm build on the same CPU backend, whose kernels do the same
// arithmetic in the same order every time, and a call of N steps goes on
// from the model's own state, so where the calls fall (the widget sizes
// them by time, differently in each run) changes nothing. A difference in
// the last bit would mean the run depends on something the link does not
// carry. (Across machines it may: a GPU rounds differently from the CPU,
// and the relaxed-SIMD build's fused multiply-add from the plain build's.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { openCoursePage } from "./harness.mjs";

/** The share page's own address for a copied link, on this test's server. */
const pathOf = (link) => {
  const url = new URL(link);
  return url.pathname + url.search;
};

/** The link's parameters as an object (`widget` included). */
const paramsOf = (link) => Object.fromEntries(new URL(link).searchParams);

/** Click "Copy link" on the page's `tag` and read what it copied. */
async function copyLink(page, tag) {
  await page.locator(`${tag} [data-role="copy-link"]`).click();
  return page.evaluate((tag) => document.querySelector(tag).dataset.lastCopied, tag);
}

/** Wait until the page's `tag` has stopped training (its last call landed, weights back). */
function idle(page, tag, timeout = 120_000) {
  return page.waitForFunction((tag) => {
    const w = document.querySelector(tag);
    return !w.training && !w._loop && !w._settling;
  }, tag, { timeout });
}

/** Press the demo's train button now, and press it again (Pause) as soon as its `calls`-th training call has landed. */
function trainForCalls(page, tag, action, calls) {
  return page.evaluate(({ tag, action, calls }) => new Promise((done) => {
    const w = document.querySelector(tag);
    const button = w.shadowRoot.querySelector(`[data-action="${action}"]`);
    let seen = 0;
    const onUpdate = () => {
      if (++seen < calls) return;
      w.removeEventListener("gf-update", onUpdate);
      button.click(); // Pause: the call in flight (none: this one just ended) finishes first
      done();
    };
    w.addEventListener("gf-update", onUpdate);
    button.click();
  }), { tag, action, calls });
}

test("gf-seq2seq-trainer: a run from scratch, shared, trains again to the same step and loss", { timeout: 180_000 }, async () => {
  const started = Date.now();
  const tag = "gf-seq2seq-trainer";
  const status = (page) => page.locator(`${tag} [data-role="status"]`).textContent();
  let first = await openCoursePage(`/share.html?widget=${tag}&pretrained=false&seed=3&backend=cpu&threads=1`);
  let second = null;
  try {
    // The student's run: untrained from seed 3, trained until they pause, somewhere past step 300.
    const { page } = first;
    await page.waitForFunction((tag) => document.querySelector(tag).shadowRoot.querySelector('[data-role="status"]').textContent.startsWith("Untrained"), tag, { timeout: 90_000 });
    await page.locator(`${tag} [data-action="train"]`).click();
    await page.waitForFunction((tag) => document.querySelector(tag).lossHistory.at(-1)?.step >= 300, tag, { timeout: 90_000 });
    await page.locator(`${tag} [data-action="train"]`).click(); // Pause
    await idle(page, tag);
    const run = await page.evaluate((tag) => document.querySelector(tag).lossHistory, tag);
    const { step, loss } = run.at(-1);
    const link = await copyLink(page, tag);
    assert.deepEqual(paramsOf(link), { widget: tag, pretrained: "false", seed: "3", backend: "cpu", threads: "1", "train-to": String(step) });

    // The same run in one call of `step` steps, through the API: the calls' sizes change nothing.
    const oneCall = await page.evaluate(async (steps) => {
      const { getRuntime } = await import("./glassformer.js");
      const model = await (await getRuntime()).seq2seq({ seed: 3 });
      const { loss } = await model.train({ steps });
      model.dispose();
      return loss;
    }, step);
    assert.equal(oneCall, loss, `step ${step} in ${run.length} calls of the widget and in one call`);
    assert.deepEqual(first.errors, []);
    await first.close();
    first = null;

    // Someone opens the link: the untrained model trains on its own, with its progress shown.
    second = await openCoursePage(pathOf(link));
    const copy = second.page;
    await copy.waitForFunction((tag) => document.querySelector(tag).lossHistory.at(-1)?.step >= 100, tag, { timeout: 90_000 });
    assert.equal(await status(copy), "Training…");
    // Pausable on the way: it stops short of the step, and Train goes on towards it.
    await copy.locator(`${tag} [data-action="train"]`).click();
    await idle(copy, tag);
    const pausedAt = await copy.evaluate((tag) => document.querySelector(tag).lossHistory.at(-1).step, tag);
    assert.ok(pausedAt < step, `paused at ${pausedAt}, before ${step}`);
    assert.match(await status(copy), /^Paused/);
    assert.match(await copy.locator(`${tag} [data-role="readout"]`).textContent(), new RegExp(`^step ${pausedAt} of ${step} · loss`));
    assert.equal(await copy.locator(`${tag} [data-role="bar"]`).getAttribute("max"), String(step), "the progress bar counts towards the shared step");
    await copy.locator(`${tag} [data-action="train"]`).click();
    await copy.waitForFunction((tag) => document.querySelector(tag).shadowRoot.querySelector('[data-role="status"]').textContent.startsWith("Reached"), tag, { timeout: 90_000 });
    await idle(copy, tag);
    const again = await copy.evaluate((tag) => document.querySelector(tag).lossHistory, tag);
    assert.equal(again.at(-1).step, step, "the copy stops on the shared step exactly");
    assert.equal(again.at(-1).loss, loss, "the same loss, to the last bit");
    assert.equal(await status(copy), `Reached ${step} steps. Press Train to go on, or score the whole test split.`);
    // Copied again from the copy, the link says the same.
    assert.deepEqual(paramsOf(await copyLink(copy, tag)), paramsOf(link));
    assert.deepEqual(second.errors, []);
    console.log(`translator, seed 3: step ${step}, loss ${loss} in ${run.length} calls, the same in ${again.length} calls (paused at ${pausedAt}) and in one call; ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await first?.close();
    await second?.close();
  }
});

test("gf-seq2seq-trainer: the pretrained model trained further, shared, goes on from its checkpoint to the same step and loss", { timeout: 180_000 }, async () => {
  const started = Date.now();
  const tag = "gf-seq2seq-trainer";
  let first = await openCoursePage(`/share.html?widget=${tag}&backend=cpu&threads=1`);
  let second = null;
  try {
    const { page } = first;
    await page.waitForFunction((tag) => document.querySelector(tag).shadowRoot.querySelector('[data-role="status"]').textContent.startsWith("Pretrained for 3,000 steps"), tag, { timeout: 90_000 });
    await trainForCalls(page, tag, "train", 4);
    await idle(page, tag);
    const { step, loss } = (await page.evaluate((tag) => document.querySelector(tag).lossHistory, tag)).at(-1);
    assert.ok(step > 3000);
    const link = await copyLink(page, tag);
    assert.deepEqual(paramsOf(link), { widget: tag, backend: "cpu", threads: "1", "train-to": String(step) }, "no pretrained=false: the checkpoint, trained further");
    assert.deepEqual(first.errors, []);
    await first.close();
    first = null;

    second = await openCoursePage(pathOf(link));
    const copy = second.page;
    await copy.waitForFunction((tag) => document.querySelector(tag).shadowRoot.querySelector('[data-role="status"]').textContent.startsWith("Reached"), tag, { timeout: 90_000 });
    await idle(copy, tag);
    const point = (await copy.evaluate((tag) => document.querySelector(tag).lossHistory, tag)).at(-1);
    assert.deepEqual({ step: point.step, loss: point.loss }, { step, loss });
    assert.deepEqual(second.errors, []);
    console.log(`pretrained translator: 3,000 → ${step} steps, loss ${loss}: the same in the copy; ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await first?.close();
    await second?.close();
  }
});

test("gf-gpt-sampler: prompt, sampling settings, seed and training further travel in the link", { timeout: 300_000 }, async () => {
  const started = Date.now();
  const tag = "gf-gpt-sampler";
  let first = await openCoursePage(`/share.html?widget=${tag}&backend=cpu&threads=1`);
  let second = null;
  const ready = (page) => page.waitForFunction((tag) => document.querySelector(tag).shadowRoot.querySelector('[data-role="status"]').textContent.startsWith("Ready"), tag, { timeout: 90_000 });
  /** Generate, stop after 40 characters, and give those 40. */
  const generate40 = async (page) => {
    await page.locator(`${tag} [data-action="generate"]`).click();
    await page.waitForFunction((tag) => document.querySelector(tag)._generated.length >= 40, tag, { timeout: 60_000 });
    await page.locator(`${tag} [data-action="generate"]`).click(); // Stop
    await page.waitForFunction((tag) => !document.querySelector(tag)._generating, tag);
    return page.evaluate((tag) => document.querySelector(tag)._generated.slice(0, 40), tag);
  };
  const sliders = (page) => page.evaluate((tag) => {
    const root = document.querySelector(tag).shadowRoot;
    return Object.fromEntries(["prompt", "temperature", "topK", "topP", "seed"].map((role) => [role, root.querySelector(`[data-role="${role}"]`).value]));
  }, tag);
  try {
    const { page } = first;
    await ready(page);
    const part = (role) => page.locator(`${tag} [data-role="${role}"]`);
    await part("prompt").fill("JULIET:\n");
    await part("temperature").fill("0.5");
    await part("topK").fill("10");
    await part("topP").fill("0.9");
    await part("seed").fill("7");
    // Train further for two calls, then pause (the weights come back to the page).
    await trainForCalls(page, tag, "train", 2);
    await idle(page, tag);
    const history = await page.evaluate((tag) => document.querySelector(tag).lossHistory, tag);
    const { step, loss, valLoss } = history.at(-1);
    // The same steps in one call, on the shipped checkpoint in a worker of the test's own: the calls' sizes change nothing.
    const from = await page.evaluate((tag) => document.querySelector(tag)._startStep, tag);
    const oneCall = await page.evaluate(async (steps) => {
      const { startWorkerRuntime } = await import("./runtime.js");
      const [bytes, text] = await Promise.all([
        fetch("models/shakespeare.safetensors").then((r) => r.arrayBuffer()),
        fetch("data/shakespeare.txt").then((r) => r.text()),
      ]);
      const worker = await startWorkerRuntime(1);
      const gpt = await worker.loadGpt(new Uint8Array(bytes), text);
      const { loss, valLoss } = await gpt.train({ steps, validationBatches: 1 });
      worker.terminate();
      return { loss, valLoss };
    }, step - from);
    assert.deepEqual(oneCall, { loss, valLoss }, `steps ${from} to ${step} in ${history.length} calls of the widget and in one call`);
    const text = await generate40(page);
    const settings = await sliders(page);
    const link = await copyLink(page, tag);
    assert.deepEqual(paramsOf(link), {
      widget: tag, backend: "cpu", threads: "1",
      prompt: "JULIET:\n", seed: "7", temperature: "0.5", "top-k": "10", "top-p": "0.9", "train-to": String(step),
    });
    assert.deepEqual(first.errors, []);
    await first.close();
    first = null;

    // The copy: the same settings, trained further to the same step, the same loss, the same text.
    second = await openCoursePage(pathOf(link));
    const copy = second.page;
    await copy.waitForFunction((tag) => document.querySelector(tag).training, tag, { timeout: 90_000 });
    await copy.waitForFunction((tag) => document.querySelector(tag).shadowRoot.querySelector('[data-role="train-status"]').textContent.startsWith("step "), tag, { timeout: 120_000 });
    await idle(copy, tag);
    // The status says where the replay is going.
    assert.match(await copy.locator(`${tag} [data-role="train-status"]`).textContent(), new RegExp(`^step [\\d,]+ of ${step.toLocaleString("en")} · loss`));
    const point = (await copy.evaluate((tag) => document.querySelector(tag).lossHistory, tag)).at(-1);
    assert.deepEqual({ step: point.step, loss: point.loss, valLoss: point.valLoss }, { step, loss, valLoss });
    assert.deepEqual(await sliders(copy), settings);
    assert.equal(await generate40(copy), text, "the same seed and settings on the same weights write the same text");
    assert.deepEqual(second.errors, []);
    console.log(`GPT: trained further to step ${step} (loss ${loss.toFixed(4)}, validation ${valLoss.toFixed(4)}), ${JSON.stringify(text)}: the same in the copy; ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await first?.close();
    await second?.close();
  }
});

test("gf-bert-fill: the sentence, the masking seed and the fine-tuning race travel in the link", { timeout: 300_000 }, async () => {
  const started = Date.now();
  const tag = "gf-bert-fill";
  let first = await openCoursePage(`/share.html?widget=${tag}&backend=cpu&threads=1`);
  let second = null;
  const fates = (page) => page.locator(`${tag} [data-role="masked"] .chip`).evaluateAll((chips) => chips.map((c) => c.dataset.fate).join());
  try {
    const { page } = first;
    const part = (role) => page.locator(`${tag} [data-role="${role}"]`);
    await page.waitForFunction((tag) => document.querySelector(tag).shadowRoot.querySelector('[data-role="status"]').textContent.startsWith("2 blanks"), tag, { timeout: 90_000 });
    await part("fill-text").fill("she bought a [MASK] of bread.");
    await part("fill-text").press("Enter");
    await page.waitForFunction((tag) => document.querySelector(tag).shadowRoot.querySelectorAll('[data-role="guesses"] figure').length === 1, tag);
    const before = await fates(page);
    await page.locator(`${tag} [data-action="mask"]`).click(); // seed 2
    await page.waitForFunction(({ tag, before }) => [...document.querySelector(tag).shadowRoot.querySelectorAll('[data-role="masked"] .chip')].map((c) => c.dataset.fate).join() !== before, { tag, before });
    const masked = await fates(page);
    // The race's first ten steps, then pause.
    await trainForCalls(page, tag, "finetune", 1);
    await idle(page, tag);
    const race = await page.evaluate((tag) => document.querySelector(tag).lossHistory, tag);
    assert.deepEqual(race.map((p) => p.step), [10]);
    const link = await copyLink(page, tag);
    assert.deepEqual(paramsOf(link), { widget: tag, backend: "cpu", threads: "1", text: "she bought a [MASK] of bread.", seed: "2", "train-to": "10" });
    assert.deepEqual(first.errors, []);
    await first.close();
    first = null;

    second = await openCoursePage(pathOf(link));
    const copy = second.page;
    await copy.waitForFunction((tag) => document.querySelector(tag).lossHistory.length > 0, tag, { timeout: 120_000 });
    await idle(copy, tag);
    assert.deepEqual(await copy.evaluate((tag) => document.querySelector(tag).lossHistory, tag), race, "the same accuracies at step 10");
    assert.equal(await copy.locator(`${tag} [data-role="ft-status"]`).textContent(), "step 10 of 80…");
    assert.equal(await copy.locator(`${tag} [data-role="fill-text"]`).inputValue(), "she bought a [MASK] of bread.");
    assert.equal(await copy.locator(`${tag} [data-role="guesses"] figure`).count(), 1);
    assert.equal(await fates(copy), masked, "the same masking seed, the same fates");
    assert.deepEqual(second.errors, []);
    console.log(`BERT: race to step 10, pre-trained ${race[0].pre}, from scratch ${race[0].scratch}: the same in the copy; ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await first?.close();
    await second?.close();
  }
});
