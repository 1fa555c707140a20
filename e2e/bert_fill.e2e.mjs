// The BERT demo, driven as a student would: the shipped model answers the
// course's question; masking colours every token by its fate and a new seed
// changes them; the attention heatmap draws; the bidirectional/causal panel
// follows the keyboard; a sentence without [MASK] gives a readable error;
// fine-tuning both classifiers shows the pre-trained one ahead.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openCoursePage, ARTIFACTS } from "./harness.mjs";

test("gf-bert-fill: fill-mask, masking, attention, directions, fine-tuning", { timeout: 300_000 }, async () => {
  const { page, errors, close } = await openCoursePage("/?backend=cpu&threads=1");
  const widget = page.locator("gf-bert-fill");
  const part = (role) => widget.locator(`[data-role="${role}"]`);
  const shadow = (selector) => `document.querySelector("gf-bert-fill").shadowRoot.querySelector('${selector}')`;
  try {
    await page.waitForFunction(`${shadow('[data-role="status"]')}.textContent.startsWith("2 blanks")`, null, { timeout: 90_000 });
    assert.match(await part("about").textContent(), /4-layer BERT/);
    // The course's question: a shop for the first blank, a container of milk for the second.
    const figures = part("guesses").locator("figure");
    assert.equal(await figures.count(), 2);
    const tokens = async (i) => figures.nth(i).locator(".token").allTextContents();
    assert.ok((await tokens(0)).some((t) => ["store", "shop", "market"].includes(t)), `first blank: ${await tokens(0)}`);
    assert.ok((await tokens(1)).some((t) => ["gallon", "bottle", "carton"].includes(t)), `second blank: ${await tokens(1)}`);

    // Masking: every token has a fate; "Mask again" draws new ones.
    const fates = () => part("masked").locator(".chip").evaluateAll((chips) => chips.map((c) => c.dataset.fate));
    const before = await fates();
    assert.ok(before.length > 20 && before.includes("not chosen") && before.includes("special"), before.join(","));
    await widget.locator('[data-action="mask"]').click();
    await page.waitForFunction((old) => {
      const chips = [...document.querySelector("gf-bert-fill").shadowRoot.querySelectorAll('[data-role="masked"] .chip')];
      return chips.map((c) => c.dataset.fate).join() !== old;
    }, before.join());

    // Attention heatmap: T×T cells for the sentence; changing the head redraws it.
    const cells = await part("heatmap").locator("rect").count();
    const n = Math.round(Math.sqrt(cells));
    assert.ok(n > 5 && n * n === cells, `${cells} cells`);
    await part("head").selectOption({ value: "1" });
    assert.match(await part("heatmap-caption").textContent(), /head 2/);

    // Directions: the keyboard moves the position; GPT hides what comes after it.
    await part("bert-view").focus();
    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowRight");
    assert.equal(await part("gpt-view").locator(".chip.hidden").count(), (await part("gpt-view").locator(".chip").count()) - 2);
    assert.equal(await part("bert-view").locator(".chip.hidden").count(), 0);

    // No [MASK]: a readable error, and the old answer stays.
    await part("fill-text").fill("the man went to the store.");
    await part("fill-text").press("Enter");
    await page.waitForFunction(`${shadow('[data-role="fill-error"]')}.textContent.includes("no [MASK]")`);
    await part("fill-text").fill("she bought a [MASK] of bread.");
    await part("fill-text").press("Enter");
    await page.waitForFunction(`${shadow('[data-role="fill-error"]')}.textContent === ""`);

    // Fine-tuning both: the pre-trained encoder ends ahead on the held-out opinion words.
    // Paused on the way and resumed: the run goes on from where it was, ten steps a point.
    await widget.locator('[data-action="finetune"]').click();
    await page.waitForFunction(`${shadow('[data-role="ft-status"]')}.textContent.startsWith("step 20 of 80")`, null, { timeout: 120_000 });
    await widget.locator('[data-action="finetune"]').click(); // pause
    await page.waitForFunction(() => !document.querySelector("gf-bert-fill").training && !document.querySelector("gf-bert-fill")._loop);
    assert.equal(await widget.locator('[data-action="finetune"]').textContent(), "Fine-tune both");
    await widget.locator('[data-action="finetune"]').click(); // resume
    await page.waitForFunction(`${shadow('[data-role="ft-status"]')}.textContent.startsWith("After 80 steps")`, null, { timeout: 240_000 });
    const steps = await page.evaluate(() => document.querySelector("gf-bert-fill").lossHistory.map((p) => p.step));
    assert.deepEqual(steps, [10, 20, 30, 40, 50, 60, 70, 80]);
    const [pre, scratch] = (await part("ft-status").textContent()).match(/\d+%/g).map((p) => Number(p.slice(0, -1)));
    assert.ok(pre > scratch, `pre-trained ${pre}%, from scratch ${scratch}%`);
    await widget.locator('[data-action="classify"]').click();
    await page.waitForFunction(`${shadow('[data-role="classified"]')}.textContent.startsWith("pre-trained:")`);

    await widget.screenshot({ path: `${ARTIFACTS}bert-fill.png` });
    await page.setViewportSize({ width: 390, height: 900 });
    await widget.screenshot({ path: `${ARTIFACTS}bert-fill-phone.png` });
    await page.setViewportSize({ width: 1100, height: 900 });

    // In Chinese: the labels change; the model, the sentences typed and every panel's results stay.
    const cells2 = await part("heatmap").locator("rect").count();
    await page.evaluate(() => document.querySelector("gf-bert-fill").setAttribute("lang", "zh"));
    await page.waitForFunction(`${shadow("h3")}.textContent === "BERT：完形填空"`);
    assert.equal(await part("fill-text").inputValue(), "she bought a [MASK] of bread.");
    assert.equal(await part("guesses").locator("figure").count(), 1);
    assert.equal(await part("heatmap").locator("rect").count(), cells2);
    assert.match(await part("heatmap-caption").textContent(), /第 \d 层，第 2 个头/);
    assert.equal(await part("gpt-view").locator(".chip.hidden").count(), (await part("gpt-view").locator(".chip").count()) - 2);
    assert.match(await part("ft-status").textContent(), new RegExp(`^80 步之后：有预训练的分类器答对 ${pre}%，从零开始的答对 ${scratch}%`));
    assert.match(await part("classified").textContent(), /^预训练：[好坏]（\d+%） · 从零开始：[好坏]/);
    assert.equal(await part("ft-chart").locator("polyline.curve").count(), 2);
    await widget.screenshot({ path: `${ARTIFACTS}bert-fill-zh.png` });

    // Removed while fine-tuning (as soon as the first 10 steps are shown): the loop stops, both
    // models are freed, no update comes after, nothing goes to the console.
    const afterRemoval = await page.evaluate(() => new Promise((done) => {
      const w = document.querySelector("gf-bert-fill");
      const status = w.shadowRoot.querySelector('[data-role="ft-status"]');
      let updates = 0;
      w.addEventListener("gf-update", () => updates++);
      new MutationObserver((_, observer) => {
        if (!status.textContent.startsWith("第 10 / 80 步")) return;
        observer.disconnect();
        updates = 0; // from here on, nothing more may come
        // The fine-tuning call in flight ends, notices the removal and stops.
        w.addEventListener("gf-idle", () => done({ updates, model: w._model, scratch: w._scratch, status: status.textContent }), { once: true });
        w.remove();
      }).observe(status, { childList: true, characterData: true, subtree: true });
      w.shadowRoot.querySelector('[data-action="finetune"]').click();
    }));
    assert.deepEqual(afterRemoval, { updates: 0, model: null, scratch: null, status: "第 10 / 80 步…" });
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});
