// <gf-bert-fill>: a small BERT, pre-trained on everyday stories, made visible.
//
//   [CLS] the man went to the [MASK] … [SEP] → encoder (every position sees both sides) → a word for each [MASK]
//
// Five panels:
//   1. Fill in the blanks: type a sentence with [MASK]s, see the top guesses
//      for each with their probabilities.
//   2. Masking the BERT way: 15% of the tokens are chosen; of those 80%
//      become [MASK], 10% a random token, 10% stay. Each token is coloured
//      by its fate; "Mask again" draws new fates (the seed goes up by one).
//   3. Attention: one head of one layer over a sentence, as a heatmap.
//   4. Both directions: which tokens one position may look at in BERT (all)
//      and in GPT (only those before it).
//   5. Pre-training pays: the same classifier fine-tuned on 32 labelled
//      opinions, once on top of the pre-trained encoder and once from random
//      weights, both tested on 200 opinions that use only other words.
//
// Why this file is longer than ~400 lines: it holds five panels, each a
// few lines of calls and a few of drawing; split up, a reader would lose
// the one life they share (one model, one call at a time, fine-tuning as a
// training loop). Its look and words are in style/ and text/.
//
// Attributes
//   model       URL of a Hugging Face BERT-family folder (config.json,
//               model.safetensors, vocab.txt or tokenizer.json): that model
//               fills, masks and attends instead, its download's progress on
//               the status line (filling in needs its masked-LM head; a
//               model without one says so there); it is shown as
//               pre-trained, without the fine-tuning panel. Widgets naming
//               the same folder share one copy.
//   checkpoint  URL of a saved BERT (default: www/models/bert.safetensors)
//   text        the fill-in sentence (default: the course's question)
//   seed        the masking seed (default 1)
//   train-to    a step of the fine-tuning race, 10 to 80 (the race goes ten
//               steps a call: another number means the next multiple of 10,
//               past 80 the whole race): once the model has loaded, run the
//               race, as if "Fine-tune both" were pressed, and pause there
//   lang        "en" | "zh" (default: the page's language)
//
// Copy snippet / Copy link write what the student set: the sentence in the
// fill-in box, the masking seed, and train-to for the step the race has
// reached. The copy runs the race again to that step and shows the same
// accuracies (on the same backend and wasm build; see trainer.js).
//
// Removed from the page, the widget stops fine-tuning and frees both of its
// models; put back, it loads the checkpoint again. Fine-tuning is a
// training loop like the other demos' (GfTrainerWidget, trainer.js): it can
// be paused and resumed, and goes on to 80 steps.
//
// Events: "gf-update" when a panel has new results (after every 10
// fine-tuning steps too); "gf-idle" when a call (fill-in, masking,
// attention…) or fine-tuning has ended, paused, or stopped because the
// widget left the page.

import { loadGlassformer } from "../runtime.js";
import { escapeHtml, runtimeOf, releaseModel } from "./common.js";
import { GfTrainerWidget } from "./trainer.js";
import { yieldToBrowser } from "./base.js";
import { TEXT } from "./text/gf-bert-fill.js";
import { STYLE } from "./style/gf-bert-fill.js";
import { headsOf, heatmap, strongest } from "./heatmap.js";
import { lossCurve } from "./loss-curve.js";

const DEFAULT_CHECKPOINT = new URL("../models/bert.safetensors", import.meta.url).href;
const QUESTION = "the man went to the [MASK] to buy a [MASK] of milk.";
/** The colour of each fate a token can have when masking (the words are in TEXT). */
const FATE_COLORS = {
  "masked": "#2f6fdf",
  "random": "#d2691e",
  "kept": "#2e7d32",
  "not chosen": "#c9d1de",
  "special": "#8c96a6",
};
/** The two fine-tuned classifiers: what each starts from (their colours are in the style). */
const RUNS = [{ key: "pre", scratch: false }, { key: "scratch", scratch: true }];
/** Fine-tuning: this many steps in all, ten per call (one point on the chart each). */
const TUNE_STEPS = 80;
const percent = (p, digits = 1) => (100 * p).toFixed(digits);

/** The sentences of the panels, before the student types their own. */
const DEFAULT_INPUTS = {
  "mask-text": "on saturday morning, the woman walked to the market to buy a bag of apples and then she went back home.",
  "att-text": "the woman went to the bakery to buy a loaf of bread.",
  "classify-text": "the cheese at the deli was sweet.",
};

class GfBertFill extends GfTrainerWidget {
  static observedAttributes = ["text", "seed", "train-to", "model", "checkpoint", "lang"];
  static TEXT = TEXT;
  static STYLE = STYLE;
  static KEPT = ["fill-text", "mask-text", "seed", "att-text", "classify-text", "layer", "head"];
  static FIXED_CHUNK = 10;

  constructor() {
    super();
    this._model = null;
    this._scratch = null;
    this._busy = false; // a call other than fine-tuning is running
    this._focus = 0;
    this._ready = false; // the model is loaded: the buttons work
  }

  _stop() {
    // Removed from the page: the fine-tuning loop and every other call check
    // the life number and stop; both models are freed (a call in flight
    // keeps its own reference to the weights, so freeing now is safe).
    this._busy = this._ready = this._training = false;
    if (this._folder) releaseModel(this._folder); // shared with other widgets: the last one frees it
    else this._model?.dispose?.();
    this._scratch?.dispose?.();
    this._model = this._scratch = this._folder = null;
    // What came from the models goes with them; the sentences typed stay in the shadow DOM.
    this._info = this._filled = this._maskTokens = this._attention = this._directionTokens = this._classified = null;
    this._resetHistory();
  }

  _changed(name, value) {
    if (name === "text") { this._$("fill-text").value = value ?? QUESTION; this._fill(); }
    if (name === "seed") { this._$("seed").value = value ?? 1; this._mask(); }
    if (name === "train-to" && this._ready && !this._busy) this._replay(this._currentStep());
    if (name === "checkpoint" || name === "model") { this.disconnectedCallback(); this.connectedCallback(); }
  }

  /** What a copy needs besides the attributes: the fill-in sentence and seed as set here, and the race's step. */
  _shareState() {
    const text = this._$("fill-text").value, seed = this._$("seed").value;
    const state = { text: text === QUESTION ? null : text, seed: seed === "1" ? null : seed };
    if (this._folder) state["train-to"] = null; // the race runs on the course's BERT only
    else if (this._ready) state["train-to"] = this._sharedStep(0);
    return state;
  }

  _note(t) { return this.getAttribute("model") ? t.pretrained.intro : t.intro; }

  _body(t) {
    const legend = Object.entries(FATE_COLORS).map(([fate, color]) => `<span style="background:${color}"></span>${t.fates[fate]}`).join("");
    return `
        <div class="controls">
          <label class="sr-only" for="fill-text">${t.fillLabel}</label>
          <input type="text" id="fill-text" data-role="fill-text" spellcheck="false">
          <button class="primary" data-action="fill" disabled>${t.fill}</button>
          <span class="status" role="status" aria-live="polite" data-role="status"></span>
        </div>
        <div class="guesses" data-role="guesses"></div>
        <div class="error" role="alert" data-role="fill-error"></div>

        <h4>${t.maskTitle}</h4>
        <p class="note">${t.maskNote}</p>
        <div class="controls">
          <label class="sr-only" for="mask-text">${t.maskLabel}</label>
          <input type="text" id="mask-text" data-role="mask-text" spellcheck="false">
          <label>${t.seed} <input type="number" min="0" step="1" data-role="seed"></label>
          <button data-action="mask" disabled>${t.maskAgain}</button>
        </div>
        <div class="chips" data-role="masked" aria-label="${t.fatesLabel}"></div>
        <div class="legend">${legend}</div>

        <h4>${t.attTitle}</h4>
        <div class="controls">
          <label class="sr-only" for="att-text">${t.attLabel}</label>
          <input type="text" id="att-text" data-role="att-text" spellcheck="false">
          <label>${t.layer} <select data-role="layer"></select></label>
          <label>${t.head} <select data-role="head"></select></label>
          <button data-action="attend" disabled>${t.show}</button>
        </div>
        <figure style="margin:0">
          <svg data-role="heatmap" role="img" width="100%" aria-label="${t.heatmap}"></svg>
          <figcaption data-role="heatmap-caption">${t.heatmapCaption}</figcaption>
        </figure>

        <h4>${t.dirTitle}</h4>
        <p class="note">${t.dirNote}</p>
        <div class="controls"><span class="row-label">${t.bertRow}</span><div class="chips" data-role="bert-view" role="listbox" tabindex="0" aria-label="${t.positions}"></div></div>
        <div class="controls"><span class="row-label">${t.gptRow}</span><div class="chips" data-role="gpt-view"></div></div>
        <p class="status" data-role="direction-caption"></p>

        <p class="note" data-role="no-tuning" ${this.getAttribute("model") ? "" : "hidden"}>${t.pretrained.noTuning}</p>
        <div data-role="tuning" ${this.getAttribute("model") ? "hidden" : ""}>
        <h4>${t.ftTitle}</h4>
        <p class="note">${t.ftNote}</p>
        <div class="controls">
          <button class="primary" data-action="finetune" disabled>${t.fineTune}</button>
          <span class="status" data-role="ft-status"></span>
        </div>
        <div class="two">
          <svg data-role="ft-chart" viewBox="0 0 360 180" width="100%" role="img" aria-label="${t.ftChart}"></svg>
          <table data-role="ft-table" aria-label="${t.ftTable}">
            <thead><tr><th scope="col">${t.encoder}</th><th scope="col">${t.step}</th><th scope="col">${t.accuracy}</th></tr></thead>
            <tbody></tbody>
          </table>
        </div>
        <div class="controls">
          <label class="sr-only" for="classify-text">${t.classifyLabel}</label>
          <input type="text" id="classify-text" data-role="classify-text" spellcheck="false">
          <button data-action="classify" disabled>${t.classify}</button>
        </div>
        <p class="status" data-role="classified" aria-live="polite"></p>
        </div>
`;
  }

  _wire(kept) {
    if (!("fill-text" in kept)) this._$("fill-text").value = this.getAttribute("text") ?? QUESTION;
    if (!("seed" in kept)) this._$("seed").value = this.getAttribute("seed") ?? 1;
    for (const [role, text] of Object.entries(DEFAULT_INPUTS)) if (!(role in kept)) this._$(role).value = text;
    const on = (action, handler) => this._button(action).addEventListener("click", handler);
    on("fill", () => this._fill());
    on("mask", () => { this._$("seed").value = Number(this._$("seed").value) + 1; this._mask(); });
    on("attend", () => this._attend());
    on("finetune", () => this._toggleTraining());
    on("classify", () => this._classify());
    const enter = (role, handler) => this._$(role).addEventListener("keydown", (e) => { if (e.key === "Enter") handler(); });
    enter("fill-text", () => this._fill());
    enter("mask-text", () => this._mask());
    enter("att-text", () => this._attend());
    enter("classify-text", () => this._classify());
    this._$("seed").addEventListener("change", () => this._mask());
    for (const role of ["layer", "head"]) this._$(role).addEventListener("change", () => this._drawHeatmap());
    this._$("bert-view").addEventListener("keydown", (e) => {
      const step = { ArrowRight: 1, ArrowLeft: -1, Home: -1e9, End: 1e9 }[e.key];
      if (step === undefined || !this._directionTokens) return;
      e.preventDefault();
      this._focus = Math.max(0, Math.min(this._directionTokens.length - 1, this._focus + step));
      this._drawDirections();
    });
    this._kept = kept; // the layer and head picked, until the pickers are drawn again
  }

  /** Draw again every panel that has results (after a change of language). */
  _redraw() {
    if (this._info) this._showModel();
    if (this._ready) this._enable();
    if (this._filled) this._drawGuesses();
    if (this._maskTokens) this._drawMask();
    if (this._attention) this._drawHeatmap();
    if (this._directionTokens) this._drawDirections();
    if (this._history.length) this._drawFineTune();
    if (this._classified) this._drawClassified();
  }

  _enable() {
    if (!this._ready) return;
    // A pre-trained model from a folder is not fine-tuned here: its panel stays hidden, its buttons off.
    const tuning = new Set(["finetune", "classify"]);
    this.shadowRoot.querySelectorAll("button[data-action]").forEach((b) => { b.disabled = Boolean(this._folder) && tuning.has(b.dataset.action); });
    this._button("finetune").textContent = this._training ? this._t.pauseTune : this._t.fineTune;
    this._button("finetune").setAttribute("aria-pressed", String(this._training));
  }

  async _start() {
    const gone = this._goneTest();
    this._say("status", "loading");
    try {
      const folder = this.getAttribute("model");
      let model;
      if (folder) {
        model = await this._acquireFolder(folder, "fillMask", this._t.pretrained.notBert(folder));
        if (gone()) return;
      } else {
        const bytes = await this._download(this.getAttribute("checkpoint") ?? DEFAULT_CHECKPOINT);
        const runtime = await runtimeOf(this);
        if (gone()) return;
        model = await runtime.loadBert(bytes);
        if (gone()) {
          model.dispose?.(); // loaded for a widget that has left the page
          return;
        }
        this._bytes = bytes;
      }
      this._model = model;
      this._info = await model.describe();
      if (gone()) return;
      this._showModel();
      this._ready = true;
      this._enable();
      this._say("status", "ready");
      await this._fill();
      await this._mask();
      await this._attend();
      await this._directions();
      if (!gone() && !folder) this._replay(0); // a shared run: the race to `train-to`
    } catch (error) {
      if (gone()) return;
      const message = error.message ?? String(error);
      this._say("status", null);
      this._say("error", (t) => t.loadError(message));
    }
  }

  /** The model's description and the layer and head pickers (the student's picks kept). */
  _showModel() {
    const d = this._info, folder = this._folder;
    this._say("about", (t) => (folder ? t.pretrained.about(d, folder) : t.about(d)));
    const picked = { layer: this._$("layer").value || this._kept?.layer, head: this._$("head").value || this._kept?.head };
    const options = (n) => Array.from({ length: n }, (_, i) => `<option value="${i}">${i + 1}</option>`).join("");
    this._$("layer").innerHTML = options(d.layers);
    this._$("head").innerHTML = options(d.heads);
    this._$("layer").value = picked.layer && Number(picked.layer) < d.layers ? picked.layer : String(d.layers - 1);
    this._$("head").value = picked.head && Number(picked.head) < d.heads ? picked.head : "0";
  }

  /**
   * Run `work(gone)` unless another call (or fine-tuning) is running; report
   * its error in `errorRole`. `gone()` turns true once the widget has left
   * the page: the work checks it after each wait and stops.
   */
  async _run(errorRole, work) {
    if (!this._model || this._busy || this._training) return;
    const gone = this._goneTest();
    this._busy = true;
    this._say(errorRole, null);
    try {
      await work(gone);
      if (!gone()) this._updated();
    } catch (error) {
      if (gone()) return;
      // The widget's own messages carry a translation (error.say); the runtime's are shown as they are.
      this._say(errorRole, error.say ?? error);
    } finally {
      if (!gone()) this._busy = false;
      this._idle(); // the call has ended: done, failed, or the widget left the page
    }
  }

  _fill() {
    return this._run("fill-error", async (gone) => {
      const filled = await this._model.fillMask(this._$("fill-text").value, { topK: 5 });
      if (gone()) return;
      this._filled = filled;
      this._drawGuesses();
      this._say("status", (t) => t.filled(filled.length));
    });
  }

  _drawGuesses() {
    const t = this._t;
    this._$("guesses").innerHTML = this._filled.map((guesses, i) => `
        <figure>
          <figcaption>[MASK] ${i + 1}</figcaption>
          ${guesses.map((g) => `<div class="bar" role="img" aria-label="${escapeHtml(t.guess(g.token, percent(g.probability)))}">
            <span class="token">${escapeHtml(g.token)}</span>
            <span><span class="fill" style="display:block;width:${percent(g.probability)}%"></span></span>
            <span class="p">${percent(g.probability)}%</span></div>`).join("")}
        </figure>`).join("");
  }

  _mask() {
    return this._run("error", async (gone) => {
      const tokens = await this._model.maskExample(this._$("mask-text").value, { seed: Number(this._$("seed").value) || 0 });
      if (gone()) return;
      this._maskTokens = tokens;
      this._drawMask();
    });
  }

  _drawMask() {
    const t = this._t;
    const tokens = this._maskTokens;
    this._$("masked").innerHTML = tokens.map((token) => {
      const label = t.fates[token.fate], color = FATE_COLORS[token.fate];
      const shown = token.fate === "masked" || token.fate === "random" ? `<span class="shown">→ ${escapeHtml(token.shown)}</span>` : "";
      return `<span class="chip" data-fate="${token.fate}" style="border-color:${color}" title="${escapeHtml(t.chip(token.token, label))}">${escapeHtml(token.token)}${shown}</span>`;
    }).join("");
    const chosen = tokens.filter((token) => !["not chosen", "special"].includes(token.fate));
    const words = tokens.filter((token) => token.fate !== "special").length;
    this._$("masked").setAttribute("aria-label", t.chosen(chosen.length, words, chosen.map((token) => `${token.token} (${t.fates[token.fate]})`).join(", ")));
  }

  _attend() {
    return this._run("error", async (gone) => {
      const attention = await this._model.attention(this._$("att-text").value);
      if (gone()) return;
      this._attention = attention;
      this._drawHeatmap();
    });
  }

  _drawHeatmap() {
    const a = this._attention;
    if (!a) return;
    const t = this._t;
    const layer = Number(this._$("layer").value), head = Number(this._$("head").value);
    const w = headsOf(a.layers[layer])[head], n = a.tokens.length;
    const weight = (r, c) => w[r * n + c];
    const map = heatmap({ rows: a.tokens, columns: a.tokens, weight });
    const svg = this._$("heatmap");
    svg.setAttribute("viewBox", `0 0 ${map.width} ${map.height}`);
    svg.style.maxWidth = `${map.width * 1.4}px`;
    svg.innerHTML = map.content;
    // Text alternative: where each token looks most.
    const links = strongest(a.tokens, a.tokens, weight).map((c, r) => `${a.tokens[r]} → ${a.tokens[c]}`);
    svg.setAttribute("aria-label", t.heatmapLabel(layer + 1, head + 1, links));
    this._$("heatmap-caption").textContent = t.heatmapCaptionFor(layer + 1, head + 1);
  }

  async _directions() {
    const model = this._model;
    const tokens = await model.tokenize("open a bank account");
    if (model !== this._model) return;
    this._directionTokens = tokens;
    this._focus = Math.min(this._focus, tokens.length - 1);
    this._drawDirections();
  }

  _drawDirections() {
    const t = this._t;
    const tokens = this._directionTokens, f = this._focus;
    const chips = (causal) => tokens.map((token, i) => {
      const seen = !causal || i <= f;
      return `<span class="chip ${seen ? "seen" : "hidden"} ${i === f ? "focus" : ""}" data-index="${i}" role="option" aria-selected="${i === f}">${escapeHtml(token)}</span>`;
    }).join("");
    this._$("bert-view").innerHTML = chips(false);
    this._$("gpt-view").innerHTML = chips(true);
    for (const chip of this._$("bert-view").querySelectorAll(".chip")) {
      chip.addEventListener("click", () => { this._focus = Number(chip.dataset.index); this._drawDirections(); });
    }
    this._$("direction-caption").textContent = t.sees(tokens[f], tokens.length, f + 1, tokens.slice(f + 1).join(" "));
  }

  // Fine-tuning both classifiers, ten steps each per call (the loop is GfTrainerWidget's).

  _startTraining() {
    if (!this._model || this._busy || this._folder) return;
    super._startTraining();
  }

  /** The two encoders to fine-tune; a finished (or first) run starts over from step 0. */
  async _trainee() {
    const gone = this._goneTest();
    if (!this._examples) {
      const { bertOpinionExamples } = await loadGlassformer();
      this._examples = {
        train: bertOpinionExamples({ split: 0, count: 32, seed: 1 }).examples,
        test: bertOpinionExamples({ split: 1, count: 200, seed: 2 }).examples,
      };
    }
    if (!this._scratch) {
      const scratch = await (await runtimeOf(this)).loadBert(this._bytes);
      if (gone()) {
        scratch.dispose?.();
        return null;
      }
      this._scratch = scratch;
    }
    if ((this._history.at(-1)?.step ?? TUNE_STEPS) >= TUNE_STEPS) {
      this._resetHistory();
      this._tuned = false;
    }
    return { pre: this._model, scratch: this._scratch };
  }

  _isTrainee(models) { return models.pre === this._model && models.scratch === this._scratch; }

  /** A shared run's step, at most the race's last (the race ends there anyway). */
  get trainTo() {
    const step = super.trainTo;
    return step === null ? null : Math.min(step, TUNE_STEPS);
  }

  /** `steps` more steps for each classifier, then both tested on the 200 held-out opinions. */
  async _trainCall(models, steps) {
    const restart = this._history.length === 0;
    const point = {};
    for (const run of RUNS) {
      const r = await models[run.key].fineTune(this._examples.train, {
        steps, fromScratch: run.scratch, restart, evaluateOn: this._examples.test, seed: 1,
      });
      point.step = r.step;
      point[run.key] = r.accuracy;
      await yieldToBrowser();
      if (!this._isTrainee(models)) break;
    }
    return point;
  }

  _point(result) { return { ...result }; }

  async _afterCall({ step }, steps) {
    this._drawFineTune();
    const stop = this._atStop(step, steps); // a shared run's step (train-to) reached
    if (step < TUNE_STEPS) {
      this._say("ft-status", (t) => t.ftStep(step, TUNE_STEPS));
      return !stop;
    }
    const last = this._history.at(-1);
    const [pre, scratch] = [percent(last.pre, 0), percent(last.scratch, 0)];
    this._say("ft-status", (t) => t.ftDone(TUNE_STEPS, pre, scratch));
    this._tuned = true;
    return false;
  }

  /** Both runs' test accuracy over the steps, from a coin toss (50%) at step 0. */
  _drawFineTune() {
    const t = this._t;
    const points = [{ step: 0, pre: 0.5, scratch: 0.5 }, ...this._history];
    const svg = this._$("ft-chart");
    svg.innerHTML = lossCurve({
      points, series: RUNS.map(({ key }) => ({ key, cls: key, label: t.runs[key] })),
      yTicks: [0, 0.5, 1], yFormat: (a) => `${a * 100}%`, width: 360, height: 180, margin: [10, 8, 26, 36],
      xFrom: 0, xTo: TUNE_STEPS, xLabels: ["0", t.ftAxisEnd(TUNE_STEPS)],
    });
    const last = this._history.at(-1);
    svg.setAttribute("aria-label", t.ftChartLabel(RUNS.map(({ key }) => `${t.runs[key]} ${percent(last[key], 0)}%`).join(", ")));
    this._$("ft-table").querySelector("tbody").innerHTML = RUNS
      .map(({ key }) => `<tr><td>${t.runs[key]}</td><td>${last.step}</td><td>${percent(last[key])}%</td></tr>`).join("");
  }

  _classify() {
    return this._run("error", async (gone) => {
      if (!this._tuned) throw Object.assign(new Error(TEXT.en.needTune), { say: (t) => t.needTune });
      const text = this._$("classify-text").value;
      const [pre, scratch] = [this._model, this._scratch];
      const a = await pre.classify(text);
      if (gone()) return;
      const b = await scratch.classify(text);
      if (gone()) return;
      this._classified = { pre: a, scratch: b };
      this._drawClassified();
    });
  }

  _drawClassified() {
    const t = this._t;
    const say = (r) => t.verdict(t.labels[r.label], percent(r.probabilities.data[r.label], 0));
    this._$("classified").textContent = t.classified(say(this._classified.pre), say(this._classified.scratch));
  }
}

customElements.define("gf-bert-fill", GfBertFill);
