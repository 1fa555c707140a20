// The course page's model pickers: a <fieldset class="model-picker"
// data-for="<widget id>"> of radio buttons, each valued with a model folder's
// URL ("" for the course's own small model). Choosing one sets the widget's
// `model` attribute; while its files download, the fieldset shows a progress
// bar (bytes and percent, from the widget's "gf-progress" events) and a
// Cancel button, which goes back to the small model — the widget lets go of
// the download, and the shared model stops it (widgets/shared-models.js).

const mb = (bytes) => (bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0);

/** Wire every picker on the page to its widget. */
export function wireModelPickers(root = document) {
  for (const picker of root.querySelectorAll("fieldset.model-picker")) {
    const widget = document.getElementById(picker.dataset.for);
    const bar = picker.querySelector("progress");
    const said = picker.querySelector("[data-role=progress-text]");
    const cancel = picker.querySelector("button[data-action=cancel]");
    const radios = [...picker.querySelectorAll("input[type=radio]")];
    const showProgress = (shown) => { bar.hidden = cancel.hidden = !shown; if (!shown) said.textContent = ""; };
    const choose = (url) => {
      showProgress(false);
      if (url) widget.setAttribute("model", url);
      else widget.removeAttribute("model");
    };
    for (const radio of radios) radio.addEventListener("change", () => { if (radio.checked) choose(radio.value); });
    widget.addEventListener("gf-progress", ({ detail: { file, loaded, total, percent, done, failed } }) => {
      if (!widget.getAttribute("model")) return; // a late event of a cancelled download
      if (done || failed !== undefined) return showProgress(false); // opened, or failed: the widget says why
      showProgress(true);
      if (percent === null) bar.removeAttribute("value");
      else bar.value = percent;
      const zh = document.documentElement.lang === "zh";
      const of = total ? (zh ? ` / ${mb(total)}` : ` of ${mb(total)}`) : "";
      const pct = percent === null ? "" : zh ? `（${Math.round(percent)}%）` : ` (${Math.round(percent)}%)`;
      said.textContent = `${file}${zh ? "：" : ": "}${mb(loaded)}${of} MB${pct}`;
    });
    cancel.addEventListener("click", () => {
      radios.find((r) => r.value === "").checked = true;
      choose("");
      radios.find((r) => r.value === "").focus();
    });
  }
}
