// <gf-attention-steps>: self-attention on a short phrase, one step at a time.
//
//   embeddings x ─┬─ x·W_Q → q ─┐
//                 ├─ x·W_K → k ─┴─ q·k → ÷√d_k → softmax → weights ─┐
//                 └─ x·W_V → v ──────────────────────────────────────┴─ Σ weight·v → z
//
// Every number shown is computed by the glassformer kernels (runtime.matmul
// and runtime.attention), not by JavaScript arithmetic. The embeddings and
// the three weight matrices are editable; each edit recomputes every step.
//
// Attributes
//   tokens   the phrase, split on spaces (default "Thinking Machines", at most 8 words)
//   d-model  width of the embeddings (default 4)
//   d-k      width of q, k and v (default 4)
//   seed     if set, start from small random integers drawn from this seed
//            instead of the course's worked example
//   x, wq, wk, wv
//            the numbers themselves, rows separated by ";" (x="1 0 1 0; 0 1 0 1");
//            a student's edits are written back here, so "Copy snippet" and
//            "Copy link" keep them
//   lang     "en" | "zh" (default: the page's language)
//
// Events: "gf-update" after every recomputation, with the results in
// event.detail (also readable as element.result).

import { backendLabel } from "../runtime.js";
import { escapeHtml, BASE_STYLE, runtimeOf, GfWidget } from "./common.js";

const WORKED_EXAMPLE = {
  // Two tokens, d_model = d_k = 4; each x picks two rows of every W.
  x: [[1, 0, 1, 0], [0, 1, 0, 1]],
  wq: [[1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0], [0, 0, 1, 1]],
  wk: [[1, 1, 0, 0], [1, 0, 0, 1], [0, 1, 1, 0], [0, 0, 1, 1]],
  wv: [[1, 2, 0, 0], [0, 0, 1, 2], [2, 0, 0, 1], [0, 1, 2, 0]],
};

const SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉";
const sub = (n) => String(n).split("").map((d) => SUBSCRIPTS[d]).join("");

/** Round for display; the exact value stays in a data-value attribute. */
const fmt = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(4).replace(/0+$/, "").replace(/\.$/, ""));

/** A small seeded generator (mulberry32) for reproducible starting values. */
function seededIntegers(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return Math.floor(r * 4) - 1; // one of −1, 0, 1, 2
  };
}

// Every word the widget shows, in English and in Chinese. Strings that hold
// numbers are functions; the ones marked (HTML) may contain markup.
const TEXT = {
  en: {
    group: "Self-attention, step by step",
    title: (phrase) => `Self-attention on “${phrase}”`,
    note: (dModel, dK) => `Edit any number: every step below is recomputed by the glassformer kernels.
          Rows are tokens; <i>d</i><sub>model</sub> = ${dModel}, <i>d<sub>k</sub></i> = ${dK}.`, // (HTML)
    embeddings: "Embeddings x",
    cell: (caption, row, column) => `${caption} row ${row}, column ${column}`,
    reset: "Reset",
    randomise: "Random integers",
    loading: "Loading the kernels…",
    step: (n) => `Step ${n}. `,
    // Step headings (HTML).
    project: "Project each embedding: q = x·W<sub>Q</sub>, k = x·W<sub>K</sub>, v = x·W<sub>V</sub>",
    score: "Score every pair: q<sub>i</sub> · k<sub>j</sub>",
    scale: (dK, root) => `Scale by √d<sub>k</sub> = √${dK} = ${root}`,
    softmax: "Softmax each row into attention weights",
    sum: "Weighted sum of the values: z<sub>i</sub> = Σ<sub>j</sub> weight<sub>ij</sub> · v<sub>j</sub>",
    output: "z (output)",
    computed: (backend) => `Computed by the ${backend} kernels.`,
    error: "Could not compute: ",
    share: (percent, token) => `${percent}% of ${token}'s attention`,
    dots: (terms, total) => `e.g. q₁·k₁ = ${terms} = ${total}`,
    weights: (token, percent) => `weight = e^score / Σ e^score along each row: “${token}” gives ${percent}% of its attention to itself.`,
  },
  zh: {
    group: "自注意力，逐步计算",
    title: (phrase) => `“${phrase}”上的自注意力`,
    note: (dModel, dK) => `修改任意一个数字，下面的每一步都会由 glassformer 的内核重新计算。
          每一行是一个词元；<i>d</i><sub>model</sub> = ${dModel}，<i>d<sub>k</sub></i> = ${dK}。`,
    embeddings: "嵌入向量 x",
    cell: (caption, row, column) => `${caption}：第 ${row} 行，第 ${column} 列`,
    reset: "重置",
    randomise: "随机整数",
    loading: "正在加载内核…",
    step: (n) => `第 ${n} 步：`,
    project: "把每个嵌入向量投影为查询、键和值：q = x·W<sub>Q</sub>，k = x·W<sub>K</sub>，v = x·W<sub>V</sub>",
    score: "为每一对词元打分：q<sub>i</sub> · k<sub>j</sub>",
    scale: (dK, root) => `除以 √d<sub>k</sub> = √${dK} = ${root} 进行缩放`,
    softmax: "对每一行做 softmax，得到注意力权重",
    sum: "对值向量加权求和：z<sub>i</sub> = Σ<sub>j</sub> 权重<sub>ij</sub> · v<sub>j</sub>",
    output: "z（输出）",
    computed: (backend) => `由 ${backend} 内核计算。`,
    error: "无法计算：",
    share: (percent, token) => `“${token}”的注意力中有 ${percent}% 落在这里`,
    dots: (terms, total) => `例如 q₁·k₁ = ${terms} = ${total}`,
    weights: (token, percent) => `权重 = e^分数 / 该行所有 e^分数之和：“${token}”把 ${percent}% 的注意力给了它自己。`,
  },
};

// BASE_STYLE (common.js) comes first; what follows is this widget's own look.
// The matrices use the class "steps-matrix", not BASE_STYLE's "matrix" (a
// bordered, monospaced table for read-only numbers): these hold inputs.
const STYLE = BASE_STYLE + `
  p.note { margin: 2px 0 10px; color: var(--muted); font-size: .92em; }
  .row { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-start; }
  .steps-matrix { background: var(--panel); border-radius: 8px; padding: 8px 10px; border-collapse: collapse; }
  .steps-matrix caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: 4px; white-space: nowrap; }
  .steps-matrix th { font-weight: 500; color: var(--muted); padding: 2px 6px; text-align: right; font-size: .9em; white-space: nowrap; }
  .steps-matrix td { padding: 2px 4px; text-align: right; font-variant-numeric: tabular-nums; min-width: 3.2em; }
  input[type=number] { width: 3.6em; font: inherit; text-align: right; padding: 2px 3px; border: 1px solid var(--border); border-radius: 4px; background: var(--gf-bg, #fff); }
  input[aria-invalid="true"] { border-color: #c62828; background: #fdecea; }
  ol.steps { list-style: none; padding: 0; margin: 14px 0 0; }
  ol.steps > li { border-top: 1px solid var(--border); padding: 10px 0; }
  ol.steps > li > h4 { margin: 0 0 6px; font-size: 1em; }
  ol.steps > li > h4 .step { color: var(--accent); }
  td.weight { position: relative; }
  td.weight span.bar { position: absolute; left: 0; bottom: 1px; height: 3px; background: var(--accent); border-radius: 2px; }
  .formula { font-family: var(--gf-mono, ui-monospace, monospace); font-size: .92em; color: var(--muted); margin: 4px 0 0; }
  .controls { display: flex; gap: 8px; margin-top: 10px; align-items: center; flex-wrap: wrap; }
  .status { color: var(--muted); font-size: .88em; }
  .error { color: #b71c1c; background: #fdecea; border-radius: 6px; padding: 6px 10px; margin-top: 8px; }
`;

/** The editable matrices, each also an attribute. */
const MATRICES = ["x", "wq", "wk", "wv"];

/** A matrix as an attribute value: numbers separated by spaces, rows by ";". */
const spell = (m) => m.map((row) => row.join(" ")).join("; ");

/** The matrix an attribute value spells, if it holds rows × cols finite numbers; else null. */
function parseMatrix(text, rows, cols) {
  if (text === null) return null;
  const m = text.split(";").map((row) => row.trim().split(/[\s,]+/).filter(Boolean).map(Number));
  return m.length === rows && m.every((row) => row.length === cols && row.every(Number.isFinite)) ? m : null;
}

class GfAttentionSteps extends GfWidget {
  static observedAttributes = ["tokens", "d-model", "d-k", "seed", ...MATRICES, "lang"];
  static TEXT = TEXT;
  static STYLE = STYLE;

  constructor() {
    super();
    this.result = null;
    this._values = null; // the numbers in the editors: { x, wq, wk, wv }
    this._generation = 0; // drops results of edits that were overtaken
  }

  _start() {
    // Put (back) on the page: the student's numbers, if any, are kept and computed again.
    if (!this.result) this.setAttribute("data-state", "loading");
    this._say("status", "loading");
    this._recompute();
  }

  _stop() {
    // Nothing here holds a model or a timer (the runtime is the page's, shared
    // by every widget); a computation still in flight is simply dropped.
    this._generation++;
  }

  attributeChangedCallback(name, old, value) {
    if (old === value || this._writingBack) return;
    // Changed while away from the page: start from the new attributes when it comes back.
    if (!this.isConnected && name !== "lang") this._values = null;
    super.attributeChangedCallback(name, old, value);
  }

  /** New tokens, sizes, seed or numbers: start from them. */
  _changed(name) {
    // The numbers written for the old tokens or sizes no longer apply.
    if (!MATRICES.includes(name)) this._forgetNumbers();
    this._reset();
  }

  /** Same numbers, same results; only the words change. */
  _redraw() {
    if (this.result) this._show();
  }

  /** Remove the x/wq/wk/wv attributes (without reacting to our own change). */
  _forgetNumbers() {
    this._writingBack = true;
    MATRICES.forEach((m) => this.removeAttribute(m));
    this._writingBack = false;
  }

  get tokens() {
    const words = (this.getAttribute("tokens") || "Thinking Machines").trim().split(/\s+/).filter(Boolean);
    return words.slice(0, 8);
  }

  _dims() {
    const positive = (name, fallback) => {
      const v = parseInt(this.getAttribute(name) ?? "", 10);
      return Number.isFinite(v) && v >= 1 && v <= 16 ? v : fallback;
    };
    return { dModel: positive("d-model", 4), dK: positive("d-k", 4) };
  }

  /** Starting values: the worked example, or seeded random integers. */
  _initialValues() {
    const T = this.tokens.length;
    const { dModel, dK } = this._dims();
    const seed = this.getAttribute("seed");
    if (seed === null && T === 2 && dModel === 4 && dK === 4) {
      return structuredClone(WORKED_EXAMPLE);
    }
    const next = seededIntegers(parseInt(seed ?? "0", 10) || 0);
    const matrix = (rows, cols) => Array.from({ length: rows }, () => Array.from({ length: cols }, next));
    return { x: matrix(T, dModel), wq: matrix(dModel, dK), wk: matrix(dModel, dK), wv: matrix(dModel, dK) };
  }

  /** The starting values with any matrix given as an attribute (of the right shape) in place. */
  _startingValues() {
    const values = this._initialValues();
    const T = this.tokens.length;
    const { dModel, dK } = this._dims();
    const shapes = { x: [T, dModel], wq: [dModel, dK], wk: [dModel, dK], wv: [dModel, dK] };
    for (const name of MATRICES) {
      const given = parseMatrix(this.getAttribute(name), ...shapes[name]);
      if (given) values[name] = given;
    }
    return values;
  }

  _reset() {
    this._values = null; // the panel takes the starting values
    this.result = null;
    this._clearError();
    this._render();
    this._start();
  }

  // The panel: title and note, the four editors, the buttons and the five steps.
  _title(t) { return t.title(this.tokens.map(escapeHtml).join(" ")); }
  _note(t) { const { dModel, dK } = this._dims(); return t.note(dModel, dK); }
  _wrapAttributes(t) { return ` role="group" aria-label="${t.group}"`; }

  _body(t) {
    this._values ??= this._startingValues();
    const tokens = this.tokens.map(escapeHtml); // the phrase is the author's text: escape it before it becomes HTML
    const { dModel, dK } = this._dims();
    const xLabels = tokens.map((w, i) => `x${sub(i + 1)} ${w}`);
    const inLabels = Array.from({ length: dModel }, (_, i) => `${i + 1}`);
    const outLabels = Array.from({ length: dK }, (_, i) => `${i + 1}`);
    const tokenLabels = (letter) => tokens.map((w, i) => `${letter}${sub(i + 1)} ${w}`);
    const keys = tokens.map((_, j) => `k${sub(j + 1)}`);
    const heading = (n, html) => `<h4><span class="step">${t.step(n)}</span>${html}</h4>`;
    return `
        <div class="row">
          ${this._editor("x", t.embeddings, xLabels, inLabels)}
          ${this._editor("wq", "W_Q", inLabels, outLabels)}
          ${this._editor("wk", "W_K", inLabels, outLabels)}
          ${this._editor("wv", "W_V", inLabels, outLabels)}
        </div>
        <div class="controls">
          <button type="button" data-action="example">${t.reset}</button>
          <button type="button" data-action="randomise">${t.randomise}</button>
          <span class="status" role="status" aria-live="polite" data-role="status"></span>
        </div>
        <div class="error" role="alert" data-role="error"></div>
        <ol class="steps">
          <li>${heading(1, t.project)}
            <div class="row">${[["q", "q = x·W_Q"], ["k", "k = x·W_K"], ["v", "v = x·W_V"]].map(([l, caption]) => this._output(l, caption, tokenLabels(l), outLabels)).join("")}</div>
          </li>
          <li>${heading(2, t.score)}
            <div class="row">${this._output("dots", "q·k", tokenLabels("q"), keys)}</div>
            <p class="formula" data-explain="dots"></p>
          </li>
          <li>${heading(3, t.scale(dK, fmt(Math.sqrt(dK))))}
            <div class="row">${this._output("scores", "q·k / √d_k", tokenLabels("q"), keys)}</div>
          </li>
          <li>${heading(4, t.softmax)}
            <div class="row">${this._output("weights", "softmax", tokenLabels("q"), tokens, "weight")}</div>
            <p class="formula" data-explain="weights"></p>
          </li>
          <li>${heading(5, t.sum)}
            <div class="row">${this._output("z", t.output, tokens.map((w, i) => `z${sub(i + 1)} ${w}`), outLabels)}</div>
            <p class="formula" data-explain="z"></p>
          </li>
        </ol>`;
  }

  _wire() {
    this.shadowRoot.querySelectorAll("input").forEach((input) => input.addEventListener("input", () => this._onEdit(input)));
    this._button("example").addEventListener("click", () => {
      this._forgetNumbers();
      this.removeAttribute("seed");
      this._reset();
    });
    this._button("randomise").addEventListener("click", () => {
      this._forgetNumbers();
      const current = parseInt(this.getAttribute("seed") ?? "0", 10) || 0;
      this.setAttribute("seed", String(current + 1)); // attributeChangedCallback resets
    });
  }

  /** An editable matrix: one number input per entry (a cleared or invalid entry stays marked). */
  _editor(name, caption, rowLabels, colLabels) {
    const t = this._t;
    const m = this._values[name];
    const body = rowLabels.map((rl, r) => `<tr><th scope="row">${rl}</th>${colLabels.map((cl, c) => {
      const valid = Number.isFinite(m[r][c]);
      return `<td><input type="number" step="0.1" data-m="${name}" data-r="${r}" data-c="${c}" value="${valid ? m[r][c] : ""}"
         aria-invalid="${!valid}" aria-label="${t.cell(caption, rl, cl)}"></td>`; // the labels are already escaped HTML
    }).join("")}</tr>`).join("");
    return `<table class="steps-matrix"><caption>${caption.replace(/_(\w)/, "<sub>$1</sub>")}</caption>
      <thead><tr><td></td>${colLabels.map((c) => `<th scope="col">${c}</th>`).join("")}</tr></thead><tbody>${body}</tbody></table>`;
  }

  /** A result matrix, filled in by _show. */
  _output(name, caption, rowLabels, colLabels, cellClass = "") {
    const body = rowLabels.map((rl, r) => `<tr><th scope="row">${rl}</th>${colLabels.map((_, c) =>
      `<td class="${cellClass}" data-out="${name}" data-r="${r}" data-c="${c}">…</td>`).join("")}</tr>`).join("");
    return `<table class="steps-matrix"><caption>${caption.replace(/_(\w)/, "<sub>$1</sub>")}</caption>
      <thead><tr><td></td>${colLabels.map((c) => `<th scope="col">${c}</th>`).join("")}</tr></thead><tbody>${body}</tbody></table>`;
  }

  _onEdit(input) {
    const value = input.value.trim() === "" ? NaN : Number(input.value);
    input.setAttribute("aria-invalid", String(!Number.isFinite(value)));
    const name = input.dataset.m;
    this._values[name][input.dataset.r][input.dataset.c] = value;
    // Write the edit back into the attribute (once the matrix is all numbers), so a copied snippet or link keeps it.
    if (this._values[name].every((row) => row.every(Number.isFinite))) {
      this._writingBack = true;
      this.setAttribute(name, spell(this._values[name]));
      this._writingBack = false;
    }
    this._recompute();
  }

  async _recompute() {
    const generation = ++this._generation;
    const T = this.tokens.length;
    const { dModel, dK } = this._dims();
    const flat = (m) => new Float32Array(m.flat());
    try {
      const rt = await runtimeOf(this);
      const shape = { m: T, k: dModel, n: dK };
      const x = flat(this._values.x);
      const [q, k, v] = await Promise.all(["wq", "wk", "wv"].map((w) => rt.matmul(x, flat(this._values[w]), shape)));
      const att = await rt.attention(q.data, k.data, v.data, { dModel: dK, heads: 1 });
      if (generation !== this._generation) return; // a newer edit (or the widget's removal) overtook this one
      this.result = { q, k, v, dotProducts: att.dotProducts, scores: att.scores, weights: att.weights, output: att.output };
      this._show();
      const backend = backendLabel(rt);
      this._clearError();
      this._say("status", (t) => t.computed(backend));
      this.setAttribute("data-state", "ready");
      this._updated(this.result);
    } catch (error) {
      if (generation !== this._generation) return;
      this._showError(error); // the kernel's own words, in English, after the widget's prefix
      this._say("status", null);
      this.setAttribute("data-state", "error");
    }
  }

  _show() {
    const t = this._t;
    const { q, k, v, dotProducts, scores, weights, output } = this.result;
    const T = this.tokens.length;
    const tables = { q: q.data, k: k.data, v: v.data, dots: dotProducts.data, scores: scores.data, weights: weights.data, z: output.data };
    for (const cell of this.shadowRoot.querySelectorAll("[data-out]")) {
      const data = tables[cell.dataset.out];
      const cols = cell.dataset.out === "dots" || cell.dataset.out === "scores" || cell.dataset.out === "weights" ? T : data.length / T;
      const value = data[Number(cell.dataset.r) * cols + Number(cell.dataset.c)];
      cell.dataset.value = String(value);
      cell.textContent = fmt(value);
      if (cell.dataset.out === "weights") {
        const bar = document.createElement("span");
        bar.className = "bar";
        bar.style.width = `${Math.round(value * 100)}%`;
        cell.append(bar);
        cell.title = t.share((value * 100).toFixed(1), this.tokens[cell.dataset.r]);
      }
    }
    // Spell out the first row, as a student would on paper.
    const w = weights.data, name = this.tokens[0];
    const vTerms = this.tokens.map((_, j) => `${fmt(w[j])}·v${sub(j + 1)}`).join(" + ");
    this.shadowRoot.querySelector('[data-explain="dots"]').textContent =
      t.dots(Array.from(q.data.slice(0, q.data.length / T), (qi, i) => `${fmt(qi)}×${fmt(k.data[i])}`).join(" + "), fmt(dotProducts.data[0]));
    this.shadowRoot.querySelector('[data-explain="weights"]').textContent = t.weights(name, (w[0] * 100).toFixed(1));
    this.shadowRoot.querySelector('[data-explain="z"]').textContent = `z₁ = ${vTerms}`;
  }
}

if (!customElements.get("gf-attention-steps")) customElements.define("gf-attention-steps", GfAttentionSteps);
