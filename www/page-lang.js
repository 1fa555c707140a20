// The course page's 中文 / English switch.
//
// The page is written in both languages: every piece of prose comes twice,
// marked `data-lang="zh"` and `data-lang="en"`, and style.css shows the one
// matching `<html lang>`. The widgets follow the page's language too: each
// gets a `lang` attribute, which makes it redraw in that language.
//
// Which language first: `?lang=zh` or `?lang=en` in the address, else the
// reader's last choice on this site, else the browser's (any `zh-*` means
// Chinese), else English. A choice made with the switch is kept in the
// address (so a copied link opens in it) and remembered for the next visit.

const STORAGE_KEY = "glassformer-lang";

/** "zh" or "en", from the address, the reader's last choice, or the browser. */
export function initialLanguage() {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked === "zh" || asked === "en") return asked;
  try {
    const remembered = localStorage.getItem(STORAGE_KEY);
    if (remembered === "zh" || remembered === "en") return remembered;
  } catch {
    // Storage may be refused (private mode, a sandboxed frame): not remembering is fine.
  }
  const browser = navigator.languages?.length ? navigator.languages : [navigator.language ?? "en"];
  const first = browser.find((tag) => /^(zh|en)\b/i.test(tag)) ?? "en";
  return first.toLowerCase().startsWith("zh") ? "zh" : "en";
}

/**
 * Show the page in `lang`: the page's prose, its title, the switch's
 * buttons and every widget. `remember`: also keep it in the address and for
 * the next visit (a choice the reader made).
 */
export function setLanguage(lang, { remember = false } = {}) {
  document.documentElement.lang = lang;
  for (const button of document.querySelectorAll("[data-set-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.setLang === lang));
  }
  const title = document.querySelector(`meta[name="title-${lang}"]`)?.content;
  if (title) document.title = title;
  for (const element of document.querySelectorAll("*")) {
    if (element.localName.startsWith("gf-")) element.setAttribute("lang", lang);
  }
  document.dispatchEvent(new CustomEvent("glassformer-lang", { detail: { lang } }));
  if (!remember) return;
  const url = new URL(location.href);
  url.searchParams.set("lang", lang);
  history.replaceState(history.state, "", url);
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // See initialLanguage.
  }
}

/** Wire the page's `[data-set-lang]` buttons and show it in its first language. */
export function wireLanguageSwitch() {
  document.addEventListener("click", (event) => {
    const lang = event.target.closest("[data-set-lang]")?.dataset.setLang;
    if (lang) setLanguage(lang, { remember: true });
  });
  setLanguage(initialLanguage());
}
