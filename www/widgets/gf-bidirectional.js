// <gf-bidirectional>: what each word may look at, in BERT and in GPT.
//
// BERT's encoder attends in both directions: every position sees the whole
// sentence, so "bank" in "open a bank account" can use "account" after it.
// GPT's decoder attends with a causal mask: each position sees itself and
// the words before it only, because it must predict the next word without
// knowing it.
//
// The visibility comes from the runtime's attention kernel itself: with all
// queries and keys zero every score is equal, so the softmax spreads each
// row's weight evenly over exactly the positions the mask lets it see —
// 1/T each in BERT, 1/(i+1) each in GPT's row i.
//
// With `model` (a Hugging Face BERT folder's URL), the BERT row is that
// model's own attention instead: its WordPiece tokens, and each row the
// weights averaged over every layer and head — all of them above zero, since
// nothing is masked, and largest where the model looks. The GPT row shows the
// causal mask over the same tokens.
//
// Attributes: text (default "open a bank account"), position (the chosen
// word's index; default: the last word but one), model (a BERT folder's URL;
// default: none, the mask alone), lang ("en" | "zh").
// Events: "gf-update" after each redraw.

import { BASE_STYLE, GfWidget, escapeHtml, numberAttribute, wordsAttribute, matrixTable, onArrowKeys, runtimeOf, releaseModel } from "./common.js";
import { headsOf } from "./heatmap.js";

const TEXT = {
  en: {
    title: "Both directions (BERT) or one (GPT)",
    note: "Choose a word (click it, or use the arrow keys): the highlighted words are the ones it may attend to.",
    bert: "BERT (bidirectional encoder)", gpt: "GPT (decoder with a causal mask)",
    matrix: "attention weights with equal scores: row = the word looking, column = the word seen",
    matrixModel: "BERT: the model's attention weights; GPT: the weights with equal scores. Row = the token looking, column = the token seen",
    caption: (w, all, before) => `“${w}” sees all ${all} words in BERT, but only ${before} in GPT: itself and the words before it.`,
    seesBert: (w, seen) => `In BERT “${w}” sees: ${seen}.`,
    seesGpt: (w, seen) => `In GPT “${w}” sees: ${seen}.`,
    sentence: "sentence", pick: "words; arrow keys choose",
    error: "Could not compute the attention: ",
    bertModel: (url) => `BERT from ${url}: its attention, averaged over layers and heads`,
    loading: "Loading the model…",
    notBert: (url) => `${url} holds a GPT-2; this widget's model must be a BERT-family folder.`,
  },
  zh: {
    title: "双向（BERT）与单向（GPT）",
    note: "选择一个词（点击，或用方向键）：高亮的词就是它能关注到的词。",
    bert: "BERT（双向编码器）", gpt: "GPT（带因果掩码的解码器）",
    matrix: "分数相等时的注意力权重：行 = 发出关注的词，列 = 被看到的词",
    matrixModel: "BERT：模型自己的注意力权重；GPT：分数相等时的权重。行 = 发出关注的词元，列 = 被看到的词元",
    caption: (w, all, before) => `在 BERT 中“${w}”能看到全部 ${all} 个词；在 GPT 中只能看到 ${before} 个：它自己和它前面的词。`,
    seesBert: (w, seen) => `在 BERT 中“${w}”看到：${seen}。`,
    seesGpt: (w, seen) => `在 GPT 中“${w}”看到：${seen}。`,
    sentence: "句子", pick: "词；用方向键选择",
    error: "无法计算注意力：",
    bertModel: (url) => `来自 ${url} 的 BERT：它的注意力，对所有层和头取平均`,
    loading: "正在加载模型…",
    notBert: (url) => `${url} 里是 GPT-2；这个组件的模型必须是 BERT 类的文件夹。`,
  },
};

const STYLE = BASE_STYLE + `
  .row { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; margin: 6px 0; }
  .row-label { flex: 0 0 17em; font-size: .9em; color: var(--muted); }
  tr.focus-row th { color: var(--gf-fg, #1d2430); font-weight: bold; }
  .chips { display: flex; gap: 4px; flex-wrap: wrap; }
  .chip { font: 13px var(--gf-mono, ui-monospace, monospace); padding: 3px 8px; border-radius: 5px; border: 1px solid var(--border); cursor: pointer; }
  .chip.seen { background: color-mix(in srgb, var(--accent) 22%, var(--gf-bg, #fff)); }
  .chip.hidden { opacity: .35; text-decoration: line-through; }
  .chip.focus { outline: 2px solid var(--gf-fg, #1d2430); }
  .two { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 14px; margin-top: 8px; }
  td.off { color: var(--muted); background: #f3f4f7; }
  input[type=text] { width: min(16em, 62vw); }
`;

class GfBidirectional extends GfWidget {
  static TEXT = TEXT;
  static STYLE = STYLE;
  static get observedAttributes() { return ["text", "position", "model", "lang"]; }

  get _words() { return wordsAttribute(this, "text", "open a bank account", 16); }

  /** The chosen word's index. */
  get position() {
    const n = this._result?.words.length ?? this._words.length;
    return Math.round(numberAttribute(this, "position", Math.max(0, n - 2), 0, Math.max(0, n - 1)));
  }

  _body(t) {
    return `
        <div class="controls"><label>${t.sentence} <input type="text" data-role="text"></label></div>
        <p class="status" data-role="status" aria-live="polite"></p>
        <div class="row"><span class="row-label" data-role="bert-label">${t.bert}</span><div class="chips" data-role="bert" role="listbox" tabindex="0" aria-label="${t.pick}"></div></div>
        <div class="row"><span class="row-label">${t.gpt}</span><div class="chips" data-role="gpt"></div></div>
        <p class="status" data-role="caption" aria-live="polite"></p>
        <p class="sr-only" data-role="seen"></p>
        <p class="note" data-role="matrix-note">${this.getAttribute("model") ? t.matrixModel : t.matrix}</p>
        <div class="two">
          <figure><figcaption>${t.bert}</figcaption><div data-role="bert-matrix"></div></figure>
          <figure><figcaption>${t.gpt}</figcaption><div data-role="gpt-matrix"></div></figure>
        </div>`;
  }

  _wire() {
    this._$("text").value = this._words.join(" ");
    this._$("text").addEventListener("change", (event) => this.setAttribute("text", event.target.value));
    for (const role of ["bert", "gpt"]) {
      this._$(role).addEventListener("click", (event) => {
        const i = event.target.closest("[data-index]")?.dataset.index;
        if (i !== undefined) this.setAttribute("position", i);
      });
    }
    onArrowKeys(this._$("bert"), (step) => {
      if (!this._result) return;
      const n = this._result.words.length;
      this.setAttribute("position", String(Math.max(0, Math.min(n - 1, this.position + step))));
    });
  }

  _start() { this._compute(); }
  _stop() {
    if (this._folder) releaseModel(this._folder);
    this._result = this._model = this._folder = null;
  }
  _redraw() { this._draw(); }

  _changed(name) {
    if (name === "position") return this._draw();
    if (name === "model") {
      this._stop();
      return this._compute();
    }
    this._$("text").value = this._words.join(" ");
    this._compute();
  }

  async _compute() {
    const folder = this.getAttribute("model");
    if (folder) return this._computeWithModel(folder);
    const words = this._words;
    await this._keep(async () => {
      if (words.length === 0) throw new Error(this._common.emptyText);
      return { words, ...(await this._maskWeights(words.length)) };
    });
  }

  /** The runtime's attention weights over `n` positions with equal scores, without and with the causal mask: `{ bert, gpt }`, each (n, n). */
  async _maskWeights(n) {
    const runtime = await runtimeOf(this);
    // Zero queries and keys: equal scores, so the weights show the mask alone.
    const zeros = new Float32Array(n);
    const values = Float32Array.from({ length: n }, (_, i) => i);
    const options = { dModel: 1, heads: 1 };
    const [bert, gpt] = await Promise.all([
      runtime.attention(zeros, zeros, values, options),
      runtime.attention(zeros, zeros, values, { ...options, causal: true }),
    ]);
    return { bert: bert.weights.data, gpt: gpt.weights.data };
  }

  /** The folder's BERT: its tokens, its attention averaged over layers and heads, and the causal mask over those tokens. */
  async _computeWithModel(folder) {
    await this._keep(async () => {
      if (this._words.length === 0) throw new Error(this._common.emptyText);
      if (this._folder !== folder) {
        this._say("status", "loading");
        const model = await this._acquireFolder(folder, "fillMask", this._t.notBert(folder));
        if (this._folder !== folder) return this._result; // the attribute changed meanwhile
        this._model = model;
        this._say("status", null);
      }
      const { tokens, layers } = await this._model.attention(this._words.join(" "));
      const n = tokens.length, mean = new Float32Array(n * n);
      let count = 0;
      for (const layer of layers) {
        for (const head of headsOf(layer)) {
          head.forEach((w, i) => { mean[i] += w; });
          count++;
        }
      }
      mean.forEach((w, i) => { mean[i] = w / count; });
      const { gpt } = await this._maskWeights(n);
      return { words: tokens, bert: mean, gpt };
    });
  }

  /** Which words position `p` sees in `model` ("bert" | "gpt"): the columns of its row with weight > 0. */
  seen(model, p = this.position) {
    const { words } = this._result;
    const n = words.length;
    return words.filter((_, c) => this._result[model][p * n + c] > 0);
  }

  _draw() {
    if (!this._result) return;
    const t = this._t;
    const { words } = this._result;
    const n = words.length, p = this.position, folder = this._folder;
    this._$("bert-label").textContent = folder ? t.bertModel(folder) : t.bert;
    this._$("matrix-note").textContent = folder ? t.matrixModel : t.matrix;
    for (const model of ["bert", "gpt"]) {
      const row = this._result[model].slice(p * n, p * n + n);
      this._$(model).innerHTML = words.map((w, c) => {
        const cls = c === p ? "focus seen" : row[c] > 0 ? "seen" : "hidden";
        return `<span class="chip ${cls}" role="option" aria-selected="${c === p}" data-index="${c}">${escapeHtml(w)}</span>`;
      }).join("");
      this._$(`${model}-matrix`).innerHTML = matrixTable(this._result[model], words, words, (x) =>
        (x > 0 ? `<td style="background: rgba(47,111,223,${(0.15 + 0.85 * x).toFixed(3)}); color: ${x > 0.5 ? "#fff" : "inherit"}">${x.toFixed(2)}</td>` : `<td class="off">0</td>`));
      this._$(`${model}-matrix`).querySelectorAll("tr")[p + 1]?.classList.add("focus-row");
    }
    this._$("caption").textContent = t.caption(words[p], n, this.seen("gpt").length);
    this._$("seen").textContent = `${t.seesBert(words[p], this.seen("bert").join(" "))} ${t.seesGpt(words[p], this.seen("gpt").join(" "))}`;
    this._updated();
  }
}

customElements.define("gf-bidirectional", GfBidirectional);
