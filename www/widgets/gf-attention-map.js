// <gf-attention-map>: a trained model's self-attention over a sentence.
//
// Every layer of a Transformer has several heads, and each head's weights
// softmax(QKᵀ/√d_k) say, for every word (a row), how much it takes from
// every other word (a column). This widget loads the page's pre-trained
// BERT (one copy for all widgets that use it), runs the sentence through
// it, and shows one layer's head — or the mean of the layer's heads — two
// ways: as a heatmap, and as lines from each word on the left to the words
// it attends to on the right, thicker for larger weights (the picture the
// course draws for "The law will never be perfect, but its application
// should be just"). Choosing a word (click or arrow keys) keeps only its
// lines.
//
// The model read everyday stories only, so words outside them are split
// into pieces or read as [UNK]; the tokens shown are the ones it read.
//
// A text of more than 64 tokens (BERT reads up to 512) is drawn as one
// pixel per weight, the pair under the pointer said below the map (an SVG
// square per weight would be 262 144 elements at 512 tokens), and the lines
// view shows the chosen word's lines only.
//
// Attributes: text, model ("bert", or a Hugging Face BERT folder's URL:
// any number of layers and heads), layer (0-based, default 0), head
// (0-based, or "mean"; default "mean"), word (the chosen token's index, or
// none), lang ("en" | "zh").
// Events: "gf-update" after each redraw.

import { BASE_STYLE, GfModelWidget, escapeHtml, numberAttribute, onArrowKeys } from "./common.js";
import { drawPixels, headsOf, heatmap, strongest } from "./heatmap.js";

/** Above this many tokens the heatmap is drawn as pixels and the lines show each word's strongest link only. */
const LARGE = 64;

/** One line of the lines view, its width and darkness growing with the weight `v`. */
const line = (x1, y1, x2, y2, v) =>
  `<line class="link" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke-width="${(v * 6).toFixed(2)}" stroke-opacity="${Math.min(1, 0.15 + v).toFixed(2)}"/>`;

const DEFAULT_TEXT = "the woman bought a cake for her mother and it was delicious .";

const TEXT = {
  en: {
    title: "Attention map of a trained model",
    note: "A pre-trained BERT reads the sentence; each head of each layer has its own weights softmax(QKᵀ/√d_k).",
    layer: "layer", head: "head", mean: "mean of the heads", sentence: "sentence",
    heatmap: "rows: the word attending; columns: the word attended to",
    lines: "each word (left) to the words it attends to (right); choose a word to see only its lines",
    strongest: (pairs) => `Strongest link of each word: ${pairs}.`,
    pickWord: "a long text: click a row of the map (or use the arrow keys here) to see that word's lines",
    loading: "Loading the pre-trained BERT (1.9 MB)…",
    tokens: (pieces) => `The model reads: ${pieces}`,
    error: "Could not show the attention: ",
  },
  zh: {
    title: "训练好的模型的注意力图",
    note: "一个预训练的 BERT 读入这句话；每一层的每个头都有自己的权重 softmax(QKᵀ/√d_k)。",
    layer: "层", head: "头", mean: "各头平均", sentence: "句子",
    heatmap: "行：发出关注的词；列：被关注的词",
    lines: "从每个词（左）连到它关注的词（右）；选择一个词，只看它的连线",
    strongest: (pairs) => `每个词关注最多的词：${pairs}。`,
    pickWord: "文本较长：点击注意力图的一行（或在这里用方向键）查看那个词的连线",
    loading: "正在加载预训练的 BERT（1.9 MB）…",
    tokens: (pieces) => `模型读到的词元：${pieces}`,
    error: "无法显示注意力：",
  },
};

const STYLE = BASE_STYLE + `
  .two { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 16px; align-items: start; }
  svg { width: 100%; display: block; }
  svg text.tok { font: 12px var(--gf-mono, ui-monospace, monospace); fill: var(--gf-fg, #1d2430); cursor: pointer; }
  svg text.tok.chosen { font-weight: bold; fill: var(--accent); }
  svg line.link { stroke: var(--accent); }
  svg text.hint { font-size: 12px; fill: var(--muted); }
  canvas { width: min(100%, 520px); aspect-ratio: 1; image-rendering: pixelated; border: 1px solid var(--border); cursor: crosshair; }
  input[type=text] { width: min(22em, 62vw); }
`;

class GfAttentionMap extends GfModelWidget {
  static TEXT = TEXT;
  static STYLE = STYLE;
  static get observedAttributes() { return ["text", "model", "layer", "head", "word", "lang"]; }

  get _text() { return this.getAttribute("text") ?? DEFAULT_TEXT; }

  _body(t) {
    return `
        <div class="controls">
          <label>${t.sentence} <input type="text" data-role="text"></label>
          <label>${t.layer} <select data-role="layer"></select></label>
          <label>${t.head} <select data-role="head"></select></label>
        </div>
        <p class="status" data-role="status" aria-live="polite"></p>
        <div class="two">
          <figure><figcaption>${t.heatmap}</figcaption><svg data-role="heatmap" role="img"></svg>
            <canvas data-role="pixels" role="img" hidden></canvas><p class="note" data-role="pointed" aria-live="polite"></p></figure>
          <figure><figcaption>${t.lines}</figcaption><svg data-role="lines" role="img" tabindex="0"></svg></figure>
        </div>
        <p class="sr-only" data-role="summary"></p>`;
  }

  _wire() {
    this._$("text").value = this._text;
    this._$("text").addEventListener("change", (event) => this.setAttribute("text", event.target.value));
    this._$("layer").addEventListener("change", (event) => this.setAttribute("layer", event.target.value));
    this._$("head").addEventListener("change", (event) => this.setAttribute("head", event.target.value));
    // Choosing a word (again: all words).
    const pick = (i) => {
      if (this.getAttribute("word") === i) this.removeAttribute("word");
      else this.setAttribute("word", i);
    };
    const choose = (event) => {
      const i = event.target.closest("[data-index]")?.dataset.index;
      if (i !== undefined) pick(i);
    };
    this._$("lines").addEventListener("click", choose);
    this._$("heatmap").addEventListener("click", choose);
    // The pixel map: the pair under the pointer, said below it; a click chooses the row's word.
    const cell = (event) => {
      const canvas = this._$("pixels"), n = this._result?.tokens.length ?? 0, box = canvas.getBoundingClientRect();
      const at = (offset, size) => Math.min(n - 1, Math.max(0, Math.floor((offset / size) * n)));
      return n ? [at(event.clientY - box.top, box.height), at(event.clientX - box.left, box.width)] : null;
    };
    this._$("pixels").addEventListener("mousemove", (event) => {
      const rc = cell(event);
      if (!rc) return;
      const [r, c] = rc, tokens = this._result.tokens, w = this._shown;
      this._$("pointed").textContent = `${tokens[r]} → ${tokens[c]}: ${w[r * tokens.length + c].toFixed(3)}`;
    });
    this._$("pixels").addEventListener("click", (event) => {
      const rc = cell(event);
      if (rc) pick(String(rc[0]));
    });
    this._$("lines").addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.removeAttribute("word");
    });
    onArrowKeys(this._$("lines"), (step) => {
      if (!this._result) return;
      const n = this._result.tokens.length;
      const now = this._word ?? (step > 0 ? -1 : n);
      this.setAttribute("word", String((now + step + n) % n));
    });
  }

  _redraw() {
    if (!this._result) return;
    this._$("status").textContent = this._t.tokens(this._result.tokens.join(" "));
    this._syncInputs();
    this._draw();
  }

  _attributeChanged(name) {
    if (name === "text") {
      this._$("text").value = this._text;
      this._compute();
    } else {
      this._syncInputs();
      this._draw();
    }
  }

  get _layer() { return Math.round(numberAttribute(this, "layer", 0, 0, (this._result?.layers.length ?? 1) - 1)); }
  /** The head shown: an index, or "mean". */
  get _head() {
    const raw = this.getAttribute("head");
    if (raw === null || raw === "mean") return "mean";
    return Math.round(numberAttribute(this, "head", 0, 0, (this._result?.layers[0].shape[0] ?? 1) - 1));
  }
  get _word() {
    if (!this.hasAttribute("word") || !this._result) return null;
    return Math.round(numberAttribute(this, "word", 0, 0, this._result.tokens.length - 1));
  }

  _syncInputs() {
    if (!this._result) return;
    const t = this._t;
    const layers = this._result.layers.length, heads = this._result.layers[0].shape[0];
    const layer = this._$("layer"), head = this._$("head");
    if (layer.options.length !== layers) layer.innerHTML = Array.from({ length: layers }, (_, i) => `<option value="${i}">${i + 1}</option>`).join("");
    if (head.options.length !== heads + 1) head.innerHTML = `<option value="mean">${t.mean}</option>` + Array.from({ length: heads }, (_, i) => `<option value="${i}">${i + 1}</option>`).join("");
    layer.value = String(this._layer);
    head.value = String(this._head);
  }

  async _compute() {
    if (!this._model) return;
    await this._keep(() => this._model.attention(this._text));
  }

  /** The (T, T) weights shown: one head's, or the mean of the layer's heads. */
  get weights() {
    if (!this._result) return null;
    const heads = headsOf(this._result.layers[this._layer]);
    const head = this._head;
    if (head !== "mean") return Array.from(heads[head]);
    const mean = new Array(heads[0].length).fill(0);
    for (const h of heads) h.forEach((v, i) => { mean[i] += v / heads.length; });
    return mean;
  }

  _draw() {
    if (!this._result) return;
    const t = this._t;
    const tokens = this._result.tokens, n = tokens.length, w = this.weights, chosen = this._word;
    this._shown = w;
    const large = n > LARGE;
    const weight = (r, c) => w[r * n + c];
    // Over hundreds of tokens each weight is small: a long text's darkness is scaled to its largest weight.
    const scale = large ? 1 / w.reduce((top, v) => Math.max(top, v), 1e-9) : 1;
    const opacity = (v, r) => Math.sqrt(v * scale) * (chosen !== null && chosen !== r ? 0.25 : 1);
    // Heatmap: one square per (row, column), or one pixel for a long text; the chosen word's row stands out.
    const heat = this._$("heatmap"), pixels = this._$("pixels");
    heat.style.display = large ? "none" : ""; // (an <svg> does not take the hidden attribute)
    pixels.hidden = !large;
    if (large) {
      heat.innerHTML = "";
      drawPixels(pixels, { rows: n, columns: n, weight, opacity });
      pixels.setAttribute("aria-label", t.heatmap);
    } else {
      const map = heatmap({
        rows: tokens, columns: tokens, weight, cell: [22, 22], span: n * 22, opacity,
        rowClass: (r) => (chosen === r ? "tok chosen" : "tok"),
      });
      heat.setAttribute("viewBox", `0 0 ${map.width} ${map.height}`);
      heat.innerHTML = map.content;
      heat.setAttribute("aria-label", t.heatmap);
    }
    // Lines: token i on the left to token j on the right, width ∝ weight.
    const lines = this._$("lines");
    const best = strongest(tokens, tokens, weight);
    lines.innerHTML = large ? this._chosenLines(tokens, w, chosen) : this._allLines(tokens, w, chosen);
    const summary = t.strongest(best.map((c, r) => `${tokens[r]} → ${tokens[c]}`).join(", "));
    lines.setAttribute("aria-label", summary);
    this._$("summary").textContent = summary;
    this._updated();
  }

  /** Every word's lines (or only the chosen word's), one row per token on each side. */
  _allLines(tokens, w, chosen) {
    const n = tokens.length, rowH = 22, width = 360, x0 = 110, x1 = width - 110;
    this._$("lines").setAttribute("viewBox", `0 0 ${width} ${n * rowH + 8}`);
    let links = "";
    for (let r = 0; r < n; r++) {
      if (chosen !== null && chosen !== r) continue;
      for (let c = 0; c < n; c++) {
        const v = w[r * n + c];
        if (v < 0.02) continue;
        links += line(x0, r * rowH + 15, x1, c * rowH + 15, v);
      }
    }
    const labels = tokens.map((tok, i) =>
      `<text class="tok ${chosen === i ? "chosen" : ""}" data-index="${i}" x="${x0 - 6}" y="${i * rowH + 19}" text-anchor="end">${escapeHtml(tok)}</text>` +
      `<text class="tok" x="${x1 + 6}" y="${i * rowH + 19}">${escapeHtml(tok)}</text>`).join("");
    return links + labels;
  }

  /**
   * A long text: hundreds of rows would not fit, so only the chosen word's
   * lines, to the tokens it gives at least 2% of its attention (at most 50),
   * in the order they come; before a word is chosen, a hint.
   */
  _chosenLines(tokens, w, chosen) {
    const n = tokens.length, rowH = 22, width = 360, x0 = 110, x1 = width - 110;
    const svg = this._$("lines");
    if (chosen === null) {
      svg.setAttribute("viewBox", `0 0 ${width} 30`);
      return `<text class="hint" x="${width / 2}" y="20" text-anchor="middle">${escapeHtml(this._t.pickWord)}</text>`;
    }
    const seen = [];
    for (let c = 0; c < n; c++) if (w[chosen * n + c] >= 0.02) seen.push(c);
    const height = Math.max(1, seen.length) * rowH + 8, y0 = height / 2;
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    const links = seen.map((c, k) => line(x0, y0, x1, k * rowH + 15, w[chosen * n + c])).join("");
    const labels = `<text class="tok chosen" data-index="${chosen}" x="${x0 - 6}" y="${y0 + 4}" text-anchor="end">${escapeHtml(tokens[chosen])} (${chosen + 1})</text>` +
      seen.map((c, k) => `<text class="tok" data-index="${c}" x="${x1 + 6}" y="${k * rowH + 19}">${escapeHtml(tokens[c])} (${c + 1})</text>`).join("");
    return links + labels;
  }
}

customElements.define("gf-attention-map", GfAttentionMap);
