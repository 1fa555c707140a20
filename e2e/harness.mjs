// Shared set-up for the end-to-end tests: serve www/ on a free port and
// drive Debian's Chromium through playwright-core (never a downloaded browser).

import { existsSync, mkdirSync } from "node:fs";
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

/** Start the server and a headless browser; returns { url, page, errors, browserVersion, close }. */
export async function openCoursePage(path = "/") {
  mkdirSync(ARTIFACTS, { recursive: true });
  const server = await startServer(0);
  const url = `http://127.0.0.1:${server.address().port}${path}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--enable-unsafe-webgpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    // Playwright gives every launch a fresh, empty profile directory.
  }).catch((error) => {
    server.close();
    throw error;
  });
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  // Every console error or uncaught exception is a test failure.
  const errors = [];
  page.on("console", (msg) => { if (msg.type() === "error") errors.push(`${msg.text()} (${msg.location().url})`); });
  page.on("pageerror", (err) => errors.push(String(err)));
  await page.goto(url);
  return {
    url,
    page,
    errors,
    browserVersion: browser.version(),
    async close() {
      await browser.close();
      await new Promise((done) => server.close(done));
    },
  };
}
