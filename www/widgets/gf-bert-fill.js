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
//
// Events: "gf-update" when a panel has new results.

import { getRuntime, loadGlassformer } from "../runtime.js";

const DEFAULT_CHECKPOINT = new URL("../models/bert.safetensors", import.meta.url).href;
const QUESTION = "the man went to the [MASK] to buy a [MASK] of milk.";
const FATES = {
  "masked": ["[MASK]", "#2f6fdf"],
  "random": ["random token", "#d2691e"],
  "kept": ["kept, still predicted", "#2e7d32"],
  "not chosen": ["not chosen", "#c9d1de"],
  "special": ["special", "#8c96a6"],
};
const escapeHtml = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

const STYLE = `
  :host { display: block; font: var(--gf-font, 15px/1.45 system-ui, sans-serif); color: var(--gf-fg, #1d2430);
          --accent: var(--gf-accent, #2f6fdf); --muted: var(--gf-muted, #5b6575); --panel: var(--gf-panel, #f5f7fb);
          --border: var(--gf-border, #d5dbe6); --bad: var(--gf-bad, #b71c1c); }
  .wrap { border: 1px solid var(--border); border-radius: 10px; padding: 14px 16px; background: var(--gf-bg, #fff); }
  h3 { margin: 0 0 4px; font-size: 1.05em; }
  h4 { margin: 16px 0 4px; font-size: 1em; }
  p.note { margin: 2px 0 8px; color: var(--muted); font-size: .92em; }
  .controls { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 6px 0; }
  input[type=text] { flex: 1 1 320px; font: 14px/1.4 var(--gf-mono, ui-monospace, monospace); padding: 5px 8px; border: 1px solid var(--border); border-radius: 6px; }
  button, select, input[type=number] { font: inherit; padding: 4px 10px; border-radius: 6px; border: 1px solid var(--border); background: var(--panel); }
  input[type=number] { width: 4.5em; }
  button { cursor: pointer; }
  button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
  button:disabled { opacity: .55; cursor: default; }
  :is(button, input, select, .chip[tabindex]):focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
  .status { color: var(--muted); font-size: .9em; }
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
  svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
  svg text.tok { font: 11px ui-monospace, monospace; fill: var(--gf-fg, #1d2430); }
  svg .line { fill: none; stroke-width: 2; }
  svg .grid-line { stroke: var(--border); }
  table { border-collapse: collapse; font-size: .92em; margin: 6px 0; font-variant-numeric: tabular-nums; }
  th, td { padding: 3px 10px; border-bottom: 1px solid var(--border); text-align: right; }
  th:first-child, td:first-child { text-align: left; }
  .two { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px; align-items: start; }
  @media (max-width: 760px) { .two { grid-template-columns: 1fr; } }
  .error { color: var(--bad); background: #fdecea; border-radius: 6px; padding: 6px 10px; margin-top: 6px; }
  .error:empty { display: none; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

class GfBertFill extends HTMLElement {
  static get observedAttributes() { return ["text", "seed", "checkpoint"]; }

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this._model = null;
    this._busy = false;
    this._focus = 0;
  }

  connectedCallback() {
    if (this._built) return;
    this._built = true;
    this._render();
    this._start();
  }

  disconnectedCallback() {
    this._built = false;
    this._stop = true;
    const models = [this._model, this._scratch];
    this._model = this._scratch = null;
    queueMicrotask(() => models.forEach((m) => m?.free?.()));
  }

  attributeChangedCallback(name, old, value) {
    if (!this._built || old === value) return;
    if (name === "text") { this._$("fill-text").value = value ?? QUESTION; this._fill(); }
    if (name === "seed") { this._$("seed").value = value ?? 1; this._mask(); }
    if (name === "checkpoint") { this._start(); }
  }

  _$(role) { return this.shadowRoot.querySelector(`[data-role="${role}"]`); }

  _render() {
    const legend = Object.entries(FATES).map(([, [label, color]]) => `<span style="background:${color}"></span>${label}`).join("");
    this.shadowRoot.innerHTML = `
      <style>${STYLE}</style>
      <div class="wrap">
        <h3>BERT: fill in the blanks</h3>
        <p class="note" data-role="about">A 4-layer BERT pre-trained on everyday stories (errands, shops, food, weather).</p>
        <div class="controls">
          <label class="sr-only" for="fill-text">sentence with [MASK]</label>
          <input type="text" id="fill-text" data-role="fill-text" spellcheck="false">
          <button class="primary" data-action="fill" disabled>Fill in</button>
          <span class="status" role="status" aria-live="polite" data-role="status">Loading the model…</span>
        </div>
        <div class="guesses" data-role="guesses"></div>
        <div class="error" role="alert" data-role="fill-error"></div>

        <h4>Masking the BERT way</h4>
        <p class="note">15% of the tokens are chosen for prediction; of those, 80% are replaced by [MASK], 10% by a random token and 10% are left as they are. The model must recover every chosen token.</p>
        <div class="controls">
          <label class="sr-only" for="mask-text">sentence to mask</label>
          <input type="text" id="mask-text" data-role="mask-text" spellcheck="false" value="on saturday morning, the woman walked to the market to buy a bag of apples and then she went back home.">
          <label>seed <input type="number" min="0" step="1" data-role="seed"></label>
          <button data-action="mask" disabled>Mask again</button>
        </div>
        <div class="chips" data-role="masked" aria-label="the tokens and their fates"></div>
        <div class="legend">${legend}</div>

        <h4>Attention</h4>
        <div class="controls">
          <label class="sr-only" for="att-text">sentence for attention</label>
          <input type="text" id="att-text" data-role="att-text" spellcheck="false" value="the woman went to the bakery to buy a loaf of bread.">
          <label>layer <select data-role="layer"></select></label>
          <label>head <select data-role="head"></select></label>
          <button data-action="attend" disabled>Show</button>
        </div>
        <figure style="margin:0">
          <svg data-role="heatmap" role="img" width="100%" aria-label="attention heatmap"></svg>
          <figcaption data-role="heatmap-caption">Row: the token that looks; column: the token it looks at; darker = more weight.</figcaption>
        </figure>

        <h4>Both directions (BERT) or one (GPT)</h4>
        <p class="note">Pick a position (click, or the arrow keys): highlighted tokens are the ones it may attend to.</p>
        <div class="controls"><span class="row-label">BERT (bidirectional)</span><div class="chips" data-role="bert-view" role="listbox" tabindex="0" aria-label="positions; arrow keys move"></div></div>
        <div class="controls"><span class="row-label">GPT (causal mask)</span><div class="chips" data-role="gpt-view"></div></div>
        <p class="status" data-role="direction-caption"></p>

        <h4>Pre-training pays: fine-tuning with few labels</h4>
        <p class="note">A classifier on [CLS] learns "good" or "bad" from <strong>32 labelled opinions</strong> ("the bread was fresh.") that use half of the opinion words. It is tested on 200 opinions that use only the <em>other</em> half ("the eggs were excellent."). Same architecture, same labels, same steps — once on the pre-trained encoder, once on random weights.</p>
        <div class="controls">
          <button class="primary" data-action="finetune" disabled>Fine-tune both</button>
          <span class="status" data-role="ft-status"></span>
        </div>
        <div class="two">
          <svg data-role="ft-chart" viewBox="0 0 360 180" width="100%" role="img" aria-label="test accuracy while fine-tuning"></svg>
          <table data-role="ft-table" aria-label="accuracy on the 200 test opinions">
            <thead><tr><th scope="col">encoder</th><th scope="col">step</th><th scope="col">test accuracy</th></tr></thead>
            <tbody></tbody>
          </table>
        </div>
        <div class="controls">
          <label class="sr-only" for="classify-text">sentence to classify</label>
          <input type="text" id="classify-text" data-role="classify-text" spellcheck="false" value="the cheese at the deli was sweet.">
          <button data-action="classify" disabled>Classify with both</button>
        </div>
        <p class="status" data-role="classified" aria-live="polite"></p>
        <div class="error" role="alert" data-role="error"></div>
      </div>`;
    this._$("fill-text").value = this.getAttribute("text") ?? QUESTION;
    this._$("seed").value = this.getAttribute("seed") ?? 1;
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
      if (step === undefined) return;
      e.preventDefault();
      this._focus = Math.max(0, Math.min(this._directionTokens.length - 1, this._focus + step));
      this._drawDirections();
    });
  }

  async _start() {
    const status = this._$("status");
    try {
      this._bytes = new Uint8Array(await (await fetch(this.getAttribute("checkpoint") ?? DEFAULT_CHECKPOINT)).arrayBuffer());
      const runtime = await getRuntime();
      this._model?.free?.();
      this._model = await runtime.loadBert(this._bytes);
      const d = await this._model.describe();
      this._$("about").textContent = `A ${d.layers}-layer BERT (d_model ${d.dModel}, ${d.heads} heads, ${d.parameters.toLocaleString("en")} parameters, a WordPiece vocabulary of ${d.vocabularySize}) pre-trained for ${d.step.toLocaleString("en")} steps on everyday stories: errands, shops, food, weather.`;
      const options = (n) => Array.from({ length: n }, (_, i) => `<option value="${i}">${i + 1}</option>`).join("");
      this._$("layer").innerHTML = options(d.layers);
      this._$("head").innerHTML = options(d.heads);
      this._$("layer").value = d.layers - 1;
      this.shadowRoot.querySelectorAll("button").forEach((b) => { b.disabled = false; });
      status.textContent = "Ready.";
      await this._fill();
      await this._mask();
      await this._attend();
      await this._directions();
    } catch (error) {
      status.textContent = "";
      this._$("error").textContent = `Could not load the BERT: ${error.message ?? error}`;
    }
  }

  /** Run `work` unless another call is running; report its error in `errorRole`. */
  async _run(errorRole, work) {
    if (!this._model || this._busy) return;
    this._busy = true;
    this._$(errorRole).textContent = "";
    try {
      await work();
      this.dispatchEvent(new CustomEvent("gf-update", { bubbles: true, composed: true }));
    } catch (error) {
      this._$(errorRole).textContent = error.message ?? String(error);
    } finally {
      this._busy = false;
    }
  }

  _fill() {
    return this._run("fill-error", async () => {
      const text = this._$("fill-text").value;
      const filled = await this._model.fillMask(text, { topK: 5 });
      this._$("guesses").innerHTML = filled.map((guesses, i) => `
        <figure>
          <figcaption>[MASK] ${i + 1}</figcaption>
          ${guesses.map((g) => `<div class="bar" role="img" aria-label="${escapeHtml(g.token)}: ${(100 * g.probability).toFixed(1)}%">
            <span class="token">${escapeHtml(g.token)}</span>
            <span><span class="fill" style="display:block;width:${(100 * g.probability).toFixed(1)}%"></span></span>
            <span class="p">${(100 * g.probability).toFixed(1)}%</span></div>`).join("")}
        </figure>`).join("");
      this._$("status").textContent = `${filled.length} blank${filled.length === 1 ? "" : "s"} filled.`;
    });
  }

  _mask() {
    return this._run("error", async () => {
      const tokens = await this._model.maskExample(this._$("mask-text").value, { seed: Number(this._$("seed").value) || 0 });
      this._$("masked").innerHTML = tokens.map((t) => {
        const [label, color] = FATES[t.fate];
        const shown = t.fate === "masked" || t.fate === "random" ? `<span class="shown">→ ${escapeHtml(t.shown)}</span>` : "";
        return `<span class="chip" data-fate="${t.fate}" style="border-color:${color}" title="${escapeHtml(t.token)}: ${label}">${escapeHtml(t.token)}${shown}</span>`;
      }).join("");
      const chosen = tokens.filter((t) => !["not chosen", "special"].includes(t.fate)).length;
      const words = tokens.filter((t) => t.fate !== "special").length;
      this._$("masked").setAttribute("aria-label", `${chosen} of ${words} tokens chosen: ` +
        tokens.filter((t) => !["not chosen", "special"].includes(t.fate)).map((t) => `${t.token} (${FATES[t.fate][0]})`).join(", "));
    });
  }

  _attend() {
    return this._run("error", async () => {
      this._attention = await this._model.attention(this._$("att-text").value);
      this._drawHeatmap();
    });
  }

  _drawHeatmap() {
    const a = this._attention;
    if (!a) return;
    const layer = Number(this._$("layer").value), head = Number(this._$("head").value);
    const w = a.layers[layer][head], n = a.tokens.length;
    const cell = Math.max(12, Math.min(26, Math.floor(420 / n))), left = 90, top = 80;
    const size = left + n * cell + 10;
    let cells = "";
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const v = w[r * n + c];
        cells += `<rect x="${left + c * cell}" y="${top + r * cell}" width="${cell}" height="${cell}" fill="rgb(47,111,223)" fill-opacity="${v.toFixed(3)}"><title>${escapeHtml(a.tokens[r])} → ${escapeHtml(a.tokens[c])}: ${v.toFixed(3)}</title></rect>`;
      }
    }
    const rows = a.tokens.map((t, i) => `<text class="tok" x="${left - 4}" y="${top + i * cell + cell * 0.7}" text-anchor="end">${escapeHtml(t)}</text>`).join("");
    const cols = a.tokens.map((t, i) => `<text class="tok" transform="translate(${left + i * cell + cell * 0.7},${top - 4}) rotate(-60)">${escapeHtml(t)}</text>`).join("");
    const svg = this._$("heatmap");
    svg.setAttribute("viewBox", `0 0 ${size} ${top + n * cell + 10}`);
    svg.style.maxWidth = `${size * 1.4}px`;
    svg.innerHTML = cells + rows + cols;
    // Text alternative: where each token looks most.
    const strongest = a.tokens.map((t, r) => {
      let best = 0;
      for (let c = 1; c < n; c++) if (w[r * n + c] > w[r * n + best]) best = c;
      return `${t} → ${a.tokens[best]}`;
    });
    svg.setAttribute("aria-label", `layer ${layer + 1}, head ${head + 1}; strongest link per token: ${strongest.join(", ")}`);
    this._$("heatmap-caption").textContent = `Layer ${layer + 1}, head ${head + 1}. Row: the token that looks; column: the token it looks at; darker = more weight. Every row also sees the tokens after it: there is no causal mask.`;
  }

  async _directions() {
    this._directionTokens = await this._model.tokenize("open a bank account");
    this._focus = Math.min(this._focus, this._directionTokens.length - 1);
    this._drawDirections();
  }

  _drawDirections() {
    const tokens = this._directionTokens, f = this._focus;
    const chips = (causal) => tokens.map((t, i) => {
      const seen = !causal || i <= f;
      return `<span class="chip ${seen ? "seen" : "hidden"} ${i === f ? "focus" : ""}" data-index="${i}" role="option" aria-selected="${i === f}">${escapeHtml(t)}</span>`;
    }).join("");
    this._$("bert-view").innerHTML = chips(false);
    this._$("gpt-view").innerHTML = chips(true);
    for (const chip of this._$("bert-view").querySelectorAll(".chip")) {
      chip.addEventListener("click", () => { this._focus = Number(chip.dataset.index); this._drawDirections(); });
    }
    const after = tokens.slice(f + 1);
    this._$("direction-caption").textContent = `“${tokens[f]}” sees all ${tokens.length} tokens in BERT; in GPT it sees ${f + 1}` +
      (after.length ? `, not “${after.join(" ")}”.` : " (it is the last).");
  }

  _fineTune() {
    return this._run("error", async () => {
      const { bertOpinionExamples } = await loadGlassformer();
      const train = bertOpinionExamples(0, 32, 1).examples, test = bertOpinionExamples(1, 200, 2).examples;
      if (!this._scratch) this._scratch = await (await getRuntime()).loadBert(this._bytes);
      const runs = [{ name: "pre-trained", model: this._model, scratch: false, color: "#2f6fdf", points: [] },
                    { name: "from scratch", model: this._scratch, scratch: true, color: "#d2691e", points: [] }];
      const status = this._$("ft-status"), total = 80, chunk = 10;
      this._stop = false;
      for (let step = chunk; step <= total && !this._stop; step += chunk) {
        for (const run of runs) {
          const r = await run.model.fineTune(train, { steps: chunk, fromScratch: run.scratch, restart: step === chunk, evaluateOn: test, seed: 1 });
          run.points.push({ step: r.step, accuracy: r.accuracy });
          status.textContent = `step ${step} of ${total}…`;
          this._drawFineTune(runs);
          await pause();
        }
      }
      const [pre, scratch] = runs.map((r) => r.points.at(-1).accuracy);
      status.textContent = `After ${total} steps: ${(100 * pre).toFixed(0)}% right with pre-training, ${(100 * scratch).toFixed(0)}% from scratch.`;
      this._tuned = true;
    });
  }

  _drawFineTune(runs) {
    const W = 360, H = 180, L = 36, R = 8, T = 10, B = 26, steps = 80;
    const x = (s) => L + (s / steps) * (W - L - R), y = (a) => T + (1 - a) * (H - T - B);
    let svg = "";
    for (const a of [0, 0.5, 1]) svg += `<line class="grid-line" x1="${L}" x2="${W - R}" y1="${y(a)}" y2="${y(a)}"/><text x="${L - 4}" y="${y(a) + 4}" text-anchor="end">${a * 100}%</text>`;
    svg += `<text x="${(L + W) / 2}" y="${H - 4}" text-anchor="middle">fine-tuning steps</text>`;
    for (const run of runs) {
      if (!run.points.length) continue;
      const d = [{ step: 0, accuracy: 0.5 }, ...run.points].map((p, i) => `${i ? "L" : "M"}${x(p.step).toFixed(1)},${y(p.accuracy).toFixed(1)}`).join("");
      svg += `<path class="line" d="${d}" stroke="${run.color}"/>`;
      const last = run.points.at(-1);
      svg += `<text x="${x(last.step) - 4}" y="${y(last.accuracy) - 6}" text-anchor="end" style="fill:${run.color}">${run.name}</text>`;
    }
    this._$("ft-chart").innerHTML = svg;
    this._$("ft-chart").setAttribute("aria-label", "test accuracy while fine-tuning: " +
      runs.map((r) => `${r.name} ${r.points.length ? (100 * r.points.at(-1).accuracy).toFixed(0) + "%" : "not started"}`).join(", "));
    this._$("ft-table").querySelector("tbody").innerHTML = runs.filter((r) => r.points.length)
      .map((r) => `<tr><td>${r.name}</td><td>${r.points.at(-1).step}</td><td>${(100 * r.points.at(-1).accuracy).toFixed(1)}%</td></tr>`).join("");
  }

  _classify() {
    return this._run("error", async () => {
      if (!this._tuned) throw new Error("Fine-tune both first: the classifiers do not exist yet.");
      const text = this._$("classify-text").value;
      const labels = ["bad", "good"];
      const [a, b] = [await this._model.classify(text), await this._scratch.classify(text)];
      const say = (r) => `${labels[r.label]} (${(100 * r.probabilities[r.label]).toFixed(0)}%)`;
      this._$("classified").textContent = `pre-trained: ${say(a)} · from scratch: ${say(b)}`;
    });
  }
}

customElements.define("gf-bert-fill", GfBertFill);
