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
//   lang        "en" | "zh" (default: the page's language)
//
// Removed from the page, the widget stops generating and training, ends its
// worker and frees its model; put back, it loads the model again.
//
// Events: "gf-update" after each generated character or training call;
// "gf-idle" when training stops (paused, failed, or the widget removed).

import { backendLabel, startWorkerRuntime } from "../runtime.js";
import { langOf, escapeHtml, BASE_STYLE, shareFooter, wireShare, runtimeOf } from "./common.js";
import { TEXT } from "./text/gf-gpt-sampler.js";
import { lossCurve } from "./loss-curve.js";

const DEFAULT_CHECKPOINT = new URL("../models/shakespeare.safetensors", import.meta.url).href;
const DEFAULT_CORPUS = new URL("../data/shakespeare.txt", import.meta.url).href;
/** Aim each training call in the worker at about this long, so the curve moves often. */
const CALL_MS = 1500;
const nextFrame = () => new Promise((resolve) => setTimeout(resolve, 0));
/** How a character is shown in the chart. */
const visible = (c) => (c === "\n" ? "⏎" : c === " " ? "␣" : c);

// BASE_STYLE (common.js) first, then what this widget adds or changes.
const STYLE = BASE_STYLE + `
  h4 { margin: 14px 0 6px; font-size: 1em; }
  p.note { margin: 2px 0 10px; color: var(--muted); font-size: .92em; }
  .controls { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; margin: 6px 0; }
  button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
  :is(button, input, textarea):focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
  textarea { width: 100%; box-sizing: border-box; font: 14px/1.4 var(--gf-mono, ui-monospace, monospace); border: 1px solid var(--border);
             border-radius: 6px; padding: 6px 8px; min-height: 3.2em; resize: vertical; }
  label.slider output { min-width: 3.2em; }
  input[type=number] { width: 5em; }
  pre.text { white-space: pre-wrap; font: 14px/1.45 var(--gf-mono, ui-monospace, monospace); background: var(--panel);
             border-radius: 8px; padding: 8px 10px; min-height: 6em; max-height: 22em; overflow: auto; margin: 6px 0; }
  pre.text .prompt { color: var(--muted); }
  pre.text .new { background: color-mix(in srgb, var(--accent) 25%, transparent); }
  .grid { display: grid; grid-template-columns: 1fr minmax(240px, 340px); gap: 16px; align-items: start; }
  @media (max-width: 760px) { .grid { grid-template-columns: 1fr; } }
  figure { margin: 0; background: var(--panel); border-radius: 8px; padding: 8px 10px; }
  figure.curve { max-width: 560px; }
  figcaption { font-size: .86em; color: var(--muted); margin-top: 2px; }
  svg text.char { font: 13px ui-monospace, monospace; fill: var(--gf-fg, #1d2430); }
  svg .raw { fill: var(--border); }
  svg .sampled { fill: var(--accent); }
  svg .chosen { fill: none; stroke: var(--gf-fg, #1d2430); stroke-width: 1.5; }
  svg .curve { fill: none; stroke: var(--accent); stroke-width: 1.6; }
  svg .curve.valid { stroke: #d2691e; stroke-dasharray: 4 3; }
  svg .grid-line { stroke: var(--border); }
  .legend span { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 4px 0 10px; vertical-align: -1px; }
  .error { color: var(--bad); background: #fdecea; border-radius: 6px; padding: 6px 10px; margin-top: 8px; }
`;

class GfGptSampler extends HTMLElement {
  static observedAttributes = ["lang", "prompt", "seed", "checkpoint", "corpus"];

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this._model = null;
    this._generated = "";
    this._generating = false;
    this._training = false;
    this._losses = [];
    // Kept so that a change of language can draw everything again: the
    // messages as functions of the text table, the last chart's data.
    this._status = null;
    this._trainStatus = null;
    this._error = null;
    this._chart = null; // { next, chosen }
    this._controls = false; // whether the buttons have been enabled yet in this connection
    // Each connection to the page gets a number; work started under an
    // earlier one (the widget was removed meanwhile) stops when it sees it.
    this._life = 0;
  }

  connectedCallback() {
    if (this._built) return;
    this._built = true;
    this._life++;
    this._controls = false;
    this._status = (t) => t.starting;
    this._render();
    this._start();
  }

  disconnectedCallback() {
    // Removed from the page: stop generating and training (both loops check
    // these flags and _life), end the training worker (its copy of the model
    // goes with it) and free the page's model. A call in flight holds its own
    // reference to the weights, so freeing now is safe.
    this._built = false;
    this._life++;
    this._generating = this._training = this._settling = false;
    this._model?.free?.();
    this._model = null;
    this._worker?.terminate();
    this._worker = this._trainer = null;
    // What came from that model goes with it; the prompt and the text stay.
    this._info = this._chart = this._trainStatus = this._error = null;
    this._losses = [];
  }

  attributeChangedCallback(name, old, value) {
    if (!this._built || old === value) return;
    if (name === "lang") this._render(); // the same state, in the other language
    if (name === "prompt") {
      // As if typed: the text generated after the old prompt goes, the chart follows.
      this._els.prompt.value = value ?? "ROMEO:\n";
      this._els.prompt.dispatchEvent(new Event("input"));
    }
    if (name === "seed") this._els.seed.value = value ?? "1";
    if (name === "checkpoint" || name === "corpus") {
      // Another model or another text to train on: start again from it (the prompt and sliders stay).
      this.disconnectedCallback();
      this.connectedCallback();
    }
  }

  get _t() {
    return TEXT[langOf(this)];
  }

  /** The loss curve so far: [{ step, loss, valLoss }]. */
  get lossHistory() {
    return this._losses.map((point) => ({ ...point }));
  }

  /**
   * Build the widget's DOM in the current language. Called on connection and
   * on every change of `lang`: the prompt and the sliders are carried over,
   * and the text, the chart and the curve are drawn again from the kept state.
   */
  _render() {
    const lang = langOf(this);
    const t = TEXT[lang];
    const old = this._els;
    const kept = old && { prompt: old.prompt.value, temperature: old.temperature.value, topK: old.topK.value, topP: old.topP.value, seed: old.seed.value };
    this.shadowRoot.innerHTML = `
      <style>${STYLE}</style>
      <div class="wrap">
        <h3>${t.title}</h3>
        <p class="note" data-role="about">${t.intro}</p>
        <label class="sr-only" for="prompt">${t.prompt}</label>
        <textarea id="prompt" data-role="prompt" spellcheck="false"></textarea>
        <div class="controls">
          <label class="slider">${t.temperature} <input type="range" min="0" max="2" step="0.05" value="0.8" data-role="temperature"><output data-out="temperature">0.80</output></label>
          <label class="slider">top-k <input type="range" min="0" max="40" step="1" value="0" data-role="topK"><output data-out="topK">${t.off}</output></label>
          <label class="slider">top-p <input type="range" min="0.05" max="1" step="0.05" value="1" data-role="topP"><output data-out="topP">${t.off}</output></label>
          <label class="slider">${t.seed} <input type="number" min="0" step="1" value="1" data-role="seed"></label>
        </div>
        <div class="controls">
          <button class="primary" data-action="generate" disabled>${t.generate}</button>
          <button data-action="step" disabled>${t.step}</button>
          <button data-action="clear" disabled>${t.clear}</button>
          <span class="status" role="status" aria-live="polite" data-role="status"></span>
        </div>
        <div class="grid">
          <pre class="text" data-role="text" aria-live="off" aria-label="${t.text}"></pre>
          <figure>
            <svg viewBox="0 0 320 250" width="100%" role="img" data-role="chart" aria-label="${t.chart}"></svg>
            <figcaption><span class="legend"><span style="background:var(--border)"></span>${t.raw}<span style="background:var(--accent)"></span>${t.sampled}</span><br><span data-role="chart-caption">${t.top12}</span></figcaption>
          </figure>
        </div>
        <h4>${t.further}</h4>
        <div class="controls">
          <button data-action="train" aria-pressed="false" disabled>${t.train}</button>
          <span class="status" data-role="train-status"></span>
        </div>
        <figure class="curve">
          <svg viewBox="0 0 340 150" width="100%" role="img" data-role="curve" aria-label="${t.noCurve}"><text x="170" y="75" text-anchor="middle">${t.curveSoon}</text></svg>
          <figcaption>${t.curveCaption}</figcaption>
        </figure>
        <div class="error" role="alert" data-role="error"></div>
        ${shareFooter(lang)}
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
    e.prompt.value = kept?.prompt ?? this.getAttribute("prompt") ?? "ROMEO:\n";
    e.seed.value = kept?.seed ?? this.getAttribute("seed") ?? "1";
    if (kept) for (const name of ["temperature", "topK", "topP"]) e[name].value = kept[name];
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
    wireShare(this, this.shadowRoot, lang);

    // Draw again what is known.
    if (this._info) this._showAbout();
    this._showText();
    if (this._chart) this._drawChart(this._chart.next, this._chart.chosen);
    this._drawCurve();
    if (this._controls) this._enable(); // until the model is there, every button stays disabled
    this._paintMessages();
  }

  get _sampling() {
    const e = this._els;
    return { temperature: Number(e.temperature.value), topK: Number(e.topK.value), topP: Number(e.topP.value) };
  }

  _showSliders() {
    const t = this._t;
    const { temperature, topK, topP } = this._sampling;
    const out = (name) => this.shadowRoot.querySelector(`[data-out="${name}"]`);
    out("temperature").textContent = temperature === 0 ? t.greedy : temperature.toFixed(2);
    out("topK").textContent = topK === 0 ? t.off : String(topK);
    out("topP").textContent = topP >= 1 ? t.off : topP.toFixed(2);
  }

  /** `message`: a function of the text table, a key of it, or null. */
  _setStatus(message) {
    this._status = typeof message === "string" ? (t) => t[message] : message;
    this._paintMessages();
  }

  _setTrainStatus(message) {
    this._trainStatus = typeof message === "string" ? (t) => t[message] : message;
    this._paintMessages();
  }

  /** `error`: null, or an Error or string from the runtime (shown as it is). */
  _showError(error) {
    const message = error ? String(error.message ?? error) : null;
    this._error = message === null ? null : () => message;
    this._paintMessages();
  }

  _paintMessages() {
    const t = this._t;
    this._els.status.textContent = this._status?.(t) ?? "";
    this._els.trainStatus.textContent = this._trainStatus?.(t) ?? "";
    this._els.error.textContent = this._error?.(t) ?? "";
  }

  _enable() {
    const t = this._t;
    const e = this._els;
    // While a paused run's weights are copied back, the model is about to change: wait.
    const ready = this._model !== null && !this._busy && !this._settling;
    this._controls = true;
    e.generate.disabled = !ready || this._training;
    e.generate.textContent = this._generating ? t.stop : t.generate;
    e.step.disabled = !ready || this._generating || this._training;
    e.clear.disabled = !ready || this._generating;
    e.train.disabled = !ready || this._generating;
    e.train.textContent = this._training ? t.pauseTraining : t.train;
    e.train.setAttribute("aria-pressed", String(this._training));
  }

  async _start() {
    const life = this._life;
    const gone = () => life !== this._life;
    try {
      this._runtime = await runtimeOf(this);
      if (gone()) return;
      this._setStatus("loading");
      const url = this.getAttribute("checkpoint") || DEFAULT_CHECKPOINT;
      const response = await fetch(url);
      if (!response.ok) throw new Error(this._t.answered(url, response.status, response.statusText));
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (gone()) return;
      const model = await this._runtime.loadGpt(bytes);
      if (gone()) {
        model.free?.(); // loaded for a widget that has left the page
        return;
      }
      this._model = model;
      await this._describe();
      if (gone()) return;
      this._setStatus("ready");
      this._enable();
      this._showText();
      await this._chartNext();
    } catch (error) {
      if (gone()) return;
      this._setStatus("loadFailed");
      this._showError(error);
    }
  }

  async _describe() {
    const model = this._model;
    const info = await model.describe();
    if (model !== this._model) return;
    this._info = info;
    this._showAbout();
  }

  _showAbout() {
    this._els.about.textContent = this._t.about(this._info, backendLabel(this._runtime));
  }

  get _text() {
    return this._els.prompt.value + this._generated;
  }

  _showText(fresh = 0) {
    const old = this._generated.slice(0, this._generated.length - fresh);
    const recent = this._generated.slice(this._generated.length - fresh);
    this._els.text.innerHTML = `<span class="prompt">${escapeHtml(this._els.prompt.value)}</span>${escapeHtml(old)}<span class="new">${escapeHtml(recent)}</span>`;
    this._els.text.scrollTop = this._els.text.scrollHeight;
  }

  /** Draw the distribution of the character after the current text. */
  async _chartNext(chosen) {
    const model = this._model;
    if (!model || this._training) return;
    try {
      const next = await model.nextToken(this._text, this._sampling);
      if (model !== this._model) return;
      this._drawChart(next, chosen);
      this._showError(null);
      if (next.cropped > 0) {
        const context = this._info.context;
        this._setStatus((t) => t.croppedNext(context));
      }
    } catch (error) {
      if (model === this._model) this._showError(error);
    }
  }

  _drawChart(next, chosen) {
    this._chart = { next, chosen };
    const t = this._t;
    const { characters } = next, raw = next.raw.data, sampled = next.sampled.data;
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
      svg += `<text class="char" x="${left - 8}" y="${y + 13}" text-anchor="end">${escapeHtml(visible(characters[id]))}</text>`;
      svg += `<rect class="raw" x="${left}" y="${y + 1}" width="${width(raw[id])}" height="7"/>`;
      svg += `<rect class="sampled" x="${left}" y="${y + 9}" width="${width(sampled[id])}" height="7"/>`;
      if (characters[id] === chosen) svg += `<rect class="chosen" x="${left - 26}" y="${y}" width="${W - left + 22}" height="${rowH - 2}" rx="3"/>`;
      svg += `<text x="${W - 4}" y="${y + 13}" text-anchor="end">${(100 * sampled[id]).toFixed(1)}%</text>`;
    });
    this._els.chart.innerHTML = svg;
    const summary = order.slice(0, 5).map((id) => `${visible(characters[id])} ${(100 * raw[id]).toFixed(1)}% → ${(100 * sampled[id]).toFixed(1)}%`).join(", ");
    this._els.chart.setAttribute("aria-label", t.chartLabel(summary));
    this._els.chartCaption.textContent = chosen === undefined ? t.top12 : t.drawnFrom(visible(chosen));
  }

  /** Draw up to `count` characters, streaming them to the page. */
  async _generate(count) {
    const model = this._model;
    if (!model || this._generating) return;
    this._generating = count > 1;
    this._enable();
    this._showError(null);
    const seed = Math.max(0, Math.floor(Number(this._els.seed.value) || 0)) + this._generated.length;
    let fresh = 0;
    try {
      const result = await model.generate(this._text, {
        ...this._sampling,
        maxTokens: count,
        seed,
        onToken: async (step) => {
          if (model !== this._model) return false; // removed from the page: stop at once
          this._generated += step.token;
          fresh++;
          this._showText(Math.min(fresh, 1));
          this.dispatchEvent(new CustomEvent("gf-update", { bubbles: true, composed: true, detail: step }));
          await nextFrame();
          return count === 1 || this._generating;
        },
      });
      if (model !== this._model) return;
      if (count === 1 && result.steps.length) {
        // Show the distribution the character was drawn from.
        const text = this._text.slice(0, -1);
        const next = await model.nextToken(text, this._sampling);
        if (model !== this._model) return;
        this._drawChart(next, result.steps[0].token);
      } else {
        await this._chartNext();
      }
      const context = this._info.context, n = this._generated.length;
      this._setStatus(result.cropped > 0 ? (t) => t.croppedGenerated(context) : (t) => t.generated(n));
    } catch (error) {
      if (model === this._model) this._showError(error);
    } finally {
      if (model === this._model) {
        this._generating = false;
        this._enable();
      }
    }
  }

  _stop() {
    this._generating = false;
    this._enable();
  }

  async _train() {
    if (!this._model || this._training) return;
    const life = this._life;
    const gone = () => life !== this._life;
    this._training = true;
    this._enable();
    this._showError(null);
    try {
      if (!this._trainer) {
        this._setTrainStatus("startingWorker");
        const response = await fetch(this.getAttribute("corpus") || DEFAULT_CORPUS);
        if (!response.ok) throw new Error(this._t.corpusAnswered(response.status, response.statusText));
        const text = await response.text();
        if (gone()) return;
        const bytes = await this._model.save();
        if (gone()) return;
        const worker = this._worker ?? await startWorkerRuntime(1);
        if (gone()) {
          worker.terminate(); // started for a widget that has left the page
          return;
        }
        this._worker = worker;
        const trainer = await worker.loadGpt(bytes, text);
        if (gone()) return; // the worker, and this copy with it, has been ended
        this._trainer = trainer;
      }
      this._setTrainStatus("trainingWorker");
      const trainer = this._trainer;
      let chunk = 1;
      while (this._training && this._trainer === trainer) {
        const t0 = performance.now();
        const result = await trainer.train({ steps: chunk, validationBatches: 1 });
        if (gone()) return;
        const ms = performance.now() - t0;
        chunk = Math.max(1, Math.min(20, Math.round((chunk * CALL_MS) / Math.max(ms, 1))));
        this._losses.push({ step: result.step, loss: result.loss, valLoss: result.valLoss });
        const loss = result.loss.toFixed(3), valid = result.valLoss.toFixed(3);
        this._setTrainStatus((t) => t.progress(result.step, loss, valid, result.tokensPerSecond));
        this._drawCurve();
        this.dispatchEvent(new CustomEvent("gf-update", { bubbles: true, composed: true, detail: result }));
      }
      // Paused: sample from the trained weights.
      const bytes = await trainer.save();
      if (gone()) return;
      const trained = await this._runtime.loadGpt(bytes);
      if (gone()) {
        trained.free?.();
        return;
      }
      this._model?.free?.();
      this._model = trained;
      this._chart = null;
      await this._describe();
    } catch (error) {
      if (!gone()) this._showError(error);
    } finally {
      // Training has stopped (whatever follows below): paused, failed, or the widget left the page.
      this.dispatchEvent(new CustomEvent("gf-idle", { bubbles: true, composed: true }));
      if (!gone()) {
        this._training = this._settling = false;
        this._enable();
        await this._chartNext();
      }
    }
  }

  _pauseTraining() {
    this._training = false;
    this._settling = true; // until the trained weights are back on the page
    this._enable();
  }

  _drawCurve() {
    const t = this._t;
    const points = this._losses;
    if (points.length < 2) return;
    const first = points[0].step, last = points.at(-1).step;
    this._els.curve.innerHTML = lossCurve({
      points, series: [{ key: "loss" }, { key: "valLoss", cls: "valid" }], xLabels: [t.axisStep(first), String(last)],
    });
    this._els.curve.setAttribute("aria-label", t.curveLabel(points[0].loss.toFixed(3), points.at(-1).loss.toFixed(3), points.at(-1).valLoss.toFixed(3), last));
  }
}

if (!customElements.get("gf-gpt-sampler")) customElements.define("gf-gpt-sampler", GfGptSampler);
