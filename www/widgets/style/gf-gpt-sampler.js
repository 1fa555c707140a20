// The look of <gf-gpt-sampler> (../gf-gpt-sampler.js): BASE_STYLE
// (display.js) first, then what this widget adds or changes.
import { BASE_STYLE } from "../display.js";

export const STYLE = BASE_STYLE + `
  h4 { margin: 14px 0 6px; font-size: 1em; }
  p.note { margin: 2px 0 10px; color: var(--muted); font-size: .92em; }
  .controls { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; margin: 6px 0; }
  button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
  :is(button, input, textarea):focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
  textarea { width: 100%; box-sizing: border-box; font: 14px/1.4 var(--gf-mono, ui-monospace, monospace); border: 1px solid var(--border);
             border-radius: 6px; padding: 6px 8px; min-height: 3.2em; resize: vertical; }
  label.slider output { min-width: 3.2em; }
  input[type=number] { width: 5em; }
  pre.text { white-space: pre-wrap; font: 14px/1.45 var(--gf-mono, ui-monospace, monospace); background: var(--panel);
             border-radius: 8px; padding: 8px 10px; min-height: 6em; max-height: 22em; overflow: auto; margin: 6px 0; }
  pre.text .prompt { color: var(--muted); }
  pre.text .new { background: color-mix(in srgb, var(--accent) 25%, transparent); }
  .grid { display: grid; grid-template-columns: 1fr minmax(240px, 340px); gap: 16px; align-items: start; }
  @media (max-width: 760px) { .grid { grid-template-columns: 1fr; } }
  figure { margin: 0; background: var(--panel); border-radius: 8px; padding: 8px 10px; }
  figure.curve { max-width: 560px; }
  figcaption { font-size: .86em; color: var(--muted); margin-top: 2px; }
  svg text.char { font: 13px ui-monospace, monospace; fill: var(--gf-fg, #1d2430); }
  svg .raw { fill: var(--border); }
  svg .sampled { fill: var(--accent); }
  svg .chosen { fill: none; stroke: var(--gf-fg, #1d2430); stroke-width: 1.5; }
  svg .curve { fill: none; stroke: var(--accent); stroke-width: 1.6; }
  svg .curve.valid { stroke: #d2691e; stroke-dasharray: 4 3; }
  svg .grid-line { stroke: var(--border); }
  .legend span { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 4px 0 10px; vertical-align: -1px; }
  .error { color: var(--bad); background: #fdecea; border-radius: 6px; padding: 6px 10px; margin-top: 8px; }
`;
