// A smoke test of the course page and widgets.html in headless Firefox
// (Debian's firefox-esr, driven through geckodriver by e2e/webdriver.mjs):
// the runtime starts, the first widgets show the numbers the course derives
// by hand, the translator loads its model, the page switches to Chinese,
// every widget of widgets.html renders, and nothing reaches the console.
// The other e2e files check the same pages in depth, in Chromium.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { startServer } from "../scripts/serve.mjs";
import { cargoVersion } from "../scripts/package.mjs";
import { firefoxMissing, openFirefox } from "./webdriver.mjs";
import { HEADINGS, RENDERED as ALL_RENDERED } from "./widget_expectations.mjs";

const skip = firefoxMissing() ?? false;

const ARTIFACTS = new URL("../test-artifacts/", import.meta.url).pathname;

/** The crate's version, which the page's runtime reports as `rt.version`. */
const CARGO_VERSION = cargoVersion();

const SEED_FRENCH = "l' accord sur la zone économique européenne a été signé en août 1992 .";

/**
 * When a widget has drawn its results (widget_expectations.mjs); the
 * translator's, stricter here: its pretrained model loaded.
 */
const RENDERED = {
  ...ALL_RENDERED,
  "gf-seq2seq-trainer": (root) => /^(Pretrained|已由)/.test(root.querySelector('[data-role="status"]')?.textContent ?? ""),
};

let serving = null;
/** The origin serving www/, started by the first test that needs it. */
async function origin() {
  serving ??= startServer(0);
  return `http://127.0.0.1:${(await serving).address().port}`;
}
after(async () => {
  if (serving) (await serving).close();
});

/**
 * Record the page's errors in `window.__errors`: Firefox's output (see
 * webdriver.mjs) has them too, but this keeps them with the page, stack and all.
 * Installed after the load event, so it sees what the widgets do later on.
 */
function recordErrors() {
  window.__errors ??= [];
  addEventListener("error", (event) => window.__errors.push(`${event.message} (${event.filename}:${event.lineno})`));
  addEventListener("unhandledrejection", (event) => window.__errors.push(`unhandled rejection: ${event.reason?.stack ?? event.reason}`));
  const consoleError = console.error;
  console.error = (...args) => {
    window.__errors.push(args.map(String).join(" "));
    consoleError.apply(console, args);
  };
}

/**
 * A fresh Firefox on `path` of the served www/; `errors()` lists what the
 * page reported (console and uncaught errors) so far. `close` quits Firefox.
 */
async function openPage(path) {
  const served = await origin();
  const firefox = await openFirefox();
  try {
    await firefox.goto(served + path);
    await firefox.execute(recordErrors);
  } catch (error) {
    await firefox.quit();
    throw error;
  }
  return {
    firefox,
    async errors() {
      const recorded = (await firefox.execute(() => window.__errors)) ?? [];
      return [...new Set([...firefox.consoleErrors(served), ...recorded])];
    },
    close: () => firefox.quit(),
  };
}

/** Wait (at most `timeout` ms in all) until every gf-* widget of the page has rendered; returns their tags. */
async function waitForWidgets(firefox, timeout) {
  const deadline = Date.now() + timeout;
  const tags = await firefox.execute(() => [...new Set([...document.querySelectorAll("*")].map((e) => e.localName).filter((t) => t.startsWith("gf-")))]);
  for (const tag of tags) {
    assert.ok(RENDERED[tag], `${tag} is a widget this test knows`);
    await firefox.waitFor((tag, ready) => {
      const root = document.querySelector(tag)?.shadowRoot;
      return Boolean(root) && new Function("root", `return (${ready})(root)`)(root);
    }, [tag, String(RENDERED[tag])], { timeout: Math.max(0, deadline - Date.now()), message: `${tag} to render` });
  }
  return tags;
}

/** Every widget's error line, by tag, where it is not empty. */
function widgetErrors(firefox) {
  return firefox.execute(() => Object.fromEntries([...document.querySelectorAll("*")]
    .filter((e) => e.localName.startsWith("gf-"))
    .map((e) => [e.localName, e.shadowRoot?.querySelector('[data-role="error"]')?.textContent ?? ""])
    .filter(([, error]) => error !== "")));
}

/** The badge's English text, once the runtime has replaced "Loading the kernels…". */
function backendBadge(firefox) {
  return firefox.waitFor(() => {
    const text = document.querySelector('#backend [data-lang="en"]')?.textContent ?? "";
    return !text.startsWith("Loading") && text;
  }, [], { message: "the backend badge" });
}

test("Firefox: the course page in English on the CPU — numbers, translator, version, no errors", { skip, timeout: 240_000 }, async (t) => {
  const { firefox, errors, close } = await openPage("/?backend=cpu");
  try {
    t.diagnostic(`Firefox ${firefox.version}`);
    assert.match(await backendBadge(firefox), /^Running on the CPU/);

    // The worked example: softmax([2.5, 1.5]) = [0.7311, 0.2689].
    const weights = await firefox.waitFor(() => {
      const cells = [...(document.querySelector("gf-attention-steps")?.shadowRoot?.querySelectorAll('[data-out="weights"]') ?? [])];
      const rows = [];
      for (const cell of cells) (rows[cell.dataset.r] ??= [])[cell.dataset.c] = cell.textContent;
      return cells.length === 4 && !cells.some((c) => c.textContent === "…") && rows;
    }, [], { message: "the attention weights" });
    assert.deepEqual(weights, [["0.7311", "0.2689"], ["0.2689", "0.7311"]]);

    // Positional encoding: every value the widget holds equals the formula.
    await firefox.waitFor(() => document.querySelector("gf-positional-encoding")?.shadowRoot?.querySelector('[data-role="formula"]')?.textContent.startsWith("PE("),
      [], { message: "the positional encoding" });
    const worst = await firefox.execute(() => {
      const widget = document.querySelector("gf-positional-encoding");
      let worst = 0;
      for (let p = 0; p < 50; p++) {
        for (let d = 0; d < 64; d++) {
          const angle = p / 10000 ** ((d - (d % 2)) / 64);
          worst = Math.max(worst, Math.abs(widget.value(p, d) - (d % 2 === 0 ? Math.sin(angle) : Math.cos(angle))));
        }
      }
      return worst;
    });
    assert.ok(worst < 1e-5, `largest difference from the formula: ${worst}`);

    // Every widget renders; the translator has loaded its checkpoint and translates the course's sentence.
    await waitForWidgets(firefox, 150_000);
    const output = await firefox.execute(() => document.querySelector("gf-seq2seq-trainer").shadowRoot.querySelector('[data-role="output"]').textContent);
    assert.equal(output.replace("→", "").trim(), SEED_FRENCH);

    t.diagnostic(`CPU kernels: ${await firefox.execute(() => document.querySelector('[data-role="cpu-kernels"]').textContent)}`);
    const version = await firefox.executeAsPage(async () => (await (await import("./glassformer.js")).getRuntime()).version);
    assert.equal(version, CARGO_VERSION);
    assert.equal(await firefox.execute(() => document.getElementById("version").textContent), `v${CARGO_VERSION}`);

    assert.deepEqual(await widgetErrors(firefox), {});
    assert.deepEqual(await errors(), [], "no console errors");
    mkdirSync(ARTIFACTS, { recursive: true });
    // Two frames, so that what was just drawn is painted.
    await firefox.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
    await firefox.screenshot(`${ARTIFACTS}firefox-course-page.png`);
  } finally {
    await close();
  }
});

test("Firefox: the course page with ?lang=zh is in Chinese, widgets included", { skip, timeout: 240_000 }, async () => {
  const { firefox, errors, close } = await openPage("/?lang=zh&backend=cpu");
  try {
    assert.equal(await firefox.execute(() => document.documentElement.lang), "zh");
    assert.equal(await firefox.execute(() => document.title), "glassformer — 看得见内部的 Transformer");
    const tags = await waitForWidgets(firefox, 150_000);
    const headings = await firefox.execute((tags) => tags.map((tag) => document.querySelector(tag).shadowRoot.querySelector("h3").textContent), tags);
    for (const [i, tag] of tags.entries()) assert.match(headings[i], /\p{Script=Han}/u, `${tag}'s heading "${headings[i]}" is Chinese`);
    assert.ok(headings.includes("位置编码"), `headings: ${headings}`);
    assert.match(await firefox.execute(() => document.querySelector('#backend [data-lang="zh"]').textContent), /\p{Script=Han}/u);
    assert.deepEqual(await widgetErrors(firefox), {});
    assert.deepEqual(await errors(), [], "no console errors");
  } finally {
    await close();
  }
});

test("Firefox: the course page without ?backend starts, and its badge says on what", { skip, timeout: 120_000 }, async (t) => {
  const { firefox, errors, close } = await openPage("/");
  try {
    // "auto": WebGPU where Firefox offers a hardware adapter, else the CPU, saying why.
    const badge = await backendBadge(firefox);
    t.diagnostic(`badge: ${badge}`);
    assert.match(badge, /^Running on (WebGPU|the CPU)/);
    await waitForWidgets(firefox, 90_000);
    assert.deepEqual(await widgetErrors(firefox), {});
    assert.deepEqual(await errors(), [], "no console errors");
  } finally {
    await close();
  }
});

test("Firefox: widgets.html — every widget renders with its heading, none shows an error", { skip, timeout: 240_000 }, async () => {
  const { firefox, errors, close } = await openPage("/widgets.html?backend=cpu");
  try {
    const tags = await waitForWidgets(firefox, 90_000);
    assert.deepEqual([...tags].sort(), Object.keys(HEADINGS).sort(), "every widget is on the page");
    const headings = await firefox.execute((tags) => Object.fromEntries(tags.map((tag) => [tag, document.querySelector(tag).shadowRoot.querySelector("h3").textContent])), tags);
    assert.deepEqual(headings, HEADINGS);
    assert.deepEqual(await widgetErrors(firefox), {});
    assert.deepEqual(await errors(), [], "no console errors");
  } finally {
    await close();
  }
});
