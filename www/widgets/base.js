// The base classes of the concept widgets: GfWidget (shadow root, language,
// panel with title, note, error line and share footer, attribute changes,
// gf-update) and GfModelWidget (a shared model acquired on connect and
// released on removal).

import { langOf } from "./inputs.js";
import { shareFooter, wireShare } from "./share.js";
import { acquireModel, releaseModel, sharedModelNames } from "./shared-models.js";

// Messages several widgets give, in both languages.
const COMMON_TEXT = {
  en: {
    emptyText: 'the text is empty: give the widget a sentence (text="…").',
    unknownModel: (name, names) => `model="${name}" is not one this widget can show; use ${names}.`,
  },
  zh: {
    emptyText: "文本是空的：请给组件一个句子（text=\"…\"）。",
    unknownModel: (name, names) => `这个组件不能显示 model="${name}"；请使用 ${names}。`,
  },
};

// The life of a widget, shared by the concept widgets: each subclass gives
// its TEXT (per language: at least title, note, error) and STYLE, the body
// of its panel, and what to do when it starts, changes and stops.

export class GfWidget extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: "open" });
  }

  /** The part of the panel marked `data-role="role"`. */
  _$(role) { return this.shadowRoot.querySelector(`[data-role="${role}"]`); }

  get _lang() { return langOf(this); }

  /** This widget's words in its language. */
  get _t() { return this.constructor.TEXT[this._lang]; }

  /** The messages every widget shares, in its language. */
  get _common() { return COMMON_TEXT[this._lang]; }

  connectedCallback() {
    this._render();
    this._start();
  }

  disconnectedCallback() {
    this._stop();
  }

  attributeChangedCallback(name, old, value) {
    // Before the first render, connectedCallback reads every attribute itself.
    if (!this.isConnected || !this.shadowRoot.firstChild || old === value) return;
    if (name === "lang") {
      this._render();
      this._redraw();
    } else {
      this._changed(name);
    }
  }

  /** Build the panel: title, note, the widget's body, the error line, the share footer. */
  _render() {
    const t = this._t;
    this.shadowRoot.innerHTML = `
      <style>${this.constructor.STYLE}</style>
      <div class="wrap">
        <h3>${t.title}</h3>
        <p class="note">${t.note}</p>
        ${this._body(t)}
        <p class="error" role="alert" data-role="error"></p>
        ${shareFooter(this._lang)}
      </div>`;
    this._wire();
    wireShare(this, this.shadowRoot, this._lang);
  }

  /** Show `error` (an Error or a message) after the widget's own prefix. */
  _showError(error) {
    this._$("error").textContent = this._t.error + (error?.message ?? error);
  }

  _clearError() {
    this._$("error").textContent = "";
  }

  /**
   * Run `compute` (async, → the widget's new results); if the widget is still
   * on the page, keep them as `_result` and redraw; a failure goes to the
   * error line.
   */
  async _keep(compute) {
    try {
      const result = await compute();
      if (!this.isConnected) return;
      this._result = result;
      this._clearError();
      this._redraw();
    } catch (error) {
      this._showError(error);
    }
  }

  /** Tell the page the widget has new results. */
  _updated() {
    this.dispatchEvent(new CustomEvent("gf-update", { bubbles: true, composed: true }));
  }

  // What subclasses fill in.
  /** The panel's HTML between the note and the error line. */
  _body() { return ""; }
  /** Add the listeners of the freshly built panel. */
  _wire() {}
  /** Connected: compute and draw. */
  _start() {}
  /** Removed: let go of models, timers and results. */
  _stop() {}
  /** Redraw from kept results (after a change of language). */
  _redraw() {}
  /** An attribute other than lang changed: by default, start over. */
  _changed() { this._start(); }
}

/**
 * A widget that shows a pre-trained model shared by the page (its `model`
 * attribute, default "bert"): it acquires the model when it connects,
 * computes with it (`_compute`), and releases it when it is removed. Its
 * panel needs a `data-role="status"` line and its TEXT a `loading` message.
 */
export class GfModelWidget extends GfWidget {
  _start() { this._load(); }

  _stop() {
    if (this._modelName) releaseModel(this._modelName);
    this._model = this._modelName = this._result = null;
  }

  _changed(name) {
    if (name === "model") {
      this._stop();
      this._start();
    } else {
      this._attributeChanged(name);
    }
  }

  /** An attribute other than lang and model changed. */
  _attributeChanged() { this._compute(); }

  async _load() {
    const name = this.getAttribute("model") ?? "bert";
    this._$("status").textContent = this._t.loading;
    try {
      if (!sharedModelNames.includes(name)) throw new Error(this._common.unknownModel(name, sharedModelNames.map((n) => `model="${n}"`).join(" | ")));
      this._modelName = name;
      this._model = await acquireModel(name);
      if (!this.isConnected) return;
      this._$("status").textContent = "";
      await this._compute();
    } catch (error) {
      this._$("status").textContent = "";
      this._showError(error);
    }
  }
}
