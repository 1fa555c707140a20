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
// The training loop, pause and resume are GfTrainerWidget's (trainer.js):
// short calls of a few steps, each awaited, so the page never freezes. The
// drawing of results is in translation-views.js.
//
// Attributes (a change to checkpoint, pretrained or, for an untrained model,
// seed loads the model it names)
//   checkpoint  URL of a saved translator (default: the one shipped in www/models/)
//   pretrained  "false" to start untrained instead of loading the checkpoint
//   steps       the from-scratch run's length: progress counts towards it and
//               training pauses there (default 1000; Train goes on after)
//   seed        seed of an untrained model (default 1)
//   train-to    a step (1 to 100,000): once the model has loaded, train it
//               to that step, as if Train were pressed, and pause there
//               (progress counts towards it; it can be paused on the way). The
//               pretrained model counts on from its checkpoint's step
//               (3,000): train-to="3200" trains it 200 steps further.
//   sentence    the sentence whose cross-attention is drawn (default: the course's)
//   lang        "en" | "zh" (default: the page's language)
//
// Copy snippet / Copy link write the run as these attributes: pretrained
// and seed for the model it started from, train-to for the step it has
// reached, sentence for the sentence in the box. The copy trains again to
// that step and ends on the same loss, on the same backend and wasm build
// (see trainer.js; a GPU rounds differently from the CPU). A model opened
// from a file cannot travel in a link: the copy has the attributes' model.
//
// Removed from the page, the widget stops training, frees its model and
// clears its timers; put back, it loads the model again.
//
// Events: "gf-update" after every training call, with the call's result
// ({ step, loss, tokensPerSecond, … }) in event.detail; "gf-idle" when
// training stops (paused, finished, failed, or the widget removed).
//
// Why this file is longer than ~400 lines: the demo has the most parts of
// any widget (a training run, sample translations, scoring, save and open,
// one translation with its cross-attention), and its life (loading,
// swapping, training) reads best in one place. Its drawing is in
// translation-views.js, its look and words in style/ and text/.

import { backendLabel, loadGlassformer } from "../runtime.js";
import { runtimeOf, formatInteger, downloadFile } from "./common.js";
import { GfTrainerWidget } from "./trainer.js";
import { yieldToBrowser } from "./base.js";
import { TEXT } from "./text/gf-seq2seq-trainer.js";
import { STYLE } from "./style/gf-seq2seq-trainer.js";
import { lossCurve } from "./loss-curve.js";
import { crossAttentionView, sampleRows, scoreTestSplit, translationLine } from "./translation-views.js";

const COURSE_SENTENCE = "The agreement on the European Economic Area was signed in August 1992.";
const DEFAULT_CHECKPOINT = new URL("../models/translator.safetensors", import.meta.url).href;
/** Redraw translations and the heatmap at most this often while training. */
const REDRAW_MS = 800;
/** Score the first SAMPLE test sentences every SAMPLE_EVERY steps. */
const SAMPLE = 50;
const SAMPLE_EVERY = 100;

class GfSeq2seqTrainer extends GfTrainerWidget {
  static observedAttributes = ["sentence", "checkpoint", "pretrained", "seed", "steps", "train-to", "lang"];
  static TEXT = TEXT;
  static STYLE = STYLE;
  static KEPT = ["sentence", "layer", "head", "beam"];

  constructor() {
    super();
    this._model = null;
    this._busy = false; // a scoring pass or a model swap is under way
    this._controls = false; // whether the buttons have been enabled yet in this connection
    this._lastSampleStep = -Infinity;
    this._lastRedraw = 0;
    // What the widget shows is kept as data, so that a change of language
    // can draw it again: the model's description, the readout, the sample
    // translations, the score line (a function of the text table), the translation.
    this._info = this._readout = this._sample = this._score = this._translation = null;
  }

  _stop() {
    // Removed from the page: stop training and every other loop (they check
    // the life number), let the model go. A call still running keeps its own
    // reference to the weights, so freeing now is safe.
    this._training = false;
    this._busy = false;
    this._controls = false;
    this._model?.dispose?.();
    this._model = null;
    // Everything drawn from that model goes with it; the inputs stay in the shadow DOM.
    this._info = this._translation = this._sample = this._score = this._readout = null;
    this._resetHistory();
  }

  _changed(name) {
    if (name === "sentence") {
      this._$("sentence").value = this.getAttribute("sentence") || COURSE_SENTENCE;
      this._translate();
    } else if (name === "steps") {
      if (this._readout) this._updateReadout(...this._readout);
      this._drawCurve();
    } else if (name === "train-to") {
      if (this._model && !this._busy) this._replay(this._currentStep());
    } else if (this._runtime && !(name === "seed" && this._origin !== "scratch")) {
      // Another checkpoint, or pretrained / seed changed: the model they describe replaces this one.
      this._swap(this.getAttribute("pretrained") === "false" ? "scratch" : "pretrained", null, { replay: true });
    }
  }

  /** What a copy needs besides the attributes: the model the run started from, its step, the sentence. */
  _shareState() {
    const sentence = this._$("sentence").value;
    const state = { sentence: sentence === COURSE_SENTENCE ? null : sentence };
    if (!this._info) return state; // not loaded yet
    // A file a link cannot carry: nor does it carry the run an earlier link asked for.
    if (this._origin === "file") return { ...state, pretrained: null, "train-to": null };
    state.pretrained = this._origin === "scratch" ? "false" : null;
    state["train-to"] = this._sharedStep(this._info.step);
    return state;
  }

  /** The from-scratch run's length: progress counts towards it and training pauses there. */
  get targetSteps() {
    const n = parseInt(this.getAttribute("steps") ?? "", 10);
    return Number.isFinite(n) && n >= 10 && n <= 100_000 ? n : 1000;
  }

  /** The step the progress bar counts towards: a shared run's while replaying it, a run from scratch's length, or none. */
  _goal(step) {
    if (this._replayTo !== null) return this._replayTo;
    return this._origin === "scratch" ? Math.max(this.targetSteps, step) : null;
  }

  _note(t) { return t.intro; }

  _body(t) {
    return `
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
        <p class="alt" data-role="alt"></p>`;
  }

  _wire(kept) {
    if (!("sentence" in kept)) this._$("sentence").value = this.getAttribute("sentence") || COURSE_SENTENCE;
    const on = (action, handler) => this._button(action).addEventListener("click", handler);
    on("train", () => this._toggleTraining());
    on("scratch", () => this._swap("scratch"));
    on("pretrained", () => this._swap("pretrained"));
    on("score", () => this._scoreWholeSplit());
    on("save", () => this._save());
    on("open", () => this._$("file").click());
    this._$("file").addEventListener("change", () => {
      const [file] = this._$("file").files;
      this._$("file").value = "";
      if (file) this._swap("file", file);
    });
    this._$("form").addEventListener("submit", (event) => {
      event.preventDefault();
      this._translate();
    });
    this._$("layer").addEventListener("change", () => this._drawHeatmap());
    this._$("head").addEventListener("change", () => this._drawHeatmap());
    this._$("beam").addEventListener("change", () => this._translate());
    this._kept = kept; // the layer and head picked, until the pickers are drawn again
  }

  /** Draw again what is known (after a change of language). */
  _redraw() {
    if (this._info) {
      this._describeModel();
      this._drawCurve();
    }
    if (this._readout) this._updateReadout(...this._readout);
    if (this._sample) this._$("samples").innerHTML = sampleRows(this._sample, this._t);
    this._$("score").innerHTML = this._score?.(this._t) ?? "";
    if (this._translation) this._showTranslation();
    if (this._controls) this._enable(); // until the runtime is there, every button stays disabled
  }

  _enable() {
    const t = this._t;
    const ready = this._model !== null && !this._busy;
    this._controls = true;
    for (const action of ["train", "save", "translate"]) this._button(action).disabled = !ready;
    for (const action of ["scratch", "pretrained", "open"]) this._button(action).disabled = this._busy;
    this._button("score").disabled = !ready || this._training;
    this._button("train").textContent = this._training ? t.pause : t.train;
    this._button("train").setAttribute("aria-pressed", String(this._training));
  }

  async _start() {
    const gone = this._goneTest();
    this._say("status", "starting");
    try {
      this._runtime = await runtimeOf(this);
    } catch (error) {
      if (gone()) return;
      this._say("status", "noRuntime");
      this._showError(error);
      return;
    }
    if (gone()) return;
    await this._swap(this.getAttribute("pretrained") === "false" ? "scratch" : "pretrained", null, { replay: true });
  }

  /**
   * Replace the model: "pretrained" (the checkpoint), "scratch" (untrained)
   * or "file" (one the student opened). With `replay` (the model the
   * attributes name), then train it to `train-to`, if given.
   */
  async _swap(kind, file, { replay = false } = {}) {
    const gone = this._goneTest();
    try {
      await this._swapModel(kind, file, gone);
      // Not after a failed load that fell back to an untrained model: that is not the run shared.
      if (replay && !gone() && this._origin === kind) this._replay(this._currentStep());
    } catch (error) {
      if (gone()) return; // removed meanwhile: nothing to report
      this._busy = false;
      this._enable();
      this._say("status", "noModel");
      this._showError(error);
    }
  }

  async _swapModel(kind, file, gone) {
    this._busy = true;
    this._enable();
    this._clearError();
    await this._stopTraining(); // let a running call finish first
    if (gone()) return;
    let model = null;
    let origin = kind;
    try {
      if (kind === "pretrained") {
        const url = this.getAttribute("checkpoint") || DEFAULT_CHECKPOINT;
        this._say("status", "loadingPretrained");
        const bytes = await this._download(url);
        if (gone()) return;
        model = await this._runtime.loadSeq2seq(bytes);
      } else if (kind === "file") {
        this._say("status", (t) => t.opening(file.name));
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
        this._say("status", "kept");
        this._showError((t) => t.loadFailed(name, message));
        return;
      }
      this._showError((t) => t.loadFailedScratch(name, message));
      model = await this._untrained();
      origin = "scratch";
    }
    if (gone()) {
      model.dispose?.(); // made for a widget that has left the page
      return;
    }
    this._model?.dispose?.();
    this._origin = origin;
    this._model = model;
    const info = await model.describe();
    if (gone()) return;
    this._info = info;
    this._resetHistory();
    this._lastSampleStep = -Infinity;
    this._score = null;
    this._$("score").textContent = "";
    this._describeModel();
    this._busy = false;
    this._enable();
    this._updateReadout(info.step, null, null);
    this._drawCurve();
    await this._refreshViews();
    await this._scoreSample();
    if (gone() || model !== this._model) return;
    const { step } = info, name = file?.name;
    this._say("status", { pretrained: (t) => t.readyPretrained(step), file: (t) => t.readyFile(name, step), scratch: "readyScratch" }[origin]);
  }

  /** A fresh, untrained translator from the `seed` attribute. */
  _untrained() {
    this._say("status", "making");
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
      const name = `translator-step-${step}.safetensors`, mb = (bytes.length / 1e6).toFixed(2);
      downloadFile(this, bytes, name);
      this._say("status", (t) => t.saved(name, mb));
    } catch (error) {
      if (model === this._model) this._showError(error);
    }
  }

  /** The model's description, the curve's caption and the layer and head pickers. */
  _describeModel() {
    const t = this._t;
    const i = this._info, backend = backendLabel(this._runtime);
    this._say("about", (t) => t.about(i, backend));
    this._$("curve-caption").textContent = t.curveCaption(i.labelSmoothing > 0 ? Math.round(i.labelSmoothing * 100) : 0);
    const options = (n) => Array.from({ length: n }, (_, k) => `<option value="${k}">${k + 1}</option>`).join("");
    const picked = { layer: this._$("layer").value || this._kept?.layer, head: this._$("head").value || this._kept?.head };
    this._$("layer").innerHTML = `${options(i.layers)}<option value="all">${t.average}</option>`;
    this._$("head").innerHTML = `<option value="all">${t.average}</option>${options(i.heads)}`;
    // Keep the student's choice where the new model has it; else the last layer, all heads.
    const has = (role, value) => [...this._$(role).options].some((o) => o.value === value);
    this._$("layer").value = has("layer", picked.layer) ? picked.layer : String(i.layers - 1);
    this._$("head").value = has("head", picked.head) ? picked.head : "all";
  }

  // Training (the loop itself is GfTrainerWidget's).

  _startTraining() {
    if (!this._model) return;
    super._startTraining();
    if (this._training) this._say("status", "training");
  }

  _pauseTraining() {
    super._pauseTraining();
    this._say("status", "paused");
  }

  async _trainee() {
    this._lastRedraw = performance.now();
    return this._model;
  }

  _isTrainee(model) { return model === this._model; }

  /** The model's step: the last call's, or where the model began. */
  _currentStep() { return this._history.at(-1)?.step ?? this._info?.step ?? 0; }

  /** A run from scratch pauses once at the `steps` attribute's step. */
  _targets() { return this._origin === "scratch" ? [this.targetSteps] : []; }

  _trainCall(model, steps) { return model.train({ steps }); }

  async _afterCall(result, steps) {
    this._updateReadout(result.step, result.loss, result.tokensPerSecond);
    this._drawCurve();
    if (result.step - this._lastSampleStep >= SAMPLE_EVERY) await this._scoreSample();
    if (performance.now() - this._lastRedraw > REDRAW_MS) {
      await this._refreshViews();
      this._lastRedraw = performance.now();
    }
    // A run from scratch pauses once, at the step the `steps` attribute asks for;
    // a shared run (train-to) at its step.
    if (this._atStop(result.step, steps)) {
      this._say("status", (t) => t.reached(result.step));
      return false;
    }
    return true;
  }

  async _trainingEnded(model, failed) {
    if (failed) this._say("status", "stopped");
    else if (model === this._model) await this._refreshViews();
  }

  _updateReadout(step, loss, tokensPerSecond) {
    this._readout = [step, loss, tokensPerSecond];
    const t = this._t;
    const goal = this._goal(step);
    this._$("bar").max = Math.max(goal ?? step, 1);
    this._$("bar").value = step;
    const parts = [t.step(step, goal)];
    if (loss !== null) parts.push(t.loss(loss.toFixed(3)));
    if (tokensPerSecond !== null) parts.push(t.speed(tokensPerSecond));
    if (this._trainMs > 0) parts.push(t.time((this._trainMs / 1000).toFixed(1)));
    this._$("readout").textContent = parts.join(" · ");
  }

  /** The loss curve, log-scaled: the loss falls by orders of magnitude. */
  _drawCurve() {
    const t = this._t;
    const svg = this._$("curve");
    const points = this._history.filter((p) => p.loss > 0 && Number.isFinite(p.loss));
    const [W, H] = [340, 170];
    if (points.length < 2) {
      const lines = this._origin !== "scratch" ? t.curveLoaded : t.curveScratch;
      svg.innerHTML = lines.map((line, i) => `<text x="${W / 2}" y="${H / 2 + 16 * i}" text-anchor="middle">${line}</text>`).join("");
      svg.setAttribute("aria-label", t.noCurve);
      return;
    }
    const first = points[0].step, last = points.at(-1).step;
    const xFrom = Math.min(first, 0), xTo = Math.max(last, this._goal(last) ?? last);
    svg.innerHTML = lossCurve({
      points, series: [{ key: "loss" }], log: true, width: W, height: H, margin: [8, 8, 22, 38],
      xFrom, xTo, xLabels: [formatInteger(xFrom), t.axisStep(xTo)],
    });
    svg.setAttribute("aria-label", t.curveLabel(points[0].loss.toFixed(3), first, points.at(-1).loss.toFixed(3), last));
  }

  // What depends on the weights: the sample translations, the scores, the heatmap.

  async _refreshViews() {
    const model = this._model;
    if (!model) return;
    try {
      const sample = await model.evaluate("test", { limit: 5 });
      if (model !== this._model) return;
      this._sample = sample;
      this._$("samples").innerHTML = sampleRows(sample, this._t);
      await yieldToBrowser();
      await this._translate();
    } catch (error) {
      if (model === this._model) this._showError(error);
    }
  }

  /** Exact match on the first SAMPLE test sentences. */
  async _scoreSample() {
    const model = this._model;
    if (!model) return;
    const step = (this._lastSampleStep = this._history.at(-1)?.step ?? this._info?.step ?? 0);
    const score = await scoreTestSplit(model, { count: SAMPLE, slice: 10, stillWanted: () => model === this._model });
    if (!score) return; // removed (and freed), or replaced, while the page had its turn
    const percent = score.exactMatch.toFixed(0);
    this._score = (t) => t.sampleScore(SAMPLE, percent, step);
    this._$("score").innerHTML = this._score(this._t);
  }

  /** Exact match and BLEU on every test sentence, in slices, with progress. */
  async _scoreWholeSplit() {
    const model = this._model;
    if (!model || this._training) return;
    const gone = this._goneTest();
    this._busy = true;
    this._enable();
    const total = this._info.testPairs;
    try {
      const score = await scoreTestSplit(model, {
        count: total, slice: 20, stillWanted: () => model === this._model,
        onSlice: (offset) => this._say("status", (t) => t.scoring(offset, total)),
      });
      if (!score) return;
      const { score: bleu } = (await loadGlassformer()).bleu(score.hypotheses, score.references);
      if (model !== this._model) return;
      const percent = score.exactMatch.toFixed(1), bleuText = bleu.toFixed(1);
      this._score = (t) => t.wholeScore(total, percent, bleuText);
      this._$("score").innerHTML = this._score(this._t);
      this._say("status", "scored");
    } catch (error) {
      if (model === this._model) this._showError(error);
    } finally {
      if (!gone()) {
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
      const translation = await model.translate(this._$("sentence").value, { beam: Number(this._$("beam").value) });
      if (model !== this._model) return;
      this._translation = translation;
      if (this._messages.error?.(this._t).startsWith("seq2seq.translate")) this._clearError();
      this._showTranslation();
    } catch (error) {
      if (model !== this._model) return;
      this._translation = null;
      for (const role of ["output", "heatmap", "alt"]) this._$(role).textContent = "";
      this._showError(error);
    }
  }

  /** The kept translation: the French words, then its cross-attention. */
  _showTranslation() {
    this._$("output").innerHTML = translationLine(this._translation, this._t);
    this._drawHeatmap();
  }

  _drawHeatmap() {
    if (!this._translation) return;
    const { svg, alt } = crossAttentionView(this._translation, this._$("layer").value, this._$("head").value, this._t);
    this._$("heatmap").innerHTML = svg;
    this._$("alt").textContent = alt;
  }
}

if (!customElements.get("gf-seq2seq-trainer")) customElements.define("gf-seq2seq-trainer", GfSeq2seqTrainer);
