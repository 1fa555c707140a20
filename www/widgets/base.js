// The base classes of every widget: GfWidget (shadow root, language, panel
// with title, note, error line and share footer, messages kept across a
// change of language, attribute changes, a life number per connection,
// timers, gf-update and gf-idle) and GfModelWidget (a shared model acquired
// on connect and released on removal). The training demos add
// GfTrainerWidget (trainer.js) on top.

import { langOf } from "./inputs.js";
import { shareFooter, wireShare } from "./share.js";
import { acquireModel, isModelFolder, releaseModel, sharedModelNames } from "./shared-models.js";
import { readWithProgress } from "../pretrained.js";

// Messages several widgets give, in both languages.
const COMMON_TEXT = {
  en: {
    emptyText: 'the text is empty: give the widget a sentence (text="…").',
    unknownModel: (name, names) => `model="${name}" is not one this widget can show; use ${names}.`,
    answered: (url, status, text) => `${url} answered ${status} ${text}: check the widget's URL attributes.`,
    downloading: (file, mb, total, percent) => `Downloading ${file}: ${mb}${total === null ? "" : ` of ${total}`} MB${percent === null ? "" : ` (${percent}%)`}…`,
  },
  zh: {
    emptyText: "文本是空的：请给组件一个句子（text=\"…\"）。",
    unknownModel: (name, names) => `这个组件不能显示 model="${name}"；请使用 ${names}。`,
    answered: (url, status, text) => `${url} 返回了 ${status} ${text}：请检查组件的 URL 属性。`,
    downloading: (file, mb, total, percent) => `正在下载 ${file}：${mb}${total === null ? "" : ` / ${total}`} MB${percent === null ? "" : `（${percent}%）`}…`,
  },
};

// The life of every widget, the demos included: each subclass gives its
// TEXT (per language: at least title and note; `error`, if it has one, is
// put before every error message) and STYLE, the body of its panel, and what
// to do when it starts, changes and stops.
//
// What the widget says (its status line, its error line, any other message)
// goes through `_say(role, message)`, which keeps the message as a function
// of the text table: a change of language rebuilds the panel and says it all
// again in the other language. The values of the inputs named in `KEPT`
// (data-role names) survive the rebuild too.
//
// Each connection to the page gets a new life number: work started in an
// earlier life (the widget was removed meanwhile) sees `gone()` turn true
// and stops.

/** Let the browser paint and handle input between two pieces of work (wasm work resolves as microtasks). */
export const yieldToBrowser = () => new Promise((resolve) => setTimeout(resolve, 0));

export class GfWidget extends HTMLElement {
  /** The data-role names of the inputs whose values a re-render keeps. */
  static KEPT = [];

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this._life = 0;
    this._messages = {}; // data-role → (t) => string
    this._timers = new Map(); // timer → what to do if the widget leaves before it fires
  }

  /** The part of the panel marked `data-role="role"`. */
  _$(role) { return this.shadowRoot.querySelector(`[data-role="${role}"]`); }

  /** The button marked `data-action="action"`. */
  _button(action) { return this.shadowRoot.querySelector(`[data-action="${action}"]`); }

  get _lang() { return langOf(this); }

  /** This widget's words in its language. */
  get _t() { return this.constructor.TEXT[this._lang]; }

  /** The messages every widget shares, in its language. */
  get _common() { return COMMON_TEXT[this._lang]; }

  /** A test for work starting now: it turns true once the widget has left the page. */
  _goneTest() {
    const life = this._life;
    return () => life !== this._life;
  }

  connectedCallback() {
    this._life++;
    this._messages = {};
    this._render();
    this._start();
    // After an internal error the runtime restarts on a fresh wasm instance
    // (restartable.js) and models made before are gone: start again, loading them anew.
    this._onRestart ??= () => { if (this.isConnected) { this.disconnectedCallback(); this.connectedCallback(); } };
    document.addEventListener("glassformer-restarted", this._onRestart);
  }

  disconnectedCallback() {
    document.removeEventListener("glassformer-restarted", this._onRestart);
    this._life++;
    for (const [timer, cleanUp] of this._timers) {
      clearTimeout(timer);
      cleanUp?.();
    }
    this._timers.clear();
    this._stop();
  }

  attributeChangedCallback(name, old, value) {
    // Before the first render, connectedCallback reads every attribute itself.
    if (!this.isConnected || !this.shadowRoot.firstChild || old === value) return;
    if (name === "lang") {
      this._render();
      this._redraw();
    } else {
      this._changed(name, value);
    }
  }

  /** Build the panel: title, note, the widget's body, the error line (unless the body places it), the share footer. */
  _render() {
    const t = this._t;
    const kept = {};
    for (const role of this.constructor.KEPT) {
      const input = this._$(role);
      if (input) kept[role] = input.value;
    }
    const body = this._body(t);
    this.shadowRoot.innerHTML = `
      <style>${this.constructor.STYLE}</style>
      <div class="wrap"${this._wrapAttributes(t)}>
        <h3>${this._title(t)}</h3>
        <p class="note" data-role="about">${this._note(t)}</p>
        ${body}
        ${body.includes('data-role="error"') ? "" : '<p class="error" role="alert" data-role="error"></p>'}
        ${shareFooter(this._lang)}
      </div>`;
    for (const [role, value] of Object.entries(kept)) this._$(role).value = value;
    this._wire(kept);
    wireShare(this, this.shadowRoot, this._lang);
    this._paintMessages();
  }

  /**
   * Say `message` in the element `data-role="role"`, now and after every
   * change of language: null (say nothing), a key of TEXT, a function of
   * the text table, or an Error or string from the runtime (shown as it is).
   */
  _say(role, message) {
    if (message === null || message === undefined) delete this._messages[role];
    else if (typeof message === "function") this._messages[role] = message;
    else if (typeof message === "string" && message in this._t) this._messages[role] = (t) => t[message];
    else {
      const text = String(message.message ?? message);
      this._messages[role] = () => text;
    }
    const element = this._$(role);
    if (element) element.textContent = this._messages[role]?.(this._t) ?? "";
  }

  /** Write every kept message again (after the panel was rebuilt). */
  _paintMessages() {
    const t = this._t;
    for (const [role, message] of Object.entries(this._messages)) {
      const element = this._$(role);
      if (element) element.textContent = message(t);
    }
  }

  /** Show `error` (an Error, a message, or a function of the text table) after the widget's own prefix. */
  _showError(error) {
    if (!error) return this._clearError();
    const say = typeof error === "function" ? error : () => String(error.message ?? error);
    this._say("error", (t) => (t.error ?? "") + say(t));
  }

  _clearError() {
    this._say("error", null);
  }

  /**
   * Run `compute` (async, → the widget's new results); if the widget is still
   * on the page, keep them as `_result` and redraw; a failure goes to the
   * error line.
   */
  async _keep(compute) {
    const gone = this._goneTest();
    try {
      const result = await compute();
      if (gone() || !this.isConnected) return;
      this._result = result;
      this._clearError();
      this._redraw();
    } catch (error) {
      if (!gone()) this._showError(error);
    }
  }

  /** Fetch `url` (a checkpoint, a corpus): the response, or an Error that names the URL and the server's answer. */
  async _fetch(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(this._common.answered(url, response.status, response.statusText));
    return response;
  }

  /** Call `then` after `ms`, unless the widget leaves the page first (then `cleanUp`, if given, runs at once). */
  _later(ms, then, cleanUp) {
    const timer = setTimeout(() => {
      this._timers.delete(timer);
      then();
    }, ms);
    this._timers.set(timer, cleanUp);
  }

  /** Tell the page the widget has new results (`detail` goes with the event). */
  _updated(detail) {
    this.dispatchEvent(new CustomEvent("gf-update", { bubbles: true, composed: true, detail }));
  }

  /** Tell the page a call has ended: done, failed, or stopped because the widget left the page. */
  _idle() {
    this.dispatchEvent(new CustomEvent("gf-idle", { bubbles: true, composed: true }));
  }

  // What subclasses fill in.
  /** The panel's heading and the note under it (HTML). */
  _title(t) { return t.title; }
  _note(t) { return t.note; }
  /** Extra attributes of the panel's outer element (HTML, with a leading space). */
  _wrapAttributes() { return ""; }
  /** The panel's HTML between the note and the error line. */
  _body() { return ""; }
  /** Add the listeners of the freshly built panel (`kept`: the KEPT inputs' values carried over). */
  _wire() {}
  /** Connected: compute and draw. */
  _start() {}
  /** Removed: let go of models, timers and results. */
  _stop() {}
  /**
   * The page's shared copy of model `name` (see shared-models.js), its
   * download's progress on the `status` line and in "gf-progress" events
   * for a page's progress bar (detail: { file, loaded, total, percent }
   * while downloading, then { done: true } or { failed: message });
   * pair with `releaseModel(name)`, which stops the download if it was the last user.
   */
  async _acquire(name) {
    try {
      const model = await acquireModel(name, this._progressReporter());
      this._tellProgress({ done: true });
      return model;
    } catch (error) {
      this._tellProgress({ failed: String(error.message ?? error) });
      throw error;
    }
  }

  /**
   * Download `url` (a checkpoint, a corpus) → its bytes, showing the
   * download's size and progress as `_acquire` does, so that a slow network
   * shows a growing number of megabytes instead of a blank panel; on the
   * line `role` (the status line by default), which the caller says
   * something else on once it is done.
   */
  async _download(url, { role = "status" } = {}) {
    const file = decodeURIComponent(new URL(url, location.href).pathname.split("/").pop() || url);
    try {
      const bytes = await readWithProgress(await this._fetch(url), file, this._progressReporter(role));
      this._tellProgress({ done: true });
      return bytes;
    } catch (error) {
      this._tellProgress({ failed: String(error.message ?? error) });
      throw error;
    }
  }

  /** A download's progress → the line `role` and a "gf-progress" event, while the widget is on the page. */
  _progressReporter(role = "status") {
    const gone = this._goneTest();
    return (progress) => {
      const { file, loaded, total, percent, cached } = progress;
      if (gone() || cached) return;
      const mb = (bytes) => (bytes / 1e6).toFixed(1);
      const pct = percent === null ? null : Math.round(percent);
      this._say(role, () => this._common.downloading(file, mb(loaded), total ? mb(total) : null, pct));
      this._tellProgress(progress);
    };
  }

  _tellProgress(detail) {
    this.dispatchEvent(new CustomEvent("gf-progress", { detail, bubbles: true, composed: true }));
  }

  /**
   * The shared model of the folder `folder` for a widget that shows one
   * kind: `this._folder` names it at once (so that `_stop` releases it, even
   * while it loads); a model without the method `needs` is an Error saying `wrongKind`.
   */
  async _acquireFolder(folder, needs, wrongKind) {
    this._folder = folder;
    const model = await this._acquire(folder);
    if (typeof model[needs] !== "function") throw new Error(wrongKind);
    return model;
  }

  /** Redraw from kept results (after a change of language). */
  _redraw() {}
  /** An attribute other than lang changed: by default, start over. */
  _changed() { this._start(); }
  /**
   * What "Copy snippet" and "Copy link" (share.js) write besides the
   * attributes: { name: value } for state the student changed here (a typed
   * sentence, a slider, training), null to leave an attribute out. By
   * default nothing: the attributes are the whole state.
   */
  _shareState() { return {}; }
}

/**
 * A widget that shows a pre-trained model shared by the page (its `model`
 * attribute: "bert", the default, or a Hugging Face model folder's URL,
 * whose download progress the status line shows): it acquires the model when it connects,
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
    this._say("status", "loading");
    try {
      if (!sharedModelNames.includes(name) && !isModelFolder(name)) {
        throw new Error(this._common.unknownModel(name, [...sharedModelNames.map((n) => `model="${n}"`), 'model="<a Hugging Face model folder\'s URL>"'].join(" | ")));
      }
      this._modelName = name;
      this._model = await this._acquire(name);
      if (!this.isConnected) return;
      this._say("status", null);
      await this._compute();
    } catch (error) {
      this._say("status", null);
      this._showError(error);
    }
  }
}
