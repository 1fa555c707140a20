// <gf-embedding-space>: a trained model's own word vectors.
//
// A model keeps one vector per token in its embedding table, learned so that
// tokens used in the same way point in similar directions. For the words
// chosen this widget shows
//   - the dot product a·b and the cosine similarity a·b / (‖a‖‖b‖) of every
//     pair (the course compares "king" and "queen" by their dot product),
//   - each word's nearest neighbours by cosine in the whole vocabulary,
//   - an analogy "a is to b as c is to ?" (the nearest tokens to b − a + c),
//   - a 2-D picture: every token placed on the two directions along which
//     the vocabulary's vectors vary most (PCA), the chosen words labelled.
// All of it is computed in the runtime from the page's pre-trained BERT
// (see src/models/embedding_space.rs). That model learned from everyday
// stories: it has no "king" or "queen", so the defaults use the pairs it
// has — man/woman, boy/girl, father/mother.
//
// Attributes: words (space-separated; default "man woman boy girl father
// mother milk bread"), analogy (three words, default "man woman father"),
// neighbours (5), model ("bert", or a Hugging Face model folder's URL:
// then its own vocabulary, where "king" and "queen" exist), lang ("en" | "zh").
// Events: "gf-update" after each redraw.

import { BASE_STYLE, GfModelWidget, escapeHtml, fixed, numberAttribute, diverging, matrixTable, isModelFolder } from "./common.js";

const DEFAULT_WORDS = "man woman boy girl father mother milk bread";
const DEFAULT_ANALOGY = "man woman father";

const TEXT = {
  en: {
    title: "The embedding space of a trained model",
    note: "Each token is a vector of the model's embedding table. This BERT learned from everyday stories, so it has no “king” or “queen”; man/woman and father/mother play their part.",
    notePretrained: "Each token is a vector of the model's embedding table: here the pre-trained model the page opened from its Hugging Face files.",
    words: "words", analogy: "analogy", neighbours: "neighbours",
    cosine: "cosine similarity a·b / (‖a‖‖b‖)", dot: "dot product a·b",
    nearest: "nearest neighbours (cosine)",
    analogyAnswer: (a, b, c, answer) => `${a} is to ${b} as ${c} is to … ${answer}`,
    pca: (e1, e2) => `Every token on the vocabulary's two main directions (PCA: ${e1}% and ${e2}% of the variance); the chosen words in colour.`,
    missing: (words) => `Not in this model's vocabulary: ${words}.`,
    analogyCount: (n) => `the analogy needs three words "a b c" (a is to b as c is to ?), got ${n}.`,
    loading: "Loading the pre-trained BERT (1.9 MB)…",
    error: "Could not look at the embeddings: ",
  },
  zh: {
    title: "训练好的模型的词向量空间",
    note: "每个词元都是模型嵌入表里的一个向量。这个 BERT 是在日常小故事上训练的，所以没有“king”和“queen”；man/woman、father/mother 起同样的作用。",
    notePretrained: "每个词元都是模型嵌入表里的一个向量：这里是页面从 Hugging Face 文件打开的预训练模型。",
    words: "词", analogy: "类比", neighbours: "近邻数",
    cosine: "余弦相似度 a·b / (‖a‖‖b‖)", dot: "点积 a·b",
    nearest: "最近邻（余弦）",
    analogyAnswer: (a, b, c, answer) => `${a} 之于 ${b}，正如 ${c} 之于 … ${answer}`,
    pca: (e1, e2) => `所有词元投影到词表变化最大的两个方向上（PCA：解释 ${e1}% 和 ${e2}% 的方差）；选中的词用颜色标出。`,
    missing: (words) => `这个模型的词表里没有：${words}。`,
    analogyCount: (n) => `类比需要三个词“a b c”（a 之于 b，正如 c 之于 ?），现在有 ${n} 个。`,
    loading: "正在加载预训练的 BERT（1.9 MB）…",
    error: "无法查看词向量：",
  },
};

const STYLE = BASE_STYLE + `
  .two { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 16px; align-items: start; }
  input[type=text] { width: min(16em, 62vw); }
  input[type=number] { width: 4em; }
  ul.near { margin: 0; padding-left: 0; list-style: none; font-size: .92em; }
  ul.near li { margin: 2px 0; }
  ul.near b { font-family: var(--gf-mono, ui-monospace, monospace); }
  svg.pca { width: 100%; max-width: 520px; display: block; background: var(--panel); border-radius: 6px; }
  svg.pca circle.vocab { fill: #b8c0cc; }
  svg.pca circle.word { fill: var(--accent); stroke: #fff; }
  svg.pca text.word { font: 12px var(--gf-mono, ui-monospace, monospace); fill: var(--gf-fg, #1d2430); }
  .answer { font-weight: 500; }
`;

class GfEmbeddingSpace extends GfModelWidget {
  static TEXT = TEXT;
  static STYLE = STYLE;
  static get observedAttributes() { return ["words", "analogy", "neighbours", "model", "lang"]; }

  _note(t) { return isModelFolder(this.getAttribute("model") ?? "bert") ? t.notePretrained : t.note; }

  get _words() { return (this.getAttribute("words") ?? DEFAULT_WORDS).split(/[\s,]+/).filter(Boolean).slice(0, 12); }
  get _analogy() { return (this.getAttribute("analogy") ?? DEFAULT_ANALOGY).split(/[\s,]+/).filter(Boolean); }

  _body(t) {
    return `
        <div class="controls">
          <label>${t.words} <input type="text" data-role="words"></label>
          <label>${t.analogy} <input type="text" data-role="analogy" placeholder="a b c"></label>
          <label>${t.neighbours} <input type="number" min="1" max="20" data-role="neighbours"></label>
        </div>
        <p class="status" data-role="status" aria-live="polite"></p>
        <div class="two">
          <figure><figcaption>${t.cosine}</figcaption><div data-role="cosines"></div></figure>
          <figure><figcaption>${t.dot}</figcaption><div data-role="dots"></div></figure>
        </div>
        <div class="two">
          <figure><figcaption>${t.nearest}</figcaption><ul class="near" data-role="neighbours-list"></ul>
            <p class="answer" data-role="analogy-answer"></p></figure>
          <figure><figcaption data-role="pca-caption"></figcaption><svg class="pca" data-role="pca" viewBox="0 0 520 360" role="img"></svg></figure>
        </div>`;
  }

  _wire() {
    this._syncInputs();
    this._$("words").addEventListener("change", (event) => this.setAttribute("words", event.target.value.trim()));
    this._$("analogy").addEventListener("change", (event) => this.setAttribute("analogy", event.target.value.trim()));
    this._$("neighbours").addEventListener("change", (event) => this.setAttribute("neighbours", event.target.value));
  }

  _redraw() {
    if (!this._result) return;
    this._showMissing();
    this._draw();
  }

  _attributeChanged() {
    this._syncInputs();
    this._compute();
  }

  /** Say which words the vocabulary lacks. */
  _showMissing() {
    const missing = this._result.missing;
    this._$("status").textContent = missing.length ? this._t.missing(missing.join(", ")) : "";
  }

  _syncInputs() {
    this._$("words").value = this._words.join(" ");
    this._$("analogy").value = this._analogy.join(" ");
    this._$("neighbours").value = Math.round(numberAttribute(this, "neighbours", 5, 1, 20));
  }

  async _compute() {
    if (!this._model) return;
    await this._keep(async () => {
      const analogy = this._analogy;
      if (analogy.length !== 0 && analogy.length !== 3) throw new Error(this._t.analogyCount(analogy.length));
      return this._model.embeddingSpace(this._words, {
        neighbours: Math.round(numberAttribute(this, "neighbours", 5, 1, 20)),
        ...(analogy.length === 3 ? { analogy } : {}),
      });
    });
  }

  _draw() {
    if (!this._result) return;
    const t = this._t;
    const { words, neighbours, projection, analogy: answer } = this._result;
    const cosines = this._result.cosines.data, dots = this._result.dots.data;
    const maxDot = Math.max(1e-6, ...Array.from(dots).map(Math.abs));
    this._$("cosines").innerHTML = matrixTable(cosines, words, words, (x) => `<td style="background:${diverging(x)}">${fixed(x)}</td>`);
    this._$("dots").innerHTML = matrixTable(dots, words, words, (x) => `<td style="background:${diverging(x / maxDot)}">${fixed(x)}</td>`);
    this._$("neighbours-list").innerHTML = words.map((w, i) =>
      `<li><b>${escapeHtml(w)}</b>: ${neighbours[i].map((n) => `${escapeHtml(n.token)} ${fixed(n.cosine)}`).join(", ")}</li>`).join("");
    const a = this._analogy;
    this._$("analogy-answer").textContent = answer ? t.analogyAnswer(a[0], a[1], a[2], answer.slice(0, 3).map((n) => `${n.token} (${fixed(n.cosine)})`).join(", ")) : "";
    this._drawProjection(projection, words);
    this._updated();
  }

  _drawProjection(projection, words) {
    const t = this._t;
    const all = [...projection.vocabulary, ...projection.words];
    const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const sx = (x) => 14 + ((x - x0) / Math.max(1e-9, x1 - x0)) * 492;
    const sy = (y) => 346 - ((y - y0) / Math.max(1e-9, y1 - y0)) * 332;
    let svg = projection.vocabulary.map((p, i) => `<circle class="vocab" cx="${sx(p[0]).toFixed(1)}" cy="${sy(p[1]).toFixed(1)}" r="2"><title>${escapeHtml(projection.tokens[i])}</title></circle>`).join("");
    svg += projection.words.map((p, i) => `<circle class="word" cx="${sx(p[0]).toFixed(1)}" cy="${sy(p[1]).toFixed(1)}" r="5"/><text class="word" x="${(sx(p[0]) + 7).toFixed(1)}" y="${(sy(p[1]) + 4).toFixed(1)}">${escapeHtml(words[i])}</text>`).join("");
    const pca = this._$("pca");
    pca.innerHTML = svg;
    const [e1, e2] = projection.explained.map((e) => (e * 100).toFixed(1));
    this._$("pca-caption").textContent = t.pca(e1, e2);
    pca.setAttribute("aria-label", words.map((w, i) => `${w} (${fixed(projection.words[i][0])}, ${fixed(projection.words[i][1])})`).join(", "));
  }
}

customElements.define("gf-embedding-space", GfEmbeddingSpace);
