// <gf-positional-encoding>: the sinusoidal position table of the original
// Transformer, computed by the runtime's own kernel.
//
//   PE(pos, 2i)   = sin(pos / 10000^(2i/d_model))
//   PE(pos, 2i+1) = cos(pos / 10000^(2i/d_model))
//
// Three views: the whole table as a heatmap (rows = positions, columns =
// dimensions); one position's value in one dimension, with the formula
// filled in; and the dot product PE(pos)·PE(q) for every q — it depends only
// on the distance q − pos (Σ cos((q − pos)·ω_i)), which is why a model can
// read relative positions off these vectors.
//
// Attributes: d-model (default 64), length (default 50), position (10),
// dimension (4), lang ("en" | "zh", default: the page's language).
// Events: "gf-update" after each redraw.

import { BASE_STYLE, GfWidget, numberAttribute, runtimeOf } from "./common.js";

const TEXT = {
  en: {
    title: "Positional encoding",
    note: "Each position gets a vector of sines and cosines at different frequencies; it is added to the word's embedding.",
    position: "position", dimension: "dimension",
    heatmap: (l, d) => `The ${l} × ${d} table: rows are positions, columns dimensions; blue = +1, red = −1.`,
    value: (pos, dim, f, exp, v) => `PE(${pos}, ${dim}) = ${f}(${pos} / 10000^(${exp})) = ${v}`,
    similarity: (pos) => `PE(${pos}) · PE(q) for every position q. The curve depends only on the distance q − ${pos}: the same shape around every position.`,
    loading: "Computing…", error: "Could not compute the table: ",
  },
  zh: {
    title: "位置编码",
    note: "每个位置得到一个由不同频率的正弦和余弦组成的向量，它被加到词向量上。",
    position: "位置", dimension: "维度",
    heatmap: (l, d) => `${l} × ${d} 的位置编码表：行是位置，列是维度；蓝色 = +1，红色 = −1。`,
    value: (pos, dim, f, exp, v) => `PE(${pos}, ${dim}) = ${f}(${pos} / 10000^(${exp})) = ${v}`,
    similarity: (pos) => `PE(${pos}) 与每个位置 q 的 PE(q) 的点积。曲线只取决于距离 q − ${pos}：在每个位置附近形状都一样。`,
    loading: "计算中…", error: "无法计算位置编码表：",
  },
};

const STYLE = BASE_STYLE + `
  canvas { width: 100%; max-width: 640px; height: 220px; image-rendering: pixelated; border-radius: 4px; display: block; }
  .formula { font: 14px var(--gf-mono, ui-monospace, monospace); background: var(--panel); border-radius: 6px; padding: 6px 10px; }
  svg { width: 100%; max-width: 640px; display: block; }
  svg path { fill: none; stroke: var(--accent); stroke-width: 1.6; }
  svg line { stroke: var(--border); }
  svg circle { fill: var(--accent); }
`;

class GfPositionalEncoding extends GfWidget {
  static TEXT = TEXT;
  static STYLE = STYLE;
  static get observedAttributes() { return ["d-model", "length", "position", "dimension", "lang"]; }

  /** A whole-number attribute clamped to [min, max]. */
  _number(name, fallback, min, max) {
    return Math.round(numberAttribute(this, name, fallback, min, max));
  }

  _body(t) {
    return `
        <figure>
          <canvas data-role="heatmap" role="img"></canvas>
          <figcaption data-role="heatmap-caption"></figcaption>
        </figure>
        <div class="controls">
          <label>${t.position} <input type="range" min="0" step="1" data-role="position"><output data-role="position-out"></output></label>
          <label>${t.dimension} <input type="range" min="0" step="1" data-role="dimension"><output data-role="dimension-out"></output></label>
        </div>
        <p class="formula" data-role="formula" aria-live="polite"></p>
        <svg data-role="similarity" viewBox="0 0 640 170" role="img"></svg>
        <figcaption data-role="similarity-caption"></figcaption>`;
  }

  _wire() {
    for (const role of ["position", "dimension"]) {
      this._$(role).addEventListener("input", (e) => this.setAttribute(role, e.target.value));
    }
  }

  _start() { this._compute(); }
  _redraw() { this._draw(); }

  _stop() {
    this._table = null;
    this._key = null; // put back, it computes the table again
  }

  async _compute() {
    const dModel = this._number("d-model", 64, 2, 512), length = this._number("length", 50, 2, 512);
    const key = `${length}×${dModel}`;
    try {
      if (this._key !== key) {
        const runtime = await runtimeOf(this);
        const { data } = await runtime.positionalEncoding({ length, dModel });
        this._table = { data, length, dModel };
        this._key = key;
      }
      this._clearError();
      this._draw();
    } catch (error) {
      this._showError(error);
    }
  }

  /** The table's value at (pos, dim), as the kernel computed it. */
  value(pos, dim) {
    const { data, dModel } = this._table;
    return data[pos * dModel + dim];
  }

  _draw() {
    if (!this._table || !this.shadowRoot.querySelector("canvas")) return;
    const t = this._t;
    const { data, length, dModel } = this._table;
    const pos = this._number("position", 10, 0, length - 1), dim = this._number("dimension", 4, 0, dModel - 1);
    for (const [role, value, max] of [["position", pos, length - 1], ["dimension", dim, dModel - 1]]) {
      this._$(role).max = max;
      this._$(role).value = value;
      this._$(`${role}-out`).textContent = value;
    }
    // Heatmap: one pixel per value, scaled up by CSS; the chosen row and column outlined.
    const canvas = this._$("heatmap");
    const scale = 4;
    canvas.width = dModel * scale;
    canvas.height = length * scale;
    const ctx = canvas.getContext("2d");
    for (let p = 0; p < length; p++) {
      for (let d = 0; d < dModel; d++) {
        const v = data[p * dModel + d];
        const a = Math.abs(v);
        ctx.fillStyle = v >= 0 ? `rgba(47,111,223,${a})` : `rgba(200,60,40,${a})`;
        ctx.fillRect(d * scale, p * scale, scale, scale);
      }
    }
    ctx.strokeStyle = "#1d2430";
    ctx.lineWidth = 1;
    ctx.strokeRect(0.5, pos * scale + 0.5, dModel * scale - 1, scale - 1);
    ctx.strokeRect(dim * scale + 0.5, 0.5, scale - 1, length * scale - 1);
    this._$("heatmap-caption").textContent = t.heatmap(length, dModel);
    canvas.setAttribute("aria-label", `${t.heatmap(length, dModel)} PE(${pos}, ${dim}) = ${this.value(pos, dim).toFixed(4)}`);
    // The formula with the numbers in.
    const pair = dim - (dim % 2);
    this._$("formula").textContent = t.value(pos, dim, dim % 2 === 0 ? "sin" : "cos", `${pair}/${dModel}`, this.value(pos, dim).toFixed(4));
    // Dot products PE(pos)·PE(q).
    const dots = Array.from({ length }, (_, q) => {
      let s = 0;
      for (let d = 0; d < dModel; d++) s += data[pos * dModel + d] * data[q * dModel + d];
      return s;
    });
    const W = 640, H = 170, L = 34, B = 20, top = 8;
    const max = dModel / 2, min = Math.min(0, ...dots);
    const x = (q) => L + (q / (length - 1)) * (W - L - 8), y = (v) => top + (1 - (v - min) / (max - min || 1)) * (H - top - B);
    const path = dots.map((v, q) => `${q ? "L" : "M"}${x(q).toFixed(1)},${y(v).toFixed(1)}`).join("");
    this._$("similarity").innerHTML =
      `<line x1="${L}" x2="${W - 8}" y1="${y(0)}" y2="${y(0)}"/>` +
      `<text x="${L - 4}" y="${y(max) + 4}" text-anchor="end">${max}</text><text x="${L - 4}" y="${y(0) + 4}" text-anchor="end">0</text>` +
      `<text x="${x(0)}" y="${H - 4}">0</text><text x="${x(length - 1)}" y="${H - 4}" text-anchor="end">${length - 1}</text>` +
      `<path d="${path}"/><circle cx="${x(pos)}" cy="${y(dots[pos])}" r="4"/>`;
    this._$("similarity").setAttribute("aria-label", t.similarity(pos));
    this._$("similarity-caption").textContent = t.similarity(pos);
    this._updated();
  }
}

customElements.define("gf-positional-encoding", GfPositionalEncoding);
