// How widgets write: escaped text, numbers, a colour scale, matrices as
// tables, and the style every widget starts from. The style reads CSS custom
// properties, so a page (or one widget) can theme every widget:
//   --gf-font, --gf-mono, --gf-fg, --gf-bg, --gf-panel, --gf-border,
//   --gf-muted, --gf-accent, --gf-bad

/** Text for HTML: `&`, `<`, `>`, `"` escaped. */
export const escapeHtml = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

/** Two decimals (or `digits`), without a "−0.00". */
export const fixed = (x, digits = 2) => (Math.abs(x) < 0.5 * 10 ** -digits ? 0 : x).toFixed(digits);

/** A whole number with thousands separators: 932999 → "932,999". */
export const formatInteger = (n) => Math.round(n).toLocaleString("en-US");

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

/** A matrix as an HTML table with row and column labels; `cell(value, r, c)` writes each `<td>`. */
export function matrixTable(values, rowLabels, columnLabels, cell) {
  const head = `<tr><th></th>${columnLabels.map((w) => `<th scope="col">${escapeHtml(w)}</th>`).join("")}</tr>`;
  const rows = rowLabels.map((w, r) => `<tr><th scope="row">${escapeHtml(w)}</th>${columnLabels.map((_, c) => cell(values[r * columnLabels.length + c], r, c)).join("")}</tr>`);
  return `<table class="matrix">${head}${rows.join("")}</table>`;
}
