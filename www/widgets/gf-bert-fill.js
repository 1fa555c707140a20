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
// Attributes
//   checkpoint  URL of a saved BERT (default: www/models/bert.safetensors)
//   text        the fill-in sentence (default: the course's question)
//   seed        the masking seed (default 1)
//   lang        "en" | "zh" (default: the page's language)
//
// Removed from the page, the widget stops fine-tuning and frees both of its
// models; put back, it loads the checkpoint again.
//
// Events: "gf-update" when a panel has new results; "gf-idle" when a call
// (fill-in, masking, attention, fine-tuning…) has ended, or stopped because
// the widget left the page.

import { loadGlassformer } from "../runtime.js";
import { langOf, escapeHtml, BASE_STYLE, shareFooter, wireShare, runtimeOf } from "./common.js";
import { TEXT } from "./text/gf-bert-fill.js";
import { headsOf, heatmap, strongest } from "./heatmap.js";

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
/** The two fine-tuned classifiers: what each starts from, and its colour. */
const RUNS = [{ key: "pre", scratch: false, color: "#2f6fdf" }, { key: "scratch", scratch: true, color: "#d2691e" }];
const pause = () => new Promise((resolve) => setTimeout(resolve, 0));
const percent = (p, digits = 1) => (100 * p).toFixed(digits);


// BASE_STYLE (common.js) first, then what this widget adds or changes.
const STYLE = BASE_STYLE + `
  h4 { margin: 16px 0 4px; font-size: 1em; }
  p.note { margin: 2px 0 8px; color: var(--muted); font-size: .92em; }
  .controls { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 6px 0; }
  input[type=text] { flex: 1 1 320px; font: 14px/1.4 var(--gf-mono, ui-monospace, monospace); padding: 5px 8px; border: 1px solid var(--border); border-radius: 6px; }
  input[type=number] { width: 4.5em; }
  button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
  .guesses { display: flex; gap: 16px; flex-wrap: wrap; }
  .guesses figure { margin: 0; background: var(--panel); border-radius: 8px; padding: 8px 10px; min-width: 220px; flex: 1 1 220px; }
  .bar { display: grid; grid-template-columns: 7em 1fr 3.5em; gap: 6px; align-items: center; font-size: .92em; margin: 2px 0; }
  .bar .fill { height: 12px; background: var(--accent); border-radius: 3px; }
  .bar .token { font-family: var(--gf-mono, ui-monospace, monospace); text-align: right; overflow: hidden; text-overflow: ellipsis; }
  .bar .p { font-variant-numeric: tabular-nums; color: var(--muted); }
  figcaption { font-size: .86em; color: var(--muted); margin-bottom: 4px; }
  .chips { display: flex; flex-wrap: wrap; gap: 4px; margin: 6px 0; }
  .chip { font: 13px var(--gf-mono, ui-monospace, monospace); padding: 2px 6px; border-radius: 5px; border: 1px solid var(--border); background: #fff; }
  .chip .shown { display: block; font-size: 11px; color: var(--muted); }
  .chip[data-fate] { border-width: 2px; }
  .chip.seen { background: color-mix(in srgb, var(--accent) 22%, #fff); }
  .chip.hidden { opacity: .35; text-decoration: line-through; }
  .chip.focus { outline: 2px solid var(--gf-fg, #1d2430); }
  .legend { font-size: .86em; color: var(--muted); }
  .legend span { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 4px 0 10px; vertical-align: -1px; }
  .row-label { font-size: .88em; color: var(--muted); min-width: 10em; }
  svg text.tok { font: 11px ui-monospace, monospace; fill: var(--gf-fg, #1d2430); }
  svg .line { fill: none; stroke-width: 2; }
  svg .grid-line { stroke: var(--border); }
  table { border-collapse: collapse; font-size: .92em; margin: 6px 0; font-variant-numeric: tabular-nums; }
  th, td { padding: 3px 10px; border-bottom: 1px solid var(--border); text-align: right; }
  th:first-child, td:first-child { text-align: left; }
  .two { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px; align-items: start; }
  @media (max-width: 760px) { .two { grid-template-columns: 1fr; } }
  .error { color: var(--bad); background: #fdecea; border-radius: 6px; padding: 6px 10px; margin-top: 6px; }
`;

/** The sentences of the panels, before the student types their own. */
const DEFAULT_INPUTS = {
  "mask-text": "on saturday morning, the woman walked to the market to buy a bag of apples and then she went back home.",
  "att-text": "the woman went to the bakery to buy a loaf of bread.",
  "classify-text": "the cheese at the deli was sweet.",
};

class GfBertFill extends HTMLElement {
  static get observedAttributes() { return ["text", "seed", "checkpoint", "lang"]; }

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this._model = null;
    this._scratch = null;
    this._busy = false;
    this._focus = 0;
    this._ready = false; // the model is loaded: the buttons work
    // What the panels show is kept as data, so that a change of language can
    // draw it all again; messages are kept as functions of the text table.
    this._messages = {}; // data-role → (t) => string
    // Each connection to the page gets a number; work started under an
    // earlier one (the widget was removed meanwhile) stops when it sees it.
    this._life = 0;
  }

  connectedCallback() {
    if (this._built) return;
    this._built = true;
    this._life++;
    this._messages = { status: (t) => t.loading };
    this._render();
    this._start();
  }

  disconnectedCallback() {
    // Removed from the page: the fine-tuning loop and every other call check
    // _life and stop; both models are freed (a call in flight keeps its own
    // reference to the weights, so freeing now is safe).
    this._built = false;
    this._life++;
    this._busy = false;
    this._ready = false;
    this._tuned = false;
    this._model?.free?.();
    this._scratch?.free?.();
    this._model = this._scratch = null;
    // What came from the models goes with them; the sentences typed stay in the shadow DOM.
    this._info = this._filled = this._maskTokens = this._attention = this._directionTokens = this._runs = this._classified = null;
    this._messages = {};
  }

  attributeChangedCallback(name, old, value) {
    if (!this._built || old === value) return;
    if (name === "lang") { this._render(); } // the same state, in the other language
    if (name === "text") { this._$("fill-text").value = value ?? QUESTION; this._fill(); }
    if (name === "seed") { this._$("seed").value = value ?? 1; this._mask(); }
    if (name === "checkpoint") { this._start(); }
  }

  get _t() {
    return TEXT[langOf(this)];
  }

  _$(role) { return this.shadowRoot.querySelector(`[data-role="${role}"]`); }

  /**
   * Build the widget's DOM in the current language. Called on connection and
   * on every change of `lang`: the sentences typed and the pickers are
   * carried over, and every panel is drawn again from the kept results.
   */
  _render() {
    const lang = langOf(this);
    const t = TEXT[lang];
    const kept = {};
    for (const role of ["fill-text", "mask-text", "seed", "att-text", "classify-text", "layer", "head"]) {
      const element = this._$(role);
      if (element) kept[role] = element.value;
    }
    const legend = Object.entries(FATE_COLORS).map(([fate, color]) => `<span style="background:${color}"></span>${t.fates[fate]}`).join("");
    this.shadowRoot.innerHTML = `
      <style>${STYLE}</style>
      <div class="wrap">
        <h3>${t.title}</h3>
        <p class="note" data-role="about">${t.intro}</p>
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
        <div class="error" role="alert" data-role="error"></div>
        ${shareFooter(lang)}
      </div>`;
    this._$("fill-text").value = kept["fill-text"] ?? this.getAttribute("text") ?? QUESTION;
    this._$("seed").value = kept.seed ?? this.getAttribute("seed") ?? 1;
    for (const [role, text] of Object.entries(DEFAULT_INPUTS)) this._$(role).value = kept[role] ?? text;
    const on = (action, handler) => this.shadowRoot.querySelector(`[data-action="${action}"]`).addEventListener("click", handler);
    on("fill", () => this._fill());
    on("mask", () => { this._$("seed").value = Number(this._$("seed").value) + 1; this._mask(); });
    on("attend", () => this._attend());
    on("finetune", () => this._fineTune());
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
    wireShare(this, this.shadowRoot, lang);

    // Draw again every panel that has results.
    if (this._info) {
      this._showModel();
      if (kept.layer !== undefined) this._$("layer").value = kept.layer;
      if (kept.head !== undefined) this._$("head").value = kept.head;
    }
    if (this._ready) this._enableButtons();
    if (this._filled) this._drawGuesses();
    if (this._maskTokens) this._drawMask();
    if (this._attention) this._drawHeatmap();
    if (this._directionTokens) this._drawDirections();
    if (this._runs) this._drawFineTune();
    if (this._classified) this._drawClassified();
    this._paintMessages();
  }

  /** Set the text of the element `role` to `message` ((t) => string, or null), now and after each change of language. */
  _say(role, message) {
    this._messages[role] = message;
    this._$(role).textContent = message?.(this._t) ?? "";
  }

  _paintMessages() {
    const t = this._t;
    for (const role of ["status", "fill-error", "error", "ft-status"]) this._$(role).textContent = this._messages[role]?.(t) ?? "";
  }

  _enableButtons() {
    this.shadowRoot.querySelectorAll("button[data-action]").forEach((b) => { b.disabled = false; });
  }

  async _start() {
    const life = this._life;
    const gone = () => life !== this._life;
    try {
      const bytes = new Uint8Array(await (await fetch(this.getAttribute("checkpoint") ?? DEFAULT_CHECKPOINT)).arrayBuffer());
      const runtime = await runtimeOf(this);
      if (gone()) return;
      const model = await runtime.loadBert(bytes);
      if (gone()) {
        model.free?.(); // loaded for a widget that has left the page
        return;
      }
      this._bytes = bytes;
      this._model?.free?.();
      this._model = model;
      this._tuned = false; // a new encoder has no classifier yet
      const d = await model.describe();
      if (gone()) return;
      this._info = d;
      this._showModel();
      this._$("layer").value = d.layers - 1;
      this._ready = true;
      this._enableButtons();
      this._say("status", (t) => t.ready);
      await this._fill();
      await this._mask();
      await this._attend();
      await this._directions();
    } catch (error) {
      if (gone()) return;
      const message = error.message ?? String(error);
      this._say("status", null);
      this._say("error", (t) => t.loadError(message));
    }
  }

  /** The model's description and the layer and head pickers. */
  _showModel() {
    const d = this._info;
    this._$("about").textContent = this._t.about(d);
    const options = (n) => Array.from({ length: n }, (_, i) => `<option value="${i}">${i + 1}</option>`).join("");
    this._$("layer").innerHTML = options(d.layers);
    this._$("head").innerHTML = options(d.heads);
  }

  /**
   * Run `work(gone)` unless another call is running; report its error in
   * `errorRole`. `gone()` turns true once the widget has left the page: the
   * work checks it after each wait and stops.
   */
  async _run(errorRole, work) {
    if (!this._model || this._busy) return;
    const life = this._life;
    const gone = () => life !== this._life;
    this._busy = true;
    this._say(errorRole, null);
    try {
      await work(gone);
      if (!gone()) this.dispatchEvent(new CustomEvent("gf-update", { bubbles: true, composed: true }));
    } catch (error) {
      if (gone()) return;
      // The widget's own messages carry a translation (error.say); the runtime's are shown as they are.
      const message = error.message ?? String(error);
      this._say(errorRole, error.say ?? (() => message));
    } finally {
      if (!gone()) this._busy = false;
      // The call has ended: done, failed, or the widget left the page.
      this.dispatchEvent(new CustomEvent("gf-idle", { bubbles: true, composed: true }));
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

  _fineTune() {
    return this._run("error", async (gone) => {
      const { bertOpinionExamples } = await loadGlassformer();
      const train = bertOpinionExamples({ split: 0, count: 32, seed: 1 }).examples;
      const test = bertOpinionExamples({ split: 1, count: 200, seed: 2 }).examples;
      if (gone()) return;
      if (!this._scratch) {
        const scratch = await (await runtimeOf(this)).loadBert(this._bytes);
        if (gone()) {
          scratch.free?.();
          return;
        }
        this._scratch = scratch;
      }
      const models = { pre: this._model, scratch: this._scratch };
      const runs = RUNS.map((run) => ({ ...run, points: [] }));
      this._runs = runs;
      const total = 80, chunk = 10;
      for (let step = chunk; step <= total; step += chunk) {
        for (const run of runs) {
          const r = await models[run.key].fineTune(train, { steps: chunk, fromScratch: run.scratch, restart: step === chunk, evaluateOn: test, seed: 1 });
          if (gone()) return; // removed from the page: stop fine-tuning
          run.points.push({ step: r.step, accuracy: r.accuracy });
          this._say("ft-status", (t) => t.ftStep(step, total));
          this._drawFineTune();
          await pause();
          if (gone()) return;
        }
      }
      const [pre, scratch] = runs.map((r) => percent(r.points.at(-1).accuracy, 0));
      this._say("ft-status", (t) => t.ftDone(total, pre, scratch));
      this._tuned = true;
    });
  }

  _drawFineTune() {
    const t = this._t;
    const runs = this._runs;
    const W = 360, H = 180, L = 36, R = 8, T = 10, B = 26, steps = 80;
    const x = (s) => L + (s / steps) * (W - L - R), y = (a) => T + (1 - a) * (H - T - B);
    let svg = "";
    for (const a of [0, 0.5, 1]) svg += `<line class="grid-line" x1="${L}" x2="${W - R}" y1="${y(a)}" y2="${y(a)}"/><text x="${L - 4}" y="${y(a) + 4}" text-anchor="end">${a * 100}%</text>`;
    svg += `<text x="${(L + W) / 2}" y="${H - 4}" text-anchor="middle">${t.ftAxis}</text>`;
    for (const run of runs) {
      if (!run.points.length) continue;
      const d = [{ step: 0, accuracy: 0.5 }, ...run.points].map((p, i) => `${i ? "L" : "M"}${x(p.step).toFixed(1)},${y(p.accuracy).toFixed(1)}`).join("");
      svg += `<path class="line" d="${d}" stroke="${run.color}"/>`;
      const last = run.points.at(-1);
      svg += `<text x="${x(last.step) - 4}" y="${y(last.accuracy) - 6}" text-anchor="end" style="fill:${run.color}">${t.runs[run.key]}</text>`;
    }
    this._$("ft-chart").innerHTML = svg;
    this._$("ft-chart").setAttribute("aria-label", t.ftChartLabel(
      runs.map((r) => `${t.runs[r.key]} ${r.points.length ? percent(r.points.at(-1).accuracy, 0) + "%" : t.notStarted}`).join(", ")));
    this._$("ft-table").querySelector("tbody").innerHTML = runs.filter((r) => r.points.length)
      .map((r) => `<tr><td>${t.runs[r.key]}</td><td>${r.points.at(-1).step}</td><td>${percent(r.points.at(-1).accuracy)}%</td></tr>`).join("");
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
