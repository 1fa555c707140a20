// The "Copy snippet / Copy link" footer: a widget's current state as the
// HTML that makes it again, or as a link to www/share.html that shows it
// alone; and downloading what a widget made (a saved model) as a file.

import { escapeHtml } from "./display.js";

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
