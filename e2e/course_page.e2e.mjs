// The course page as a reader meets it: in Chinese (from ?lang=zh, or from
// the browser's language) with the widgets following, switched to English
// and back, at a desktop and a phone width; offline after one visit; and the
// version it shows is the one Cargo.toml, the README and the package name.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { openCoursePage, ARTIFACTS } from "./harness.mjs";
import { cargoVersion } from "../scripts/package.mjs";

const CJK = /[\u4e00-\u9fff]/;

/** What the reader sees of the page's bilingual prose: how many of each language's pieces are shown. */
function shownPieces(page) {
  return page.evaluate(() => {
    const shown = (lang) => [...document.querySelectorAll(`[data-lang="${lang}"]`)].filter((e) => e.getClientRects().length > 0).length;
    return { zh: shown("zh"), en: shown("en") };
  });
}

/** The h3 heading of every widget on the page. */
function widgetHeadings(page) {
  return page.evaluate(() => [...document.querySelectorAll("main *")]
    .filter((e) => e.localName.startsWith("gf-"))
    .map((e) => e.shadowRoot?.querySelector("h3")?.textContent ?? `(${e.localName} has no heading)`));
}

test("the course page in Chinese: its prose, its title and its widgets; the switch to English and back; desktop and phone", { timeout: 180_000 }, async () => {
  const { page, errors, close } = await openCoursePage("/?lang=zh&backend=cpu", { viewport: { width: 1280, height: 900 } });
  try {
    await page.waitForSelector('gf-attention-steps[data-state="ready"]', { timeout: 60_000 });
    assert.equal(await page.evaluate(() => document.documentElement.lang), "zh");
    assert.match(await page.title(), CJK);
    // Every piece of prose is shown in Chinese, none in English.
    const pieces = await shownPieces(page);
    assert.equal(pieces.en, 0);
    assert.ok(pieces.zh >= 25, `only ${pieces.zh} Chinese pieces shown`);
    for (const heading of await page.$$eval("main h2", (hs) => hs.map((h) => h.innerText))) assert.match(heading, CJK, heading);
    // The widgets follow the page.
    for (const heading of await widgetHeadings(page)) assert.match(heading, CJK, `a widget's heading: ${heading}`);
    await page.waitForFunction(() => /[\u4e00-\u9fff]/.test(document.querySelector('#backend [data-lang="zh"]')?.textContent ?? ""));
    await page.screenshot({ path: `${ARTIFACTS}course-page-zh-desktop.png` });

    // A phone: nothing runs off the side.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `the page is ${overflow} px wider than a phone's screen`);
    await page.screenshot({ path: `${ARTIFACTS}course-page-zh-phone.png` });
    await page.setViewportSize({ width: 1280, height: 900 });

    // English, by the switch: the prose, the widgets and the address follow.
    await page.click('[data-set-lang="en"]');
    assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
    assert.equal((await shownPieces(page)).zh, 0);
    await page.waitForFunction(() => document.querySelector("gf-positional-encoding").shadowRoot.querySelector("h3").textContent === "Positional encoding");
    for (const heading of await widgetHeadings(page)) assert.doesNotMatch(heading, CJK, `a widget's heading: ${heading}`);
    assert.equal(new URL(page.url()).searchParams.get("lang"), "en");
    // …and back to Chinese.
    await page.click('[data-set-lang="zh"]');
    await page.waitForFunction(() => document.querySelector("gf-positional-encoding").shadowRoot.querySelector("h3").textContent === "位置编码");
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("the course page follows the browser's language, and the reader's last choice", { timeout: 120_000 }, async () => {
  const { page, errors, close } = await openCoursePage("/?backend=cpu", { locale: "zh-CN" });
  try {
    await page.waitForSelector('gf-attention-steps[data-state="ready"]', { timeout: 60_000 });
    assert.equal(await page.evaluate(() => document.documentElement.lang), "zh");
    // Chosen once, English stays for the next visit of this reader, whatever the browser says.
    await page.click('[data-set-lang="en"]');
    await page.goto(page.url().replace(/[?&]lang=en/, ""));
    await page.waitForSelector("gf-attention-steps");
    assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("after one visit the course page and its widgets work offline, the models included", { timeout: 180_000 }, async () => {
  const { page, context, errors, close } = await openCoursePage("/?backend=cpu");
  try {
    // The service worker has kept the page's files and fetched the models.
    await page.waitForSelector('#offline-status[data-offline="ready"]', { timeout: 90_000 });
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('gf-attention-steps[data-state="ready"]', { timeout: 60_000 });
    const formula = () => document.querySelector("gf-positional-encoding")?.shadowRoot.querySelector('[data-role="formula"]')?.textContent ?? "";
    await page.waitForFunction(`(${formula})().startsWith("PE(")`, null, { timeout: 30_000 });
    // The demos' checkpoints come from the kept copies too.
    const status = (tag) => `document.querySelector("${tag}")?.shadowRoot.querySelector('[data-role="status"]')?.textContent ?? ""`;
    await page.waitForFunction(`${status("gf-gpt-sampler")}.startsWith("Ready")`, null, { timeout: 90_000 });
    // BERT answers the course's question (its two blanks) from its kept checkpoint.
    await page.waitForFunction(`${status("gf-bert-fill")}.startsWith("2 blanks")`, null, { timeout: 90_000 });
    const fillError = () => document.querySelector("gf-bert-fill")?.shadowRoot.querySelector('[data-role="error"]')?.textContent ?? "";
    assert.equal(await page.evaluate(fillError), "");
    assert.equal(await page.evaluate(() => navigator.onLine), false);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("on a slow network a demo shows its checkpoint's download, megabytes and percent, not a blank panel", { timeout: 120_000 }, async () => {
  const { page, context, errors, close } = await openCoursePage("/share.html?widget=gf-seq2seq-trainer&backend=cpu");
  try {
    await page.waitForSelector("gf-seq2seq-trainer");
    // About 1 Mbit/s from here on: the 0.5 MB checkpoint takes a few seconds.
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 20, downloadThroughput: 128 * 1024, uploadThroughput: -1 });
    await page.reload();
    const status = () => document.querySelector("gf-seq2seq-trainer")?.shadowRoot?.querySelector('[data-role="status"]')?.textContent ?? "";
    await page.waitForFunction(`/^Downloading translator\\.safetensors: \\d+\\.\\d of 0\\.5 MB \\(\\d+%\\)/.test((${status})())`, null, { timeout: 60_000, polling: 50 });
    await page.screenshot({ path: `${ARTIFACTS}download-progress.png` });
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await page.waitForFunction(`!(${status})().startsWith("Downloading")`, null, { timeout: 60_000 });
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("example-notes.html at 1280 px: gf-multihead's concatenation and W_O tables do not run into each other", { timeout: 90_000 }, async () => {
  const { page, errors, close } = await openCoursePage("/example-notes.html?lang=en&backend=cpu", { viewport: { width: 1280, height: 900 } });
  try {
    await page.waitForFunction(() => document.querySelector("gf-multihead")?.shadowRoot.querySelectorAll(".two table").length === 2, null, { timeout: 60_000 });
    // The two tables do not overlap (at 1280 px the concatenation used to run under W_O's column labels).
    const tables = await page.evaluate(() => [...document.querySelector("gf-multihead").shadowRoot.querySelectorAll(".two table")].map((table) => {
      const { left, right, top, bottom } = table.getBoundingClientRect();
      return { left, right, top, bottom };
    }));
    const [a, b] = tables;
    const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    assert.ok(!overlap, `the two tables overlap: ${JSON.stringify(tables)}`);
    await page.locator("gf-multihead").first().screenshot({ path: `${ARTIFACTS}multihead-1280.png` });
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("one version: Cargo.toml's is the page's rt.version, the README's and the changelog's", { timeout: 60_000 }, async () => {
  const version = cargoVersion();
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  assert.ok(readme.includes(`glassformer-${version}.tgz`), `README.md does not name glassformer-${version}.tgz`);
  assert.match(readFileSync(new URL("../CHANGELOG.md", import.meta.url), "utf8"), new RegExp(`^## ${version.replace(/\./g, "\\.")} `, "m"));
  const { page, errors, close } = await openCoursePage("/?backend=cpu");
  try {
    const shown = await page.evaluate(async () => (await (await import("./glassformer.js")).getRuntime()).version);
    assert.equal(shown, version);
    await page.waitForFunction((v) => document.getElementById("version").textContent === `v${v}`, version);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});
