// The translator demo, driven as a student would: the pretrained model
// translates the course's sentence and draws its cross-attention at once;
// bad sentences give readable errors; starting over and training makes the
// loss fall while the page stays responsive; the heatmap renders.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openCoursePage, ARTIFACTS, longestTask, resetLongTasks } from "./harness.mjs";

const SEED_FRENCH = "l' accord sur la zone économique européenne a été signé en août 1992 .";

test("gf-seq2seq-trainer: pretrained translation, bad input, training from scratch, heatmap", { timeout: 300_000 }, async () => {
  const { page, errors, close } = await openCoursePage("/?backend=cpu&threads=1");
  const widget = page.locator("gf-seq2seq-trainer");
  const part = (role) => widget.locator(`[data-role="${role}"]`);
  const statusStartsWith = (text) => page.waitForFunction(
    (prefix) => document.querySelector("gf-seq2seq-trainer").shadowRoot.querySelector('[data-role="status"]').textContent.startsWith(prefix),
    text, { timeout: 90_000 });
  try {
    // The pretrained checkpoint loads on its own and translates the course's sentence exactly.
    await statusStartsWith("Pretrained");
    assert.equal((await part("output").textContent()).replace("→", "").trim(), SEED_FRENCH);
    // 15 French tokens (with <eos>) × 13 English words.
    assert.equal(await widget.locator('[data-role="heatmap"] rect').count(), 15 * 13);
    assert.match(await part("alt").textContent(), /zone ← area/);
    assert.match(await part("score").textContent(), /first 50 test sentences: (9[5-9]|100)%/);
    assert.equal(await widget.locator('[data-role="samples"] tr').count(), 5);

    // Bad input: readable errors, and the widget keeps working.
    await part("sentence").fill("   ");
    await widget.locator('[data-action="translate"]').click();
    await page.waitForFunction(() => document.querySelector("gf-seq2seq-trainer").shadowRoot.querySelector('[data-role="error"]').textContent !== "");
    assert.match(await part("error").textContent(), /^seq2seq\.translate: the text is empty/);
    await part("sentence").fill(Array(41).fill("the").join(" "));
    await part("sentence").press("Enter");
    await page.waitForFunction(() => /at most 40/.test(document.querySelector("gf-seq2seq-trainer").shadowRoot.querySelector('[data-role="error"]').textContent));
    await part("sentence").fill("the zebra was signed in august 1992 .");
    await part("sentence").press("Enter");
    await page.waitForFunction(() => document.querySelector("gf-seq2seq-trainer").shadowRoot.querySelector('[data-role="error"]').textContent === "");
    assert.match(await part("output").textContent(), /not in the vocabulary/);

    // Save… downloads a checkpoint; Open… with a broken file keeps the model.
    await part("sentence").fill("The agreement on the European Economic Area was signed in August 1992.");
    const [download] = await Promise.all([page.waitForEvent("download"), widget.locator('[data-action="save"]').click()]);
    assert.match(download.suggestedFilename(), /^translator-step-\d+\.safetensors$/);
    const saved = await download.path().then((path) => import("node:fs").then((fs) => fs.readFileSync(path)));
    assert.ok(saved.length > 100_000 && saved[8] === "{".charCodeAt(0), "a safetensors file: 8-byte header length, then JSON");
    await part("file").setInputFiles({ name: "broken.safetensors", mimeType: "application/octet-stream", buffer: saved.subarray(0, 5000) });
    await statusStartsWith("Kept the current model");
    assert.match(await part("error").textContent(), /^Could not load broken\.safetensors: checkpoint: /);
    await part("file").setInputFiles({ name: "saved.safetensors", mimeType: "application/octet-stream", buffer: saved });
    await statusStartsWith("Opened saved.safetensors");
    assert.match(await part("output").textContent(), /zone économique européenne/);

    // Start over and train: the loss falls and the page keeps answering.
    await widget.locator('[data-action="scratch"]').click();
    await statusStartsWith("Untrained");
    await resetLongTasks(page);
    await widget.locator('[data-action="train"]').click();
    await page.waitForFunction(() => document.querySelector("gf-seq2seq-trainer").lossHistory.at(-1)?.step >= 250, null, { timeout: 120_000 });
    const longestGap = await longestTask(page);
    await widget.locator('[data-action="train"]').click(); // pause
    await statusStartsWith("Paused");
    const history = await page.evaluate(() => document.querySelector("gf-seq2seq-trainer").lossHistory);
    const first = history.slice(0, 3).reduce((s, p) => s + p.loss, 0) / 3;
    const last = history.slice(-3).reduce((s, p) => s + p.loss, 0) / 3;
    assert.ok(last < 0.5 * first, `loss went from ${first} to ${last}`);
    assert.ok(longestGap < 1000, `the page stopped answering for ${longestGap} ms while training`);
    assert.match(await part("readout").textContent(), /^step \d[\d,]* of 1,000 · loss \d/);
    assert.ok(await widget.locator("svg polyline.curve").count() === 1);
    await page.waitForFunction(() => document.querySelector("gf-seq2seq-trainer").shadowRoot.querySelectorAll('[data-role="heatmap"] rect').length > 0);
    // Keyboard: the layer and head pickers redraw the map.
    await part("head").selectOption("0");
    assert.match(await part("alt").textContent(), /layer 2, head 1/);
    await widget.scrollIntoViewIfNeeded();
    await widget.screenshot({ path: `${ARTIFACTS}seq2seq-trainer.png` });
    console.log(`trained to step ${history.at(-1).step}; loss ${first.toFixed(3)} → ${last.toFixed(3)}; longest pause of the page ${longestGap.toFixed(0)} ms`);

    // In Chinese: the labels change; the trained model, its curve, samples and heatmap stay.
    await page.waitForFunction(() => !document.querySelector("gf-seq2seq-trainer")._loop); // the last training call has landed
    const kept = await page.evaluate(() => document.querySelector("gf-seq2seq-trainer").lossHistory);
    const rects = await widget.locator('[data-role="heatmap"] rect').count();
    await page.evaluate(() => document.querySelector("gf-seq2seq-trainer").setAttribute("lang", "zh"));
    await page.waitForFunction(() => document.querySelector("gf-seq2seq-trainer").shadowRoot.querySelector("h3").textContent === "训练一个翻译模型：英语 → 法语");
    assert.equal(await widget.locator('[data-role="heatmap"] rect').count(), rects);
    assert.equal(await widget.locator('[data-role="samples"] tr').count(), 5);
    assert.equal(await widget.locator("svg polyline.curve").count(), 1);
    assert.match(await part("status").textContent(), /^已暂停/);
    assert.match(await part("readout").textContent(), /^第 \d[\d,]* \/ 1,000 步 · 损失 \d/);
    assert.match(await part("alt").textContent(), /第 2 层，第 1 个头/);
    assert.equal(await part("head").inputValue(), "0", "the picked head is kept");
    assert.deepEqual(await page.evaluate(() => document.querySelector("gf-seq2seq-trainer").lossHistory), kept);
    await widget.screenshot({ path: `${ARTIFACTS}seq2seq-trainer-zh.png` });

    // An attribute changed on the page applies at once: `steps` moves the run's target.
    await page.evaluate(() => document.querySelector("gf-seq2seq-trainer").setAttribute("steps", "2000"));
    assert.match(await part("readout").textContent(), /^第 \d[\d,]* \/ 2,000 步/);

    // Removed while training: the loop stops, the model is freed, nothing goes to the console.
    await widget.locator('[data-action="train"]').click();
    await page.waitForFunction((n) => document.querySelector("gf-seq2seq-trainer").lossHistory.length > n + 2, kept.length);
    const updatesAfterRemoval = await page.evaluate(() => new Promise((done) => {
      const w = document.querySelector("gf-seq2seq-trainer");
      let updates = 0;
      w.addEventListener("gf-update", () => updates++);
      // The training call in flight ends, notices the removal and stops: then nothing more may happen.
      w.addEventListener("gf-idle", () => done({ updates, model: w._model }), { once: true });
      w.remove();
    }));
    assert.deepEqual(updatesAfterRemoval, { updates: 0, model: null }, "no training call after the removal, and the model is gone");
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});
