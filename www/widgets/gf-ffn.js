// <gf-ffn>: the position-wise feed-forward network of every Transformer layer.
//
//   FFN(x) = max(0, x·W1 + b1)·W2 + b2        x: (T, d_model)  W1: (d_model, d_ff)  W2: (d_ff, d_model)
//
// Each word's vector goes through the same two matrices on its own: the FFN
// never mixes words (attention does that). The widget shows, for a short
// sentence with seeded vectors and weights, x·W1 + b1 for every word, the
// hidden layer after the ReLU (negative values become exactly 0), and the
// output; and for one chosen word the whole computation as bars. Editing a
// word changes its row only, which is what "position-wise" means.
//
// Attributes: text (default "thinking machines"), d-model (4), hidden (d_ff,
// default 8 — the paper uses 4·d_model), seed (1), word (the chosen word's
// index, 0), lang ("en" | "zh").
// Events: "gf-update" after each redraw.

import { BASE_STYLE, GfWidget, escapeHtml, fixed, seeded, numberAttribute, wordsAttribute, diverging, matrixTable, onArrowKeys, runtimeOf } from "./common.js";

const TEXT = {
  en: {
    title: "The feed-forward network",
    note: "Every position goes through the same two-layer network on its own: FFN(x) = max(0, x·W1 + b1)·W2 + b2.",
    sentence: "sentence", dModel: "d_model", hidden: "d_ff",
    pre: "x·W1 + b1 (before the ReLU)", after: "max(0, ·): the hidden layer", out: "output ·W2 + b2",
    chosen: (w) => `The computation for “${w}”`,
    zeroed: (n, f) => `The ReLU set ${n} of ${f} hidden values to 0 for this word.`,
    changed: (rows) => `Only ${rows} changed: the FFN treats each position separately.`,
    pick: "choose a word (arrow keys)",
    error: "Could not compute the FFN: ",
  },
  zh: {
    title: "前馈网络",
    note: "每个位置独立地经过同一个两层网络：FFN(x) = max(0, x·W1 + b1)·W2 + b2。",
    sentence: "句子", dModel: "d_model", hidden: "d_ff",
    pre: "x·W1 + b1（ReLU 之前）", after: "max(0, ·)：隐藏层", out: "输出 ·W2 + b2",
    chosen: (w) => `“${w}”的计算过程`,
    zeroed: (n, f) => `对这个词，ReLU 把 ${f} 个隐藏值中的 ${n} 个变成了 0。`,
    changed: (rows) => `只有 ${rows} 变了：前馈网络对每个位置分别计算。`,
    pick: "选择一个词（方向键）",
    error: "无法计算前馈网络：",
  },
};

const STYLE = BASE_STYLE + `
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 400px), 1fr)); gap: 14px; }
  .grid figure { overflow-x: auto; }
  input[type=text] { width: min(14em, 62vw); }
  input[type=number] { width: 4em; }
  td.zero { color: var(--muted); background: repeating-linear-gradient(45deg, #f3f4f7, #f3f4f7 4px, #fff 4px, #fff 8px); }
  tr.changed th { color: #d2691e; font-weight: bold; }
  .chips { display: flex; gap: 4px; flex-wrap: wrap; }
  .chip { font: 13px var(--gf-mono, ui-monospace, monospace); padding: 2px 8px; border-radius: 5px; border: 1px solid var(--border); cursor: pointer; background: var(--gf-bg, #fff); }
  .chip[aria-selected=true] { background: var(--accent); color: #fff; border-color: var(--accent); }
  svg.bars { width: 100%; max-width: 640px; display: block; }
  svg.bars rect.pos { fill: var(--accent); }
  svg.bars rect.neg { fill: #c83c32; }
  svg.bars rect.cut { fill: none; stroke: #c83c32; stroke-dasharray: 3 2; }
`;

/** The FFN's inputs: one seeded vector per word (the same word, the same vector) and seeded weights. */
function inputs(words, d, f, seed) {
  const x = new Float32Array(words.length * d);
  words.forEach((w, i) => {
    const wordSeed = [...w].reduce((h, ch) => (h * 31 + ch.codePointAt(0)) >>> 0, seed);
    x.set(seeded(d, wordSeed), i * d);
  });
  const scale = (a, s) => a.map((v) => v * s);
  return {
    x,
    w1: scale(seeded(d * f, seed + 11), 1.5 / Math.sqrt(d)),
    b1: scale(seeded(f, seed + 12), 0.3),
    w2: scale(seeded(f * d, seed + 13), 1.5 / Math.sqrt(f)),
    b2: scale(seeded(d, seed + 14), 0.1),
  };
}

class GfFfn extends GfWidget {
  static TEXT = TEXT;
  static STYLE = STYLE;
  static get observedAttributes() { return ["text", "d-model", "hidden", "seed", "word", "lang"]; }

  get _words() { return wordsAttribute(this, "text", "thinking machines", 10); }
  get _d() { return Math.round(numberAttribute(this, "d-model", 4, 1, 16)); }
  get _f() { return Math.round(numberAttribute(this, "hidden", 8, 1, 32)); }

  _body(t) {
    return `
        <div class="controls">
          <label>${t.sentence} <input type="text" data-role="text"></label>
          <label>${t.dModel} <input type="number" min="1" max="16" data-role="d-model"></label>
          <label>${t.hidden} <input type="number" min="1" max="32" data-role="hidden"></label>
        </div>
        <div class="grid">
          <figure><figcaption>${t.pre}</figcaption><div data-role="pre"></div></figure>
          <figure><figcaption>${t.after}</figcaption><div data-role="hidden-table"></div></figure>
          <figure><figcaption>${t.out}</figcaption><div data-role="output"></div></figure>
        </div>
        <h4 data-role="chosen-title"></h4>
        <div class="chips" role="listbox" tabindex="0" aria-label="${t.pick}" data-role="chips"></div>
        <svg class="bars" data-role="bars" role="img"></svg>
        <p class="status" data-role="explain" aria-live="polite"></p>`;
  }

  _wire() {
    this._syncInputs();
    const commit = (name) => (event) => this.setAttribute(name, event.target.value);
    this._$("text").addEventListener("change", commit("text"));
    this._$("d-model").addEventListener("change", commit("d-model"));
    this._$("hidden").addEventListener("change", commit("hidden"));
    this._$("chips").addEventListener("click", (event) => {
      const i = event.target.closest("[data-index]")?.dataset.index;
      if (i !== undefined) this.setAttribute("word", i);
    });
    onArrowKeys(this._$("chips"), (step) => {
      if (!this._result) return;
      const n = this._result.words.length;
      this.setAttribute("word", String((this._word + step + n) % n));
    });
  }

  _start() { this._compute(); }
  _stop() { this._result = this._previous = null; }
  _redraw() { this._draw(); }

  _changed(name) {
    if (name === "word") return this._draw();
    this._syncInputs();
    this._compute();
  }

  _syncInputs() {
    this._$("text").value = this._words.join(" ");
    this._$("d-model").value = this._d;
    this._$("hidden").value = this._f;
  }

  get _word() {
    const n = this._result?.words.length ?? 1;
    return Math.round(numberAttribute(this, "word", 0, 0, n - 1));
  }

  async _compute() {
    const words = this._words, d = this._d, f = this._f;
    const seed = numberAttribute(this, "seed", 1);
    await this._keep(async () => {
      if (words.length === 0) throw new Error(this._common.emptyText);
      const runtime = await runtimeOf(this);
      const p = inputs(words, d, f, seed);
      const result = await runtime.feedForward(p.x, p.w1, p.b1, p.w2, p.b2, { dModel: d, dFF: f });
      // What the rows are compared with, to mark the ones that changed.
      this._previous = this._result && this._result.d === d && this._result.f === f ? this._result : null;
      return { words, d, f, ...p, pre: result.preActivation.data, hidden: result.hidden.data, output: result.output.data };
    });
  }

  /** Rows whose output differs from the previous computation's (a new row counts as changed). */
  _changedRows() {
    const { words, d, output } = this._result;
    const before = this._previous;
    if (!before) return [];
    return words.map((_, i) => i).filter((i) => before.words[i] === undefined ||
      output.slice(i * d, i * d + d).some((v, j) => Math.abs(v - before.output[i * d + j]) > 1e-7));
  }

  _draw() {
    if (!this._result) return;
    const t = this._t;
    const { words, d, f, pre, hidden, output } = this._result;
    const cols = (n, prefix) => Array.from({ length: n }, (_, j) => `${prefix}${j}`);
    const shade = (x) => `style="background:${diverging(x / 2)}"`;
    const changed = new Set(this._changedRows());
    this._$("pre").innerHTML = matrixTable(pre, words, cols(f, "h"), (x) => `<td ${shade(x)}>${fixed(x)}</td>`);
    this._$("hidden-table").innerHTML = matrixTable(hidden, words, cols(f, "h"), (x) => (x === 0 ? `<td class="zero">0</td>` : `<td ${shade(x)}>${fixed(x)}</td>`));
    this._$("output").innerHTML = matrixTable(output, words, cols(d, "y"), (x) => `<td ${shade(x)}>${fixed(x)}</td>`);
    for (const role of ["pre", "hidden-table", "output"]) {
      this._$(role).querySelectorAll("tr").forEach((tr, r) => { if (r > 0 && changed.has(r - 1)) tr.classList.add("changed"); });
    }
    const w = this._word;
    this._$("chosen-title").textContent = t.chosen(words[w]);
    this._$("chips").innerHTML = words.map((word, i) => `<span class="chip" role="option" data-index="${i}" aria-selected="${i === w}">${escapeHtml(word)}</span>`).join("");
    this._drawBars(w);
    const zeroed = hidden.slice(w * f, w * f + f).filter((x) => x === 0).length;
    const changedWords = [...changed].map((i) => `“${words[i]}”`).join(", ");
    this._$("explain").textContent = t.zeroed(zeroed, f) + (changed.size > 0 && changed.size < words.length ? " " + t.changed(changedWords) : "");
    this._updated();
  }

  /** The chosen word's x, x·W1 + b1 (the ReLU's cuts dashed), the hidden values and the output, as bars. */
  _drawBars(w) {
    const { d, f, x, pre, hidden, output } = this._result;
    const groups = [
      ["x", Array.from(x.slice(w * d, w * d + d))],
      ["x·W1+b1", Array.from(pre.slice(w * f, w * f + f))],
      ["max(0,·)", Array.from(hidden.slice(w * f, w * f + f))],
      ["FFN(x)", Array.from(output.slice(w * d, w * d + d))],
    ];
    const max = Math.max(1e-6, ...groups.flatMap(([, v]) => v.map(Math.abs)));
    const barW = 12, gap = 3, groupGap = 28, h = 120, mid = 60;
    let xPos = 10, svg = "";
    for (const [label, values] of groups) {
      values.forEach((v, j) => {
        const len = (Math.abs(v) / max) * (mid - 8);
        const cut = label === "max(0,·)" && groups[1][1][j] < 0;
        if (cut) {
          const was = (Math.abs(groups[1][1][j]) / max) * (mid - 8);
          svg += `<rect class="cut" x="${xPos}" y="${mid}" width="${barW}" height="${was.toFixed(1)}"><title>${fixed(groups[1][1][j])} → 0</title></rect>`;
        } else {
          svg += `<rect class="${v >= 0 ? "pos" : "neg"}" x="${xPos}" y="${(v >= 0 ? mid - len : mid).toFixed(1)}" width="${barW}" height="${Math.max(0.5, len).toFixed(1)}"><title>${label}[${j}] = ${fixed(v, 3)}</title></rect>`;
        }
        xPos += barW + gap;
      });
      svg += `<text x="${xPos - (barW + gap) * values.length / 2 - 10}" y="${h - 2}">${label}</text>`;
      xPos += groupGap;
    }
    const bars = this._$("bars");
    bars.setAttribute("viewBox", `0 0 ${xPos} ${h}`);
    bars.setAttribute("aria-label", groups.map(([label, v]) => `${label}: ${v.map((a) => fixed(a)).join(", ")}`).join("; "));
    bars.innerHTML = `<line x1="0" x2="${xPos}" y1="${mid}" y2="${mid}" stroke="#d5dbe6"/>${svg}`;
  }
}

customElements.define("gf-ffn", GfFfn);
