// The look of <gf-bert-fill> (../gf-bert-fill.js): BASE_STYLE (display.js)
// first, then what this widget adds or changes.
import { BASE_STYLE } from "../display.js";

export const STYLE = BASE_STYLE + `
  h4 { margin: 16px 0 4px; font-size: 1em; }
  p.note { margin: 2px 0 8px; color: var(--muted); font-size: .92em; }
  .controls { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 6px 0; }
  input[type=text] { flex: 1 1 320px; font: 14px/1.4 var(--gf-mono, ui-monospace, monospace); padding: 5px 8px; border: 1px solid var(--border); border-radius: 6px; }
  input[type=number] { width: 4.5em; }
  button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
  .guesses { display: flex; gap: 16px; flex-wrap: wrap; }
  .guesses figure { margin: 0; background: var(--panel); border-radius: 8px; padding: 8px 10px; min-width: 220px; flex: 1 1 220px; }
  .bar { display: grid; grid-template-columns: 7em 1fr 3.5em; gap: 6px; align-items: center; font-size: .92em; margin: 2px 0; }
  .bar .fill { height: 12px; background: var(--accent); border-radius: 3px; }
  .bar .token { font-family: var(--gf-mono, ui-monospace, monospace); text-align: right; overflow: hidden; text-overflow: ellipsis; }
  .bar .p { font-variant-numeric: tabular-nums; color: var(--muted); }
  figcaption { font-size: .86em; color: var(--muted); margin-bottom: 4px; }
  .chips { display: flex; flex-wrap: wrap; gap: 4px; margin: 6px 0; }
  .chip { font: 13px var(--gf-mono, ui-monospace, monospace); padding: 2px 6px; border-radius: 5px; border: 1px solid var(--border); background: #fff; }
  .chip .shown { display: block; font-size: 11px; color: var(--muted); }
  .chip[data-fate] { border-width: 2px; }
  .chip.seen { background: color-mix(in srgb, var(--accent) 22%, #fff); }
  .chip.hidden { opacity: .35; text-decoration: line-through; }
  .chip.focus { outline: 2px solid var(--gf-fg, #1d2430); }
  .legend { font-size: .86em; color: var(--muted); }
  .legend span { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 4px 0 10px; vertical-align: -1px; }
  .row-label { font-size: .88em; color: var(--muted); min-width: 10em; }
  svg text.tok { font: 11px ui-monospace, monospace; fill: var(--gf-fg, #1d2430); }
  svg .curve { fill: none; stroke-width: 2; }
  svg .curve.pre { stroke: #2f6fdf; }
  svg .curve.scratch { stroke: #d2691e; }
  svg text.curve-label.pre { fill: #2f6fdf; }
  svg text.curve-label.scratch { fill: #d2691e; }
  svg .grid-line { stroke: var(--border); }
  table { border-collapse: collapse; font-size: .92em; margin: 6px 0; font-variant-numeric: tabular-nums; }
  th, td { padding: 3px 10px; border-bottom: 1px solid var(--border); text-align: right; }
  th:first-child, td:first-child { text-align: left; }
  .two { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px; align-items: start; }
  @media (max-width: 760px) { .two { grid-template-columns: 1fr; } }
  .error { color: var(--bad); background: #fdecea; border-radius: 6px; padding: 6px 10px; margin-top: 6px; }
`;
