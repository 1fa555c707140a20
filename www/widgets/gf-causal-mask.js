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
// peek (present: the mask removed), lang ("en" | "zh", default: the page's
// language).
// Events: "gf-update" after each redraw.

import { BASE_STYLE, GfWidget, fixed, seeded, wordsAttribute, matrixTable, runtimeOf } from "./common.js";

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

const STYLE = BASE_STYLE + `
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr)); gap: 14px; }
  td.hidden { color: #b71c1c; background: #fdecea; }
  td.changed { outline: 2px solid #d2691e; outline-offset: -2px; }
  label { margin: 8px 0; }
`;

class GfCausalMask extends GfWidget {
  static TEXT = TEXT;
  static STYLE = STYLE;
  static get observedAttributes() { return ["text", "seed", "d-model", "peek", "lang"]; }

  _body(t) {
    return `
        <div class="grid">
          <figure><figcaption>${t.scores}</figcaption><div data-role="scores"></div></figure>
          <figure><figcaption>${t.masked}</figcaption><div data-role="masked"></div></figure>
          <figure><figcaption>${t.weights}</figcaption><div data-role="weights"></div></figure>
        </div>
        <label><input type="checkbox" data-role="peek"> ${t.peek}</label>
        <p class="status" data-role="explain" aria-live="polite"></p>
        <p class="status sr-only" data-role="rows"></p>`;
  }

  _wire() {
    // The checkbox mirrors the `peek` attribute, so a copied snippet or link keeps it.
    this._$("peek").checked = this._peeking;
    this._$("peek").addEventListener("change", (event) => this.toggleAttribute("peek", event.target.checked));
  }

  get _peeking() { return this.hasAttribute("peek"); }

  _changed(name) {
    if (name === "peek") {
      this._$("peek").checked = this._peeking;
      this._draw();
    } else {
      this._compute();
    }
  }
  _start() { this._compute(); }
  _stop() { this._result = null; }
  _redraw() { this._draw(); }

  async _compute() {
    const words = wordsAttribute(this, "text", "the cat sat on the mat", 12);
    const d = Math.max(1, Math.min(64, Number(this.getAttribute("d-model") ?? 8) || 8));
    const seed = Number(this.getAttribute("seed") ?? 1) || 0;
    await this._keep(async () => {
      if (words.length === 0) throw new Error(this._common.emptyText);
      const runtime = await runtimeOf(this);
      const n = words.length * d;
      const [q, k, v] = [seeded(n, seed), seeded(n, seed + 101), seeded(n, seed + 202)];
      const options = { dModel: d, heads: 1 };
      const [causal, open] = await Promise.all([
        runtime.attention(q, k, v, { ...options, causal: true }),
        runtime.attention(q, k, v, options),
      ]);
      return { words, causal, open };
    });
  }

  /** The weights shown: causal, or without the mask when peeking. */
  get weights() {
    if (!this._result) return null;
    return Array.from((this._peeking ? this._result.open : this._result.causal).weights.data);
  }

  _table(values, cell) {
    return matrixTable(values, this._result.words, this._result.words, cell);
  }

  _draw() {
    if (!this._result) return;
    const t = this._t;
    const { words, causal, open } = this._result;
    const n = words.length;
    const peek = this._peeking;
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
    this._updated();
  }
}

customElements.define("gf-causal-mask", GfCausalMask);
