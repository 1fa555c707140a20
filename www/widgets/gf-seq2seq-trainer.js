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
//
// Events: "gf-update" after every training call, with { step, loss } in event.detail.

import { getRuntime, backendLabel, loadGlassformer } from "../runtime.js";

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
const fmtInt = (n) => Math.round(n).toLocaleString("en-US");

const STYLE = `
  :host { display: block; font: var(--gf-font, 15px/1.45 system-ui, sans-serif); color: var(--gf-fg, #1d2430);
          --accent: var(--gf-accent, #2f6fdf); --muted: var(--gf-muted, #5b6575); --panel: var(--gf-panel, #f5f7fb);
          --border: var(--gf-border, #d5dbe6); --good: var(--gf-good, #2e7d32); --bad: var(--gf-bad, #b71c1c); }
  .wrap { border: 1px solid var(--border); border-radius: 10px; padding: 14px 16px; background: var(--gf-bg, #fff); }
  h3 { margin: 0 0 4px; font-size: 1.05em; }
  h4 { margin: 14px 0 6px; font-size: 1em; }
  p.note { margin: 2px 0 10px; color: var(--muted); font-size: .92em; }
  .controls { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
  button, select, input[type=text] { font: inherit; padding: 4px 10px; border-radius: 6px; border: 1px solid var(--border); background: var(--panel); }
  button { cursor: pointer; }
  button.primary { background: var(--accent); color: #fff; border-color: var(--accent); min-width: 6.5em; }
  button:disabled { opacity: .55; cursor: default; }
  button:focus-visible, select:focus-visible, input:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
  input[type=text] { background: #fff; flex: 1 1 20em; min-width: 12em; }
  .status { color: var(--muted); font-size: .9em; }
  .progress { display: flex; gap: 10px; align-items: center; margin: 10px 0 4px; flex-wrap: wrap; }
  progress { width: 200px; height: 10px; accent-color: var(--accent); }
  .readout { font-variant-numeric: tabular-nums; font-size: .92em; }
  .grid { display: grid; grid-template-columns: minmax(260px, 360px) 1fr; gap: 16px; align-items: start; }
  @media (max-width: 720px) { .grid { grid-template-columns: 1fr; } }
  figure { margin: 0; background: var(--panel); border-radius: 8px; padding: 8px 10px; }
  figcaption { font-size: .88em; color: var(--muted); margin-top: 2px; }
  svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
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
  .error:empty { display: none; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

class GfSeq2seqTrainer extends HTMLElement {
  static observedAttributes = ["sentence"];

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
  }

  connectedCallback() {
    if (this._built) return;
    this._built = true;
    this._render();
    this._start();
  }

  disconnectedCallback() {
    // Removed from the page: stop training and let the model go.
    this._running = false;
    const model = this._model;
    this._model = null;
    this._built = false;
    queueMicrotask(() => model?.free?.());
  }

  attributeChangedCallback(name) {
    if (name === "sentence" && this._built) {
      this._els.sentence.value = this.getAttribute("sentence") || COURSE_SENTENCE;
      this._translate();
    }
  }

  /** The run so far: [{ step, loss }], one entry per training call. */
  get lossHistory() {
    return this._losses.map((point) => ({ ...point }));
  }

  get targetSteps() {
    const n = parseInt(this.getAttribute("steps") ?? "", 10);
    return Number.isFinite(n) && n >= 10 && n <= 100_000 ? n : 1000;
  }

  _render() {
    const root = this.shadowRoot;
    root.innerHTML = `
      <style>${STYLE}</style>
      <div class="wrap">
        <h3>Train a translator: English → French</h3>
        <p class="note" data-role="about">An encoder–decoder Transformer, trained with teacher forcing on generated sentence pairs.</p>
        <div class="controls">
          <button class="primary" data-action="train" aria-pressed="false" disabled>Train</button>
          <button data-action="scratch" disabled>Start over, untrained</button>
          <button data-action="pretrained" disabled>Load the pretrained model</button>
          <button data-action="save" disabled title="download the model as a .safetensors checkpoint">Save…</button>
          <button data-action="open" disabled title="open a checkpoint saved from here">Open…</button>
          <input type="file" accept=".safetensors,application/octet-stream" data-role="file" hidden>
          <span class="status" role="status" aria-live="polite" data-role="status">Starting…</span>
        </div>
        <div class="progress">
          <progress max="1000" value="0" data-role="bar" aria-label="training progress"></progress>
          <span class="readout" data-role="readout"></span>
        </div>
        <div class="grid">
          <div>
            <figure>
              <svg viewBox="0 0 340 170" width="100%" role="img" data-role="curve" aria-label="Loss curve: no training yet."></svg>
              <figcaption data-role="curve-caption">Training loss against step (log scale): cross-entropy per French word.</figcaption>
            </figure>
            <div class="score" data-role="score" aria-live="polite"></div>
            <button data-action="score" disabled>Score the whole test split</button>
          </div>
          <div>
            <table class="samples" aria-label="test sentences and the model's translations">
              <thead><tr><th scope="col">English (never trained on)</th><th scope="col">the model's French</th><th scope="col"><span class="sr-only">correct?</span></th></tr></thead>
              <tbody data-role="samples"></tbody>
            </table>
          </div>
        </div>
        <h4>Cross-attention: where the decoder looks while writing each French word</h4>
        <form class="controls" data-role="form">
          <label class="sr-only" for="sentence">English sentence to translate</label>
          <input type="text" id="sentence" data-role="sentence" spellcheck="false" autocomplete="off">
          <button type="submit" data-action="translate" disabled>Translate</button>
          <label>layer <select data-role="layer"></select></label>
          <label>head <select data-role="head"></select></label>
          <label>beam <select data-role="beam"><option value="1">1 (greedy)</option><option value="4">4</option></select></label>
        </form>
        <div class="output" data-role="output" aria-live="polite"></div>
        <div class="heatmap" data-role="heatmap"></div>
        <p class="alt" data-role="alt"></p>
        <div class="error" role="alert" data-role="error"></div>
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
    e.sentence.value = this.getAttribute("sentence") || COURSE_SENTENCE;
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
  }

  _setStatus(text) {
    this._els.status.textContent = text;
  }

  _showError(error) {
    this._els.error.textContent = error ? String(error.message ?? error) : "";
  }

  _enable() {
    const e = this._els;
    const ready = this._model !== null && !this._busy;
    e.train.disabled = !ready;
    e.scratch.disabled = this._busy;
    e.pretrained.disabled = this._busy;
    e.open.disabled = this._busy;
    e.save.disabled = !ready;
    e.score.disabled = !ready || this._running;
    e.translate.disabled = !ready;
    e.train.textContent = this._running ? "Pause" : "Train";
    e.train.setAttribute("aria-pressed", String(this._running));
  }

  async _start() {
    try {
      this._runtime = await getRuntime();
    } catch (error) {
      this._setStatus("Could not start the runtime.");
      this._showError(error);
      return;
    }
    await this._swap(this.getAttribute("pretrained") === "false" ? "scratch" : "pretrained");
  }

  /** Replace the model: "pretrained" (the checkpoint) or "scratch" (untrained). */
  async _swap(kind, file) {
    try {
      await this._swapModel(kind, file);
    } catch (error) {
      this._busy = false;
      this._enable();
      this._setStatus("No model.");
      this._showError(error);
    }
  }

  async _swapModel(kind, file) {
    this._running = false;
    this._busy = true;
    this._enable();
    this._showError(null);
    while (this._loop) await this._loop; // let a running call finish first
    let model = null;
    let origin = kind;
    try {
      if (kind === "pretrained") {
        const url = this.getAttribute("checkpoint") || DEFAULT_CHECKPOINT;
        this._setStatus("Loading the pretrained translator…");
        const response = await fetch(url);
        if (!response.ok) throw new Error(`${url} answered ${response.status} ${response.statusText}`);
        model = await this._runtime.loadSeq2seq(new Uint8Array(await response.arrayBuffer()));
      } else if (kind === "file") {
        this._setStatus(`Opening ${file.name}…`);
        model = await this._runtime.loadSeq2seq(new Uint8Array(await file.arrayBuffer()));
      } else {
        model = await this._untrained();
      }
    } catch (error) {
      const what = kind === "file" ? file.name : "the pretrained translator";
      if (this._model) {
        // A broken or foreign file changes nothing: the current model stays.
        this._busy = false;
        this._enable();
        this._setStatus("Kept the current model.");
        this._showError(`Could not load ${what}: ${error.message ?? error}`);
        return;
      }
      this._showError(`Could not load ${what}: ${error.message ?? error}. Starting untrained instead.`);
      model = await this._untrained();
      origin = "scratch";
    }
    this._model?.free?.();
    this._origin = origin;
    this._fileName = file?.name;
    this._model = model;
    this._info = await model.describe();
    this._losses = [];
    this._trainMs = 0;
    this._lastSampleStep = -Infinity;
    this._els.scoreText.textContent = "";
    this._describeModel();
    this._busy = false;
    this._enable();
    this._updateReadout(this._info.step, null, null);
    this._drawCurve();
    await this._refreshViews();
    await this._scoreSample();
    this._setStatus({
      pretrained: `Pretrained for ${fmtInt(this._info.step)} steps by the project's trainer. Press Train to go on, or start over untrained.`,
      file: `Opened ${this._fileName}: trained for ${fmtInt(this._info.step)} steps.`,
      scratch: "Untrained: its translations are noise. Press Train and watch the loss fall and the alignment appear.",
    }[this._origin]);
  }

  /** A fresh, untrained translator from the `seed` attribute. */
  _untrained() {
    this._setStatus("Making an untrained translator…");
    const seed = parseInt(this.getAttribute("seed") ?? "1", 10);
    return this._runtime.seq2seq({ seed: Number.isFinite(seed) && seed >= 0 ? seed : 1 });
  }

  /** Download the model as a checkpoint file (safetensors), to open again later or elsewhere. */
  async _save() {
    const model = this._model;
    if (!model) return;
    try {
      const bytes = await model.save();
      const { step } = await model.describe();
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
      link.download = `translator-step-${step}.safetensors`;
      this.shadowRoot.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      this._setStatus(`Saved ${link.download} (${(bytes.length / 1e6).toFixed(2)} MB).`);
    } catch (error) {
      this._showError(error);
    }
  }

  _describeModel() {
    const i = this._info;
    this._els.about.textContent =
      `An encoder–decoder Transformer: ${i.layers} encoder and ${i.layers} decoder layers, d_model ${i.dModel}, ` +
      `${i.heads} heads, FFN ${i.dFF} wide; ${fmtInt(i.parameters)} parameters. It learns from ` +
      `${fmtInt(i.trainPairs)} generated sentence pairs (${i.sourceVocabulary} English and ${i.targetVocabulary} French words); ` +
      `the ${fmtInt(i.testPairs)} test sentences combine words in ways training never showed. ` +
      `Running on ${backendLabel(this._runtime)}.`;
    this._els.curveCaption.textContent = "Training loss against step (log scale): cross-entropy per French word" + (i.labelSmoothing > 0
      ? `, measured against label-smoothed targets (${Math.round(i.labelSmoothing * 100)}% of each target spread over the whole vocabulary), so it levels off above 0.`
      : ".");
    const layerOptions = Array.from({ length: i.layers }, (_, l) => `<option value="${l}">${l + 1}</option>`).join("");
    this._els.layer.innerHTML = `${layerOptions}<option value="all">average</option>`;
    this._els.layer.value = String(i.layers - 1);
    const headOptions = Array.from({ length: i.heads }, (_, h) => `<option value="${h}">${h + 1}</option>`).join("");
    this._els.head.innerHTML = `<option value="all">average</option>${headOptions}`;
  }

  _pause() {
    this._running = false;
    this._enable();
    this._setStatus("Paused. Press Train to go on.");
  }

  _train() {
    if (this._running || !this._model) return;
    this._running = true;
    this._showError(null);
    this._enable();
    this._setStatus("Training…");
    this._loop = this._trainLoop().finally(() => {
      this._loop = null;
      this._enable();
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
        this._running = false;
        this._setStatus("Training stopped.");
        this._showError(error);
        return;
      }
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
      if (this._origin === "scratch" && result.step >= this.targetSteps && result.step - chunk < this.targetSteps) {
        this._running = false;
        await this._refreshViews();
        this._setStatus(`Reached ${fmtInt(result.step)} steps. Press Train to go on, or score the whole test split.`);
        return;
      }
      await yieldToBrowser();
    }
    if (this._model === model) await this._refreshViews();
  }

  _updateReadout(step, loss, tokensPerSecond) {
    const e = this._els;
    const target = Math.max(this.targetSteps, step);
    e.bar.max = target;
    e.bar.value = step;
    const parts = [`step ${fmtInt(step)}${this._origin === "scratch" ? ` of ${fmtInt(target)}` : ""}`];
    if (loss !== null) parts.push(`loss ${loss.toFixed(3)}`);
    if (tokensPerSecond !== null) parts.push(`${fmtInt(tokensPerSecond)} French words/s`);
    if (this._trainMs > 0) parts.push(`${(this._trainMs / 1000).toFixed(1)} s of training`);
    e.readout.textContent = parts.join(" · ");
  }

  /** The loss curve as SVG, log-scaled: the loss falls by orders of magnitude. */
  _drawCurve() {
    const svg = this._els.curve;
    const points = this._losses.filter((p) => p.loss > 0 && Number.isFinite(p.loss));
    const [W, H, left, right, top, bottom] = [340, 170, 38, 8, 8, 22];
    if (points.length < 2) {
      const lines = this._origin !== "scratch"
        ? ["a loaded model has no curve here:", "train it further, or start over, to draw one"]
        : ["the curve appears once training starts"];
      svg.innerHTML = lines.map((line, i) => `<text x="${W / 2}" y="${H / 2 + 16 * i}" text-anchor="middle">${line}</text>`).join("");
      svg.setAttribute("aria-label", "Loss curve: no training yet.");
      return;
    }
    const first = points[0].step, last = points.at(-1).step;
    const xMax = Math.max(last, this._origin === "scratch" ? this.targetSteps : last);
    const logs = points.map((p) => Math.log10(p.loss));
    const yLow = Math.floor(Math.min(...logs)), yHigh = Math.ceil(Math.max(...logs, yLow + 1));
    const x = (step) => left + ((step - Math.min(first, 0)) / Math.max(1, xMax - Math.min(first, 0))) * (W - left - right);
    const y = (log) => top + ((yHigh - log) / (yHigh - yLow)) * (H - top - bottom);
    let grid = "";
    for (let p = yLow; p <= yHigh; p++) {
      grid += `<line class="grid-line" x1="${left}" x2="${W - right}" y1="${y(p)}" y2="${y(p)}"/>`;
      grid += `<text x="${left - 4}" y="${y(p) + 4}" text-anchor="end">${10 ** p >= 1 ? 10 ** p : (10 ** p).toFixed(-p)}</text>`;
    }
    grid += `<text x="${left}" y="${H - 6}">${fmtInt(Math.min(first, 0))}</text>`;
    grid += `<text x="${W - right}" y="${H - 6}" text-anchor="end">step ${fmtInt(xMax)}</text>`;
    // At most ~400 points on screen: thin a long run evenly.
    const every = Math.ceil(points.length / 400);
    const path = points.filter((_, i) => i % every === 0 || i === points.length - 1)
      .map((p) => `${x(p.step).toFixed(1)},${y(Math.log10(p.loss)).toFixed(1)}`).join(" ");
    svg.innerHTML = `${grid}<polyline class="curve" points="${path}"/>`;
    svg.setAttribute("aria-label",
      `Loss curve: ${points[0].loss.toFixed(3)} at step ${fmtInt(first)}, ${points.at(-1).loss.toFixed(3)} at step ${fmtInt(last)}.`);
  }

  /** Redraw what depends on the weights: the sample translations and the heatmap. */
  async _refreshViews() {
    const model = this._model;
    if (!model) return;
    try {
      const sample = await model.evaluate("test", { limit: 5 });
      if (model !== this._model) return;
      this._drawSamples(sample);
      await yieldToBrowser(); // wasm work resolves as microtasks: let the page breathe between calls
      await this._translate();
    } catch (error) {
      this._showError(error);
    }
  }

  _drawSamples({ sources, hypotheses, references }) {
    const rows = sources.map((source, i) => {
      const said = hypotheses[i].split(" ");
      const wanted = references[i].split(" ");
      const right = hypotheses[i] === references[i];
      const words = said.map((w, j) => `<span class="${w === wanted[j] ? "w-ok" : "w-bad"}">${escapeHtml(w)}</span>`).join(" ");
      const expected = right ? "" : `<br><span class="status">expected: ${escapeHtml(references[i])}</span>`;
      return `<tr><td>${escapeHtml(source)}</td><td>${words || "<em>(nothing)</em>"}${expected}</td>` +
        `<td class="mark ${right ? "w-ok" : "w-bad"}" aria-label="${right ? "correct" : "wrong"}">${right ? "✓" : "✗"}</td></tr>`;
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
      const part = await model.evaluate("test", { offset, limit: 10 });
      if (model !== this._model) return;
      exact += (part.exactMatch * part.sentences) / 100;
      await yieldToBrowser();
    }
    this._els.scoreText.innerHTML =
      `Exact match on the first ${SAMPLE} test sentences: <strong>${((100 * exact) / SAMPLE).toFixed(0)}%</strong> ` +
      `<span class="status">(step ${fmtInt(this._lastSampleStep)})</span>`;
  }

  /** Exact match and BLEU on every test sentence, in slices, with progress. */
  async _scoreWholeSplit() {
    const model = this._model;
    if (!model || this._running) return;
    this._busy = true;
    this._enable();
    const total = this._info.testPairs;
    const hypotheses = [], references = [];
    let exact = 0;
    try {
      for (let offset = 0; offset < total; offset += 20) {
        this._setStatus(`Scoring the test split… ${offset} / ${total}`);
        const part = await model.evaluate("test", { offset, limit: 20 });
        exact += (part.exactMatch * part.sentences) / 100;
        hypotheses.push(...part.hypotheses);
        references.push(...part.references);
        await yieldToBrowser();
      }
      const { score } = (await loadGlassformer()).bleu(hypotheses, references);
      this._els.scoreText.innerHTML =
        `Whole test split (${fmtInt(total)} sentences): exact match <strong>${((100 * exact) / total).toFixed(1)}%</strong>, ` +
        `BLEU <strong>${score.toFixed(1)}</strong>`;
      this._setStatus("Scored.");
    } catch (error) {
      this._showError(error);
    } finally {
      this._busy = false;
      this._enable();
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
      const words = translation.targetTokens.filter((w) => w !== "<eos>")
        .map((w) => (w === "<unk>" ? `<span class="unk">${escapeHtml(w)}</span>` : escapeHtml(w)));
      const unknown = translation.sourceTokens.filter((w) => w === "<unk>").length;
      this._els.output.innerHTML = `→ <strong>${words.join(" ")}</strong>` +
        (unknown ? ` <span class="status">(${unknown} English word${unknown > 1 ? "s" : ""} not in the vocabulary, read as &lt;unk&gt;)</span>` : "");
      this._drawHeatmap();
    } catch (error) {
      this._showErrorIfTranslateFailed(error);
    }
  }

  _showErrorIfTranslateFailed(error) {
    if (error) {
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
    const { targetTokens, sourceTokens } = this._translation;
    const matrix = this._attentionMatrix();
    const [T, S] = [targetTokens.length, sourceTokens.length];
    const cell = Math.max(16, Math.min(30, Math.floor(520 / S)));
    const labelW = 92, labelH = 84;
    const W = labelW + S * cell + 4, H = labelH + T * cell + 4;
    let svg = "";
    sourceTokens.forEach((w, s) => {
      const cx = labelW + s * cell + cell / 2;
      svg += `<text class="token${w === "<unk>" ? " unk" : ""}" transform="translate(${cx + 4},${labelH - 6}) rotate(-50)">${escapeHtml(w)}</text>`;
    });
    targetTokens.forEach((w, t) => {
      svg += `<text class="token" x="${labelW - 6}" y="${labelH + t * cell + cell / 2 + 4}" text-anchor="end">${escapeHtml(w)}</text>`;
      for (let s = 0; s < S; s++) {
        const weight = matrix[t][s];
        svg += `<rect x="${labelW + s * cell}" y="${labelH + t * cell}" width="${cell - 1}" height="${cell - 1}" ` +
          `fill="var(--accent)" fill-opacity="${(0.04 + 0.96 * weight).toFixed(3)}">` +
          `<title>${escapeHtml(w)} ← ${escapeHtml(sourceTokens[s])}: ${weight.toFixed(3)}</title></rect>`;
      }
    });
    const which = `${this._els.layer.value === "all" ? "all layers" : `layer ${Number(this._els.layer.value) + 1}`}, ` +
      `${this._els.head.value === "all" ? "average of the heads" : `head ${Number(this._els.head.value) + 1}`}`;
    this._els.heatmap.innerHTML =
      `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="Cross-attention heatmap, ${which}: rows are French words, columns English words; darker means more weight.">${svg}</svg>`;
    // The text alternative: each French word with the English word it looked at most.
    const strongest = targetTokens.map((w, t) => {
      let best = 0;
      for (let s = 1; s < S; s++) if (matrix[t][s] > matrix[t][best]) best = s;
      return `${w} ← ${sourceTokens[best]} (${matrix[t][best].toFixed(2)})`;
    });
    this._els.alt.textContent = `Strongest link per French word (${which}): ${strongest.join(", ")}.`;
  }
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

if (!customElements.get("gf-seq2seq-trainer")) customElements.define("gf-seq2seq-trainer", GfSeq2seqTrainer);
