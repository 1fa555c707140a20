// <gf-gpt-sampler>: a character-level GPT trained on Shakespeare, writing one
// character at a time.
//
//   prompt → GPT → logits z (one per character) → softmax(z / τ) → top-k → top-p → draw one → append → again
//
// The bar chart shows the distribution of the next character twice: as the
// model gives it (softmax of the logits) and as it is drawn from after the
// temperature τ, top-k and top-p filters. "Step one character" draws a
// single character and redraws the chart; "Generate" streams characters
// until it is stopped or reaches the length. The same seed gives the same
// text. "Train further" loads the corpus and trains a copy of the model on it
// in a Web Worker of its own (a step of this model takes seconds, too long
// for the page's thread), drawing the loss curve; pausing copies the trained
// weights back for sampling.
//
// Attributes
//   model       URL of a Hugging Face GPT-2 folder (config.json,
//               model.safetensors, vocab.json + merges.txt or tokenizer.json):
//               that model samples instead, token by token with its own BPE,
//               its download's progress on the status line; it is shown as
//               pre-trained (no "Train further": 124 M parameters are not
//               trained in a page). Widgets naming the same folder share one copy.
//   checkpoint  URL of a saved GPT (default: www/models/shakespeare.safetensors)
//   corpus      URL of its training text (default: www/data/shakespeare.txt)
//   prompt      the starting text (default "ROMEO:\n")
//   seed        the sampling seed (default 1)
//   temperature the temperature τ, 0 (greedy) to 2 (default 0.8)
//   top-k       keep the k likeliest characters, 0 (off) to 40 (default 0)
//   top-p       keep the likeliest characters up to this much probability,
//               0.05 to 1 (off; default 1). The three are the sliders'
//               starting values, rounded to their steps (0.05, 1, 0.05).
//   train-to    a step (1 to 100,000): once the model has loaded, train it
//               further in the worker to that step, as if "Train on the
//               corpus" were pressed, and pause there (its steps count on
//               from the checkpoint's; the progress line shows them)
//   lang        "en" | "zh" (default: the page's language)
//
// Copy snippet / Copy link write what the student set: the prompt in the
// box, the seed and the three sliders, and train-to for the step training
// further has reached. The copy trains again to that step (same loss, same
// weights; see trainer.js) and then samples the same text for the same
// seed, on the same wasm build (the plain and the relaxed-SIMD builds round
// a multiply-add differently). The text generated is not in the link: press
// Generate (or Step) to draw it again.
//
// Removed from the page, the widget stops generating and training, ends its
// worker and frees its model; put back, it loads the model again. The
// training loop and pause are GfTrainerWidget's (trainer.js).
//
// Events: "gf-update" after each generated character or training call;
// "gf-idle" when training stops (paused, failed, or the widget removed).

import { backendLabel, startWorkerRuntime } from "../runtime.js";
import { escapeHtml, runtimeOf, releaseModel } from "./common.js";
import { GfTrainerWidget } from "./trainer.js";
import { yieldToBrowser } from "./base.js";
import { TEXT } from "./text/gf-gpt-sampler.js";
import { STYLE } from "./style/gf-gpt-sampler.js";
import { lossCurve } from "./loss-curve.js";

const DEFAULT_CHECKPOINT = new URL("../models/shakespeare.safetensors", import.meta.url).href;
const DEFAULT_CORPUS = new URL("../data/shakespeare.txt", import.meta.url).href;
const DEFAULT_PROMPT = "ROMEO:\n";
/** The sampling sliders: attribute name → data-role, and the default a copy leaves out. */
const SLIDERS = [["temperature", "temperature", "0.8"], ["top-k", "topK", "0"], ["top-p", "topP", "1"]];
/** How a character (or a GPT-2 token's text) is shown in the chart: spaces and line breaks made visible. */
const visible = (c) => c.replaceAll("\n", "⏎").replaceAll(" ", "␣");

class GfGptSampler extends GfTrainerWidget {
  static observedAttributes = ["lang", "prompt", "seed", "temperature", "top-k", "top-p", "train-to", "model", "checkpoint", "corpus"];
  static TEXT = TEXT;
  static STYLE = STYLE;
  static KEPT = ["prompt", "temperature", "topK", "topP", "seed"];
  /** Aim each training call in the worker at about this long, so the curve moves often. */
  static CALL_MS = 1500;
  static MAX_CHUNK = 20;

  constructor() {
    super();
    this._model = null;
    this._generated = "";
    this._generating = false;
    this._settling = false; // a paused run's weights are on their way back to the page
    this._controls = false; // whether the buttons have been enabled yet in this connection
    this._chart = null; // the last chart's data: { next, chosen }, kept for a change of language
  }

  _stop() {
    // Removed from the page: stop generating and training (both loops check
    // these flags and the life number), end the training worker (its copy of
    // the model goes with it) and free the page's model. A call in flight
    // holds its own reference to the weights, so freeing now is safe.
    this._generating = this._training = this._settling = this._controls = false;
    if (this._folder) releaseModel(this._folder); // shared with other widgets: the last one frees it
    else this._model?.dispose?.();
    this._model = this._folder = null;
    this._worker?.terminate();
    this._worker = this._trainer = null;
    // What came from that model goes with it; the prompt and the text stay.
    this._info = this._chart = null;
    this._resetHistory();
  }

  _changed(name, value) {
    const slider = SLIDERS.find(([attribute]) => attribute === name);
    if (name === "prompt") {
      // As if typed: the text generated after the old prompt goes, the chart follows.
      this._$("prompt").value = value ?? DEFAULT_PROMPT;
      this._$("prompt").dispatchEvent(new Event("input"));
    } else if (name === "seed") {
      this._$("seed").value = value ?? "1";
    } else if (slider) {
      // As if the slider were moved: its readout and the chart follow.
      this._$(slider[1]).value = value ?? slider[2];
      this._$(slider[1]).dispatchEvent(new Event("input"));
    } else if (name === "train-to") {
      if (this._model && !this._settling && !this._generating) this._replay(this._currentStep());
    } else {
      // Another model or another text to train on: start again from it (the prompt and sliders stay).
      this.disconnectedCallback();
      this.connectedCallback();
    }
  }

  /**
   * What a copy needs besides the attributes: the prompt, seed and sliders
   * as set here (left out where they are the defaults), and how far
   * training further has gone (the course's GPT only).
   */
  _shareState() {
    const value = (role) => this._$(role).value;
    const state = { prompt: value("prompt") === DEFAULT_PROMPT ? null : value("prompt"), seed: value("seed") === "1" ? null : value("seed") };
    for (const [attribute, role, initial] of SLIDERS) state[attribute] = value(role) === initial ? null : value(role);
    if (this._folder) state["train-to"] = null; // a Hugging Face model does not train here
    else if (this._info && this._startStep !== undefined) state["train-to"] = this._sharedStep(this._startStep);
    return state;
  }

  _title(t) { return this._unit(t, "title"); }

  _note(t) { return this.getAttribute("model") ? t.introPretrained : t.intro; }

  /** A message in the words for the model shown: a token of GPT-2, or a character of the course's GPT. */
  _unit(t, key) { return this.getAttribute("model") ? t.pretrained[key] : t[key]; }

  _body(t) {
    return `
        <label class="sr-only" for="prompt">${t.prompt}</label>
        <textarea id="prompt" data-role="prompt" spellcheck="false"></textarea>
        <div class="controls">
          <label class="slider">${t.temperature} <input type="range" min="0" max="2" step="0.05" value="0.8" data-role="temperature"><output data-out="temperature">0.80</output></label>
          <label class="slider">top-k <input type="range" min="0" max="40" step="1" value="0" data-role="topK"><output data-out="topK">${t.off}</output></label>
          <label class="slider">top-p <input type="range" min="0.05" max="1" step="0.05" value="1" data-role="topP"><output data-out="topP">${t.off}</output></label>
          <label class="slider">${t.seed} <input type="number" min="0" step="1" value="1" data-role="seed"></label>
        </div>
        <div class="controls">
          <button class="primary" data-action="generate" disabled>${t.generate}</button>
          <button data-action="step" disabled>${this._unit(t, "step")}</button>
          <button data-action="clear" disabled>${t.clear}</button>
          <span class="status" role="status" aria-live="polite" data-role="status"></span>
        </div>
        <div class="grid">
          <pre class="text" data-role="text" aria-live="off" aria-label="${t.text}"></pre>
          <figure>
            <svg viewBox="0 0 320 250" width="100%" role="img" data-role="chart" aria-label="${t.chart}"></svg>
            <figcaption><span class="legend"><span style="background:var(--border)"></span>${t.raw}<span style="background:var(--accent)"></span>${t.sampled}</span><br><span data-role="chart-caption">${this._unit(t, "top12")}</span></figcaption>
          </figure>
        </div>
        <p class="note" data-role="no-training" ${this.getAttribute("model") ? "" : "hidden"}>${t.pretrained.noTraining}</p>
        <div data-role="training" ${this.getAttribute("model") ? "hidden" : ""}>
        <h4>${t.further}</h4>
        <div class="controls">
          <button data-action="train" aria-pressed="false" disabled>${t.train}</button>
          <span class="status" data-role="train-status"></span>
        </div>
        <figure class="curve">
          <svg viewBox="0 0 340 150" width="100%" role="img" data-role="curve" aria-label="${t.noCurve}"><text x="170" y="75" text-anchor="middle">${t.curveSoon}</text></svg>
          <figcaption>${t.curveCaption}</figcaption>
        </figure>
        </div>`;
  }

  _wire(kept) {
    if (!("prompt" in kept)) this._$("prompt").value = this.getAttribute("prompt") ?? DEFAULT_PROMPT;
    if (!("seed" in kept)) this._$("seed").value = this.getAttribute("seed") ?? "1";
    // A slider's attribute is its starting value (the browser clamps it to the range and rounds it to the step).
    for (const [attribute, role] of SLIDERS) {
      if (!(role in kept) && this.hasAttribute(attribute)) this._$(role).value = this.getAttribute(attribute);
    }
    for (const name of ["temperature", "topK", "topP"]) {
      this._$(name).addEventListener("input", () => {
        this._showSliders();
        this._chartNext();
      });
    }
    this._showSliders();
    const startOver = () => {
      this._generated = "";
      if (this._model && !this._generating) this._say("status", (t) => this._unit(t, "ready")); // "n characters generated" no longer holds
      this._showText();
      this._chartNext();
    };
    this._$("prompt").addEventListener("input", startOver);
    this._button("clear").addEventListener("click", startOver);
    this._button("generate").addEventListener("click", () => (this._generating ? this._stopGenerating() : this._generate(400)));
    this._button("step").addEventListener("click", () => this._generate(1));
    this._button("train").addEventListener("click", () => this._toggleTraining());
  }

  /** Draw again what is known (after a change of language). */
  _redraw() {
    if (this._info) this._showAbout();
    this._showText();
    if (this._chart) this._drawChart(this._chart.next, this._chart.chosen);
    this._drawCurve();
    if (this._controls) this._enable(); // until the model is there, every button stays disabled
  }

  get _sampling() {
    const value = (role) => Number(this._$(role).value);
    return { temperature: value("temperature"), topK: value("topK"), topP: value("topP") };
  }

  _showSliders() {
    const t = this._t;
    const { temperature, topK, topP } = this._sampling;
    const out = (name) => this.shadowRoot.querySelector(`[data-out="${name}"]`);
    out("temperature").textContent = temperature === 0 ? t.greedy : temperature.toFixed(2);
    out("topK").textContent = topK === 0 ? t.off : String(topK);
    out("topP").textContent = topP >= 1 ? t.off : topP.toFixed(2);
  }

  _enable() {
    const t = this._t;
    // While a paused run's weights are copied back, the model is about to change: wait.
    const ready = this._model !== null && !this._settling;
    this._controls = true;
    this._button("generate").disabled = !ready || this._training;
    this._button("generate").textContent = this._generating ? t.stop : t.generate;
    this._button("step").disabled = !ready || this._generating || this._training;
    this._button("clear").disabled = !ready || this._generating;
    this._button("train").disabled = !ready || this._generating || Boolean(this._folder);
    this._button("train").textContent = this._training ? t.pauseTraining : t.train;
    this._button("train").setAttribute("aria-pressed", String(this._training));
  }

  async _start() {
    const gone = this._goneTest();
    this._say("status", "starting");
    try {
      this._runtime = await runtimeOf(this);
      if (gone()) return;
      this._say("status", "loading");
      const folder = this.getAttribute("model");
      let model;
      if (folder) {
        model = await this._acquireFolder(folder, "generate", this._t.pretrained.notGpt(folder));
        if (gone()) return;
      } else {
        const bytes = await this._download(this.getAttribute("checkpoint") || DEFAULT_CHECKPOINT);
        if (gone()) return;
        model = await this._runtime.loadGpt(bytes);
        if (gone()) {
          model.dispose?.(); // loaded for a widget that has left the page
          return;
        }
      }
      this._model = model;
      await this._describe();
      if (gone()) return;
      this._startStep = this._info.step; // where training further counts from
      this._say("status", (t) => this._unit(t, "ready"));
      this._enable();
      this._showText();
      await this._chartNext();
      if (!gone() && !folder) this._replay(this._currentStep()); // a shared run: train further to `train-to`
    } catch (error) {
      if (gone()) return;
      this._say("status", "loadFailed");
      this._showError(error);
    }
  }

  async _describe() {
    const model = this._model;
    const info = await model.describe();
    if (model !== this._model) return;
    this._info = info;
    this._showAbout();
  }

  _showAbout() {
    const info = this._info, backend = backendLabel(this._runtime), folder = this._folder;
    this._say("about", (t) => (folder ? t.pretrained.about(info, backend, folder) : t.about(info, backend)));
  }

  get _text() {
    return this._$("prompt").value + this._generated;
  }

  _showText(fresh = 0) {
    const old = this._generated.slice(0, this._generated.length - fresh);
    const recent = this._generated.slice(this._generated.length - fresh);
    this._$("text").innerHTML = `<span class="prompt">${escapeHtml(this._$("prompt").value)}</span>${escapeHtml(old)}<span class="new">${escapeHtml(recent)}</span>`;
    this._$("text").scrollTop = this._$("text").scrollHeight;
  }

  /** Draw the distribution of the character after the current text. */
  async _chartNext(chosen) {
    const model = this._model;
    if (!model || this._training) return;
    try {
      const next = await model.nextToken(this._text, this._sampling);
      if (model !== this._model) return;
      this._drawChart(next, chosen);
      this._clearError();
      if (next.cropped > 0) {
        const context = this._info.context;
        this._say("status", (t) => t.croppedNext(context));
      }
    } catch (error) {
      if (model === this._model) this._showError(error);
    }
  }

  _drawChart(next, chosen) {
    this._chart = { next, chosen };
    const t = this._t;
    const { characters } = next, raw = next.raw.data, sampled = next.sampled.data;
    const order = Array.from(raw.keys()).sort((a, b) => raw[b] - raw[a]).slice(0, 12);
    // The drawn character is always shown, even when it was not among the 12 likeliest.
    const drawn = chosen === undefined ? -1 : characters.indexOf(chosen);
    if (drawn >= 0 && !order.includes(drawn)) order[order.length - 1] = drawn;
    // A GPT-2 token is a piece of a word: a wider margin for its text, cut at 10 characters.
    const [W, rowH, left] = [320, 20, this._folder ? 88 : 34];
    const label = (id) => { const text = visible(characters[id]); return text.length > 10 ? `${text.slice(0, 9)}…` : text; };
    const max = Math.max(...order.map((i) => Math.max(raw[i], sampled[i])), 1e-9);
    let svg = "";
    order.forEach((id, row) => {
      const y = 4 + row * rowH;
      const width = (p) => ((W - left - 52) * p) / max;
      svg += `<text class="char" x="${left - 8}" y="${y + 13}" text-anchor="end">${escapeHtml(label(id))}</text>`;
      svg += `<rect class="raw" x="${left}" y="${y + 1}" width="${width(raw[id])}" height="7"/>`;
      svg += `<rect class="sampled" x="${left}" y="${y + 9}" width="${width(sampled[id])}" height="7"/>`;
      if (characters[id] === chosen) svg += `<rect class="chosen" x="${left - 26}" y="${y}" width="${W - left + 22}" height="${rowH - 2}" rx="3"/>`;
      svg += `<text x="${W - 4}" y="${y + 13}" text-anchor="end">${(100 * sampled[id]).toFixed(1)}%</text>`;
    });
    this._$("chart").innerHTML = svg;
    const summary = order.slice(0, 5).map((id) => `${visible(characters[id])} ${(100 * raw[id]).toFixed(1)}% → ${(100 * sampled[id]).toFixed(1)}%`).join(", ");
    this._$("chart").setAttribute("aria-label", t.chartLabel(summary));
    this._$("chart-caption").textContent = chosen === undefined ? this._unit(t, "top12") : t.drawnFrom(visible(chosen));
  }

  /** Draw up to `count` characters, streaming them to the page. */
  async _generate(count) {
    const model = this._model;
    if (!model || this._generating) return;
    this._generating = count > 1;
    this._enable();
    this._clearError();
    const seed = Math.max(0, Math.floor(Number(this._$("seed").value) || 0)) + this._generated.length;
    let fresh = 0;
    try {
      const result = await model.generate(this._text, {
        ...this._sampling,
        maxTokens: count,
        seed,
        onToken: async (step) => {
          if (model !== this._model) return false; // removed from the page: stop at once
          this._generated += step.token;
          fresh++;
          this._showText(Math.min(fresh, 1));
          this._updated(step);
          await yieldToBrowser();
          return count === 1 || this._generating;
        },
      });
      if (model !== this._model) return;
      if (count === 1 && result.steps.length) {
        // Show the distribution the character was drawn from.
        const text = this._text.slice(0, -1);
        const next = await model.nextToken(text, this._sampling);
        if (model !== this._model) return;
        this._drawChart(next, result.steps[0].token);
      } else {
        await this._chartNext();
      }
      const context = this._info.context, n = this._generated.length;
      this._say("status", result.cropped > 0 ? (t) => t.croppedGenerated(context) : (t) => t.generated(n));
    } catch (error) {
      if (model === this._model) this._showError(error);
    } finally {
      if (model === this._model) {
        this._generating = false;
        this._enable();
      }
    }
  }

  _stopGenerating() {
    this._generating = false;
    this._enable();
  }

  // Training, in a worker of its own (the loop itself is GfTrainerWidget's).

  _startTraining() {
    if (!this._model || this._generating || this._settling || this._folder) return; // a GPT-2 is not trained here
    super._startTraining();
  }

  _pauseTraining() {
    super._pauseTraining();
    this._settling = true; // until the trained weights are back on the page
    this._enable();
  }

  /** The worker's copy of the model, made on the first Train: the corpus and these weights, sent to a new worker. */
  async _trainee() {
    const gone = this._goneTest();
    if (!this._trainer) {
      this._say("train-status", "startingWorker");
      const text = new TextDecoder().decode(await this._download(this.getAttribute("corpus") || DEFAULT_CORPUS, { role: "train-status" }));
      if (gone()) return null;
      this._say("train-status", "startingWorker");
      const bytes = await this._model.save();
      if (gone()) return null;
      const worker = this._worker ?? await startWorkerRuntime(1);
      if (gone()) {
        worker.terminate(); // started for a widget that has left the page
        return null;
      }
      this._worker = worker;
      const trainer = await worker.loadGpt(bytes, text);
      if (gone()) return null; // the worker, and this copy with it, has been ended
      this._trainer = trainer;
    }
    this._say("train-status", "trainingWorker");
    return this._trainer;
  }

  _isTrainee(trainer) { return trainer === this._trainer; }

  /** The step training further is at: the last call's, or the model's own. */
  _currentStep() { return this._history.at(-1)?.step ?? this._info?.step ?? 0; }

  _trainCall(trainer, steps) { return trainer.train({ steps, validationBatches: 1 }); }

  _point(result) { return { step: result.step, loss: result.loss, valLoss: result.valLoss }; }

  async _afterCall(result, steps) {
    const loss = result.loss.toFixed(3), valid = result.valLoss.toFixed(3);
    const goal = this._replayTo; // a shared run being trained to again: "step 2,601 of 2,602"
    this._say("train-status", (t) => t.progress(result.step, loss, valid, result.tokensPerSecond, goal));
    this._drawCurve();
    if (!this._atStop(result.step, steps)) return true;
    // A shared run's step reached: pause, as the Pause button does (the weights come back to the page).
    this._settling = true;
    return false;
  }

  /** Paused (or failed): sample from the trained weights, copied back from the worker. */
  async _trainingEnded(trainer, failed) {
    const gone = this._goneTest();
    try {
      if (!failed) {
        const bytes = await trainer.save();
        if (gone()) return;
        const trained = await this._runtime.loadGpt(bytes);
        if (gone()) {
          trained.dispose?.();
          return;
        }
        this._model?.dispose?.();
        this._model = trained;
        this._chart = null;
        await this._describe();
      }
    } catch (error) {
      if (!gone()) this._showError(error);
    } finally {
      if (!gone()) {
        this._settling = false;
        this._enable();
        if (!failed) await this._chartNext(); // (which would clear the error line)
      }
    }
  }

  _drawCurve() {
    const t = this._t;
    const points = this._history;
    if (points.length < 2) return;
    const first = points[0].step, last = points.at(-1).step;
    this._$("curve").innerHTML = lossCurve({
      points, series: [{ key: "loss" }, { key: "valLoss", cls: "valid" }], xLabels: [t.axisStep(first), String(last)],
    });
    this._$("curve").setAttribute("aria-label", t.curveLabel(points[0].loss.toFixed(3), points.at(-1).loss.toFixed(3), points.at(-1).valLoss.toFixed(3), last));
  }
}

if (!customElements.get("gf-gpt-sampler")) customElements.define("gf-gpt-sampler", GfGptSampler);
