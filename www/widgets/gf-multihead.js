// <gf-multihead>: multi-head attention, one step at a time.
//
//   Q = X·W_Q, K = X·W_K, V = X·W_V                       (T, d_model) each
//   split the d_model columns into h heads of d_k = d_model / h
//   head_i = softmax(Q_i·K_iᵀ / √d_k)·V_i                  (T, d_k)
//   MultiHead(X) = Concat(head_1, …, head_h)·W_O           (T, d_model)
//
// Seeded word vectors and weights go through the runtime's matmul and
// attention kernels. Each head has its own weight matrix (who attends to
// whom), computed from its own slice of Q and K; the heads' outputs sit side
// by side in the concatenation, and W_O mixes them back together. Changing
// the number of heads re-slices the same Q, K, V: the total work stays the
// same, the heads get narrower.
//
// Attributes: text (default "the law will never be perfect"), d-model (8),
// heads (2), seed (1), lang ("en" | "zh").
// Events: "gf-update" after each redraw.

import { BASE_STYLE, GfWidget, fixed, seeded, numberAttribute, wordsAttribute, diverging, matrixTable, runtimeOf } from "./common.js";
import { strongest } from "./heatmap.js";

const TEXT = {
  en: {
    title: "Multi-head attention",
    note: "Q, K and V are split into heads; each head attends on its own slice, the outputs are concatenated and mixed by W_O.",
    heads: "heads h", dModel: "d_model", sentence: "sentence",
    split: (h, dk) => `${h} head${h === 1 ? "" : "s"} of d_k = ${dk} columns each`,
    head: (i, from, to) => `head ${i + 1}: softmax(Q${i + 1}·K${i + 1}ᵀ/√d_k), columns ${from}–${to}`,
    concat: "Concat(head₁ … head_h): each head's columns in its colour",
    output: "Concat · W_O: the layer's output",
    strongest: (i, pairs) => `Head ${i + 1}: ${pairs}`,
    error: "Could not compute the attention: ",
  },
  zh: {
    title: "多头注意力",
    note: "Q、K、V 被切分成多个头；每个头在自己的那一段上做注意力，输出拼接起来，再由 W_O 混合。",
    heads: "头数 h", dModel: "d_model", sentence: "句子",
    split: (h, dk) => `${h} 个头，每个头 d_k = ${dk} 列`,
    head: (i, from, to) => `第 ${i + 1} 个头：softmax(Q${i + 1}·K${i + 1}ᵀ/√d_k)，第 ${from}–${to} 列`,
    concat: "Concat(head₁ … head_h)：每个头的列用它的颜色标出",
    output: "Concat · W_O：这一层的输出",
    strongest: (i, pairs) => `第 ${i + 1} 个头：${pairs}`,
    error: "无法计算注意力：",
  },
};

const HEAD_COLOURS = ["#2f6fdf", "#d2691e", "#2e7d32", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d", "#b7950b"];

const STYLE = BASE_STYLE + `
  .heads { display: grid; grid-template-columns: repeat(auto-fit, minmax(250px, 1fr)); gap: 14px; margin: 8px 0; }
  .heads figure { border-top: 4px solid var(--head); padding-top: 4px; min-width: 0; overflow-x: auto; }
  /* The concatenation and the output side by side only when both fit whole:
     each takes its table's width, and the second wraps below otherwise (a
     wide table scrolls inside its own box rather than running into the next). */
  .two { display: flex; flex-wrap: wrap; gap: 14px; }
  .two > * { flex: 1 1 auto; min-width: 0; max-width: 100%; overflow-x: auto; }
  input[type=text] { width: min(16em, 62vw); }
`;

/** The divisors of d: the head counts that split d_model evenly. */
const divisors = (d) => Array.from({ length: d }, (_, i) => i + 1).filter((h) => d % h === 0);

class GfMultihead extends GfWidget {
  static TEXT = TEXT;
  static STYLE = STYLE;
  static get observedAttributes() { return ["text", "d-model", "heads", "seed", "lang"]; }

  get _words() { return wordsAttribute(this, "text", "the law will never be perfect", 10); }
  get _d() { return Math.round(numberAttribute(this, "d-model", 8, 1, 32)); }
  /** The heads asked for, or the nearest count that divides d_model. */
  get _heads() {
    const asked = numberAttribute(this, "heads", 2, 1, 32);
    return divisors(this._d).reduce((best, h) => (Math.abs(h - asked) < Math.abs(best - asked) ? h : best), 1);
  }

  _body(t) {
    return `
        <div class="controls">
          <label>${t.sentence} <input type="text" data-role="text"></label>
          <label>${t.heads} <select data-role="heads">${divisors(this._d).map((h) => `<option value="${h}">${h}</option>`).join("")}</select></label>
          <span class="status" data-role="split"></span>
        </div>
        <div class="heads" data-role="heads-view"></div>
        <div class="two">
          <figure><figcaption>${t.concat}</figcaption><div data-role="concat"></div></figure>
          <figure><figcaption>${t.output}</figcaption><div data-role="output"></div></figure>
        </div>
        <p class="sr-only" data-role="summary"></p>`;
  }

  _wire() {
    this._syncInputs();
    this._$("heads").addEventListener("change", (event) => this.setAttribute("heads", event.target.value));
    this._$("text").addEventListener("change", (event) => this.setAttribute("text", event.target.value));
  }

  _start() { this._compute(); }
  _stop() { this._result = null; }
  _redraw() { this._draw(); }

  _changed(name) {
    if (name === "d-model") this._render(); // the head counts on offer change
    this._syncInputs();
    this._compute();
  }

  _syncInputs() {
    this._$("text").value = this._words.join(" ");
    this._$("heads").value = String(this._heads);
  }

  async _compute() {
    const words = this._words, d = this._d, h = this._heads, n = words.length;
    const seed = numberAttribute(this, "seed", 1);
    await this._keep(async () => {
      if (n === 0) throw new Error(this._common.emptyText);
      const runtime = await runtimeOf(this);
      const x = seeded(n * d, seed); // (T, d) the word vectors
      const weight = (offset) => seeded(d * d, seed + offset).map((v) => v * Math.sqrt(3 / d)); // (d, d)
      const [wq, wk, wv, wo] = [weight(1), weight(2), weight(3), weight(4)];
      const shape = { m: n, k: d, n: d };
      // Q, K, V: three (T, d)·(d, d) products.
      const [q, k, v] = await Promise.all([wq, wk, wv].map((w) => runtime.matmul(x, w, shape)));
      // All heads in one call: the kernel splits the d columns into h heads.
      const attention = await runtime.attention(q.data, k.data, v.data, { dModel: d, heads: h });
      const output = await runtime.matmul(attention.output.data, wo, shape);
      return { words, d, h, q: q.data, k: k.data, weights: attention.weights.data, concat: attention.output.data, output: output.data };
    });
  }

  /** Head `i`'s (T, T) weights. */
  headWeights(i) {
    const { words, weights } = this._result;
    const n = words.length;
    return Array.from(weights.slice(i * n * n, (i + 1) * n * n));
  }

  _draw() {
    if (!this._result) return;
    const t = this._t;
    const { words, d, h, concat, output } = this._result;
    const n = words.length, dk = d / h;
    this._$("split").textContent = t.split(h, dk);
    const summary = [];
    this._$("heads-view").innerHTML = Array.from({ length: h }, (_, i) => {
      const w = this.headWeights(i);
      const table = matrixTable(w, words, words, (x) => `<td style="background: rgba(47,111,223,${x.toFixed(3)}); color: ${x > 0.55 ? "#fff" : "inherit"}">${fixed(x)}</td>`);
      // For the text alternative: each word's strongest link in this head.
      const links = strongest(words, words, (r, c) => w[r * n + c]);
      summary.push(t.strongest(i, links.map((c, r) => `${words[r]} → ${words[c]}`).join(", ")));
      return `<figure style="--head: ${HEAD_COLOURS[i % HEAD_COLOURS.length]}"><figcaption>${t.head(i, i * dk, (i + 1) * dk - 1)}</figcaption>${table}</figure>`;
    }).join("");
    const columns = Array.from({ length: d }, (_, j) => String(j));
    this._$("concat").innerHTML = matrixTable(concat, words, columns, (x, r, c) =>
      `<td style="background:${diverging(x)}; box-shadow: inset 0 -3px 0 ${HEAD_COLOURS[Math.floor(c / dk) % HEAD_COLOURS.length]}">${fixed(x)}</td>`);
    this._$("output").innerHTML = matrixTable(output, words, columns, (x) => `<td style="background:${diverging(x)}">${fixed(x)}</td>`);
    this._$("summary").textContent = summary.join(". ");
    this._updated();
  }
}

customElements.define("gf-multihead", GfMultihead);
