// The "Copy snippet / Copy link" footer: a widget's current state as the
// HTML that makes it again, or as a link to www/share.html that shows it
// alone; and downloading what a widget made (a saved model) as a file.
//
// A widget's state is its attributes, plus what the student changed since
// the page set them: a widget may say so with `_shareState()` (see
// GfWidget in base.js), e.g. the demos' typed text, their sliders, and
// `train-to`, the step their training reached, which the copy trains to
// again when it opens (GfTrainerWidget in trainer.js).

import { escapeHtml } from "./display.js";

const SHARE_TEXT = {
  en: { snippet: "Copy snippet", link: "Copy link", copied: "Copied.", failed: "Could not copy: select the text shown instead." },
  zh: { snippet: "复制代码", link: "复制链接", copied: "已复制。", failed: "无法复制：请手动选择下面的文字。" },
};

/**
 * The attributes that make this widget again, as [name, value] pairs: its
 * own (not style, class or id, which belong to the page), with what its
 * `_shareState()` says on top ({ name: value }, or null for "leave it out:
 * the default"), so that a copy shows what the student sees now.
 */
export function sharedAttributes(element) {
  const shared = new Map([...element.attributes]
    .filter((a) => !["style", "class", "id"].includes(a.name))
    .map((a) => [a.name, a.value]));
  for (const [name, value] of Object.entries(element._shareState?.() ?? {})) {
    if (value === null) shared.delete(name);
    else shared.set(name, String(value));
  }
  return [...shared];
}

/** The element as HTML with its current state: paste it into a page to get the same widget. */
export function snippetOf(element) {
  const tag = element.localName;
  const attributes = sharedAttributes(element).map(([name, value]) => ` ${name}="${escapeHtml(value)}"`).join("");
  return `<${tag}${attributes}></${tag}>`;
}

/**
 * A link to www/share.html that shows this widget alone in the same state:
 * `share.html?widget=gf-causal-mask&seed=3&text=…`.
 */
export function linkOf(element) {
  const url = new URL("../share.html", import.meta.url);
  url.searchParams.set("widget", element.localName);
  for (const [name, value] of sharedAttributes(element)) {
    if (name !== "widget") url.searchParams.set(name, value);
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

/**
 * Download `bytes` as the file `name` (a saved model). The download's
 * memory is freed ten seconds later, or at once if the widget leaves the page.
 */
export function downloadFile(widget, bytes, name) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
  link.download = name;
  widget.shadowRoot.append(link);
  link.click();
  link.remove();
  const revoke = () => URL.revokeObjectURL(link.href);
  widget._later(10_000, revoke, revoke);
}
