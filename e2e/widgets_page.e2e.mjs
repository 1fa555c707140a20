// The widget documentation page, used as a course author would: every widget
// on one page twice (the page's copy and a clone) plus one inserted later;
// each renders, answers an attribute change and a user's input, shows the
// numbers the kernels computed (checked against formulas computed here),
// switches to Chinese, copies its snippet and link (the link reopens the same
// widget); removing the BERT widgets frees the shared model; no console
// errors. Screenshots of every widget at desktop and phone widths go to
// test-artifacts/widgets/.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { HEADINGS, RENDERED } from "./widget_expectations.mjs";
import { openCoursePage, ARTIFACTS } from "./harness.mjs";

const SHOTS = `${ARTIFACTS}widgets/`;

/** Resolves once `selector` inside the shadow root of the `index`-th `tag` exists and `ready(root)` holds. */
async function waitInside(page, tag, index, ready, timeout = 90_000) {
  await page.waitForFunction(({ tag, index, ready }) => {
    const root = document.querySelectorAll(tag)[index]?.shadowRoot;
    return root && new Function("root", `return (${ready})(root)`)(root);
  }, { tag, index, ready: ready.toString() }, { timeout });
}

const rendered = RENDERED;

test("widgets.html: every widget twice and one more, numbers, attributes, input, languages, sharing, removal", { timeout: 600_000 }, async () => {
  mkdirSync(SHOTS, { recursive: true });
  const { page, errors, close, url } = await openCoursePage("/widgets.html?backend=cpu&threads=1");
  try {
    const tags = await page.evaluate(() => [...document.querySelectorAll("#widgets > section > *")].map((e) => e.localName).filter((t) => t.startsWith("gf-")));
    assert.deepEqual(tags.sort(), Object.keys(rendered).sort(), "every widget is on the page");
    // A second copy of each, right after the first.
    await page.evaluate(() => {
      for (const widget of [...document.querySelectorAll("#widgets > section > *")].filter((e) => e.localName.startsWith("gf-"))) {
        widget.after(widget.cloneNode(false));
      }
    });
    for (const tag of tags) {
      for (const index of [0, 1]) await waitInside(page, tag, index, rendered[tag]);
      const title = await page.evaluate((tag) => document.querySelector(tag).shadowRoot.querySelector("h3, h2")?.textContent ?? "", tag);
      assert.ok(title.trim().length > 0, `${tag} has a heading`);
      assert.ok(title.includes(HEADINGS[tag]), `${tag}: heading "${title}"`);
    }
    // One inserted later, into a paragraph, as an author's page would.
    await page.evaluate(() => {
      const p = document.createElement("p");
      p.id = "later";
      p.innerHTML = 'Inserted later: <gf-ffn text="attention is all you need" seed="3"></gf-ffn>';
      document.querySelector("#widgets").append(p);
    });
    await waitInside(page, "#later gf-ffn", 0, rendered["gf-ffn"]);

    // ---- numbers: each checked against the formula, computed here ----
    // Multi-head: head i's weights = softmax(Q_i K_iᵀ / √d_k) on its column slice.
    const mh = await page.evaluate(() => {
      const w = document.querySelector("gf-multihead");
      const { q, k, words, d, h } = w._result;
      return { q: Array.from(q), k: Array.from(k), n: words.length, d, h, heads: Array.from({ length: h }, (_, i) => w.headWeights(i)) };
    });
    const dk = mh.d / mh.h;
    for (let head = 0; head < mh.h; head++) {
      for (let r = 0; r < mh.n; r++) {
        const scores = Array.from({ length: mh.n }, (_, c) => {
          let s = 0;
          for (let j = head * dk; j < (head + 1) * dk; j++) s += mh.q[r * mh.d + j] * mh.k[c * mh.d + j];
          return s / Math.sqrt(dk);
        });
        const m = Math.max(...scores), e = scores.map((s) => Math.exp(s - m)), sum = e.reduce((a, b) => a + b);
        e.forEach((x, c) => assert.ok(Math.abs(x / sum - mh.heads[head][r * mh.n + c]) < 1e-5, `multihead head ${head} (${r},${c})`));
      }
    }
    // FFN: output = max(0, x W1 + b1) W2 + b2.
    const ffn = await page.evaluate(() => {
      const r = document.querySelector("gf-ffn")._result;
      return Object.fromEntries(["x", "w1", "b1", "w2", "b2", "hidden", "output"].map((k) => [k, Array.from(r[k])]).concat([["n", r.words.length], ["d", r.d], ["f", r.f]]));
    });
    for (let i = 0; i < ffn.n; i++) {
      const hidden = Array.from({ length: ffn.f }, (_, j) => Math.max(0, ffn.b1[j] + ffn.x.slice(i * ffn.d, i * ffn.d + ffn.d).reduce((s, x, c) => s + x * ffn.w1[c * ffn.f + j], 0)));
      hidden.forEach((v, j) => assert.ok(Math.abs(v - ffn.hidden[i * ffn.f + j]) < 1e-5, `ffn hidden (${i},${j})`));
      for (let c = 0; c < ffn.d; c++) {
        const y = ffn.b2[c] + hidden.reduce((s, v, j) => s + v * ffn.w2[j * ffn.d + c], 0);
        assert.ok(Math.abs(y - ffn.output[i * ffn.d + c]) < 1e-5, `ffn output (${i},${c})`);
      }
    }
    // Bidirectional: equal scores → BERT row 1/T everywhere, GPT row i 1/(i+1) up to i.
    const bi = await page.evaluate(() => {
      const w = document.querySelector("gf-bidirectional");
      return { n: w._result.words.length, bert: Array.from(w._result.bert), gpt: Array.from(w._result.gpt) };
    });
    for (let r = 0; r < bi.n; r++) {
      for (let c = 0; c < bi.n; c++) {
        assert.ok(Math.abs(bi.bert[r * bi.n + c] - 1 / bi.n) < 1e-6);
        assert.ok(Math.abs(bi.gpt[r * bi.n + c] - (c <= r ? 1 / (r + 1) : 0)) < 1e-6, `gpt (${r},${c})`);
      }
    }
    // Embedding space: cosine = dot / √(dot_aa · dot_bb); man and woman closer than man and bread.
    const es = await page.evaluate(() => {
      const r = document.querySelector("gf-embedding-space")._result;
      return { words: r.words, dots: Array.from(r.dots.data), cosines: Array.from(r.cosines.data), analogy: r.analogy.map((n) => n.token) };
    });
    const n = es.words.length;
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        const want = es.dots[a * n + b] / Math.sqrt(es.dots[a * n + a] * es.dots[b * n + b]);
        assert.ok(Math.abs(es.cosines[a * n + b] - want) < 1e-4, `cosine ${es.words[a]}·${es.words[b]}`);
      }
    }
    const at = (a, b) => es.cosines[es.words.indexOf(a) * n + es.words.indexOf(b)];
    assert.ok(at("man", "woman") > at("man", "bread") + 0.3, `man·woman ${at("man", "woman")} vs man·bread ${at("man", "bread")}`);
    assert.ok(es.analogy.slice(0, 3).includes("mother"), `man : woman :: father : ${es.analogy}`);
    // RNN with the identity: the gradient is ρ^distance exactly.
    const rnn = page.locator("gf-rnn-vs-attention").first();
    await rnn.evaluate((w) => { w.setAttribute("activation", "identity"); w.setAttribute("radius", "1.2"); });
    await page.waitForFunction(() => document.querySelector("gf-rnn-vs-attention")._result?.radius === 1.2 && document.querySelector("gf-rnn-vs-attention").getAttribute("activation") === "identity");
    await page.waitForFunction(() => Math.abs(document.querySelector("gf-rnn-vs-attention").gradientByDistance[10] - 1.2 ** 10) < 1e-3 * 1.2 ** 10);
    const grads = await rnn.evaluate((w) => w.gradientByDistance);
    grads.forEach((g, dist) => assert.ok(Math.abs(g - 1.2 ** dist) <= 1e-4 * 1.2 ** dist, `rnn distance ${dist}: ${g}`));
    assert.match(await rnn.evaluate((w) => w.shadowRoot.querySelector('[data-role="verdict"]').textContent), /explodes/);

    // ---- attribute changes and user input ----
    const mhWidget = page.locator("gf-multihead").first();
    await mhWidget.evaluate((w) => w.setAttribute("heads", "4"));
    await page.waitForFunction(() => document.querySelector("gf-multihead").shadowRoot.querySelectorAll('[data-role="heads-view"] figure').length === 4);
    await mhWidget.locator('[data-role="heads"]').selectOption({ value: "1" });
    await page.waitForFunction(() => document.querySelector("gf-multihead").getAttribute("heads") === "1" && document.querySelector("gf-multihead").shadowRoot.querySelectorAll('[data-role="heads-view"] figure').length === 1);
    // FFN: editing one word changes that row only.
    const ffnWidget = page.locator("gf-ffn").first();
    await ffnWidget.locator('[data-role="text"]').fill("thinking robots");
    await ffnWidget.locator('[data-role="text"]').press("Enter");
    await page.waitForFunction(() => document.querySelector("gf-ffn").shadowRoot.querySelectorAll('[data-role="output"] tr.changed').length === 1);
    assert.match(await ffnWidget.locator('[data-role="explain"]').textContent(), /Only “robots” changed/);
    // Bidirectional: arrow keys move the chosen word; GPT's first word sees only itself.
    const biWidget = page.locator("gf-bidirectional").first();
    await biWidget.locator('[data-role="bert"]').focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowLeft");
    assert.deepEqual(await biWidget.evaluate((w) => [w.position, w.seen("gpt"), w.seen("bert").length]), [0, ["open"], 4]);
    // Embedding space: new words typed; an unknown one is reported, the rest shown.
    const esWidget = page.locator("gf-embedding-space").first();
    await esWidget.locator('[data-role="words"]').fill("milk juice king");
    await esWidget.locator('[data-role="words"]').press("Enter");
    await page.waitForFunction(() => document.querySelector("gf-embedding-space")._result?.words.join(" ") === "milk juice");
    assert.match(await esWidget.locator('[data-role="status"]').textContent(), /Not in this model's vocabulary: king/);
    // Attention map: a chosen word keeps only its lines; layer and head selects.
    const map = page.locator("gf-attention-map").first();
    const allLines = await map.locator('[data-role="lines"] line').count();
    await map.locator('[data-role="lines"] text.tok[data-index="3"]').click();
    const oneWord = await map.locator('[data-role="lines"] line').count();
    assert.ok(oneWord > 0 && oneWord < allLines, `${oneWord} lines for one word, ${allLines} for all`);
    await map.locator('[data-role="head"]').selectOption({ value: "0" });
    await page.waitForFunction(() => document.querySelector("gf-attention-map").getAttribute("head") === "0");
    const rows = await map.evaluate((w) => { const n = w._result.tokens.length; const m = w.weights; return Array.from({ length: n }, (_, r) => m.slice(r * n, r * n + n).reduce((a, b) => a + b)); });
    rows.forEach((s) => assert.ok(Math.abs(s - 1) < 1e-4, "attention rows sum to 1"));
    // RNN: the slider is a user input too.
    await rnn.locator('[data-role="radius"]').fill("0.6");
    await page.waitForFunction(() => document.querySelector("gf-rnn-vs-attention")._result?.radius === 0.6);
    assert.match(await rnn.locator('[data-role="verdict"]').textContent(), /vanishes/);

    // A model the widget cannot show is a readable message, not a crash.
    await page.evaluate(() => document.querySelector("#later").insertAdjacentHTML("beforeend", '<gf-attention-map model="gpt"></gf-attention-map>'));
    await page.waitForFunction(() => /model="gpt" is not one this widget can show; use model="bert"/.test(document.querySelector('#later gf-attention-map').shadowRoot.querySelector('[data-role="error"]').textContent));
    await page.evaluate(() => document.querySelector('#later gf-attention-map').remove());

    // ---- sharing: the snippet, and a link that reopens the same widget ----
    await mhWidget.locator('[data-role="copy-snippet"]').click();
    assert.equal(await mhWidget.evaluate((w) => w.dataset.lastCopied), '<gf-multihead heads="1"></gf-multihead>');
    await rnn.locator('[data-role="copy-link"]').click();
    const link = await rnn.evaluate((w) => w.dataset.lastCopied);
    assert.match(link, /share\.html\?widget=gf-rnn-vs-attention&.*radius=0\.6/);

    // ---- screenshots at desktop and phone widths ----
    for (const [label, width] of [["desktop", 1100], ["phone", 390]]) {
      await page.setViewportSize({ width, height: 900 });
      for (const tag of tags) {
        await page.locator(tag).first().screenshot({ path: `${SHOTS}${tag}-${label}.png` });
      }
    }
    await page.setViewportSize({ width: 1100, height: 900 });

    // ---- Chinese: the switch relabels every widget, keeping its results ----
    const before = await page.evaluate((tags) => tags.map((t) => document.querySelector(t).shadowRoot.querySelector("h3, h2")?.textContent), tags);
    await page.locator('[data-set-lang="zh"]').click();
    await page.waitForFunction((tags) => tags.every((t) => document.querySelector(t).getAttribute("lang") === "zh"), tags);
    for (const [i, tag] of tags.entries()) {
      await page.waitForFunction(({ tag, was }) => document.querySelector(tag).shadowRoot.querySelector("h3, h2")?.textContent !== was, { tag, was: before[i] });
    }
    await waitInside(page, "gf-embedding-space", 0, rendered["gf-embedding-space"]);
    await page.locator("gf-multihead").first().screenshot({ path: `${SHOTS}gf-multihead-zh.png` });
    // The widgets' own messages are in Chinese too.
    await page.evaluate(() => document.querySelector("gf-ffn").setAttribute("text", " "));
    await page.waitForFunction(() => /无法计算前馈网络：文本是空的/.test(document.querySelector("gf-ffn").shadowRoot.querySelector('[data-role="error"]').textContent));

    // ---- removal: the BERT widgets release the shared model ----
    const users = () => page.evaluate(async () => (await import("./widgets/common.js")).sharedModelUsers());
    assert.ok((await users()).bert >= 4, `the four BERT widgets share one model: ${JSON.stringify(await users())}`);
    await page.evaluate(() => document.querySelectorAll("gf-embedding-space, gf-attention-map").forEach((w) => w.remove()));
    assert.deepEqual(await users(), {}, "the last release frees the model");
    // The RNN's animation stops when its widget goes.
    await rnn.locator('[data-role="play"]').click();
    const timers = await page.evaluate(() => {
      const widgets = [...document.querySelectorAll("gf-rnn-vs-attention")];
      const playing = widgets[0]._timer !== null;
      widgets.forEach((w) => w.remove());
      return { playing, after: widgets.map((w) => w._timer) };
    });
    assert.deepEqual(timers, { playing: true, after: [null, null] });

    // ---- the shared link opens that widget alone, in the same state ----
    await page.goto(link.replace(/^http:\/\/[^/]+/, new URL(url).origin));
    await waitInside(page, "gf-rnn-vs-attention", 0, rendered["gf-rnn-vs-attention"]);
    assert.equal(await page.evaluate(() => document.querySelector("gf-rnn-vs-attention")._result.radius), 0.6);
    await page.goto(`${new URL(url).origin}/share.html?widget=gf-nothing`);
    assert.match(await page.locator("main").textContent(), /No widget named “gf-nothing”/);

    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("example-notes.html reads like a chapter: every widget in it renders, in Chinese and in English", { timeout: 300_000 }, async () => {
  mkdirSync(SHOTS, { recursive: true });
  const { page, errors, close } = await openCoursePage("/example-notes.html?backend=cpu&threads=1");
  try {
    const tags = await page.evaluate(() => [...document.querySelectorAll("article *")].map((e) => e.localName).filter((t) => t.startsWith("gf-")));
    assert.ok(tags.length >= 8, `widgets in the notes: ${tags}`);
    for (const tag of tags) await waitInside(page, tag, 0, rendered[tag]);
    // The page is Chinese: so are its widgets.
    assert.equal(await page.evaluate(() => document.querySelector("gf-ffn").shadowRoot.querySelector("h3").textContent), "前馈网络");
    await page.screenshot({ path: `${SHOTS}example-notes-zh.png`, fullPage: true });
    await page.locator('[data-set-lang="en"]').click();
    await page.waitForFunction(() => document.querySelector("gf-ffn").shadowRoot.querySelector("h3").textContent === "The feed-forward network");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${SHOTS}example-notes-en-phone.png`, fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test("every snippet copied from widgets.html works in a blank page next to the package", { timeout: 300_000 }, async () => {
  const { page, errors, close, url } = await openCoursePage("/widgets.html?backend=cpu&threads=1");
  try {
    // What an author copies: the loader line and each widget's snippet, as the page shows them.
    const loader = (await page.locator("#loader-snippet").textContent()).split("\n")[0];
    const snippets = await page.locator("section[id^='gf-'] pre.snippet").allTextContents();
    assert.equal(snippets.length, Object.keys(rendered).length);
    const blank = `<!doctype html>\n<html>\n<head><meta charset="utf-8"><title>my notes</title>\n${loader}\n</head>\n<body>\n` +
      snippets.map((s) => `<p>Some prose.</p>\n${s}\n`).join("") + "</body>\n</html>\n";
    // Served at the package's side, as an author's own file would be.
    const origin = new URL(url).origin;
    await page.route(`${origin}/my-notes.html`, (route) => route.fulfill({ contentType: "text/html; charset=utf-8", body: blank }));
    await page.goto(`${origin}/my-notes.html`);
    for (const tag of Object.keys(rendered)) await waitInside(page, tag, 0, rendered[tag]);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});
