// <gf-gpt-sampler>: a character-level GPT trained on Shakespeare, writing one
// character at a time.
//
//   prompt → GPT → logits z (one per character) → softmax(z / τ) → top-k → top-p → draw one → append → again
//
// The bar chart shows the distribution of the next character twice: as the
// model gives it (softmax of the logits) and as it is drawn from after the
// temperature τ, top-k and top-p filters. "Step one character" draws a
// single character and redraws the chart; "Generate" streams characters
// until it is stopped or reaches the length. The same seed gives the same
// text. "Train further" loads the corpus and trains a copy of the model on it
// in a Web Worker of its own (a step of this model takes seconds, too long
// for the page's thread), drawing the loss curve; pausing copies the trained
// weights back for sampling.
//
// Attributes
//   checkpoint  URL of a saved GPT (default: www/models/shakespeare.safetensors)
//   corpus      URL of its training text (default: www/data/shakespeare.txt)
//   prompt      the starting text (default "ROMEO:\n")
//   seed        the sampling seed (default 1)
//
// Events: "gf-update" after each generated character or training call.

import { getRuntime, backendLabel, startWorkerRuntime } from "../runtime.js";

const DEFAULT_CHECKPOINT = new URL("../models/shakespeare.safetensors", import.meta.url).href;
const DEFAULT_CORPUS = new URL("../data/shakespeare.txt", import.meta.url).href;
/** Aim each training call in the worker at about this long, so the curve moves often. */
const CALL_MS = 1500;
const nextFrame = () => new Promise((resolve) => setTimeout(resolve, 0));
/** How a character is shown in the chart. */
const visible = (c) => (c === "\n" ? "⏎" : c === " " ? "␣" : c);

const STYLE = `
  :host { display: block; font: var(--gf-font, 15px/1.45 system-ui, sans-serif); color: var(--gf-fg, #1d2430);
          --accent: var(--gf-accent, #2f6fdf); --muted: var(--gf-muted, #5b6575); --panel: var(--gf-panel, #f5f7fb);
          --border: var(--gf-border, #d5dbe6); --bad: var(--gf-bad, #b71c1c); }
  .wrap { border: 1px solid var(--border); border-radius: 10px; padding: 14px 16px; background: var(--gf-bg, #fff); }
  h3 { margin: 0 0 4px; font-size: 1.05em; }
  h4 { margin: 14px 0 6px; font-size: 1em; }
  p.note { margin: 2px 0 10px; color: var(--muted); font-size: .92em; }
  .controls { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; margin: 6px 0; }
  button, input[type=number] { font: inherit; padding: 4px 10px; border-radius: 6px; border: 1px solid var(--border); background: var(--panel); }
  button { cursor: pointer; }
  button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
  button:disabled { opacity: .55; cursor: default; }
  :is(button, input, textarea):focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
  textarea { width: 100%; box-sizing: border-box; font: 14px/1.4 var(--gf-mono, ui-monospace, monospace); border: 1px solid var(--border);
             border-radius: 6px; padding: 6px 8px; min-height: 3.2em; resize: vertical; }
  label.slider { display: inline-flex; gap: 6px; align-items: center; font-size: .92em; }
  label.slider output { font-variant-numeric: tabular-nums; min-width: 3.2em; }
  input[type=number] { width: 5em; }
  pre.text { white-space: pre-wrap; font: 14px/1.45 var(--gf-mono, ui-monospace, monospace); background: var(--panel);
             border-radius: 8px; padding: 8px 10px; min-height: 6em; max-height: 22em; overflow: auto; margin: 6px 0; }
  pre.text .prompt { color: var(--muted); }
  pre.text .new { background: color-mix(in srgb, var(--accent) 25%, transparent); }
  .status { color: var(--muted); font-size: .9em; }
  .grid { display: grid; grid-template-columns: 1fr minmax(240px, 340px); gap: 16px; align-items: start; }
  @media (max-width: 760px) { .grid { grid-template-columns: 1fr; } }
  figure { margin: 0; background: var(--panel); border-radius: 8px; padding: 8px 10px; }
  figure.curve { max-width: 560px; }
  figcaption { font-size: .86em; color: var(--muted); margin-top: 2px; }
  svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
  svg text.char { font: 13px ui-monospace, monospace; fill: var(--gf-fg, #1d2430); }
  svg .raw { fill: var(--border); }
  svg .sampled { fill: var(--accent); }
  svg .chosen { fill: none; stroke: var(--gf-fg, #1d2430); stroke-width: 1.5; }
  svg .curve { fill: none; stroke: var(--accent); stroke-width: 1.6; }
  svg .curve.valid { stroke: #d2691e; stroke-dasharray: 4 3; }
  svg .grid-line { stroke: var(--border); }
  .legend span { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 4px 0 10px; vertical-align: -1px; }
  .error { color: var(--bad); background: #fdecea; border-radius: 6px; padding: 6px 10px; margin-top: 8px; }
  .error:empty { display: none; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

class GfGptSampler extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this._model = null;
    this._generated = "";
    this._generating = false;
    this._training = false;
    this._losses = [];
  }

  connectedCallback() {
    if (this._built) return;
    this._built = true;
    this._render();
    this._start();
  }

  disconnectedCallback() {
    this._generating = this._training = false;
    const model = this._model;
    this._model = null;
    this._built = false;
    queueMicrotask(() => model?.free?.());
    this._worker?.terminate();
    this._worker = this._trainer = null;
  }

  /** The loss curve so far: [{ step, loss, valLoss }]. */
  get lossHistory() {
    return this._losses.map((point) => ({ ...point }));
  }

  _render() {
    this.shadowRoot.innerHTML = `
      <style>${STYLE}</style>
      <div class="wrap">
        <h3>GPT: one character at a time</h3>
        <p class="note" data-role="about">A decoder-only Transformer trained on Shakespeare's plays.</p>
        <label class="sr-only" for="prompt">prompt</label>
        <textarea id="prompt" data-role="prompt" spellcheck="false"></textarea>
        <div class="controls">
          <label class="slider">temperature <input type="range" min="0" max="2" step="0.05" value="0.8" data-role="temperature"><output data-out="temperature">0.80</output></label>
          <label class="slider">top-k <input type="range" min="0" max="40" step="1" value="0" data-role="topK"><output data-out="topK">off</output></label>
          <label class="slider">top-p <input type="range" min="0.05" max="1" step="0.05" value="1" data-role="topP"><output data-out="topP">off</output></label>
          <label class="slider">seed <input type="number" min="0" step="1" value="1" data-role="seed"></label>
        </div>
        <div class="controls">
          <button class="primary" data-action="generate" disabled>Generate</button>
          <button data-action="step" disabled>Step one character</button>
          <button data-action="clear" disabled>Clear</button>
          <span class="status" role="status" aria-live="polite" data-role="status">Starting…</span>
        </div>
        <div class="grid">
          <pre class="text" data-role="text" aria-live="off" aria-label="the prompt and the generated text"></pre>
          <figure>
            <svg viewBox="0 0 320 250" width="100%" role="img" data-role="chart" aria-label="next-character distribution"></svg>
            <figcaption><span class="legend"><span style="background:var(--border)"></span>softmax of the logits<span style="background:var(--accent)"></span>after τ, top-k, top-p</span><br><span data-role="chart-caption">The next character's 12 most probable choices.</span></figcaption>
          </figure>
        </div>
        <h4>Train further</h4>
        <div class="controls">
          <button data-action="train" aria-pressed="false" disabled>Train on the corpus</button>
          <span class="status" data-role="train-status"></span>
        </div>
        <figure class="curve">
          <svg viewBox="0 0 340 150" width="100%" role="img" data-role="curve" aria-label="loss curve: no training yet"><text x="170" y="75" text-anchor="middle">the curve appears once training starts</text></svg>
          <figcaption>Loss in nats per character (training: solid; validation: dashed) against step.</figcaption>
        </figure>
        <div class="error" role="alert" data-role="error"></div>
      </div>`;
    const $ = (s) => this.shadowRoot.querySelector(s);
    this._els = {
      about: $('[data-role="about"]'), prompt: $('[data-role="prompt"]'), text: $('[data-role="text"]'),
      temperature: $('[data-role="temperature"]'), topK: $('[data-role="topK"]'), topP: $('[data-role="topP"]'), seed: $('[data-role="seed"]'),
      generate: $('[data-action="generate"]'), step: $('[data-action="step"]'), clear: $('[data-action="clear"]'), train: $('[data-action="train"]'),
      status: $('[data-role="status"]'), trainStatus: $('[data-role="train-status"]'), chart: $('[data-role="chart"]'),
      chartCaption: $('[data-role="chart-caption"]'), curve: $('[data-role="curve"]'), error: $('[data-role="error"]'),
    };
    const e = this._els;
    e.prompt.value = this.getAttribute("prompt") ?? "ROMEO:\n";
    e.seed.value = this.getAttribute("seed") ?? "1";
    for (const name of ["temperature", "topK", "topP"]) {
      e[name].addEventListener("input", () => {
        this._showSliders();
        this._chartNext();
      });
    }
    this._showSliders();
    e.prompt.addEventListener("input", () => {
      this._generated = "";
      this._showText();
      this._chartNext();
    });
    e.generate.addEventListener("click", () => (this._generating ? this._stop() : this._generate(400)));
    e.step.addEventListener("click", () => this._generate(1));
    e.clear.addEventListener("click", () => {
      this._generated = "";
      this._showText();
      this._chartNext();
    });
    e.train.addEventListener("click", () => (this._training ? this._pauseTraining() : this._train()));
  }

  get _sampling() {
    const e = this._els;
    return { temperature: Number(e.temperature.value), topK: Number(e.topK.value), topP: Number(e.topP.value) };
  }

  _showSliders() {
    const { temperature, topK, topP } = this._sampling;
    const out = (name) => this.shadowRoot.querySelector(`[data-out="${name}"]`);
    out("temperature").textContent = temperature === 0 ? "0 (greedy)" : temperature.toFixed(2);
    out("topK").textContent = topK === 0 ? "off" : String(topK);
    out("topP").textContent = topP >= 1 ? "off" : topP.toFixed(2);
  }

  _showError(error) {
    this._els.error.textContent = error ? String(error.message ?? error) : "";
  }

  _enable() {
    const e = this._els;
    const ready = this._model !== null && !this._busy;
    e.generate.disabled = !ready || this._training;
    e.generate.textContent = this._generating ? "Stop" : "Generate";
    e.step.disabled = !ready || this._generating || this._training;
    e.clear.disabled = !ready || this._generating;
    e.train.disabled = !ready || this._generating;
    e.train.textContent = this._training ? "Pause training" : "Train on the corpus";
    e.train.setAttribute("aria-pressed", String(this._training));
  }

  async _start() {
    try {
      this._runtime = await getRuntime();
      this._els.status.textContent = "Loading the model…";
      const url = this.getAttribute("checkpoint") || DEFAULT_CHECKPOINT;
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url} answered ${response.status} ${response.statusText}`);
      this._model = await this._runtime.loadGpt(new Uint8Array(await response.arrayBuffer()));
      await this._describe();
      this._els.status.textContent = "Ready: press Generate, or step one character at a time.";
      this._enable();
      this._showText();
      await this._chartNext();
    } catch (error) {
      this._els.status.textContent = "Could not load the model.";
      this._showError(error);
    }
  }

  async _describe() {
    const info = await this._model.describe();
    this._info = info;
    this._els.about.textContent =
      `A decoder-only Transformer (GPT): ${info.layers} layers, d_model ${info.dModel}, ${info.heads} heads, ` +
      `context ${info.context} characters, ${info.parameters.toLocaleString("en-US")} parameters, ` +
      `trained for ${info.step.toLocaleString("en-US")} steps on Shakespeare's plays; its vocabulary is ` +
      `${info.vocabulary.length} characters. Running on ${backendLabel(this._runtime)}.`;
  }

  get _text() {
    return this._els.prompt.value + this._generated;
  }

  _showText(fresh = 0) {
    const escape = (t) => t.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]);
    const old = this._generated.slice(0, this._generated.length - fresh);
    const recent = this._generated.slice(this._generated.length - fresh);
    this._els.text.innerHTML = `<span class="prompt">${escape(this._els.prompt.value)}</span>${escape(old)}<span class="new">${escape(recent)}</span>`;
    this._els.text.scrollTop = this._els.text.scrollHeight;
  }

  /** Draw the distribution of the character after the current text. */
  async _chartNext(chosen) {
    if (!this._model || this._training) return;
    try {
      const next = await this._model.nextToken(this._text, this._sampling);
      this._drawChart(next, chosen);
      this._showError(null);
      if (next.cropped > 0) {
        this._els.status.textContent = `The text is longer than the model's context of ${this._info.context} characters: it sees only the last ${this._info.context}.`;
      }
    } catch (error) {
      this._showError(error);
    }
  }

  _drawChart({ characters, raw, sampled }, chosen) {
    const order = Array.from(raw.keys()).sort((a, b) => raw[b] - raw[a]).slice(0, 12);
    // The drawn character is always shown, even when it was not among the 12 likeliest.
    const drawn = chosen === undefined ? -1 : characters.indexOf(chosen);
    if (drawn >= 0 && !order.includes(drawn)) order[order.length - 1] = drawn;
    const [W, rowH, left] = [320, 20, 34];
    const max = Math.max(...order.map((i) => Math.max(raw[i], sampled[i])), 1e-9);
    let svg = "";
    order.forEach((id, row) => {
      const y = 4 + row * rowH;
      const width = (p) => ((W - left - 52) * p) / max;
      svg += `<text class="char" x="${left - 8}" y="${y + 13}" text-anchor="end">${visible(characters[id]).replace("<", "&lt;").replace("&", "&amp;")}</text>`;
      svg += `<rect class="raw" x="${left}" y="${y + 1}" width="${width(raw[id])}" height="7"/>`;
      svg += `<rect class="sampled" x="${left}" y="${y + 9}" width="${width(sampled[id])}" height="7"/>`;
      if (characters[id] === chosen) svg += `<rect class="chosen" x="${left - 26}" y="${y}" width="${W - left + 22}" height="${rowH - 2}" rx="3"/>`;
      svg += `<text x="${W - 4}" y="${y + 13}" text-anchor="end">${(100 * sampled[id]).toFixed(1)}%</text>`;
    });
    this._els.chart.innerHTML = svg;
    const summary = order.slice(0, 5).map((id) => `${visible(characters[id])} ${(100 * raw[id]).toFixed(1)}% → ${(100 * sampled[id]).toFixed(1)}%`).join(", ");
    this._els.chart.setAttribute("aria-label", `Next-character probabilities, before → after the filters: ${summary}`);
    this._els.chartCaption.textContent = chosen === undefined
      ? "The next character's 12 most probable choices."
      : `The distribution "${visible(chosen)}" was drawn from (outlined).`;
  }

  /** Draw up to `count` characters, streaming them to the page. */
  async _generate(count) {
    if (!this._model || this._generating) return;
    this._generating = count > 1;
    this._enable();
    this._showError(null);
    const seed = Math.max(0, Math.floor(Number(this._els.seed.value) || 0)) + this._generated.length;
    let fresh = 0;
    try {
      const result = await this._model.generate(this._text, {
        ...this._sampling,
        maxTokens: count,
        seed,
        onToken: async (step) => {
          this._generated += step.token;
          fresh++;
          this._showText(Math.min(fresh, 1));
          this.dispatchEvent(new CustomEvent("gf-update", { bubbles: true, composed: true, detail: step }));
          await nextFrame();
          return count === 1 || this._generating;
        },
      });
      if (count === 1 && result.steps.length) {
        // Show the distribution the character was drawn from.
        const text = this._text.slice(0, -1);
        const next = await this._model.nextToken(text, this._sampling);
        this._drawChart(next, result.steps[0].token);
      } else {
        await this._chartNext();
      }
      this._els.status.textContent = result.cropped > 0
        ? `The text is longer than the context of ${this._info.context} characters: the model saw only the last ${this._info.context}.`
        : `${this._generated.length} characters generated.`;
    } catch (error) {
      this._showError(error);
    } finally {
      this._generating = false;
      this._enable();
    }
  }

  _stop() {
    this._generating = false;
    this._enable();
  }

  async _train() {
    if (!this._model || this._training) return;
    this._training = true;
    this._enable();
    this._showError(null);
    const e = this._els;
    try {
      if (!this._trainer) {
        e.trainStatus.textContent = "Starting a background worker and loading the corpus (4.8 MB)…";
        const response = await fetch(this.getAttribute("corpus") || DEFAULT_CORPUS);
        if (!response.ok) throw new Error(`the corpus answered ${response.status} ${response.statusText}`);
        const [text, bytes] = [await response.text(), await this._model.save()];
        this._worker ??= await startWorkerRuntime(1);
        this._trainer = await this._worker.loadGpt(bytes, text);
      }
      e.trainStatus.textContent = "Training in a background worker…";
      let chunk = 1;
      while (this._training && this._trainer) {
        const t0 = performance.now();
        const result = await this._trainer.train({ steps: chunk, validationBatches: 1 });
        const ms = performance.now() - t0;
        chunk = Math.max(1, Math.min(20, Math.round((chunk * CALL_MS) / Math.max(ms, 1))));
        this._losses.push({ step: result.step, loss: result.loss, valLoss: result.valLoss });
        e.trainStatus.textContent = `step ${result.step.toLocaleString("en-US")} · loss ${result.loss.toFixed(3)} · validation ${result.valLoss.toFixed(3)} · ${Math.round(result.tokensPerSecond).toLocaleString("en-US")} characters/s (in a background worker)`;
        this._drawCurve();
        this.dispatchEvent(new CustomEvent("gf-update", { bubbles: true, composed: true, detail: result }));
      }
      // Paused: sample from the trained weights.
      const trained = await this._runtime.loadGpt(await this._trainer.save());
      this._model?.free?.();
      this._model = trained;
      await this._describe();
    } catch (error) {
      this._showError(error);
    } finally {
      this._training = false;
      this._enable();
      await this._chartNext();
    }
  }

  _pauseTraining() {
    this._training = false;
    this._enable();
  }

  _drawCurve() {
    const points = this._losses;
    if (points.length < 2) return;
    const [W, H, left, right, top, bottom] = [340, 150, 34, 8, 8, 20];
    const values = points.flatMap((p) => [p.loss, p.valLoss]).filter(Number.isFinite);
    const low = Math.floor(Math.min(...values) * 10) / 10, high = Math.ceil(Math.max(...values) * 10) / 10;
    const first = points[0].step, last = points.at(-1).step;
    const x = (s) => left + ((s - first) / Math.max(1, last - first)) * (W - left - right);
    const y = (v) => top + ((high - v) / Math.max(1e-6, high - low)) * (H - top - bottom);
    const line = (key, cls) => `<polyline class="curve ${cls}" points="${points.map((p) => `${x(p.step).toFixed(1)},${y(p[key]).toFixed(1)}`).join(" ")}"/>`;
    this._els.curve.innerHTML =
      `<line class="grid-line" x1="${left}" x2="${W - right}" y1="${y(low)}" y2="${y(low)}"/>` +
      `<text x="${left - 4}" y="${y(high) + 4}" text-anchor="end">${high.toFixed(1)}</text>` +
      `<text x="${left - 4}" y="${y(low) + 4}" text-anchor="end">${low.toFixed(1)}</text>` +
      `<text x="${left}" y="${H - 4}">step ${first}</text><text x="${W - right}" y="${H - 4}" text-anchor="end">${last}</text>` +
      line("loss", "") + line("valLoss", "valid");
    this._els.curve.setAttribute("aria-label", `loss ${points[0].loss.toFixed(3)} → ${points.at(-1).loss.toFixed(3)}, validation ${points.at(-1).valLoss.toFixed(3)} at step ${last}`);
  }
}

if (!customElements.get("gf-gpt-sampler")) customElements.define("gf-gpt-sampler", GfGptSampler);
