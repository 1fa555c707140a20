// Shared set-up for the end-to-end tests: serve www/ on a free port and
// drive Debian's Chromium through playwright-core (never a downloaded browser).
// One server and one browser serve every test of a run; each test gets a
// browser context of its own.

import { existsSync, mkdirSync } from "node:fs";
import { after } from "node:test";
import { chromium } from "playwright-core";
import { startServer } from "../scripts/serve.mjs";

export const ARTIFACTS = new URL("../test-artifacts/", import.meta.url).pathname;

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Which wasm builds are there: `npm test` builds all three, `npm run
 * test:quick` only the plain one, and the tests of the others skip.
 */
const built = (name) => existsSync(new URL(`../www/${name}/glassformer_bg.wasm`, import.meta.url));
export const BUILDS = { relaxed: built("pkg-relaxed"), threads: built("pkg-threads") };

let shared = null;

/**
 * The server of www/ and the headless browser, started once for the whole
 * run (e2e/all.test.mjs runs every file in one process) and closed by
 * `closeShared` at its end.
 */
function sharedBrowser() {
  shared ??= (async () => {
    const server = await startServer(0);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--enable-unsafe-webgpu",
        // `gc()` for the tests that check dropped models are freed.
        "--js-flags=--expose-gc",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    }).catch((error) => {
      server.close();
      throw error;
    });
    return { server, browser };
  })();
  return shared;
}

/** Forget the long tasks seen so far: measure from now on. */
export async function resetLongTasks(page) {
  await page.evaluate(() => { window.__longTasks = []; });
}

/**
 * The longest task (ms) that held the page's thread since `resetLongTasks`:
 * how long the page stopped answering at worst. 0 if none passed 50 ms.
 */
export async function longestTask(page) {
  return page.evaluate(() => Math.max(0, ...window.__longTasks));
}

/** Close the shared browser and server: after the last test of the process, or at the end of a benchmark script. */
export async function closeShared() {
  if (!shared) return;
  const { server, browser } = await shared;
  shared = null;
  await browser.close();
  await new Promise((done) => server.close(done));
}

/**
 * A fresh page on `path`: its own browser context (empty storage and cache,
 * as a new visitor's), in the shared browser. Returns { url, page, errors,
 * browserVersion, context, close }; `close` closes the context.
 * `contextOptions` go to Playwright's browser.newContext (a viewport, a locale…).
 */
export async function openCoursePage(path = "/", contextOptions = {}) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const { server, browser } = await sharedBrowser();
  const url = `http://127.0.0.1:${server.address().port}${path}`;
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ...contextOptions });
  // Every task that holds the page's thread past 50 ms, for longestTask().
  await context.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
    }).observe({ type: "longtask", buffered: true });
  });
  const page = await context.newPage();
  // Every console error or uncaught exception is a test failure.
  const errors = [];
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const where = msg.location().url;
    // A quick run builds only www/pkg: the page asks for the missing builds, gets a 404 and falls back, as designed.
    if ((!BUILDS.relaxed && where.includes("/pkg-relaxed/")) || (!BUILDS.threads && where.includes("/pkg-threads/"))) return;
    errors.push(`${msg.text()} (${where})`);
  });
  page.on("pageerror", (err) => errors.push(String(err)));
  await page.goto(url);
  return {
    url,
    page,
    errors,
    browserVersion: browser.version(),
    context,
    async close() {
      await context.close();
    },
  };
}

after(closeShared);
