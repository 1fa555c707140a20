// A small W3C WebDriver client, over fetch, for headless Firefox.
//
// Playwright drives only its own patched Firefox, not Debian's firefox-esr,
// so the Firefox tests talk WebDriver to geckodriver directly: start it on a
// free port, open a session, navigate, run scripts, take screenshots. Each
// `openFirefox()` is one geckodriver and one Firefox, closed by `quit()` (and,
// should a test fail before it, by the `after` hook below).
//
// Classic WebDriver has no console API in Firefox, so the browser's own
// output is kept instead: the prefs below make Firefox print every
// console.error of a page and every uncaught error ("JavaScript error: URL,
// line N: ...") to stdout, which geckodriver passes on to us.

import { spawn } from "node:child_process";
import { accessSync, constants, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { after } from "node:test";

/** The first of `names` that is an executable on PATH or at an absolute path; null if none. */
function findExecutable(...names) {
  const dirs = (process.env.PATH ?? "").split(delimiter).concat(join(homedir(), ".cargo/bin"));
  for (const name of names) {
    for (const path of name.startsWith("/") ? [name] : dirs.map((dir) => join(dir, name))) {
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch {
        // Not there: try the next place.
      }
    }
  }
  return null;
}

export const FIREFOX = findExecutable(...(process.env.FIREFOX_PATH ? [process.env.FIREFOX_PATH] : ["firefox-esr", "firefox"]));
export const GECKODRIVER = findExecutable(process.env.GECKODRIVER_PATH ?? "geckodriver");

/** Why the Firefox tests cannot run here (a message for `skip`), or null when they can. */
export function firefoxMissing() {
  if (!FIREFOX) return "Firefox is not installed (apt-get install firefox-esr, or set FIREFOX_PATH)";
  if (!GECKODRIVER) return "geckodriver is not installed (cargo install --locked geckodriver, or set GECKODRIVER_PATH)";
  return null;
}

const PREFS = {
  // Firefox keeps WebGPU behind a preference on Linux, and refuses the
  // software adapter (Mesa's lavapipe) of a machine without a GPU unless told
  // to ignore its blocklist: the page's "auto" then decides as it would for a
  // student (see scripts/firefox-tests.sh).
  "dom.webgpu.enabled": true,
  "gfx.webgpu.ignore-blocklist": true,
  // Pages' console messages on stdout (see consoleErrors).
  "devtools.console.stdout.content": true,
  // The page picks its language from the browser's when the address has no ?lang=.
  "intl.accept_languages": "en-US, en",
};

/** Every geckodriver still running, for the `after` hook. */
const running = new Set();

// A stopped geckodriver stops its Firefox too.
after(() => {
  for (const child of running) child.kill();
});

/** Start geckodriver on a free port; resolves to { child, port, output } once it listens. */
function startGeckodriver() {
  // Port 0: the system picks free ports, and geckodriver prints its own. The
  // BiDi port (unused here) would otherwise be 9222 for every run at once.
  const child = spawn(GECKODRIVER, ["--port", "0", "--websocket-port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  child.on("exit", () => running.delete(child));
  const output = [];
  return new Promise((done, fail) => {
    let partial = "";
    const read = (chunk) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop();
      output.push(...lines);
      const port = lines.join("\n").match(/Listening on [\d.]+:(\d+)/)?.[1];
      if (port) done({ child, port: Number(port), output });
    };
    child.stdout.setEncoding("utf8").on("data", read);
    child.stderr.setEncoding("utf8").on("data", read);
    child.on("error", fail);
    child.on("exit", (code) => fail(new Error(`geckodriver exited (${code}) before listening:\n${output.join("\n")}`)));
  });
}

/**
 * A headless Firefox in a session of its own (a fresh profile: empty storage
 * and cache, as a new visitor's), with a 1100×900 window. Returns a `Firefox`.
 */
export async function openFirefox() {
  const driver = await startGeckodriver();
  try {
    const base = `http://127.0.0.1:${driver.port}`;
    const { sessionId, capabilities } = await command(base, "POST", "/session", {
      capabilities: {
        alwaysMatch: {
          browserName: "firefox",
          // A script may wait for a model to load (the translator's, BERT).
          timeouts: { script: 120_000, pageLoad: 60_000 },
          "moz:firefoxOptions": { binary: FIREFOX, args: ["-headless"], prefs: PREFS },
        },
      },
    });
    const firefox = new Firefox(`${base}/session/${sessionId}`, driver, capabilities.browserVersion);
    await firefox.send("POST", "/window/rect", { width: 1100, height: 900 });
    return firefox;
  } catch (error) {
    driver.child.kill();
    throw error;
  }
}

/** The inline script of `executeAsPage`: run `fn(...args)`, send back its result or its error as a DOM event. */
function inPage(fn, args) {
  Promise.resolve(args).then((args) => fn(...args))
    .then((value) => ({ value }), (error) => ({ error: `${error}\n${error?.stack ?? ""}` }))
    .then((reply) => document.dispatchEvent(new CustomEvent("webdriver-reply", { detail: JSON.stringify(reply) })));
}

/** One WebDriver command: its `value`, or an Error with WebDriver's message. */
async function command(base, method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { "Content-Type": "application/json; charset=utf-8" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const { value } = await response.json();
  if (!response.ok) throw new Error(`WebDriver ${method} ${path}: ${value.error}: ${value.message}`);
  return value;
}

class Firefox {
  constructor(sessionUrl, driver, version) {
    this.sessionUrl = sessionUrl;
    this.driver = driver;
    this.version = version;
  }

  send(method, path, body) {
    return command(this.sessionUrl, method, path, body);
  }

  /** Open `url` and wait for its load event. */
  async goto(url) {
    await this.send("POST", "/url", { url });
  }

  /**
   * Run `fn(...args)` in the page and return its result (JSON). WebDriver
   * waits for a returned promise, so `fn` may be async.
   */
  execute(fn, ...args) {
    return this.send("POST", "/execute/sync", { script: `return (${fn}).apply(null, arguments);`, args });
  }

  /** Run `fn(...args, done)` in the page; resolves to what it passes to `done`. */
  executeAsync(fn, ...args) {
    return this.send("POST", "/execute/async", { script: `(${fn}).apply(null, arguments);`, args });
  }

  /**
   * Like `execute`, but run as a script of the page's own (an inline
   * <script>), for code that imports the page's modules: in Firefox,
   * `import()` in a WebDriver script loads a fresh copy of the module on
   * every call, whose custom elements would then be defined a second time.
   */
  async executeAsPage(fn, ...args) {
    const { value, error } = await this.executeAsync((script, done) => {
      const element = document.createElement("script");
      element.textContent = script;
      document.addEventListener("webdriver-reply", (event) => done(JSON.parse(event.detail)), { once: true });
      document.head.append(element);
      element.remove();
    }, `(${inPage})(${fn}, ${JSON.stringify(args)});`);
    if (error) throw new Error(`in the page: ${error}`);
    return value;
  }

  /** Poll `fn(...args)` in the page until it returns something truthy (returned); fail after `timeout` ms with `message`. */
  async waitFor(fn, args = [], { timeout = 30_000, message = String(fn) } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const result = await this.execute(fn, ...args);
      if (result) return result;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${message}`);
      await new Promise((done) => setTimeout(done, 250));
    }
  }

  /** Save a PNG of the whole page (Firefox's own command; WebDriver's takes the window only). */
  async screenshot(path) {
    const base64 = await this.send("GET", "/moz/screenshot/full");
    writeFileSync(path, Buffer.from(base64, "base64"));
  }

  /**
   * What the pages of `origin` put in Firefox's console as errors: uncaught
   * exceptions and rejections ("JavaScript error: URL, line N: message"),
   * and console.error calls of pages and their workers. Firefox prints the
   * latter without an address but with their arguments as source text
   * (`console.error: "text" ({a:1})`); its own modules' messages, which it
   * prints whatever the prefs say, start with their name instead
   * (`console.error: RSLoader: ...`, its experiments service failing offline).
   */
  consoleErrors(origin) {
    const pageError = (line) => line.startsWith(`JavaScript error: ${origin}/`)
      || (line.startsWith("console.error: ") && !/^console\.error: [\w.-]+: /.test(line));
    return this.driver.output.filter(pageError);
  }

  /** End the session (Firefox quits) and stop geckodriver. */
  async quit() {
    try {
      await this.send("DELETE", "");
    } finally {
      this.driver.child.kill();
    }
  }
}
