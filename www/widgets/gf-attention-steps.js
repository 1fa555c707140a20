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
//
// Events: "gf-update" after every recomputation, with the results in
// event.detail (also readable as element.result).

import { getRuntime, backendLabel } from "../runtime.js";

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

const STYLE = `
  :host { display: block; font: var(--gf-font, 15px/1.45 system-ui, sans-serif); color: var(--gf-fg, #1d2430);
          --accent: var(--gf-accent, #2f6fdf); --muted: var(--gf-muted, #5b6575); --panel: var(--gf-panel, #f5f7fb);
          --border: var(--gf-border, #d5dbe6); }
  .wrap { border: 1px solid var(--border); border-radius: 10px; padding: 14px 16px; background: var(--gf-bg, #fff); }
  h3 { margin: 0 0 4px; font-size: 1.05em; }
  p.note { margin: 2px 0 10px; color: var(--muted); font-size: .92em; }
  .row { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-start; }
  .matrix { background: var(--panel); border-radius: 8px; padding: 8px 10px; }
  .matrix caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: 4px; white-space: nowrap; }
  table { border-collapse: collapse; }
  th { font-weight: 500; color: var(--muted); padding: 2px 6px; text-align: right; font-size: .9em; white-space: nowrap; }
  td { padding: 2px 4px; text-align: right; font-variant-numeric: tabular-nums; min-width: 3.2em; }
  input { width: 3.6em; font: inherit; text-align: right; padding: 2px 3px; border: 1px solid var(--border); border-radius: 4px; }
  input:focus-visible, button:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
  input[aria-invalid="true"] { border-color: #c62828; background: #fdecea; }
  ol.steps { list-style: none; padding: 0; margin: 14px 0 0; counter-reset: step; }
  ol.steps > li { counter-increment: step; border-top: 1px solid var(--border); padding: 10px 0; }
  ol.steps > li > h4 { margin: 0 0 6px; font-size: 1em; }
  ol.steps > li > h4::before { content: "Step " counter(step) ". "; color: var(--accent); }
  td.weight { position: relative; }
  td.weight span.bar { position: absolute; left: 0; bottom: 1px; height: 3px; background: var(--accent); border-radius: 2px; }
  .formula { font-family: var(--gf-mono, ui-monospace, monospace); font-size: .92em; color: var(--muted); margin: 4px 0 0; }
  .controls { display: flex; gap: 8px; margin-top: 10px; align-items: center; flex-wrap: wrap; }
  button { font: inherit; padding: 4px 10px; border-radius: 6px; border: 1px solid var(--border); background: var(--panel); cursor: pointer; }
  .status { color: var(--muted); font-size: .88em; }
  .error { color: #b71c1c; background: #fdecea; border-radius: 6px; padding: 6px 10px; margin-top: 8px; }
  .error:empty { display: none; }
`;

class GfAttentionSteps extends HTMLElement {
  static observedAttributes = ["tokens", "d-model", "d-k", "seed"];

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.result = null;
    this._generation = 0; // drops results of edits that were overtaken
  }

  connectedCallback() {
    this.setAttribute("data-state", "loading");
    this._reset();
  }

  attributeChangedCallback() {
    if (this.isConnected && this._values) this._reset();
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

  _reset() {
    this._values = this._initialValues();
    this._render();
    this._recompute();
  }

  _render() {
    const tokens = this.tokens;
    const { dModel, dK } = this._dims();
    const xLabels = tokens.map((t, i) => `x${sub(i + 1)} ${t}`);
    const inLabels = Array.from({ length: dModel }, (_, i) => `${i + 1}`);
    const outLabels = Array.from({ length: dK }, (_, i) => `${i + 1}`);
    const tokenLabels = (letter) => tokens.map((t, i) => `${letter}${sub(i + 1)} ${t}`);
    this.shadowRoot.innerHTML = `
      <style>${STYLE}</style>
      <div class="wrap" role="group" aria-label="Self-attention, step by step">
        <h3>Self-attention on “${tokens.join(" ")}”</h3>
        <p class="note">Edit any number: every step below is recomputed by the glassformer kernels.
          Rows are tokens; <i>d</i><sub>model</sub> = ${dModel}, <i>d<sub>k</sub></i> = ${dK}.</p>
        <div class="row">
          ${this._editor("x", "Embeddings x", xLabels, inLabels)}
          ${this._editor("wq", "W_Q", inLabels, outLabels)}
          ${this._editor("wk", "W_K", inLabels, outLabels)}
          ${this._editor("wv", "W_V", inLabels, outLabels)}
        </div>
        <div class="controls">
          <button type="button" data-action="example">Reset</button>
          <button type="button" data-action="randomise">Random integers</button>
          <span class="status" role="status" aria-live="polite">Loading the kernels…</span>
        </div>
        <div class="error" role="alert"></div>
        <ol class="steps">
          <li><h4>Project each embedding: q = x·W<sub>Q</sub>, k = x·W<sub>K</sub>, v = x·W<sub>V</sub></h4>
            <div class="row">${[["q", "q = x·W_Q"], ["k", "k = x·W_K"], ["v", "v = x·W_V"]].map(([l, caption]) => this._output(l, caption, tokenLabels(l), outLabels)).join("")}</div>
          </li>
          <li><h4>Score every pair: q<sub>i</sub> · k<sub>j</sub></h4>
            <div class="row">${this._output("dots", "q·k", tokenLabels("q"), tokens.map((t, j) => `k${sub(j + 1)}`))}</div>
            <p class="formula" data-explain="dots"></p>
          </li>
          <li><h4>Scale by √d<sub>k</sub> = √${dK} = ${fmt(Math.sqrt(dK))}</h4>
            <div class="row">${this._output("scores", "q·k / √d_k", tokenLabels("q"), tokens.map((t, j) => `k${sub(j + 1)}`))}</div>
          </li>
          <li><h4>Softmax each row into attention weights</h4>
            <div class="row">${this._output("weights", "softmax", tokenLabels("q"), tokens.map((t, j) => `${t}`), "weight")}</div>
            <p class="formula" data-explain="weights"></p>
          </li>
          <li><h4>Weighted sum of the values: z<sub>i</sub> = Σ<sub>j</sub> weight<sub>ij</sub> · v<sub>j</sub></h4>
            <div class="row">${this._output("z", "z (output)", tokens.map((t, i) => `z${sub(i + 1)} ${t}`), outLabels)}</div>
            <p class="formula" data-explain="z"></p>
          </li>
        </ol>
      </div>`;
    this.shadowRoot.querySelectorAll("input").forEach((input) => input.addEventListener("input", () => this._onEdit(input)));
    this.shadowRoot.querySelector('[data-action="example"]').addEventListener("click", () => {
      this.removeAttribute("seed");
      this._reset();
    });
    this.shadowRoot.querySelector('[data-action="randomise"]').addEventListener("click", () => {
      const current = parseInt(this.getAttribute("seed") ?? "0", 10) || 0;
      this.setAttribute("seed", String(current + 1)); // attributeChangedCallback resets
    });
  }

  /** An editable matrix: one number input per entry. */
  _editor(name, caption, rowLabels, colLabels) {
    const m = this._values[name];
    const body = rowLabels.map((rl, r) => `<tr><th scope="row">${rl}</th>${colLabels.map((cl, c) =>
      `<td><input type="number" step="0.1" data-m="${name}" data-r="${r}" data-c="${c}" value="${m[r][c]}"
         aria-label="${caption} row ${rl}, column ${cl}"></td>`).join("")}</tr>`).join("");
    return `<table class="matrix"><caption>${caption.replace(/_(\w)/, "<sub>$1</sub>")}</caption>
      <thead><tr><td></td>${colLabels.map((c) => `<th scope="col">${c}</th>`).join("")}</tr></thead><tbody>${body}</tbody></table>`;
  }

  /** A result matrix, filled in by _show. */
  _output(name, caption, rowLabels, colLabels, cellClass = "") {
    const body = rowLabels.map((rl, r) => `<tr><th scope="row">${rl}</th>${colLabels.map((_, c) =>
      `<td class="${cellClass}" data-out="${name}" data-r="${r}" data-c="${c}">…</td>`).join("")}</tr>`).join("");
    return `<table class="matrix"><caption>${caption.replace(/_(\w)/, "<sub>$1</sub>")}</caption>
      <thead><tr><td></td>${colLabels.map((c) => `<th scope="col">${c}</th>`).join("")}</tr></thead><tbody>${body}</tbody></table>`;
  }

  _onEdit(input) {
    const value = input.value.trim() === "" ? NaN : Number(input.value);
    input.setAttribute("aria-invalid", String(!Number.isFinite(value)));
    this._values[input.dataset.m][input.dataset.r][input.dataset.c] = value;
    this._recompute();
  }

  async _recompute() {
    const generation = ++this._generation;
    const status = this.shadowRoot.querySelector(".status");
    const errorBox = this.shadowRoot.querySelector(".error");
    const T = this.tokens.length;
    const { dModel, dK } = this._dims();
    const flat = (m) => new Float32Array(m.flat());
    try {
      const rt = await getRuntime();
      const shape = { m: T, k: dModel, n: dK };
      const x = flat(this._values.x);
      const [q, k, v] = await Promise.all(["wq", "wk", "wv"].map((w) => rt.matmul(x, flat(this._values[w]), shape)));
      const att = await rt.attention(q.data, k.data, v.data, { dModel: dK, heads: 1 });
      if (generation !== this._generation) return; // a newer edit is on its way
      this.result = { q, k, v, dotProducts: att.dotProducts, scores: att.scores, weights: att.weights, output: att.output };
      this._show();
      errorBox.textContent = "";
      status.textContent = `Computed by the ${backendLabel(rt)} kernels.`;
      this.setAttribute("data-state", "ready");
      this.dispatchEvent(new CustomEvent("gf-update", { detail: this.result, bubbles: true }));
    } catch (error) {
      if (generation !== this._generation) return;
      errorBox.textContent = `Could not compute: ${error.message ?? error}`;
      status.textContent = "";
      this.setAttribute("data-state", "error");
    }
  }

  _show() {
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
        cell.title = `${(value * 100).toFixed(1)}% of ${this.tokens[cell.dataset.r]}'s attention`;
      }
    }
    // Spell out the first row, as a student would on paper.
    const w = weights.data, name = this.tokens[0];
    const vTerms = this.tokens.map((_, j) => `${fmt(w[j])}·v${sub(j + 1)}`).join(" + ");
    this.shadowRoot.querySelector('[data-explain="dots"]').textContent =
      `e.g. q₁·k₁ = ${Array.from(q.data.slice(0, q.data.length / T), (qi, i) => `${fmt(qi)}×${fmt(k.data[i])}`).join(" + ")} = ${fmt(dotProducts.data[0])}`;
    this.shadowRoot.querySelector('[data-explain="weights"]').textContent =
      `weight = e^score / Σ e^score along each row: “${name}” gives ${(w[0] * 100).toFixed(1)}% of its attention to itself.`;
    this.shadowRoot.querySelector('[data-explain="z"]').textContent = `z₁ = ${vTerms}`;
  }
}

customElements.define("gf-attention-steps", GfAttentionSteps);
