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
// Attributes: text, model ("bert", or a Hugging Face BERT folder's URL:
// any number of layers and heads), layer (0-based, default 0), head
// (0-based, or "mean"; default "mean"), word (the chosen token's index, or
// none), lang ("en" | "zh").
// Events: "gf-update" after each redraw.

import { BASE_STYLE, GfModelWidget, escapeHtml, numberAttribute, onArrowKeys } from "./common.js";
import { headsOf, heatmap, strongest } from "./heatmap.js";

const DEFAULT_TEXT = "the woman bought a cake for her mother and it was delicious .";

const TEXT = {
  en: {
    title: "Attention map of a trained model",
    note: "A pre-trained BERT reads the sentence; each head of each layer has its own weights softmax(QKᵀ/√d_k).",
    layer: "layer", head: "head", mean: "mean of the heads", sentence: "sentence",
    heatmap: "rows: the word attending; columns: the word attended to",
    lines: "each word (left) to the words it attends to (right); choose a word to see only its lines",
    strongest: (pairs) => `Strongest link of each word: ${pairs}.`,
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
          <figure><figcaption>${t.heatmap}</figcaption><svg data-role="heatmap" role="img"></svg></figure>
          <figure><figcaption>${t.lines}</figcaption><svg data-role="lines" role="img" tabindex="0"></svg></figure>
        </div>
        <p class="sr-only" data-role="summary"></p>`;
  }

  _wire() {
    this._$("text").value = this._text;
    this._$("text").addEventListener("change", (event) => this.setAttribute("text", event.target.value));
    this._$("layer").addEventListener("change", (event) => this.setAttribute("layer", event.target.value));
    this._$("head").addEventListener("change", (event) => this.setAttribute("head", event.target.value));
    const choose = (event) => {
      const i = event.target.closest("[data-index]")?.dataset.index;
      if (i === undefined) return;
      if (this.getAttribute("word") === i) this.removeAttribute("word");
      else this.setAttribute("word", i);
    };
    this._$("lines").addEventListener("click", choose);
    this._$("heatmap").addEventListener("click", choose);
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
    // Heatmap: one square per (row, column); the chosen word's row stands out.
    const map = heatmap({
      rows: tokens, columns: tokens, weight: (r, c) => w[r * n + c], cell: [22, 22], span: n * 22,
      opacity: (v, r) => Math.sqrt(v) * (chosen !== null && chosen !== r ? 0.25 : 1),
      rowClass: (r) => (chosen === r ? "tok chosen" : "tok"),
    });
    const heat = this._$("heatmap");
    heat.setAttribute("viewBox", `0 0 ${map.width} ${map.height}`);
    heat.innerHTML = map.content;
    heat.setAttribute("aria-label", t.heatmap);
    // Lines: token i on the left to token j on the right, width ∝ weight.
    const rowH = 22, width = 360, x0 = 110, x1 = width - 110;
    const lines = this._$("lines");
    lines.setAttribute("viewBox", `0 0 ${width} ${n * rowH + 8}`);
    let links = "";
    for (let r = 0; r < n; r++) {
      if (chosen !== null && chosen !== r) continue;
      for (let c = 0; c < n; c++) {
        const v = w[r * n + c];
        if (v < 0.02) continue;
        links += `<line class="link" x1="${x0}" y1="${r * rowH + 15}" x2="${x1}" y2="${c * rowH + 15}" stroke-width="${(v * 6).toFixed(2)}" stroke-opacity="${Math.min(1, 0.15 + v).toFixed(2)}"/>`;
      }
    }
    const labels = tokens.map((tok, i) =>
      `<text class="tok ${chosen === i ? "chosen" : ""}" data-index="${i}" x="${x0 - 6}" y="${i * rowH + 19}" text-anchor="end">${escapeHtml(tok)}</text>` +
      `<text class="tok" x="${x1 + 6}" y="${i * rowH + 19}">${escapeHtml(tok)}</text>`).join("");
    lines.innerHTML = links + labels;
    const summary = t.strongest(strongest(tokens, tokens, (r, c) => w[r * n + c]).map((c, r) => `${tokens[r]} → ${tokens[c]}`).join(", "));
    lines.setAttribute("aria-label", summary);
    this._$("summary").textContent = summary;
    this._updated();
  }
}

customElements.define("gf-attention-map", GfAttentionMap);
