// <gf-causal-mask>: how a decoder keeps each word from seeing the words after it.
//
//   scores = Q·Kᵀ/√d_k  →  mask: −∞ above the diagonal  →  softmax per row → weights
//
// Three matrices for a short sentence (seeded random queries and keys, the
// runtime's own attention kernel): the scaled scores, the scores after the
// mask (−∞ where a word would look ahead), and the weights each row's
// softmax gives. "Peek" removes the mask: the weights then spread over later
// words too, and the cells that change are outlined — what a decoder would
// learn to rely on and could never have when generating.
//
// Attributes: text (default "the cat sat on the mat"), seed (1), d-model (8),
// lang ("en" | "zh", default: the page's language).
// Events: "gf-update" after each redraw.

import { getRuntime } from "../runtime.js";

const TEXT = {
  en: {
    title: "The causal mask",
    note: "A decoder predicts each word from the words before it, so when it is trained on whole sentences every row of the attention must ignore the columns to its right.",
    scores: "scores Q·Kᵀ/√d_k", masked: "after the mask", weights: "weights (softmax per row)",
    peek: "Peek: remove the mask", peeking: (n) => `Without the mask ${n} weights that were 0 become positive (outlined): every word now sees the words after it.`,
    masked_note: "With the mask each row's weights sum to 1 over the words up to itself; everything to the right is exactly 0.",
    row: (w, seen) => `“${w}” attends to: ${seen}`,
    error: "Could not compute the attention: ",
  },
  zh: {
    title: "因果掩码",
    note: "解码器根据前面的词预测每个词，所以在整句训练时，注意力矩阵的每一行都必须忽略它右边的列。",
    scores: "分数 Q·Kᵀ/√d_k", masked: "掩码之后", weights: "权重（每行 softmax）",
    peek: "偷看：去掉掩码", peeking: (n) => `去掉掩码后，有 ${n} 个原本为 0 的权重变成正数（已描边）：每个词都看到了后面的词。`,
    masked_note: "有掩码时，每一行的权重只在它自己及之前的词上求和为 1；右边全部恰好为 0。",
    row: (w, seen) => `“${w}” 关注：${seen}`,
    error: "无法计算注意力：",
  },
};

const STYLE = `
  :host { display: block; font: var(--gf-font, 15px/1.45 system-ui, sans-serif); color: var(--gf-fg, #1d2430);
          --accent: var(--gf-accent, #2f6fdf); --muted: var(--gf-muted, #5b6575); --border: var(--gf-border, #d5dbe6); }
  .wrap { border: 1px solid var(--border); border-radius: 10px; padding: 14px 16px; background: var(--gf-bg, #fff); }
  h3 { margin: 0 0 4px; font-size: 1.05em; }
  .note { color: var(--muted); font-size: .9em; margin: 4px 0 8px; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr)); gap: 14px; }
  figure { margin: 0; }
  figcaption { font-size: .88em; color: var(--muted); margin-bottom: 4px; }
  table { border-collapse: collapse; font: 12px var(--gf-mono, ui-monospace, monospace); font-variant-numeric: tabular-nums; }
  th { font-weight: normal; color: var(--muted); padding: 2px 4px; }
  td { padding: 3px 4px; text-align: right; border: 1px solid var(--border); min-width: 2.6em; }
  td.hidden { color: #b71c1c; background: #fdecea; }
  td.changed { outline: 2px solid #d2691e; outline-offset: -2px; }
  label { display: inline-flex; gap: 6px; align-items: center; margin: 8px 0; }
  input:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
  .status { color: var(--muted); font-size: .9em; }
  .error { color: #b71c1c; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

/** Seeded values in [−1, 1): the sentence's queries and keys. */
function seeded(n, seed) {
  let a = (seed * 2654435761) >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (a * 1103515245 + 12345) >>> 0;
    return ((a >>> 8) / (1 << 24)) * 2 - 1;
  });
}

/** Two decimals, without a "−0.00". */
const fixed = (x) => (Math.abs(x) < 0.005 ? 0 : x).toFixed(2);
const escapeHtml = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

class GfCausalMask extends HTMLElement {
  static get observedAttributes() { return ["text", "seed", "d-model", "lang"]; }

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
  }

  connectedCallback() {
    this._render();
    this._compute();
  }

  attributeChangedCallback(name, old, value) {
    if (!this.isConnected || old === value) return;
    if (name === "lang") this._render();
    this._compute();
  }

  get _lang() {
    const lang = (this.getAttribute("lang") ?? this.closest("[lang]")?.getAttribute("lang") ?? "en").toLowerCase();
    return lang.startsWith("zh") ? "zh" : "en";
  }

  _$(role) { return this.shadowRoot.querySelector(`[data-role="${role}"]`); }

  _render() {
    const t = TEXT[this._lang];
    this.shadowRoot.innerHTML = `
      <style>${STYLE}</style>
      <div class="wrap">
        <h3>${t.title}</h3>
        <p class="note">${t.note}</p>
        <div class="grid">
          <figure><figcaption>${t.scores}</figcaption><div data-role="scores"></div></figure>
          <figure><figcaption>${t.masked}</figcaption><div data-role="masked"></div></figure>
          <figure><figcaption>${t.weights}</figcaption><div data-role="weights"></div></figure>
        </div>
        <label><input type="checkbox" data-role="peek"> ${t.peek}</label>
        <p class="status" data-role="explain" aria-live="polite"></p>
        <p class="status sr-only" data-role="rows"></p>
        <p class="error" role="alert" data-role="error"></p>
      </div>`;
    this._$("peek").addEventListener("change", () => this._draw());
  }

  async _compute() {
    const words = (this.getAttribute("text") ?? "the cat sat on the mat").split(/\s+/).filter(Boolean).slice(0, 12);
    const d = Math.max(1, Math.min(64, Number(this.getAttribute("d-model") ?? 8) || 8));
    const seed = Number(this.getAttribute("seed") ?? 1) || 0;
    try {
      if (words.length === 0) throw new Error("the text is empty: give the widget a sentence (text=\"…\").");
      const runtime = await getRuntime();
      const n = words.length * d;
      const [q, k, v] = [seeded(n, seed), seeded(n, seed + 101), seeded(n, seed + 202)];
      const options = { dModel: d, heads: 1 };
      const [causal, open] = await Promise.all([
        runtime.attention(q, k, v, { ...options, causal: true }),
        runtime.attention(q, k, v, options),
      ]);
      this._result = { words, causal, open };
      this._$("error").textContent = "";
      this._draw();
    } catch (error) {
      this._$("error").textContent = TEXT[this._lang].error + (error.message ?? error);
    }
  }

  /** The weights shown: causal, or without the mask when peeking. */
  get weights() {
    if (!this._result) return null;
    return Array.from((this._$("peek").checked ? this._result.open : this._result.causal).weights.data);
  }

  _table(values, cell) {
    const words = this._result.words;
    const head = `<tr><th></th>${words.map((w) => `<th scope="col">${escapeHtml(w)}</th>`).join("")}</tr>`;
    const rows = words.map((w, r) => `<tr><th scope="row">${escapeHtml(w)}</th>${words.map((_, c) => cell(values[r * words.length + c], r, c)).join("")}</tr>`);
    return `<table>${head}${rows.join("")}</table>`;
  }

  _draw() {
    if (!this._result) return;
    const t = TEXT[this._lang];
    const { words, causal, open } = this._result;
    const n = words.length;
    const peek = this._$("peek").checked;
    const scores = causal.scores.data;
    this._$("scores").innerHTML = this._table(scores, (x) => `<td>${fixed(x)}</td>`);
    this._$("masked").innerHTML = this._table(scores, (x, r, c) => (c > r && !peek ? `<td class="hidden">−∞</td>` : `<td>${fixed(x)}</td>`));
    const shown = peek ? open.weights.data : causal.weights.data;
    let changed = 0;
    this._$("weights").innerHTML = this._table(shown, (x, r, c) => {
      const was = causal.weights.data[r * n + c];
      const differs = peek && was === 0 && x > 0;
      if (differs) changed++;
      const shade = `background: rgba(47,111,223,${x.toFixed(3)}); color: ${x > 0.55 ? "#fff" : "inherit"}`;
      return `<td class="${differs ? "changed" : ""}" style="${shade}">${fixed(x)}</td>`;
    });
    this._$("explain").textContent = peek ? t.peeking(changed) : t.masked_note;
    this._$("rows").textContent = words.map((w, r) => t.row(w, words.filter((_, c) => shown[r * n + c] > 0).join(" "))).join("; ");
    this.dispatchEvent(new CustomEvent("gf-update", { bubbles: true, composed: true }));
  }
}

customElements.define("gf-causal-mask", GfCausalMask);
