// Widget attributes are input too: every documented attribute of every
// widget set to hostile values (huge, negative, NaN, zero, empty, markup,
// 40,000 characters), one value at a time, all widgets on one page. Each
// widget clamps the value or says what is wrong in its error line; nothing
// throws, no markup is injected, and the page keeps answering. Twice per
// value: every attribute, then every one but those naming a model to load
// (which fail first), so that the sizes, seeds and texts reach the models.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openCoursePage, resetLongTasks, longestTask } from "./harness.mjs";

const HOSTILE = ["1e9", "-5", "NaN", "0", "", "Infinity", "2.5", "<img src=x onerror=window.__injected=1>", "word ".repeat(8000)];

test("every documented widget attribute set to hostile values: clamped or reported, never a crash or a frozen page", { timeout: 900_000 }, async () => {
  const { page, errors, close } = await openCoursePage("/share.html?widget=gf-causal-mask&backend=cpu&threads=1");
  try {
    for (const [value, keepModels] of HOSTILE.flatMap((v) => [[v, false], [v, true]])) {
      await resetLongTasks(page);
      const report = await page.evaluate(async ([value, keepModels]) => {
        const MODELS = ["model", "checkpoint", "corpus", "pretrained"];
        const { CATALOGUE } = await import("./widgets/catalogue.js");
        const box = document.createElement("div");
        box.id = "hostile";
        document.body.append(box);
        for (const { tag, attributes } of CATALOGUE) {
          const widget = document.createElement(tag);
          for (const [names] of attributes) {
            for (const name of names.split(", ")) if (!(keepModels && MODELS.includes(name))) widget.setAttribute(name, value);
          }
          box.append(widget);
        }
        // Let them load, compute and settle, while a heartbeat measures how long the page stops answering.
        let last = performance.now(), worstGap = 0;
        const beat = setInterval(() => { const now = performance.now(); worstGap = Math.max(worstGap, now - last); last = now; }, 50);
        await new Promise((done) => setTimeout(done, 6000));
        clearInterval(beat);
        const widgets = [...box.children].map((w) => ({
          tag: w.localName,
          text: w.shadowRoot?.textContent.trim().length ?? 0,
          error: w.shadowRoot?.querySelector('[data-role="error"]')?.textContent ?? "",
          injected: w.shadowRoot?.querySelector("img[src=x]") !== null && w.shadowRoot?.querySelector("img[src=x]") !== undefined,
        }));
        box.remove();
        await new Promise((done) => setTimeout(done, 200));
        return { widgets, worstGap, injected: Boolean(window.__injected) };
      }, [value, keepModels]);
      const shown = JSON.stringify(value.length > 20 ? value.slice(0, 20) + "…" : value) + (keepModels ? " (models as they were)" : "");
      for (const w of report.widgets) {
        assert.ok(w.text > 0, `${w.tag} with every attribute ${shown} shows nothing`);
        assert.ok(!w.injected, `${w.tag} with every attribute ${shown} put the markup into its page`);
      }
      assert.ok(!report.injected, `markup in an attribute ran (${shown})`);
      const longest = await longestTask(page);
      console.log(`  ${shown}: longest task ${longest.toFixed(0)} ms, worst heartbeat gap ${report.worstGap.toFixed(0)} ms; errors: ${report.widgets.filter((w) => w.error).map((w) => `${w.tag}: ${w.error.slice(0, 80)}`).join(" | ") || "none"}`);
      assert.ok(report.worstGap < 3000, `the page stopped answering for ${report.worstGap.toFixed(0)} ms with every attribute ${shown}`);
    }
    // A fetch of a model or checkpoint the value names fails with a 404 in the console: that is the server's answer, not a bug.
    assert.deepEqual(errors.filter((e) => !/Failed to load resource|status of 404/.test(e)), []);
  } finally {
    await close();
  }
});
