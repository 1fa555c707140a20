// The curve the training widgets draw (the translator's and the GPT's loss,
// BERT's fine-tuning accuracy): one line per series of values over the
// training steps, as SVG content for an <svg viewBox="0 0 width height">. A
// widget keeps its own words (axis labels, the text alternative); this file
// only draws.

/**
 * @param {object} options
 * @param {object[]} options.points  the points in step order, each with `step` and the series' fields
 * @param {{key: string, cls?: string, label?: string}[]} options.series  the fields to draw,
 *   one line each (class "curve" plus `cls`), named by `label` at its last point if given (class "curve-label" plus `cls`)
 * @param {boolean} [options.log]  a log₁₀ axis with a line at every power of ten
 *   (a loss that falls by orders of magnitude); otherwise a linear axis from
 *   the lowest to the highest value, rounded to tenths
 * @param {number[]} [options.yTicks]  a fixed linear axis instead: lines at these values, from the first to the last
 * @param {(v: number) => string} [options.yFormat]  the text of a tick (default: one decimal)
 * @param {number} [options.width] @param {number} [options.height]  the viewBox
 * @param {number[]} [options.margin]  [top, right, bottom, left], room for the labels
 * @param {number} [options.xFrom] @param {number} [options.xTo]  the steps at the two ends (default: the first and last point's)
 * @param {string[]} options.xLabels  the texts under the left and right ends
 * @param {number} [options.maxPoints]  a longer run is thinned evenly to about this many points
 * @returns {string} the SVG content
 */
export function lossCurve({
  points, series, log = false, yTicks, yFormat = (v) => v.toFixed(1),
  width = 340, height = 150, margin = [8, 8, 20, 34], xFrom, xTo, xLabels, maxPoints = 400,
}) {
  const [top, right, bottom, left] = margin;
  const scale = log ? Math.log10 : (v) => v;
  const values = points
    .flatMap((p) => series.map((s) => p[s.key]))
    .filter((v) => Number.isFinite(v) && (!log || v > 0))
    .map(scale);
  // The vertical range and the values labelled on it.
  let low, high, ticks;
  if (yTicks) {
    [low, high, ticks] = [yTicks[0], yTicks.at(-1), yTicks];
  } else if (log) {
    low = Math.floor(Math.min(...values));
    high = Math.ceil(Math.max(...values, low + 1));
    ticks = Array.from({ length: high - low + 1 }, (_, i) => low + i);
  } else {
    low = Math.floor(Math.min(...values) * 10) / 10;
    high = Math.ceil(Math.max(...values) * 10) / 10;
    ticks = [low, high];
  }
  const tickText = (t) => (!log ? yFormat(t) : 10 ** t >= 1 ? String(10 ** t) : (10 ** t).toFixed(-t));
  const first = xFrom ?? points[0].step, last = xTo ?? points.at(-1).step;
  const x = (step) => left + ((step - first) / Math.max(1, last - first)) * (width - left - right);
  const y = (v) => top + ((high - v) / Math.max(1e-6, high - low)) * (height - top - bottom);
  let svg = "";
  for (const t of ticks) {
    svg += `<line class="grid-line" x1="${left}" x2="${width - right}" y1="${y(t)}" y2="${y(t)}"/>`;
    svg += `<text x="${left - 4}" y="${y(t) + 4}" text-anchor="end">${tickText(t)}</text>`;
  }
  svg += `<text x="${left}" y="${height - 5}">${xLabels[0]}</text>`;
  svg += `<text x="${width - right}" y="${height - 5}" text-anchor="end">${xLabels[1]}</text>`;
  const every = Math.ceil(points.length / maxPoints);
  const shown = points.filter((_, i) => i % every === 0 || i === points.length - 1);
  for (const { key, cls, label } of series) {
    const drawn = shown.filter((p) => Number.isFinite(p[key]) && (!log || p[key] > 0));
    const path = drawn.map((p) => `${x(p.step).toFixed(1)},${y(scale(p[key])).toFixed(1)}`).join(" ");
    svg += `<polyline class="curve${cls ? ` ${cls}` : ""}" points="${path}"/>`;
    const end = drawn.at(-1);
    if (label && end) svg += `<text class="curve-label${cls ? ` ${cls}` : ""}" x="${x(end.step) - 4}" y="${y(scale(end[key])) - 6}" text-anchor="end">${label}</text>`;
  }
  return svg;
}
