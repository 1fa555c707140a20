// What every widget shares: the language it speaks, escaping, a base style
// themable with CSS custom properties, seeded numbers, the models that
// several widgets on a page can share, the "Share" footer that copies a
// widget's state as a snippet or a link, and (at the end) the base classes
// GfWidget and GfModelWidget that give the concept widgets their life cycle.
//
// Theming: set any of these on the page (or on one widget) and every widget
// follows:
//   --gf-font, --gf-mono, --gf-fg, --gf-bg, --gf-panel, --gf-border,
//   --gf-muted, --gf-accent, --gf-bad

import { getRuntime } from "../runtime.js";

/**
 * "en" or "zh": the widget's `lang` attribute, else the nearest `lang` above
 * it, else the page's; anything starting with "zh" is Chinese.
 */
export function langOf(element) {
  const lang = (element.getAttribute("lang") ?? element.closest("[lang]")?.getAttribute("lang") ?? document.documentElement.lang ?? "en").toLowerCase();
  return lang.startsWith("zh") ? "zh" : "en";
}

/**
 * The page's shared runtime. A widget's `backend` attribute ("auto" |
 * "webgpu" | "cpu") chooses the backend when this widget is the first on the
 * page to start the runtime; after that every widget shares the one already
 * running (one wasm instance, one GPU device per page).
 */
export function runtimeOf(element) {
  return getRuntime(element.getAttribute("backend") ?? undefined);
}

/** Text for HTML: `&`, `<`, `>`, `"` escaped. */
export const escapeHtml = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

/** Two decimals (or `digits`), without a "−0.00". */
export const fixed = (x, digits = 2) => (Math.abs(x) < 0.5 * 10 ** -digits ? 0 : x).toFixed(digits);

/** A whole number with thousands separators: 932999 → "932,999". */
export const formatInteger = (n) => Math.round(n).toLocaleString("en-US");

/** Seeded values in [−1, 1): the same `seed` gives the same numbers on every machine. */
export function seeded(n, seed) {
  let a = (seed * 2654435761) >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (a * 1103515245 + 12345) >>> 0;
    return ((a >>> 8) / (1 << 24)) * 2 - 1;
  });
}

/** A number attribute, clamped to [min, max]; `fallback` when absent or not a number. */
export function numberAttribute(element, name, fallback, min = -Infinity, max = Infinity) {
  const raw = element.getAttribute(name);
  const value = raw === null || raw.trim() === "" ? NaN : Number(raw);
  return Math.max(min, Math.min(max, Number.isFinite(value) ? value : fallback));
}

/** The words of a text attribute (split on white space), `fallback` when absent, at most `max`. */
export function wordsAttribute(element, name, fallback, max) {
  return (element.getAttribute(name) ?? fallback).split(/\s+/).filter(Boolean).slice(0, max);
}

/** A colour for a value in [−1, 1]: blue for positive, red for negative, white at 0. */
export function diverging(x) {
  const t = Math.max(-1, Math.min(1, x));
  const [r, g, b] = t >= 0 ? [47, 111, 223] : [200, 60, 50];
  const a = Math.abs(t);
  return `rgb(${Math.round(255 + (r - 255) * a)},${Math.round(255 + (g - 255) * a)},${Math.round(255 + (b - 255) * a)})`;
}

/** The style every widget starts from; each adds its own after it. */
export const BASE_STYLE = `
  :host { display: block; font: var(--gf-font, 15px/1.45 system-ui, sans-serif); color: var(--gf-fg, #1d2430);
          --accent: var(--gf-accent, #2f6fdf); --muted: var(--gf-muted, #5b6575); --border: var(--gf-border, #d5dbe6);
          --panel: var(--gf-panel, #f5f7fb); --bad: var(--gf-bad, #b71c1c); margin: 1em 0; }
  .wrap { border: 1px solid var(--border); border-radius: 10px; padding: 14px 16px; background: var(--gf-bg, #fff); overflow-x: auto; }
  h3 { margin: 0 0 4px; font-size: 1.05em; }
  h4 { margin: 12px 0 4px; font-size: .98em; }
  p { margin: 4px 0; }
  .note, figcaption { color: var(--muted); font-size: .9em; }
  figure { margin: 0; min-width: 0; }
  .controls { display: flex; gap: 14px; flex-wrap: wrap; align-items: center; margin: 8px 0; }
  label { display: inline-flex; gap: 6px; align-items: center; font-size: .92em; }
  output { font-variant-numeric: tabular-nums; min-width: 2.5em; }
  button, select, input[type=number], input[type=text] { font: inherit; padding: 4px 10px; border-radius: 6px; border: 1px solid var(--border); background: var(--panel); color: inherit; }
  input[type=text] { background: var(--gf-bg, #fff); }
  button { cursor: pointer; }
  button:disabled { opacity: .55; cursor: default; }
  :is(button, input, select, [tabindex]):focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
  table.matrix { border-collapse: collapse; font: 12px var(--gf-mono, ui-monospace, monospace); font-variant-numeric: tabular-nums; }
  table.matrix th { font-weight: normal; color: var(--muted); padding: 2px 4px; }
  table.matrix td { padding: 3px 4px; text-align: right; border: 1px solid var(--border); min-width: 2.6em; }
  svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
  .status { color: var(--muted); font-size: .9em; }
  .error { color: var(--bad); }
  .error:empty { display: none; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  .share { display: flex; gap: 8px; justify-content: flex-end; margin-top: 8px; font-size: .85em; }
  .share button { padding: 2px 8px; font-size: .95em; }
  .share span { color: var(--muted); align-self: center; }
`;

/** Call `move(+1 | −1)` when an arrow key is pressed on `target` (right/down: +1, left/up: −1). */
export function onArrowKeys(target, move) {
  target.addEventListener("keydown", (event) => {
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    if (!step) return;
    event.preventDefault();
    move(step);
  });
}

/** A matrix as an HTML table with row and column labels; `cell(value, r, c)` writes each `<td>`. */
export function matrixTable(values, rowLabels, columnLabels, cell) {
  const head = `<tr><th></th>${columnLabels.map((w) => `<th scope="col">${escapeHtml(w)}</th>`).join("")}</tr>`;
  const rows = rowLabels.map((w, r) => `<tr><th scope="row">${escapeHtml(w)}</th>${columnLabels.map((_, c) => cell(values[r * columnLabels.length + c], r, c)).join("")}</tr>`);
  return `<table class="matrix">${head}${rows.join("")}</table>`;
}

const SHARE_TEXT = {
  en: { snippet: "Copy snippet", link: "Copy link", copied: "Copied.", failed: "Could not copy: select the text shown instead." },
  zh: { snippet: "复制代码", link: "复制链接", copied: "已复制。", failed: "无法复制：请手动选择下面的文字。" },
};

/** The element as HTML with its current attributes: paste it into a page to get the same widget. */
export function snippetOf(element) {
  const tag = element.localName;
  const attributes = [...element.attributes]
    .filter((a) => a.name !== "style" && a.name !== "class" && a.name !== "id")
    .map((a) => ` ${a.name}="${escapeHtml(a.value)}"`).join("");
  return `<${tag}${attributes}></${tag}>`;
}

/**
 * A link to www/share.html that shows this widget alone with the same
 * attributes: `share.html?widget=gf-causal-mask&seed=3&text=…`.
 */
export function linkOf(element) {
  const url = new URL("../share.html", import.meta.url);
  url.searchParams.set("widget", element.localName);
  for (const a of element.attributes) {
    if (!["style", "class", "id", "widget"].includes(a.name)) url.searchParams.set(a.name, a.value);
  }
  return url.href;
}

/** The "Copy snippet / Copy link" footer's HTML; wire it with `wireShare`. */
export function shareFooter(lang) {
  const t = SHARE_TEXT[lang];
  return `<div class="share"><span data-role="share-status" aria-live="polite"></span>
    <button type="button" data-role="copy-snippet">${t.snippet}</button><button type="button" data-role="copy-link">${t.link}</button></div>`;
}

/** Make the footer's buttons copy the widget's snippet and link (shown in the status when the clipboard refuses). */
export function wireShare(element, root, lang) {
  const t = SHARE_TEXT[lang];
  const status = root.querySelector('[data-role="share-status"]');
  const copy = async (text) => {
    element.dataset.lastCopied = text;
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = t.copied;
    } catch {
      status.textContent = `${t.failed} ${text}`;
    }
  };
  root.querySelector('[data-role="copy-snippet"]').addEventListener("click", () => copy(snippetOf(element)));
  root.querySelector('[data-role="copy-link"]').addEventListener("click", () => copy(linkOf(element)));
}

// ---------------------------------------------------------------------------
// Shared models: several widgets on a page that show the same checkpoint
// load it once. Each widget acquires the model when it connects and
// releases it when it is removed; the last release frees it.

const MODELS = {
  bert: { url: new URL("../models/bert.safetensors", import.meta.url).href, load: (runtime, bytes) => runtime.loadBert(bytes) },
};
const shared = new Map(); // key → { promise, users }

/** Names of the checkpoints widgets can share (the `model` attribute). */
export const sharedModelNames = Object.keys(MODELS);

/**
 * The page's copy of model `name` (one of `sharedModelNames`), loading it on the
 * first call. Pair each call with `releaseModel(name)`.
 */
export function acquireModel(name) {
  const spec = MODELS[name];
  if (!spec) return Promise.reject(new Error(`unknown model "${name}": use one of ${sharedModelNames.join(", ")}.`));
  let entry = shared.get(name);
  if (!entry) {
    entry = {
      users: 0,
      promise: (async () => {
        const response = await fetch(spec.url);
        if (!response.ok) throw new Error(`could not fetch the ${name} checkpoint (${spec.url}): HTTP ${response.status}.`);
        return spec.load(await getRuntime(), new Uint8Array(await response.arrayBuffer()));
      })(),
    };
    // A failed load is forgotten, so that the next widget tries again.
    entry.promise.catch(() => { if (shared.get(name) === entry) shared.delete(name); });
    shared.set(name, entry);
  }
  entry.users++;
  return entry.promise;
}

/** One user fewer of model `name`; the last one frees it. */
export function releaseModel(name) {
  const entry = shared.get(name);
  if (!entry) return;
  entry.users--;
  if (entry.users <= 0) {
    shared.delete(name);
    entry.promise.then((model) => model.free?.(), () => {});
  }
}

/** How many widgets hold each shared model, by name (what the tests check). */
export function sharedModelUsers() {
  return Object.fromEntries([...shared].map(([name, entry]) => [name, entry.users]));
}

// ---------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------
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
