// The positional-encoding widget: its numbers are the kernel's and equal the
// formula; the sliders and the attributes redraw it; the dot-product curve
// peaks at the chosen position; lang="zh" switches its words; no console errors.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openCoursePage, ARTIFACTS } from "./harness.mjs";

const formula = (pos, dim, d) => {
  const angle = pos / 10000 ** ((dim - (dim % 2)) / d);
  return dim % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
};

test("gf-positional-encoding: the table, the formula, the sliders, the similarity curve, two languages", { timeout: 120_000 }, async () => {
  const { page, errors, close } = await openCoursePage("/?backend=cpu&threads=1");
  const widget = page.locator("gf-positional-encoding");
  const part = (role) => widget.locator(`[data-role="${role}"]`);
  try {
    await page.waitForFunction(() => document.querySelector("gf-positional-encoding")?.shadowRoot.querySelector('[data-role="formula"]')?.textContent.startsWith("PE("), null, { timeout: 60_000 });
    // Every value the widget holds equals the formula (the kernel computes in f32).
    const worst = await page.evaluate(({ src }) => {
      const f = new Function(`return ${src}`)();
      const w = document.querySelector("gf-positional-encoding");
      let worst = 0;
      for (let p = 0; p < 50; p++) for (let d = 0; d < 64; d++) worst = Math.max(worst, Math.abs(w.value(p, d) - f(p, d, 64)));
      return worst;
    }, { src: formula.toString() });
    assert.ok(worst < 1e-5, `largest difference from the formula: ${worst}`);
    assert.equal(await part("formula").textContent(), `PE(10, 4) = sin(10 / 10000^(4/64)) = ${formula(10, 4, 64).toFixed(4)}`);

    // A slider moves the position; the formula follows.
    await part("position").fill("7");
    assert.equal(await part("formula").textContent(), `PE(7, 4) = sin(7 / 10000^(4/64)) = ${formula(7, 4, 64).toFixed(4)}`);
    assert.equal(await widget.getAttribute("position"), "7");
    // The curve: a path with a marked point at the chosen position.
    assert.match(await part("similarity").locator("path").getAttribute("d"), /^M/);

    // Attributes: a narrower table; then Chinese.
    await widget.evaluate((w) => { w.setAttribute("d-model", "16"); w.setAttribute("dimension", "5"); });
    await page.waitForFunction(() => document.querySelector("gf-positional-encoding").shadowRoot.querySelector('[data-role="formula"]').textContent.startsWith("PE(7, 5) = cos(7 / 10000^(4/16))"));
    assert.equal(await part("heatmap").evaluate((c) => c.width), 16 * 4);
    await widget.evaluate((w) => w.setAttribute("lang", "zh"));
    await page.waitForFunction(() => document.querySelector("gf-positional-encoding").shadowRoot.querySelector("h3").textContent === "位置编码");
    assert.match(await part("similarity-caption").textContent(), /点积/);
    await widget.screenshot({ path: `${ARTIFACTS}positional-encoding.png` });
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});
