// The GPT demo, driven as a student would: the shipped model loads and its
// next-character chart draws; greedy steps are reproducible; generation
// streams and stops; a bad prompt gives a readable error; training further
// loads the corpus and draws a loss curve while the page keeps answering.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openCoursePage, ARTIFACTS, longestTask, resetLongTasks } from "./harness.mjs";

test("gf-gpt-sampler: sampling, the distribution chart, streaming, errors, training further", { timeout: 300_000 }, async () => {
  const { page, errors, close } = await openCoursePage("/?backend=cpu&threads=1");
  const widget = page.locator("gf-gpt-sampler");
  const part = (role) => widget.locator(`[data-role="${role}"]`);
  const shadow = (selector) => `document.querySelector("gf-gpt-sampler").shadowRoot.querySelector('${selector}')`;
  try {
    await page.waitForFunction(`${shadow('[data-role="status"]')}.textContent.startsWith("Ready")`, null, { timeout: 90_000 });
    assert.match(await part("about").textContent(), /decoder-only Transformer \(GPT\): 4 layers/);
    assert.equal(await widget.locator('[data-role="chart"] rect.sampled').count(), 12);

    // Greedy (temperature 0): stepping twice from the same prompt gives the same characters.
    await widget.locator('[data-role="temperature"]').fill("0");
    const stepOnce = async () => {
      await widget.locator('[data-action="step"]').click();
      await page.waitForFunction(`${shadow('[data-role="chart"] rect.chosen')} !== null`);
      return page.evaluate(() => document.querySelector("gf-gpt-sampler")._generated);
    };
    const first = await stepOnce();
    const second = await stepOnce();
    assert.equal(first.length, 1);
    assert.equal(second.length, 2);
    assert.ok(second.startsWith(first));
    await widget.locator('[data-action="clear"]').click();
    assert.equal(await stepOnce(), first, "greedy decoding is deterministic");

    // Generate streams characters; Stop ends it.
    await widget.locator('[data-role="temperature"]').fill("0.8");
    await widget.locator('[data-action="generate"]').click();
    await page.waitForFunction(() => document.querySelector("gf-gpt-sampler")._generated.length > 40, null, { timeout: 60_000 });
    await widget.locator('[data-action="generate"]').click(); // Stop
    await page.waitForFunction(`${shadow('[data-action="generate"]')}.textContent === "Generate"`);
    const generated = await page.evaluate(() => document.querySelector("gf-gpt-sampler")._generated);
    assert.ok(generated.length > 40 && generated.length < 400, `stopped after ${generated.length} characters`);

    // A character the model does not know.
    await part("prompt").fill("Roméo:");
    await page.waitForFunction(`${shadow('[data-role="error"]')}.textContent.includes("'é'")`);
    await part("prompt").fill("JULIET:\n");
    await page.waitForFunction(`${shadow('[data-role="error"]')}.textContent === ""`);

    // Train further: the corpus loads, steps run, the curve draws, the page answers.
    await resetLongTasks(page);
    await widget.locator('[data-action="train"]').click();
    await page.waitForFunction(() => document.querySelector("gf-gpt-sampler").lossHistory.length >= 3, null, { timeout: 180_000 });
    const longestGap = await longestTask(page);
    await widget.locator('[data-action="train"]').click(); // pause
    await page.waitForFunction(`${shadow('[data-action="train"]')}.textContent === "Train on the corpus"`, null, { timeout: 60_000 });
    const history = await page.evaluate(() => document.querySelector("gf-gpt-sampler").lossHistory);
    assert.ok(history.every((p) => Number.isFinite(p.loss) && Number.isFinite(p.valLoss)));
    // The shipped model measures 1.51 nats per character; training further (a tenth of the peak
    // rate, one validation batch per point) must keep it there, not undo it.
    assert.ok(history.at(-1).valLoss < 1.65, `training further kept the model: validation loss ${history.at(-1).valLoss}`);
    assert.equal(await widget.locator('[data-role="curve"] polyline').count(), 2);
    assert.ok(longestGap < 1500, `the page stopped answering for ${longestGap} ms while training`);
    await widget.scrollIntoViewIfNeeded();
    await widget.screenshot({ path: `${ARTIFACTS}gpt-sampler.png` });
    console.log(`greedy "${first}"; generated ${generated.length} characters; trained to step ${history.at(-1).step}, validation ${history.at(-1).valLoss.toFixed(3)}; longest pause ${longestGap.toFixed(0)} ms`);

    // In Chinese: the labels change; the trained model, the prompt, the chart and the curve stay.
    await page.evaluate(() => document.querySelector("gf-gpt-sampler").setAttribute("lang", "zh"));
    await page.waitForFunction(`${shadow("h3")}.textContent === "GPT：一次写一个字符"`);
    assert.equal(await widget.locator('[data-role="chart"] rect.sampled').count(), 12);
    assert.equal(await widget.locator('[data-role="curve"] polyline').count(), 2);
    assert.equal(await part("prompt").inputValue(), "JULIET:\n");
    assert.equal(await part("temperature").inputValue(), "0.8");
    assert.match(await part("about").textContent(), /（GPT）：4 层/);
    assert.equal(await widget.locator('[data-action="train"]').textContent(), "在语料上训练");
    const kept = await page.evaluate(() => document.querySelector("gf-gpt-sampler").lossHistory);
    assert.deepEqual(kept.slice(0, history.length), history, "the curve's points are kept");
    await widget.screenshot({ path: `${ARTIFACTS}gpt-sampler-zh.png` });

    // Every documented attribute applies when it changes: the prompt (the chart follows) and the seed.
    await page.evaluate(() => document.querySelector("gf-gpt-sampler").setAttribute("prompt", "KING:\n"));
    assert.equal(await part("prompt").inputValue(), "KING:\n");
    await page.waitForFunction(`${shadow('[data-role="chart"] rect.sampled')} !== null`);
    await page.evaluate(() => document.querySelector("gf-gpt-sampler").setAttribute("seed", "7"));
    assert.equal(await part("seed").inputValue(), "7");
    await page.evaluate(() => document.querySelector("gf-gpt-sampler").setAttribute("prompt", "JULIET:\n"));

    // Removed while training in its worker: the loop stops, the worker ends, nothing goes to the console.
    await widget.locator('[data-action="train"]').click();
    await page.waitForFunction((n) => document.querySelector("gf-gpt-sampler").lossHistory.length > n, kept.length, { timeout: 60_000 });
    const updatesAfterRemoval = await page.evaluate(() => new Promise((done) => {
      const w = document.querySelector("gf-gpt-sampler");
      let updates = 0;
      w.addEventListener("gf-update", () => updates++);
      // Ending the worker fails the call in flight; the loop notices the removal and stops.
      w.addEventListener("gf-idle", () => done({ updates, worker: w._worker, model: w._model }), { once: true });
      w.remove();
    }));
    assert.deepEqual(updatesAfterRemoval, { updates: 0, worker: null, model: null });
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});
