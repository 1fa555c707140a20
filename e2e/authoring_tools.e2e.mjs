// The release package as a course author uses it, with no Rust anywhere:
// install dist/glassformer-<version>.tgz into an empty folder (npm, with
// Rust's tools taken off the PATH), write a short chapter with widgets
// between paragraphs, build it with mdBook and with MkDocs exactly as the
// package's README says, serve each built site under a sub-path with a plain
// static server (no cross-origin isolation: the single-threaded path), and
// read the widgets in Chromium: their numbers against the formulas, in
// English and in Chinese, with no console error. And the course page
// served straight from node_modules/glassformer/.
//
// `npm run package` makes the tarball (scripts/test.sh does before the end-to-end
// tests); mdBook and MkDocs come from scripts/setup.sh (crates.io, PyPI).

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startPlainServer } from "../scripts/serve.mjs";
import { cargoVersion } from "../scripts/package.mjs";
import { ARTIFACTS } from "./harness.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const VERSION = cargoVersion();
const TARBALL = join(ROOT, "dist", `glassformer-${VERSION}.tgz`);
const MKDOCS = join(ROOT, ".venv-authoring", "bin", "mkdocs");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Where a program is on PATH, or null. */
function which(program, path = process.env.PATH) {
  for (const dir of path.split(delimiter)) if (dir && existsSync(join(dir, program))) return join(dir, program);
  return null;
}

// The tarball is built by the full run (npm test), not by the quick one; one
// older than the page's modules would test yesterday's package.
const newest = Math.max(...["glassformer.js", "loader.js", "widgets/base.js"].map((f) => statSync(join(ROOT, "www", f)).mtimeMs));
const skip = !existsSync(TARBALL) ? `no ${TARBALL}: run \`npm run package\` first (npm test does)`
  : statSync(TARBALL).mtimeMs < newest ? `${TARBALL} is older than www/: run \`npm run package\` again` : false;

// The chapter: the same Markdown for both tools, widgets between paragraphs.
const CHAPTER = `# Inside attention

Self-attention compares every word with every other word:
softmax(QKᵀ/√d_k)·V. The phrase "Thinking Machines", by hand:

<gf-attention-steps tokens="Thinking Machines"></gf-attention-steps>

Attention alone does not know the order of the words, so each position gets
a vector of sines and cosines added to its embedding:

<gf-positional-encoding d-model="16" length="20" position="3" dimension="4"></gf-positional-encoding>

A small GPT, trained on Shakespeare, writes one character at a time:

<gf-gpt-sampler></gf-gpt-sampler>
`;

let work, site, server, browser;

/** Install the package, build both sites, start their server and a browser. */
async function setUp() {
  mkdirSync(ARTIFACTS, { recursive: true });
  work = mkdtempSync(join(tmpdir(), "glassformer-authoring-"));
  // 1. Install the tarball into an empty folder, with no Rust tool reachable.
  const noRust = process.env.PATH.split(delimiter).filter((dir) => !/\.cargo|rustup/.test(dir) && !existsSync(join(dir, "cargo"))).join(delimiter);
  assert.equal(which("cargo", noRust), null, "cargo is still on the PATH the install runs with");
  site = join(work, "site");
  mkdirSync(site);
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", TARBALL], { cwd: site, env: { ...process.env, PATH: noRust }, stdio: "pipe" });
  const installed = join(site, "node_modules", "glassformer");
  assert.equal(JSON.parse(readFileSync(join(installed, "package.json"), "utf8")).version, VERSION);

  // 2. mdBook: the package copied into src/, the script line in the chapter.
  const book = join(work, "book");
  mkdirSync(join(book, "src"), { recursive: true });
  writeFileSync(join(book, "book.toml"), `[book]\ntitle = "Notes"\nlanguage = "en"\n`);
  writeFileSync(join(book, "src", "SUMMARY.md"), "# Summary\n\n- [Inside attention](chapter.md)\n");
  writeFileSync(join(book, "src", "chapter.md"), `<script type="module" src="glassformer/glassformer.js"></script>\n\n${CHAPTER}`);
  cpSync(installed, join(book, "src", "glassformer"), { recursive: true });
  execFileSync("mdbook", ["build", book], { stdio: "pipe" });

  // 3. MkDocs: the package copied into docs/, loaded by extra_javascript.
  const docs = join(work, "mkdocs");
  mkdirSync(join(docs, "docs"), { recursive: true });
  // The default theme loads highlight.js from a CDN, out of reach here: off (it is unrelated to the widgets).
  // The package's own README and CHANGELOG are not pages of the site (exclude_docs, as its README says).
  writeFileSync(join(docs, "mkdocs.yml"), "site_name: Notes\ntheme:\n  name: mkdocs\n  highlightjs: false\n" +
    "extra_javascript:\n  - path: glassformer/glassformer.js\n    type: module\nexclude_docs: |\n  glassformer/*.md\n");
  writeFileSync(join(docs, "docs", "index.md"), "# Notes\n\nSee [the chapter](chapter.md).\n");
  writeFileSync(join(docs, "docs", "chapter.md"), CHAPTER);
  cpSync(installed, join(docs, "docs", "glassformer"), { recursive: true });
  execFileSync(MKDOCS, ["build", "--quiet", "--config-file", join(docs, "mkdocs.yml"), "--site-dir", join(docs, "site")], { stdio: "pipe" });

  // Both built sites under sub-paths of one plain static server.
  mkdirSync(join(site, "www"));
  cpSync(join(book, "book"), join(site, "www", "mdbook"), { recursive: true });
  cpSync(join(docs, "site"), join(site, "www", "mkdocs"), { recursive: true });
  // The install folder itself under /course/: its node_modules/glassformer/ serves the course page as is.
  server = await startPlainServer(site, "/course");
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-quic", "--no-first-run"] });
}

async function tearDown() {
  await browser?.close();
  if (server) await new Promise((done) => server.close(done));
  if (work) rmSync(work, { recursive: true, force: true });
}

const pe = (pos, dim, d) => {
  const angle = pos / 10000 ** ((dim - (dim % 2)) / d);
  return dim % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
};

/** `path` on the plain server in a fresh context: { context, page, errors } (every console error and uncaught exception). */
async function openPlain(path) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (msg) => { if (msg.type() === "error") errors.push(`${msg.text()} (${msg.location().url})`); });
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(`http://127.0.0.1:${server.address().port}${path}`);
  return { context, page, errors };
}

/** Open `path` and check every widget of the chapter, in English and then in Chinese. */
async function checkChapter(path, shot) {
  const { context, page, errors } = await openPlain(path);
  try {
    // Not cross-origin isolated: one thread, as on an ordinary static host.
    assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), false);

    // gf-attention-steps: the worked example's weights are softmax([2.5, 1.5]).
    await page.waitForSelector('gf-attention-steps[data-state="ready"]', { timeout: 60_000 });
    const weights = await page.$$eval('gf-attention-steps [data-out="weights"]', (cells) => cells.map((c) => Number(c.dataset.value)));
    const softmax = 1 / (1 + Math.exp(-1));
    assert.deepEqual(weights.map((w) => w.toFixed(4)), [softmax, 1 - softmax, 1 - softmax, softmax].map((w) => w.toFixed(4)));

    // gf-positional-encoding: every value is the formula's.
    await page.waitForFunction(() => document.querySelector("gf-positional-encoding")?.shadowRoot.querySelector('[data-role="formula"]')?.textContent.startsWith("PE("), null, { timeout: 60_000 });
    const worst = await page.evaluate((src) => {
      const f = new Function(`return ${src}`)();
      const w = document.querySelector("gf-positional-encoding");
      let worst = 0;
      for (let p = 0; p < 20; p++) for (let d = 0; d < 16; d++) worst = Math.max(worst, Math.abs(w.value(p, d) - f(p, d, 16)));
      return worst;
    }, pe.toString());
    assert.ok(worst < 1e-5, `positional encoding: largest difference from the formula ${worst}`);
    assert.equal(await page.locator('gf-positional-encoding [data-role="formula"]').textContent(),
      `PE(3, 4) = sin(3 / 10000^(4/16)) = ${pe(3, 4, 16).toFixed(4)}`);

    // gf-gpt-sampler: its model comes from the package's models/, found from the module's own URL.
    const status = () => document.querySelector("gf-gpt-sampler").shadowRoot.querySelector('[data-role="status"]').textContent;
    await page.waitForFunction(`(${status})().startsWith("Ready")`, null, { timeout: 90_000 });
    await page.screenshot({ path: `${ARTIFACTS}${shot}-en.png` });

    // The same chapter in Chinese, as an author's language switch would set it.
    await page.evaluate(() => {
      document.documentElement.lang = "zh";
      for (const w of document.querySelectorAll("gf-attention-steps, gf-positional-encoding, gf-gpt-sampler")) w.setAttribute("lang", "zh");
    });
    await page.waitForFunction(() => document.querySelector("gf-positional-encoding").shadowRoot.querySelector("h3").textContent === "位置编码");
    assert.match(await page.locator('gf-positional-encoding [data-role="formula"]').textContent(), /^PE\(3, 4\) = sin/);
    const headings = await page.$$eval("gf-attention-steps, gf-positional-encoding, gf-gpt-sampler", (ws) => ws.map((w) => w.shadowRoot.querySelector("h3").textContent));
    for (const heading of headings) assert.match(heading, /[\u4e00-\u9fff]/, `a widget's heading is not Chinese: ${heading}`);
    await page.waitForFunction(`/[\\u4e00-\\u9fff]/.test((${status})())`, null, { timeout: 30_000 });
    await page.screenshot({ path: `${ARTIFACTS}${shot}-zh.png` });
    const widgetErrors = await page.$$eval("gf-attention-steps, gf-positional-encoding, gf-gpt-sampler",
      (ws) => ws.map((w) => w.shadowRoot.querySelector('[data-role="error"]')?.textContent ?? "").filter(Boolean));
    assert.deepEqual(widgetErrors, []);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
}

describe("the release package, installed without Rust, in two authoring tools", { skip }, () => {
  before(setUp, { timeout: 300_000 });
  after(tearDown);

  test("an mdBook chapter, served under a sub-path: the widgets' numbers, in English and Chinese", { timeout: 300_000 }, async () => {
    await checkChapter("/course/www/mdbook/chapter.html", "mdbook-chapter");
  });

  test("a MkDocs page, loading the package by extra_javascript: the widgets' numbers, in English and Chinese", { timeout: 300_000 }, async () => {
    await checkChapter("/course/www/mkdocs/chapter/", "mkdocs-chapter");
  });

  test("the course page straight from node_modules/glassformer/, in Chinese, with its version", { timeout: 300_000 }, async () => {
    const { context, page, errors } = await openPlain("/course/node_modules/glassformer/index.html?lang=zh&backend=cpu");
    try {
      await page.waitForSelector('gf-attention-steps[data-state="ready"]', { timeout: 60_000 });
      assert.equal(await page.evaluate(() => document.documentElement.lang), "zh");
      await page.waitForFunction((v) => document.getElementById("version").textContent === `v${v}`, VERSION, { timeout: 30_000 });
      const status = () => document.querySelector("gf-gpt-sampler").shadowRoot.querySelector('[data-role="status"]').textContent;
      await page.waitForFunction(`/[\u4e00-\u9fff]/.test((${status})()) && !(${status})().startsWith("正在")`, null, { timeout: 90_000 });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
