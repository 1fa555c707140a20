// The causal-mask widget: the weights are the softmax of the kernel's scores
// with −∞ above the diagonal (checked against a softmax computed here); rows
// sum to 1; "Peek" removes the mask and outlines exactly the cells above the
// diagonal; the text attribute resizes it; lang="zh" switches its words.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openCoursePage, ARTIFACTS } from "./harness.mjs";

test("gf-causal-mask: masked scores, softmax rows, peeking, attributes, two languages", { timeout: 120_000 }, async () => {
  const { page, errors, close } = await openCoursePage("/?backend=cpu&threads=1");
  const widget = page.locator("gf-causal-mask");
  const part = (role) => widget.locator(`[data-role="${role}"]`);
  try {
    await page.waitForFunction(() => document.querySelector("gf-causal-mask")?.weights !== null && document.querySelector("gf-causal-mask")?.weights !== undefined, null, { timeout: 60_000 });
    const n = 6;
    const { weights, scores } = await widget.evaluate((w) => ({ weights: w.weights, scores: Array.from(w._result.causal.scores.data) }));
    for (let r = 0; r < n; r++) {
      const row = scores.slice(r * n, r * n + r + 1);
      const max = Math.max(...row);
      const e = row.map((x) => Math.exp(x - max));
      const sum = e.reduce((a, b) => a + b, 0);
      for (let c = 0; c < n; c++) {
        const want = c <= r ? e[c] / sum : 0;
        assert.ok(Math.abs(weights[r * n + c] - want) < 1e-6, `weight (${r}, ${c}): ${weights[r * n + c]} vs ${want}`);
      }
    }
    assert.equal(await part("masked").locator("td.hidden").count(), (n * (n - 1)) / 2);
    // Peeking: the cells above the diagonal become positive and are outlined.
    await part("peek").check();
    assert.equal(await widget.evaluate((w) => w.hasAttribute("peek")), true, "the checkbox sets the peek attribute (kept by Copy snippet/link)");
    assert.equal(await part("weights").locator("td.changed").count(), (n * (n - 1)) / 2);
    assert.equal(await part("masked").locator("td.hidden").count(), 0);
    const open = await widget.evaluate((w) => w.weights);
    for (let r = 0; r < n; r++) assert.ok(Math.abs(open.slice(r * n, r * n + n).reduce((a, b) => a + b, 0) - 1) < 1e-5);
    await widget.screenshot({ path: `${ARTIFACTS}causal-mask-peeking.png` });
    await part("peek").uncheck();
    // A longer sentence, then Chinese.
    await widget.evaluate((w) => w.setAttribute("text", "the law will never be perfect"));
    await page.waitForFunction(() => document.querySelector("gf-causal-mask").shadowRoot.querySelectorAll('[data-role="masked"] td.hidden').length === 15);
    await widget.evaluate((w) => w.setAttribute("lang", "zh"));
    await page.waitForFunction(() => document.querySelector("gf-causal-mask").shadowRoot.querySelector("h3").textContent === "因果掩码");
    await widget.screenshot({ path: `${ARTIFACTS}causal-mask.png` });
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});
