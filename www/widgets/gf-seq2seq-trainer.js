// <gf-seq2seq-trainer>: the course's encoder–decoder Transformer learning to
// translate English into French, live.
//
//   English words → encoder (self-attention + FFN) × L ─┐ memory
//   <bos> French so far → decoder (causal self-attention,  ├─ cross-attention
//                                 cross-attention, FFN) × L ┘ → next French word
//
// The page shows the training run (progress, a live loss curve), the model's
// translations of a few test sentences, and the cross-attention weights for
// one sentence as a heatmap: row i is what the decoder looked at in the
// English sentence while writing French word i. As training goes on the
// heatmap sharpens into an alignment, and the adjective reordering
// ("european economic area" → "zone économique européenne") shows up as a
// crossing of the diagonal.
//
// Save… downloads the model as a checkpoint (model.save()); Open… loads one
// (a broken or foreign file is reported and the current model stays).
//
// All the work is the runtime's (runtime.seq2seq / runtime.loadSeq2seq).
// Training runs in short calls of a few steps, each awaited, with a pause
// for the browser between them, so the page never freezes; pausing simply
// stops making calls.
//
// Attributes
//   checkpoint  URL of a saved translator (default: the one shipped in www/models/)
//   pretrained  "false" to start untrained instead of loading the checkpoint
//   steps       the from-scratch run's length: progress counts towards it and
//               training pauses there (default 1000; Train goes on after)
//   seed        seed of an untrained model (default 1)
//   sentence    the sentence whose cross-attention is drawn (default: the course's)
//   lang        "en" | "zh" (default: the page's language)
//
// Removed from the page, the widget stops training, frees its model and
// clears its timers; put back, it loads the model again.
//
// Events: "gf-update" after every training call, with { step, loss } in
// event.detail; "gf-idle" when training stops (paused, finished, failed, or
// the widget removed from the page).

import { backendLabel, loadGlassformer } from "../runtime.js";
import { langOf, escapeHtml, BASE_STYLE, shareFooter, wireShare, runtimeOf, formatInteger } from "./common.js";
import { TEXT } from "./text/gf-seq2seq-trainer.js";
import { heatmap, strongest } from "./heatmap.js";
import { lossCurve } from "./loss-curve.js";

const COURSE_SENTENCE = "The agreement on the European Economic Area was signed in August 1992.";
const DEFAULT_CHECKPOINT = new URL("../models/translator.safetensors", import.meta.url).href;
/** Aim each training call at this much work, so the page stays responsive. */
const CALL_MS = 60;
/** Redraw translations and the heatmap at most this often while training. */
const REDRAW_MS = 800;
/** Score the first SAMPLE test sentences every SAMPLE_EVERY steps. */
const SAMPLE = 50;
const SAMPLE_EVERY = 100;

const yieldToBrowser = () => new Promise((resolve) => setTimeout(resolve, 0));

// BASE_STYLE (common.js) first, then what this widget adds or changes.
const STYLE = BASE_STYLE + `
  :host { --good: var(--gf-good, #2e7d32); }
  h4 { margin: 14px 0 6px; font-size: 1em; }
  p.note { margin: 2px 0 10px; color: var(--muted); font-size: .92em; }
  .controls { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
  button.primary { background: var(--accent); color: #fff; border-color: var(--accent); min-width: 6.5em; }
  input[type=text] { background: #fff; flex: 1 1 20em; min-width: 12em; }
  .progress { display: flex; gap: 10px; align-items: center; margin: 10px 0 4px; flex-wrap: wrap; }
  progress { width: 200px; height: 10px; accent-color: var(--accent); }
  .readout { font-variant-numeric: tabular-nums; font-size: .92em; }
  .grid { display: grid; grid-template-columns: minmax(260px, 360px) 1fr; gap: 16px; align-items: start; }
  @media (max-width: 720px) { .grid { grid-template-columns: 1fr; } }
  figure { margin: 0; background: var(--panel); border-radius: 8px; padding: 8px 10px; }
  figcaption { font-size: .88em; color: var(--muted); margin-top: 2px; }
  svg .curve { fill: none; stroke: var(--accent); stroke-width: 1.6; }
  svg .grid-line { stroke: var(--border); stroke-width: 1; }
  .score { font-size: .92em; margin-top: 8px; }
  .score strong { font-variant-numeric: tabular-nums; }
  table.samples { border-collapse: collapse; width: 100%; font-size: .9em; }
  table.samples th { text-align: left; color: var(--muted); font-weight: 500; padding: 2px 6px; }
  table.samples td { padding: 4px 6px; border-top: 1px solid var(--border); vertical-align: top; }
  .w-ok { color: var(--good); }
  .w-bad { color: var(--bad); text-decoration: underline wavy; text-decoration-thickness: 1px; }
  .mark { font-weight: 600; }
  .output { margin: 8px 0; font-size: 1.02em; }
  .output .unk { color: var(--bad); }
  .heatmap { overflow-x: auto; }
  .heatmap svg text.token { fill: var(--gf-fg, #1d2430); font-size: 12px; }
  .heatmap svg text.token.unk { fill: var(--bad); }
  .alt { font-size: .86em; color: var(--muted); }
  .error { color: var(--bad); background: #fdecea; border-radius: 6px; padding: 6px 10px; margin-top: 8px; }
`;

class GfSeq2seqTrainer extends HTMLElement {
  static observedAttributes = ["sentence", "lang"];

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this._model = null;
    this._running = false;
    this._busy = false; // a scoring pass or a model swap is under way
    this._losses = []; // [{ step, loss }]
    this._info = null;
    this._trainMs = 0;
    this._lastSampleStep = -Infinity;
    this._translation = null;
    // What the widget shows is kept as state, so that a change of language
    // can draw it again in the other one. Messages are kept as functions of
    // the text table: (t) => string.
    this._status = null;
    this._error = null;
    this._score = null; // the score line (HTML)
    this._sample = null; // the last sample translations
    this._readout = null; // [step, loss, tokensPerSecond]
    // Each connection to the page gets a number; work started under an
    // earlier number (the widget was removed meanwhile) stops when it sees it.
    this._life = 0;
    this._timers = new Map(); // timer → the download URL it will revoke
    this._controls = false; // whether the buttons have been enabled yet in this connection
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
    // Removed from the page: stop training and every other loop (they check
    // _life), let the model go and clear the timers. A call still running
    // keeps its own reference to the weights, so freeing now is safe.
    this._built = false;
    this._life++;
    this._running = false;
    this._busy = false;
    this._model?.free?.();
    this._model = null;
    for (const [timer, url] of this._timers) {
      clearTimeout(timer);
      URL.revokeObjectURL(url);
    }
    this._timers.clear();
    // Everything drawn from that model goes with it; the inputs stay in the shadow DOM.
    this._info = this._translation = this._sample = this._score = this._readout = this._error = null;
    this._losses = [];
    this._trainMs = 0;
  }

  attributeChangedCallback(name, old, value) {
    if (!this._built || old === value) return;
    if (name === "lang") {
      this._render(); // the same state, in the other language
    } else if (name === "sentence") {
      this._els.sentence.value = this.getAttribute("sentence") || COURSE_SENTENCE;
      this._translate();
    }
  }

  get _t() {
    return TEXT[langOf(this)];
  }

  /** The run so far: [{ step, loss }], one entry per training call. */
  get lossHistory() {
    return this._losses.map((point) => ({ ...point }));
  }

  get targetSteps() {
    const n = parseInt(this.getAttribute("steps") ?? "", 10);
    return Number.isFinite(n) && n >= 10 && n <= 100_000 ? n : 1000;
  }

  /**
   * Build the widget's DOM in the current language. Called on connection and
   * on every change of `lang`: what the student typed or picked is carried
   * over, and everything computed is drawn again from the kept state.
   */
  _render() {
    const lang = langOf(this);
    const t = TEXT[lang];
    const old = this._els;
    const kept = old && { sentence: old.sentence.value, layer: old.layer.value, head: old.head.value, beam: old.beam.value };
    const root = this.shadowRoot;
    root.innerHTML = `
      <style>${STYLE}</style>
      <div class="wrap">
        <h3>${t.title}</h3>
        <p class="note" data-role="about">${t.intro}</p>
        <div class="controls">
          <button class="primary" data-action="train" aria-pressed="false" disabled>${t.train}</button>
          <button data-action="scratch" disabled>${t.scratch}</button>
          <button data-action="pretrained" disabled>${t.pretrained}</button>
          <button data-action="save" disabled title="${t.saveTip}">${t.save}</button>
          <button data-action="open" disabled title="${t.openTip}">${t.open}</button>
          <input type="file" accept=".safetensors,application/octet-stream" data-role="file" hidden>
          <span class="status" role="status" aria-live="polite" data-role="status"></span>
        </div>
        <div class="progress">
          <progress max="1000" value="0" data-role="bar" aria-label="${t.progress}"></progress>
          <span class="readout" data-role="readout"></span>
        </div>
        <div class="grid">
          <div>
            <figure>
              <svg viewBox="0 0 340 170" width="100%" role="img" data-role="curve" aria-label="${t.noCurve}"></svg>
              <figcaption data-role="curve-caption">${t.curveCaption(0)}</figcaption>
            </figure>
            <div class="score" data-role="score" aria-live="polite"></div>
            <button data-action="score" disabled>${t.scoreAll}</button>
          </div>
          <div>
            <table class="samples" aria-label="${t.samples}">
              <thead><tr><th scope="col">${t.english}</th><th scope="col">${t.french}</th><th scope="col"><span class="sr-only">${t.correct}</span></th></tr></thead>
              <tbody data-role="samples"></tbody>
            </table>
          </div>
        </div>
        <h4>${t.crossTitle}</h4>
        <form class="controls" data-role="form">
          <label class="sr-only" for="sentence">${t.sentence}</label>
          <input type="text" id="sentence" data-role="sentence" spellcheck="false" autocomplete="off">
          <button type="submit" data-action="translate" disabled>${t.translate}</button>
          <label>${t.layer} <select data-role="layer"></select></label>
          <label>${t.head} <select data-role="head"></select></label>
          <label>${t.beam} <select data-role="beam"><option value="1">${t.greedy}</option><option value="4">4</option></select></label>
        </form>
        <div class="output" data-role="output" aria-live="polite"></div>
        <div class="heatmap" data-role="heatmap"></div>
        <p class="alt" data-role="alt"></p>
        <div class="error" role="alert" data-role="error"></div>
        ${shareFooter(lang)}
      </div>`;
    const $ = (selector) => root.querySelector(selector);
    this._els = {
      train: $('[data-action="train"]'),
      scratch: $('[data-action="scratch"]'),
      pretrained: $('[data-action="pretrained"]'),
      save: $('[data-action="save"]'),
      open: $('[data-action="open"]'),
      file: $('[data-role="file"]'),
      score: $('[data-action="score"]'),
      translate: $('[data-action="translate"]'),
      status: $('[data-role="status"]'),
      about: $('[data-role="about"]'),
      bar: $('[data-role="bar"]'),
      readout: $('[data-role="readout"]'),
      curve: $('[data-role="curve"]'),
      curveCaption: $('[data-role="curve-caption"]'),
      scoreText: $('[data-role="score"]'),
      samples: $('[data-role="samples"]'),
      form: $('[data-role="form"]'),
      sentence: $('[data-role="sentence"]'),
      layer: $('[data-role="layer"]'),
      head: $('[data-role="head"]'),
      beam: $('[data-role="beam"]'),
      output: $('[data-role="output"]'),
      heatmap: $('[data-role="heatmap"]'),
      alt: $('[data-role="alt"]'),
      error: $('[data-role="error"]'),
    };
    const e = this._els;
    e.sentence.value = kept?.sentence ?? (this.getAttribute("sentence") || COURSE_SENTENCE);
    e.beam.value = kept?.beam ?? "1";
    e.train.addEventListener("click", () => (this._running ? this._pause() : this._train()));
    e.scratch.addEventListener("click", () => this._swap("scratch"));
    e.pretrained.addEventListener("click", () => this._swap("pretrained"));
    e.score.addEventListener("click", () => this._scoreWholeSplit());
    e.save.addEventListener("click", () => this._save());
    e.open.addEventListener("click", () => e.file.click());
    e.file.addEventListener("change", () => {
      const [file] = e.file.files;
      e.file.value = "";
      if (file) this._swap("file", file);
    });
    e.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this._translate();
    });
    e.layer.addEventListener("change", () => this._drawHeatmap());
    e.head.addEventListener("change", () => this._drawHeatmap());
    e.beam.addEventListener("change", () => this._translate());
    wireShare(this, root, lang);

    // Draw again what is known: the model's description and pickers, the
    // readout, the curve, the samples, the score, the translation.
    if (this._info) {
      this._describeModel();
      if (kept) {
        e.layer.value = kept.layer;
        e.head.value = kept.head;
      }
      this._drawCurve();
    }
    if (this._readout) this._updateReadout(...this._readout);
    if (this._sample) this._drawSamples(this._sample);
    e.scoreText.innerHTML = this._score?.(t) ?? "";
    if (this._translation) this._showTranslation();
    if (this._controls) this._enable(); // until the runtime is there, every button stays disabled
    this._paintMessages();
  }

  /** `message`: a function of the text table, a key of it, or null. */
  _setStatus(message) {
    this._status = typeof message === "string" ? (t) => t[message] : message;
    this._paintMessages();
  }

  /**
   * `error`: null, an Error or string from the runtime (shown as it is), or
   * a function of the text table (the widget's own message).
   */
  _showError(error) {
    if (!error) this._error = null;
    else if (typeof error === "function") this._error = error;
    else {
      const message = String(error.message ?? error);
      this._error = () => message;
    }
    this._paintMessages();
  }

  _paintMessages() {
    const t = this._t;
    this._els.status.textContent = this._status?.(t) ?? "";
    this._els.error.textContent = this._error?.(t) ?? "";
  }

  _enable() {
    const e = this._els;
    const t = this._t;
    const ready = this._model !== null && !this._busy;
    this._controls = true;
    e.train.disabled = !ready;
    e.scratch.disabled = this._busy;
    e.pretrained.disabled = this._busy;
    e.open.disabled = this._busy;
    e.save.disabled = !ready;
    e.score.disabled = !ready || this._running;
    e.translate.disabled = !ready;
    e.train.textContent = this._running ? t.pause : t.train;
    e.train.setAttribute("aria-pressed", String(this._running));
  }

  async _start() {
    const life = this._life;
    try {
      this._runtime = await runtimeOf(this);
    } catch (error) {
      if (life !== this._life) return;
      this._setStatus("noRuntime");
      this._showError(error);
      return;
    }
    if (life !== this._life) return;
    await this._swap(this.getAttribute("pretrained") === "false" ? "scratch" : "pretrained");
  }

  /** Replace the model: "pretrained" (the checkpoint) or "scratch" (untrained). */
  async _swap(kind, file) {
    const life = this._life;
    try {
      await this._swapModel(kind, file);
    } catch (error) {
      if (life !== this._life) return; // removed meanwhile: nothing to report
      this._busy = false;
      this._enable();
      this._setStatus("noModel");
      this._showError(error);
    }
  }

  async _swapModel(kind, file) {
    const life = this._life;
    const gone = () => life !== this._life;
    this._running = false;
    this._busy = true;
    this._enable();
    this._showError(null);
    while (this._loop) await this._loop; // let a running call finish first
    if (gone()) return;
    let model = null;
    let origin = kind;
    try {
      if (kind === "pretrained") {
        const url = this.getAttribute("checkpoint") || DEFAULT_CHECKPOINT;
        this._setStatus("loadingPretrained");
        const response = await fetch(url);
        if (!response.ok) throw new Error(this._t.answered(url, response.status, response.statusText));
        const bytes = new Uint8Array(await response.arrayBuffer());
        if (gone()) return;
        model = await this._runtime.loadSeq2seq(bytes);
      } else if (kind === "file") {
        this._setStatus((t) => t.opening(file.name));
        model = await this._runtime.loadSeq2seq(new Uint8Array(await file.arrayBuffer()));
      } else {
        model = await this._untrained();
      }
    } catch (error) {
      if (gone()) return;
      const name = kind === "file" ? file.name : null;
      const message = error.message ?? String(error);
      if (this._model) {
        // A broken or foreign file changes nothing: the current model stays.
        this._busy = false;
        this._enable();
        this._setStatus("kept");
        this._showError((t) => t.loadFailed(name, message));
        return;
      }
      this._showError((t) => t.loadFailedScratch(name, message));
      model = await this._untrained();
      origin = "scratch";
    }
    if (gone()) {
      model.free?.(); // made for a widget that has left the page
      return;
    }
    this._model?.free?.();
    this._origin = origin;
    this._fileName = file?.name;
    this._model = model;
    const info = await model.describe();
    if (gone()) return;
    this._info = info;
    this._losses = [];
    this._trainMs = 0;
    this._lastSampleStep = -Infinity;
    this._score = null;
    this._els.scoreText.textContent = "";
    this._describeModel();
    this._busy = false;
    this._enable();
    this._updateReadout(this._info.step, null, null);
    this._drawCurve();
    await this._refreshViews();
    await this._scoreSample();
    if (gone() || model !== this._model) return;
    const { step } = this._info, name = this._fileName;
    this._setStatus({
      pretrained: (t) => t.readyPretrained(step),
      file: (t) => t.readyFile(name, step),
      scratch: "readyScratch",
    }[this._origin]);
  }

  /** A fresh, untrained translator from the `seed` attribute. */
  _untrained() {
    this._setStatus("making");
    const seed = parseInt(this.getAttribute("seed") ?? "1", 10);
    return this._runtime.seq2seq({ seed: Number.isFinite(seed) && seed >= 0 ? seed : 1 });
  }

  /** Download the model as a checkpoint file (safetensors), to open again later or elsewhere. */
  async _save() {
    const model = this._model;
    if (!model) return;
    try {
      const bytes = await model.save();
      if (model !== this._model) return;
      const { step } = await model.describe();
      if (model !== this._model) return; // removed or replaced meanwhile
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
      link.download = `translator-step-${step}.safetensors`;
      this.shadowRoot.append(link);
      link.click();
      link.remove();
      // Free the download's memory a little later (or at once if the widget is removed first).
      const timer = setTimeout(() => {
        URL.revokeObjectURL(link.href);
        this._timers.delete(timer);
      }, 10_000);
      this._timers.set(timer, link.href);
      const name = link.download, mb = (bytes.length / 1e6).toFixed(2);
      this._setStatus((t) => t.saved(name, mb));
    } catch (error) {
      if (model === this._model) this._showError(error);
    }
  }

  _describeModel() {
    const t = this._t;
    const i = this._info;
    this._els.about.textContent = t.about(i, backendLabel(this._runtime));
    this._els.curveCaption.textContent = t.curveCaption(i.labelSmoothing > 0 ? Math.round(i.labelSmoothing * 100) : 0);
    const layerOptions = Array.from({ length: i.layers }, (_, l) => `<option value="${l}">${l + 1}</option>`).join("");
    this._els.layer.innerHTML = `${layerOptions}<option value="all">${t.average}</option>`;
    this._els.layer.value = String(i.layers - 1);
    const headOptions = Array.from({ length: i.heads }, (_, h) => `<option value="${h}">${h + 1}</option>`).join("");
    this._els.head.innerHTML = `<option value="all">${t.average}</option>${headOptions}`;
  }

  _pause() {
    this._running = false;
    this._enable();
    this._setStatus("paused");
  }

  _train() {
    if (this._running || !this._model) return;
    this._running = true;
    this._showError(null);
    this._enable();
    this._setStatus("training");
    this._loop = this._trainLoop().finally(() => {
      this._loop = null;
      this._enable();
      // Training has stopped: paused, finished, failed, or the widget left the page.
      this.dispatchEvent(new CustomEvent("gf-idle", { bubbles: true, composed: true }));
    });
  }

  async _trainLoop() {
    const model = this._model;
    let chunk = 1;
    let lastRedraw = performance.now();
    while (this._running && this._model === model) {
      const t0 = performance.now();
      let result;
      try {
        result = await model.train({ steps: chunk });
      } catch (error) {
        if (this._model !== model) return;
        this._running = false;
        this._setStatus("stopped");
        this._showError(error);
        return;
      }
      if (this._model !== model) return; // removed from the page, or another model loaded
      const ms = performance.now() - t0;
      this._trainMs += ms;
      // Size the next call so that it takes about CALL_MS.
      chunk = Math.max(1, Math.min(50, Math.round((chunk * CALL_MS) / Math.max(ms, 1))));
      // A lost GPU makes the model go back to its last snapshot: drop the later points.
      while (this._losses.length && this._losses.at(-1).step >= result.step) this._losses.pop();
      this._losses.push({ step: result.step, loss: result.loss });
      this._updateReadout(result.step, result.loss, result.tokensPerSecond);
      this._drawCurve();
      this.dispatchEvent(new CustomEvent("gf-update", { bubbles: true, composed: true, detail: { step: result.step, loss: result.loss } }));
      if (result.step - this._lastSampleStep >= SAMPLE_EVERY) await this._scoreSample();
      if (performance.now() - lastRedraw > REDRAW_MS) {
        await this._refreshViews();
        lastRedraw = performance.now();
      }
      if (this._model !== model) return;
      if (this._origin === "scratch" && result.step >= this.targetSteps && result.step - chunk < this.targetSteps) {
        this._running = false;
        await this._refreshViews();
        if (this._model !== model) return;
        const step = result.step;
        this._setStatus((t) => t.reached(step));
        return;
      }
      await yieldToBrowser();
    }
    if (this._model === model) await this._refreshViews();
  }

  _updateReadout(step, loss, tokensPerSecond) {
    this._readout = [step, loss, tokensPerSecond];
    const t = this._t;
    const e = this._els;
    const target = Math.max(this.targetSteps, step);
    e.bar.max = target;
    e.bar.value = step;
    const parts = [t.step(step, this._origin === "scratch" ? target : null)];
    if (loss !== null) parts.push(t.loss(loss.toFixed(3)));
    if (tokensPerSecond !== null) parts.push(t.speed(tokensPerSecond));
    if (this._trainMs > 0) parts.push(t.time((this._trainMs / 1000).toFixed(1)));
    e.readout.textContent = parts.join(" · ");
  }

  /** The loss curve as SVG, log-scaled: the loss falls by orders of magnitude. */
  _drawCurve() {
    const t = this._t;
    const svg = this._els.curve;
    const points = this._losses.filter((p) => p.loss > 0 && Number.isFinite(p.loss));
    const [W, H, left, right, top, bottom] = [340, 170, 38, 8, 8, 22];
    if (points.length < 2) {
      const lines = this._origin !== "scratch" ? t.curveLoaded : t.curveScratch;
      svg.innerHTML = lines.map((line, i) => `<text x="${W / 2}" y="${H / 2 + 16 * i}" text-anchor="middle">${line}</text>`).join("");
      svg.setAttribute("aria-label", t.noCurve);
      return;
    }
    const first = points[0].step, last = points.at(-1).step;
    const xFrom = Math.min(first, 0), xTo = Math.max(last, this._origin === "scratch" ? this.targetSteps : last);
    svg.innerHTML = lossCurve({
      points, series: [{ key: "loss" }], log: true, width: W, height: H, margin: [top, right, bottom, left],
      xFrom, xTo, xLabels: [formatInteger(xFrom), t.axisStep(xTo)],
    });
    svg.setAttribute("aria-label", t.curveLabel(points[0].loss.toFixed(3), first, points.at(-1).loss.toFixed(3), last));
  }

  /** Redraw what depends on the weights: the sample translations and the heatmap. */
  async _refreshViews() {
    const model = this._model;
    if (!model) return;
    try {
      const sample = await model.evaluate("test", { limit: 5 });
      if (model !== this._model) return;
      this._sample = sample;
      this._drawSamples(sample);
      await yieldToBrowser(); // wasm work resolves as microtasks: let the page breathe between calls
      await this._translate();
    } catch (error) {
      if (model === this._model) this._showError(error);
    }
  }

  _drawSamples({ sources, hypotheses, references }) {
    const t = this._t;
    const rows = sources.map((source, i) => {
      const said = hypotheses[i].split(" ");
      const wanted = references[i].split(" ");
      const right = hypotheses[i] === references[i];
      const words = said.map((w, j) => `<span class="${w === wanted[j] ? "w-ok" : "w-bad"}">${escapeHtml(w)}</span>`).join(" ");
      const expected = right ? "" : `<br><span class="status">${t.expected}${escapeHtml(references[i])}</span>`;
      return `<tr><td>${escapeHtml(source)}</td><td>${words || `<em>${t.nothing}</em>`}${expected}</td>` +
        `<td class="mark ${right ? "w-ok" : "w-bad"}" aria-label="${right ? t.right : t.wrong}">${right ? "✓" : "✗"}</td></tr>`;
    });
    this._els.samples.innerHTML = rows.join("");
  }

  /** Exact match on the first SAMPLE test sentences, a few at a time. */
  async _scoreSample() {
    const model = this._model;
    if (!model) return;
    this._lastSampleStep = this._info ? (this._losses.at(-1)?.step ?? this._info.step) : 0;
    let exact = 0;
    for (let offset = 0; offset < SAMPLE; offset += 10) {
      if (model !== this._model) return; // removed (and freed) while the page had its turn
      const part = await model.evaluate("test", { offset, limit: 10 });
      if (model !== this._model) return;
      exact += (part.exactMatch * part.sentences) / 100;
      await yieldToBrowser();
    }
    if (model !== this._model) return;
    const percent = ((100 * exact) / SAMPLE).toFixed(0), step = this._lastSampleStep;
    this._score = (t) => t.sampleScore(SAMPLE, percent, step);
    this._els.scoreText.innerHTML = this._score(this._t);
  }

  /** Exact match and BLEU on every test sentence, in slices, with progress. */
  async _scoreWholeSplit() {
    const model = this._model;
    if (!model || this._running) return;
    const life = this._life;
    this._busy = true;
    this._enable();
    const total = this._info.testPairs;
    const hypotheses = [], references = [];
    let exact = 0;
    try {
      for (let offset = 0; offset < total; offset += 20) {
        if (model !== this._model) return; // removed (and freed) while the page had its turn
        this._setStatus((t) => t.scoring(offset, total));
        const part = await model.evaluate("test", { offset, limit: 20 });
        if (model !== this._model) return; // removed from the page: stop scoring
        exact += (part.exactMatch * part.sentences) / 100;
        hypotheses.push(...part.hypotheses);
        references.push(...part.references);
        await yieldToBrowser();
      }
      const { score } = (await loadGlassformer()).bleu(hypotheses, references);
      if (model !== this._model) return;
      const percent = ((100 * exact) / total).toFixed(1), bleu = score.toFixed(1);
      this._score = (t) => t.wholeScore(total, percent, bleu);
      this._els.scoreText.innerHTML = this._score(this._t);
      this._setStatus("scored");
    } catch (error) {
      if (model === this._model) this._showError(error);
    } finally {
      if (life === this._life) {
        this._busy = false;
        this._enable();
      }
    }
  }

  /** Translate the sentence in the box and draw its cross-attention. */
  async _translate() {
    const model = this._model;
    if (!model) return;
    try {
      const translation = await model.translate(this._els.sentence.value, { beam: Number(this._els.beam.value) });
      if (model !== this._model) return;
      this._translation = translation;
      this._showErrorIfTranslateFailed(null);
      this._showTranslation();
    } catch (error) {
      if (model === this._model) this._showErrorIfTranslateFailed(error);
    }
  }

  /** The kept translation: the French words, then its cross-attention. */
  _showTranslation() {
    const t = this._t;
    const translation = this._translation;
    const words = translation.targetTokens.filter((w) => w !== "<eos>")
      .map((w) => (w === "<unk>" ? `<span class="unk">${escapeHtml(w)}</span>` : escapeHtml(w)));
    const unknown = translation.sourceTokens.filter((w) => w === "<unk>").length;
    this._els.output.innerHTML = `→ <strong>${words.join(" ")}</strong>` +
      (unknown ? ` <span class="status">${t.unknown(unknown)}</span>` : "");
    this._drawHeatmap();
  }

  _showErrorIfTranslateFailed(error) {
    if (error) {
      this._translation = null;
      this._els.output.textContent = "";
      this._els.heatmap.innerHTML = "";
      this._els.alt.textContent = "";
      this._showError(error);
    } else if (this._els.error.textContent.startsWith("seq2seq.translate")) {
      this._showError(null);
    }
  }

  /** The chosen layer's and head's weights (or their averages): rows = French words, columns = English words. */
  _attentionMatrix() {
    const { crossAttention, targetTokens, sourceTokens } = this._translation;
    const [T, S] = [targetTokens.length, sourceTokens.length];
    const layer = this._els.layer.value, head = this._els.head.value;
    const layers = layer === "all" ? crossAttention.map((_, l) => l) : [Number(layer)];
    const matrix = Array.from({ length: T }, () => new Float64Array(S));
    let count = 0;
    for (const l of layers) {
      const { data, shape } = crossAttention[l];
      const heads = head === "all" ? Array.from({ length: shape[0] }, (_, h) => h) : [Number(head)];
      for (const h of heads) {
        count++;
        for (let t = 0; t < T; t++) for (let s = 0; s < S; s++) matrix[t][s] += data[(h * T + t) * S + s];
      }
    }
    for (const row of matrix) for (let s = 0; s < S; s++) row[s] /= count;
    return matrix;
  }

  _drawHeatmap() {
    if (!this._translation) return;
    const text = this._t;
    const { targetTokens, sourceTokens } = this._translation;
    const matrix = this._attentionMatrix();
    // Rows: the French words written; columns: the English words they looked at.
    const weight = (t, s) => matrix[t][s];
    const map = heatmap({
      rows: targetTokens, columns: sourceTokens, weight, arrow: "←",
      opacity: (v) => 0.04 + 0.96 * v, cell: [16, 30], span: 520, margin: [92, 84],
      rowClass: () => "token", columnClass: (s) => (sourceTokens[s] === "<unk>" ? "token unk" : "token"),
    });
    const layer = this._els.layer.value, head = this._els.head.value;
    const which = text.which(layer === "all" ? text.allLayers : text.layerN(Number(layer) + 1),
      head === "all" ? text.allHeads : text.headN(Number(head) + 1));
    this._els.heatmap.innerHTML =
      `<svg width="${map.width}" height="${map.height}" viewBox="0 0 ${map.width} ${map.height}" role="img" aria-label="${escapeHtml(text.heatmap(which))}">${map.content}</svg>`;
    // The text alternative: each French word with the English word it looked at most.
    const links = strongest(targetTokens, sourceTokens, weight);
    const strongestLinks = targetTokens.map((w, t) => `${w} ← ${sourceTokens[links[t]]} (${matrix[t][links[t]].toFixed(2)})`);
    this._els.alt.textContent = text.strongest(which, strongestLinks);
  }
}

if (!customElements.get("gf-seq2seq-trainer")) customElements.define("gf-seq2seq-trainer", GfSeq2seqTrainer);
