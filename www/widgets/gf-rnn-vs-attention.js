// <gf-rnn-vs-attention>: the two problems of recurrent networks that
// self-attention removes.
//
// 1. Vanishing / exploding gradients. An RNN computes
//      h_t = f(W_h·h_{t−1} + W_x·x_t + b)
//    so a gradient from the last step back to step t is multiplied by W_h
//    (and by f′) once per step in between. With W_h's eigenvalues of modulus
//    ρ (its spectral radius), the gradient scales like ρ^distance: it
//    vanishes for ρ < 1 and explodes for ρ > 1. The curve is measured by a
//    real forward and backward pass through time (the runtime's
//    `rnnGradients`, on its matmul kernel). In self-attention every position
//    reaches every other in one step: the path length is 1 at any distance.
// 2. Sequential computation. h_t needs h_{t−1}, so T steps run one after
//    another; attention computes all T positions in one matrix product.
//
// Attributes: radius (ρ, default 0.9), steps (T, 30), hidden (16),
// activation ("tanh" | "identity"), seed (1), lang ("en" | "zh").
// Events: "gf-update" after each redraw.

import { loadGlassformer } from "../runtime.js";
import { BASE_STYLE, GfWidget, numberAttribute } from "./common.js";

const TEXT = {
  en: {
    title: "RNN or attention: how far a gradient travels",
    note: "An RNN multiplies the gradient by W_h once per time step on its way back; attention connects every pair of positions directly.",
    radius: "spectral radius ρ of W_h", activation: "f", steps: "steps T",
    chart: "‖∂L/∂h_t‖ against the distance T−1−t (log scale)",
    rnn: "RNN", attention: "attention (path length 1)",
    verdict: (rho, first) => rho < 0.995 ? `ρ = ${rho.toFixed(2)} < 1: the gradient vanishes — ${first} at the first step. Long-range dependencies cannot be learned.`
      : rho > 1.005 ? `ρ = ${rho.toFixed(2)} > 1: the gradient ${first > 1 ? "explodes" : "grows, then the saturating f shrinks it"} — ${first} at the first step.`
      : `ρ = 1: the gradient keeps its size (${first} at the first step) — only while f stays linear.`,
    sequential: "Sequential steps or one parallel step",
    play: "Play", playing: "Playing…",
    rnnSteps: (t) => `RNN: ${t} steps, each waiting for the one before (h_t needs h_{t−1}).`,
    attnSteps: (t) => `Attention: 1 step — all ${t} positions at once, one (${t}×${t}) matrix of weights.`,
    error: "Could not run the RNN: ",
  },
  zh: {
    title: "RNN 与注意力：梯度能传多远",
    note: "RNN 在反向传播时每经过一个时间步就把梯度乘一次 W_h；注意力则把任意两个位置直接相连。",
    radius: "W_h 的谱半径 ρ", activation: "f", steps: "步数 T",
    chart: "‖∂L/∂h_t‖ 与距离 T−1−t 的关系（对数坐标）",
    rnn: "RNN", attention: "注意力（路径长度 1）",
    verdict: (rho, first) => rho < 0.995 ? `ρ = ${rho.toFixed(2)} < 1：梯度消失——到第一步只剩 ${first}。长距离依赖学不到。`
      : rho > 1.005 ? `ρ = ${rho.toFixed(2)} > 1：梯度${first > 1 ? "爆炸" : "先增大，随后被饱和的 f 压小"}——第一步为 ${first}。`
      : `ρ = 1：梯度大小保持不变（第一步为 ${first}）——只在 f 保持线性时成立。`,
    sequential: "串行计算与一步并行",
    play: "播放", playing: "播放中…",
    rnnSteps: (t) => `RNN：${t} 步，每一步都要等前一步算完（h_t 需要 h_{t−1}）。`,
    attnSteps: (t) => `注意力：1 步——${t} 个位置同时计算，一个 ${t}×${t} 的权重矩阵。`,
    error: "无法运行 RNN：",
  },
};

const STYLE = BASE_STYLE + `
  svg.chart { width: 100%; max-width: 640px; display: block; }
  svg.chart path { fill: none; stroke-width: 2; }
  svg.chart .rnn { stroke: #c83c32; }
  svg.chart .attn { stroke: var(--accent); stroke-dasharray: 6 3; }
  svg.chart line { stroke: var(--border); }
  .legend { font-size: .86em; color: var(--muted); }
  .legend span { display: inline-block; width: 14px; height: 3px; margin: 0 4px 3px 10px; vertical-align: middle; }
  input[type=range] { width: 12em; }
  .cells { display: flex; gap: 2px; flex-wrap: wrap; margin: 4px 0; }
  .cell { width: 12px; height: 12px; border-radius: 2px; background: #e6e9ef; transition: background .1s; }
  .cell.on { background: var(--accent); }
  .verdict { font-weight: 500; }
`;

class GfRnnVsAttention extends GfWidget {
  static TEXT = TEXT;
  static STYLE = STYLE;
  static get observedAttributes() { return ["radius", "steps", "hidden", "activation", "seed", "lang"]; }

  constructor() {
    super();
    this._timer = null; // the Play animation
  }

  get _radius() { return numberAttribute(this, "radius", 0.9, 0, 2); }
  get _steps() { return Math.round(numberAttribute(this, "steps", 30, 2, 100)); }
  get _activation() { return this.getAttribute("activation") === "identity" ? "identity" : "tanh"; }

  _body(t) {
    return `
        <div class="controls">
          <label>${t.radius} <input type="range" min="0.5" max="1.5" step="0.05" data-role="radius"> <output data-role="radius-value"></output></label>
          <label>${t.activation} <select data-role="activation"><option value="tanh">tanh</option><option value="identity">identity</option></select></label>
          <label>${t.steps} <input type="number" min="2" max="100" data-role="steps"></label>
        </div>
        <figure><figcaption>${t.chart}</figcaption><svg class="chart" data-role="chart" viewBox="0 0 640 220" role="img"></svg></figure>
        <p class="legend"><span style="background:#c83c32"></span>${t.rnn}<span style="background:var(--accent)"></span>${t.attention}</p>
        <p class="verdict" data-role="verdict" aria-live="polite"></p>
        <h4>${t.sequential}</h4>
        <p class="status" data-role="rnn-steps"></p>
        <div class="cells" data-role="rnn-cells"></div>
        <p class="status" data-role="attn-steps"></p>
        <div class="cells" data-role="attn-cells"></div>
        <button type="button" data-role="play">${t.play}</button>`;
  }

  _render() {
    this._stopPlaying(); // its cells are about to be replaced
    super._render();
  }

  _wire() {
    this._syncInputs();
    this._$("radius").addEventListener("input", (event) => this.setAttribute("radius", event.target.value));
    this._$("activation").addEventListener("change", (event) => this.setAttribute("activation", event.target.value));
    this._$("steps").addEventListener("change", (event) => this.setAttribute("steps", event.target.value));
    this._$("play").addEventListener("click", () => this._play());
  }

  _start() { this._compute(); }
  _redraw() { this._draw(); }

  _stop() {
    this._stopPlaying();
    this._result = null;
  }

  _changed() {
    this._syncInputs();
    this._compute();
  }

  _stopPlaying() {
    clearInterval(this._timer);
    this._timer = null;
  }

  _syncInputs() {
    this._$("radius").value = this._radius;
    this._$("radius-value").textContent = this._radius.toFixed(2);
    this._$("activation").value = this._activation;
    this._$("steps").value = this._steps;
  }

  async _compute() {
    await this._keep(async () => {
      const { rnnGradients } = await loadGlassformer();
      const measured = rnnGradients({
        radius: this._radius,
        steps: this._steps,
        hidden: Math.round(numberAttribute(this, "hidden", 16, 1, 256)),
        activation: this._activation,
        seed: Math.round(numberAttribute(this, "seed", 1, 0)),
      });
      return { norms: Array.from(measured.gradientNorms.data), steps: this._steps, radius: this._radius };
    });
  }

  /** ‖∂L/∂h_t‖ by distance T−1−t (index 0 = the last step). */
  get gradientByDistance() {
    return this._result ? [...this._result.norms].reverse() : null;
  }

  _draw() {
    if (!this._result) return;
    const t = this._t;
    const byDistance = this.gradientByDistance;
    const T = byDistance.length;
    const logs = byDistance.map((g) => Math.log10(Math.max(g, 1e-30)));
    const lo = Math.min(-1, Math.floor(Math.min(...logs))), hi = Math.max(1, Math.ceil(Math.max(...logs)));
    const [left, right, top, bottom] = [48, 630, 10, 190];
    const x = (i) => left + (i / (T - 1)) * (right - left);
    const y = (v) => bottom - ((v - lo) / (hi - lo)) * (bottom - top);
    const path = (values) => values.map((v, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join("");
    const ticks = [];
    const every = Math.max(1, Math.ceil((hi - lo) / 6));
    for (let v = lo; v <= hi; v += every) ticks.push(`<line x1="${left}" x2="${right}" y1="${y(v)}" y2="${y(v)}"/><text x="4" y="${y(v) + 4}">1e${v}</text>`);
    const chart = this._$("chart");
    chart.innerHTML = `${ticks.join("")}
      <path class="attn" d="${path(logs.map(() => 0))}"/>
      <path class="rnn" d="${path(logs)}"/>
      <text x="${left}" y="212">0</text><text x="${right - 20}" y="212">${T - 1}</text>`;
    const first = byDistance[T - 1];
    const shown = first < 1e-3 || first > 1e3 ? first.toExponential(1) : first.toFixed(3);
    chart.setAttribute("aria-label", `${t.chart}: ${byDistance.filter((_, i) => i % 5 === 0).map((g, i) => `${i * 5}: ${g.toExponential(1)}`).join(", ")}`);
    this._$("verdict").textContent = t.verdict(this._result.radius, shown);
    this._$("rnn-steps").textContent = t.rnnSteps(T);
    this._$("attn-steps").textContent = t.attnSteps(T);
    const cells = `<span class="cell"></span>`.repeat(T);
    this._$("rnn-cells").innerHTML = cells;
    this._$("attn-cells").innerHTML = cells;
    this._updated();
  }

  /** Light the RNN's cells one per tick, the attention's all in the first tick. */
  _play() {
    if (!this._result || this._timer) return;
    const t = this._t;
    const rnn = [...this._$("rnn-cells").children], attn = [...this._$("attn-cells").children];
    [...rnn, ...attn].forEach((c) => c.classList.remove("on"));
    const button = this._$("play");
    button.textContent = t.playing;
    button.disabled = true;
    let tick = 0;
    this._timer = setInterval(() => {
      if (tick === 0) attn.forEach((c) => c.classList.add("on"));
      rnn[tick]?.classList.add("on");
      tick++;
      if (tick >= rnn.length) {
        this._stopPlaying();
        button.textContent = t.play;
        button.disabled = false;
      }
    }, 80);
  }
}

customElements.define("gf-rnn-vs-attention", GfRnnVsAttention);
