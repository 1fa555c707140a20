// An attention heatmap as SVG, shared by the widgets that draw one: the
// tokens that attend down the left (rows), the tokens attended to along the
// top (columns, turned), one square per weight, darker for more. Each
// square's tooltip names the pair and the weight, and `strongest` gives the
// text alternative: where each row looks most.

import { escapeHtml } from "./common.js";

/**
 * The heatmap → { width, height, content }: give an <svg> the viewBox
 * `0 0 width height` and `content` as its innerHTML.
 *   rows, columns   token labels
 *   weight(r, c)    the weight of row r on column c, in [0, 1]
 *   arrow           between the pair in the tooltips (row → column)
 *   opacity(v, r)   how dark a square of weight v in row r is (default: v)
 *   cell            [smallest, largest] square in px; squares shrink so the columns fit `span` px
 *   margin          [left, top] room for the labels
 *   rowClass(r), columnClass(c)   the labels' classes (default "tok")
 * Row labels and squares carry `data-index` = their row, for clicks.
 */
export function heatmap({
  rows, columns, weight, arrow = "→", opacity = (v) => v,
  cell: [smallest, largest] = [12, 26], span = 420, margin: [left, top] = [90, 80],
  rowClass = () => "tok", columnClass = () => "tok",
}) {
  const size = Math.max(smallest, Math.min(largest, Math.floor(span / columns.length)));
  let content = "";
  columns.forEach((token, c) => {
    const x = left + c * size + size * 0.7;
    content += `<text class="${columnClass(c)}" transform="translate(${x},${top - 4}) rotate(-60)">${escapeHtml(token)}</text>`;
  });
  rows.forEach((token, r) => {
    content += `<text class="${rowClass(r)}" data-index="${r}" x="${left - 4}" y="${top + r * size + size * 0.7}" text-anchor="end">${escapeHtml(token)}</text>`;
    columns.forEach((other, c) => {
      const v = weight(r, c);
      content += `<rect data-index="${r}" x="${left + c * size}" y="${top + r * size}" width="${size - 1}" height="${size - 1}" ` +
        `fill="var(--accent, #2f6fdf)" fill-opacity="${opacity(v, r).toFixed(3)}">` +
        `<title>${escapeHtml(token)} ${arrow} ${escapeHtml(other)}: ${v.toFixed(3)}</title></rect>`;
    });
  });
  return { width: left + columns.length * size + 4, height: top + rows.length * size + 4, content };
}

/**
 * A heatmap too large for one SVG square per weight (hundreds of tokens:
 * 512 × 512 is 262 144 squares): one pixel per weight on a <canvas>, which
 * CSS scales up (`image-rendering: pixelated`), the accent colour over white
 * at `opacity(v, r)`, as the squares are. No labels: the page shows the
 * pair under the pointer.
 */
export function drawPixels(canvas, { rows, columns, weight, opacity = (v) => v }) {
  canvas.width = columns;
  canvas.height = rows;
  const context = canvas.getContext("2d");
  const image = context.createImageData(columns, rows);
  const accent = [47, 111, 223];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const a = Math.max(0, Math.min(1, opacity(weight(r, c), r)));
      const at = 4 * (r * columns + c);
      for (let k = 0; k < 3; k++) image.data[at + k] = Math.round(255 - a * (255 - accent[k]));
      image.data[at + 3] = 255;
    }
  }
  context.putImageData(image, 0, 0);
}

/** For each row, the index of the column it weighs most. */
export function strongest(rows, columns, weight) {
  return rows.map((_, r) => {
    let best = 0;
    for (let c = 1; c < columns.length; c++) if (weight(r, c) > weight(r, best)) best = c;
    return best;
  });
}

/**
 * The heads of one layer's attention `{ data, shape: [heads, T, S] }` as
 * `heads` arrays of `T·S` weights (views into `data`, row = query).
 */
export function headsOf({ data, shape: [heads, t, s] }) {
  return Array.from({ length: heads }, (_, h) => data.subarray(h * t * s, (h + 1) * t * s));
}
