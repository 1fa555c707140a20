// The widget documentation page: one section per widget of the catalogue,
// each with the live widget, the snippet that made it, and its attributes;
// and the English / Chinese switch, which sets the page's language and
// every widget's `lang`.

import { CATALOGUE, exampleSnippet } from "./widgets/catalogue.js";
import { escapeHtml } from "./widgets/common.js";

const LABELS = {
  en: { attribute: "attribute", default: "default", meaning: "meaning", copy: "Copy", copied: "Copied", also: "All widgets also take lang=\"en\" | \"zh\", and backend=\"auto\" | \"webgpu\" | \"cpu\" (used by the first widget that starts the page's shared runtime)." },
  zh: { attribute: "属性", default: "默认值", meaning: "含义", copy: "复制", copied: "已复制", also: "所有组件都接受 lang=\"en\" | \"zh\"，以及 backend=\"auto\" | \"webgpu\" | \"cpu\"（由页面上第一个启动共享运行时的组件决定）。" },
};

/** Both languages of a text, one shown at a time by the page's CSS. */
const both = (text) => `<span data-lang="en">${escapeHtml(text.en)}</span><span data-lang="zh">${escapeHtml(text.zh)}</span>`;
const bothLabel = (key) => `<span data-lang="en">${LABELS.en[key]}</span><span data-lang="zh">${LABELS.zh[key]}</span>`;

const loader = `<script type="module" src="glassformer.js"></script>`;
document.getElementById("loader-snippet").textContent = `${loader}\n\n<gf-positional-encoding d-model="64"></gf-positional-encoding>`;

document.getElementById("toc").innerHTML = CATALOGUE.map((w) => `<a href="#${w.tag}">&lt;${w.tag}&gt;</a> — ${both(w.title)}<br>`).join("");

document.getElementById("widgets").innerHTML = CATALOGUE.map((w) => {
  const snippet = exampleSnippet(w);
  const rows = w.attributes.map(([name, value, meaning]) =>
    `<tr><td><code>${name}</code></td><td><code>${escapeHtml(value || "—")}</code></td><td>${both(meaning)}</td></tr>`).join("");
  return `
    <section id="${w.tag}" aria-labelledby="${w.tag}-title">
      <h2 id="${w.tag}-title">${both(w.title)} <code>&lt;${w.tag}&gt;</code></h2>
      <p>${both(w.about)}</p>
      ${snippet}
      <div class="snippet-row"><pre class="snippet">${escapeHtml(snippet)}</pre>
        <button type="button" data-copy="${escapeHtml(snippet)}">${bothLabel("copy")}</button></div>
      <table class="attributes"><thead><tr><th>${bothLabel("attribute")}</th><th>${bothLabel("default")}</th><th>${bothLabel("meaning")}</th></tr></thead>
        <tbody>${rows}</tbody></table>
      <p class="note" style="font-size:.88em;color:var(--gf-muted)">${bothLabel("also")}</p>
    </section>`;
}).join("");

document.addEventListener("click", async (event) => {
  const copy = event.target.closest("[data-copy]");
  if (copy) {
    try {
      await navigator.clipboard.writeText(copy.dataset.copy);
      copy.innerHTML = bothLabel("copied");
    } catch {
      // The clipboard may be refused (no permission): the snippet is right there to select.
      getSelection().selectAllChildren(copy.previousElementSibling);
    }
  }
  const lang = event.target.closest("[data-set-lang]")?.dataset.setLang;
  if (lang) setLanguage(lang);
});

/** Show the page in `lang` and tell every widget. */
function setLanguage(lang) {
  document.documentElement.lang = lang;
  for (const button of document.querySelectorAll("[data-set-lang]")) button.setAttribute("aria-pressed", String(button.dataset.setLang === lang));
  for (const widget of document.querySelectorAll("#widgets > section > *")) {
    if (widget.localName.startsWith("gf-")) widget.setAttribute("lang", lang);
  }
  const url = new URL(location.href);
  url.searchParams.set("lang", lang);
  history.replaceState(null, "", url);
}

const asked = new URLSearchParams(location.search).get("lang");
if (asked === "zh" || asked === "en") setLanguage(asked);
