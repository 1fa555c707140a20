// The loss curve the training widgets draw (the translator's and the GPT's):
// one line per series of losses over the training steps, as SVG content for
// an <svg viewBox="0 0 width height">. A widget keeps its own words (axis
// labels, the text alternative); this file only draws.

/**
 * @param {object} options
 * @param {object[]} options.points  the points in step order, each with `step` and the series' fields
 * @param {{key: string, cls?: string}[]} options.series  the fields to draw, one line each (class "curve" plus `cls`)
 * @param {boolean} [options.log]  a log₁₀ axis with a line at every power of ten
 *   (a loss that falls by orders of magnitude); otherwise a linear axis from
 *   the lowest to the highest value, rounded to tenths
 * @param {number} [options.width] @param {number} [options.height]  the viewBox
 * @param {number[]} [options.margin]  [top, right, bottom, left], room for the labels
 * @param {number} [options.xFrom] @param {number} [options.xTo]  the steps at the two ends (default: the first and last point's)
 * @param {string[]} options.xLabels  the texts under the left and right ends
 * @param {number} [options.maxPoints]  a longer run is thinned evenly to about this many points
 * @returns {string} the SVG content
 */
export function lossCurve({ points, series, log = false, width = 340, height = 150, margin = [8, 8, 20, 34], xFrom, xTo, xLabels, maxPoints = 400 }) {
  const [top, right, bottom, left] = margin;
  const scale = log ? Math.log10 : (v) => v;
  const values = points
    .flatMap((p) => series.map((s) => p[s.key]))
    .filter((v) => Number.isFinite(v) && (!log || v > 0))
    .map(scale);
  // The vertical range and the values labelled on it.
  let low, high, ticks;
  if (log) {
    low = Math.floor(Math.min(...values));
    high = Math.ceil(Math.max(...values, low + 1));
    ticks = Array.from({ length: high - low + 1 }, (_, i) => low + i);
  } else {
    low = Math.floor(Math.min(...values) * 10) / 10;
    high = Math.ceil(Math.max(...values) * 10) / 10;
    ticks = [low, high];
  }
  const tickText = (t) => (!log ? t.toFixed(1) : 10 ** t >= 1 ? String(10 ** t) : (10 ** t).toFixed(-t));
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
  for (const { key, cls } of series) {
    const path = shown
      .filter((p) => Number.isFinite(p[key]) && (!log || p[key] > 0))
      .map((p) => `${x(p.step).toFixed(1)},${y(scale(p[key])).toFixed(1)}`)
      .join(" ");
    svg += `<polyline class="curve${cls ? ` ${cls}` : ""}" points="${path}"/>`;
  }
  return svg;
}
