// The look of <gf-seq2seq-trainer> (../gf-seq2seq-trainer.js): BASE_STYLE
// (display.js) first, then what this widget adds or changes.
import { BASE_STYLE } from "../display.js";

export const STYLE = BASE_STYLE + `
  :host { --good: var(--gf-good, #2e7d32); }
  h4 { margin: 14px 0 6px; font-size: 1em; }
  p.note { margin: 2px 0 10px; color: var(--muted); font-size: .92em; }
  .controls { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
  button.primary { background: var(--accent); color: #fff; border-color: var(--accent); min-width: 6.5em; }
  input[type=text] { background: #fff; flex: 1 1 20em; min-width: 12em; }
  .progress { display: flex; gap: 10px; align-items: center; margin: 10px 0 4px; flex-wrap: wrap; }
  progress { width: 200px; height: 10px; accent-color: var(--accent); }
  .readout { font-variant-numeric: tabular-nums; font-size: .92em; }
  .grid { display: grid; grid-template-columns: minmax(260px, 360px) 1fr; gap: 16px; align-items: start; }
  @media (max-width: 720px) { .grid { grid-template-columns: 1fr; } }
  figure { margin: 0; background: var(--panel); border-radius: 8px; padding: 8px 10px; }
  figcaption { font-size: .88em; color: var(--muted); margin-top: 2px; }
  svg .curve { fill: none; stroke: var(--accent); stroke-width: 1.6; }
  svg .grid-line { stroke: var(--border); stroke-width: 1; }
  .score { font-size: .92em; margin-top: 8px; }
  .score strong { font-variant-numeric: tabular-nums; }
  table.samples { border-collapse: collapse; width: 100%; font-size: .9em; }
  table.samples th { text-align: left; color: var(--muted); font-weight: 500; padding: 2px 6px; }
  table.samples td { padding: 4px 6px; border-top: 1px solid var(--border); vertical-align: top; }
  .w-ok { color: var(--good); }
  .w-bad { color: var(--bad); text-decoration: underline wavy; text-decoration-thickness: 1px; }
  .mark { font-weight: 600; }
  .output { margin: 8px 0; font-size: 1.02em; }
  .output .unk { color: var(--bad); }
  .heatmap { overflow-x: auto; }
  .heatmap svg text.token { fill: var(--gf-fg, #1d2430); font-size: 12px; }
  .heatmap svg text.token.unk { fill: var(--bad); }
  .alt { font-size: .86em; color: var(--muted); }
  .error { color: var(--bad); background: #fdecea; border-radius: 6px; padding: 6px 10px; margin-top: 8px; }
`;
