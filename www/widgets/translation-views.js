// What <gf-seq2seq-trainer> draws from the translator's results, as pure
// functions of the results and the text table (`t`): the sample
// translations marked word by word, the translation of one sentence, and
// its cross-attention as a heatmap with a text alternative. And how it
// scores the model on the test sentences, a slice at a time.
//
// Cross-attention: in every decoder layer, each French position i asks the
// encoder's memory (one vector per English word) which words matter, and
// gets weights  softmax(q_i · K_memᵀ / √d_k)  over the English words. The
// model returns them as one tensor per layer, shape (heads, T_fr, S_en).

import { escapeHtml } from "./display.js";
import { heatmap, strongest } from "./heatmap.js";
import { yieldToBrowser } from "./base.js";

/**
 * Translate the test sentences [0, count) `slice` at a time, letting the
 * page breathe between slices → { exactMatch (percent), hypotheses,
 * references }, or null if `stillWanted()` turned false (the model was
 * replaced or freed). `onSlice(offset)` is told before each slice.
 */
export async function scoreTestSplit(model, { count, slice, stillWanted, onSlice = () => {} }) {
  const hypotheses = [], references = [];
  let exact = 0;
  for (let offset = 0; offset < count; offset += slice) {
    if (!stillWanted()) return null;
    onSlice(offset);
    const part = await model.evaluate("test", { offset, limit: Math.min(slice, count - offset) });
    if (!stillWanted()) return null;
    exact += (part.exactMatch * part.sentences) / 100;
    hypotheses.push(...part.hypotheses);
    references.push(...part.references);
    await yieldToBrowser();
  }
  return { exactMatch: (100 * exact) / count, hypotheses, references };
}

/** The rows of the samples table: each translation marked ✓ or ✗, its words right or wrong. */
export function sampleRows({ sources, hypotheses, references }, t) {
  return sources.map((source, i) => {
    const said = hypotheses[i].split(" ");
    const wanted = references[i].split(" ");
    const right = hypotheses[i] === references[i];
    const words = said.map((w, j) => `<span class="${w === wanted[j] ? "w-ok" : "w-bad"}">${escapeHtml(w)}</span>`).join(" ");
    const expected = right ? "" : `<br><span class="status">${t.expected}${escapeHtml(references[i])}</span>`;
    return `<tr><td>${escapeHtml(source)}</td><td>${words || `<em>${t.nothing}</em>`}${expected}</td>` +
      `<td class="mark ${right ? "w-ok" : "w-bad"}" aria-label="${right ? t.right : t.wrong}">${right ? "✓" : "✗"}</td></tr>`;
  }).join("");
}

/** The French words of a translation (unknown words marked), and how many English words were unknown. */
export function translationLine({ targetTokens, sourceTokens }, t) {
  const words = targetTokens.filter((w) => w !== "<eos>")
    .map((w) => (w === "<unk>" ? `<span class="unk">${escapeHtml(w)}</span>` : escapeHtml(w)));
  const unknown = sourceTokens.filter((w) => w === "<unk>").length;
  return `→ <strong>${words.join(" ")}</strong>` + (unknown ? ` <span class="status">${t.unknown(unknown)}</span>` : "");
}

/**
 * The cross-attention weights of one layer and head, or averaged over all
 * layers or heads (`layer`, `head`: an index as a string, or "all"):
 * T_fr rows of S_en weights, each row summing to 1.
 */
export function crossAttentionMatrix({ crossAttention, targetTokens, sourceTokens }, layer, head) {
  const [T, S] = [targetTokens.length, sourceTokens.length];
  const layers = layer === "all" ? crossAttention.map((_, l) => l) : [Number(layer)];
  const matrix = Array.from({ length: T }, () => new Float64Array(S));
  let count = 0;
  for (const l of layers) {
    const { data, shape } = crossAttention[l]; // (heads, T, S)
    const heads = head === "all" ? Array.from({ length: shape[0] }, (_, h) => h) : [Number(head)];
    for (const h of heads) {
      count++;
      for (let i = 0; i < T; i++) for (let s = 0; s < S; s++) matrix[i][s] += data[(h * T + i) * S + s];
    }
  }
  for (const row of matrix) for (let s = 0; s < S; s++) row[s] /= count;
  return matrix;
}

/**
 * The heatmap of one translation's cross-attention → { svg, alt }: the
 * <svg> element's HTML, and the text alternative (each French word with the
 * English word it looked at most).
 */
export function crossAttentionView(translation, layer, head, t) {
  const { targetTokens, sourceTokens } = translation;
  const matrix = crossAttentionMatrix(translation, layer, head);
  // Rows: the French words written; columns: the English words they looked at.
  const weight = (i, s) => matrix[i][s];
  const map = heatmap({
    rows: targetTokens, columns: sourceTokens, weight, arrow: "←",
    opacity: (v) => 0.04 + 0.96 * v, cell: [16, 30], span: 520, margin: [92, 84],
    rowClass: () => "token", columnClass: (s) => (sourceTokens[s] === "<unk>" ? "token unk" : "token"),
  });
  const which = t.which(layer === "all" ? t.allLayers : t.layerN(Number(layer) + 1),
    head === "all" ? t.allHeads : t.headN(Number(head) + 1));
  const svg = `<svg width="${map.width}" height="${map.height}" viewBox="0 0 ${map.width} ${map.height}" role="img" ` +
    `aria-label="${escapeHtml(t.heatmap(which))}">${map.content}</svg>`;
  const links = strongest(targetTokens, sourceTokens, weight);
  const alt = t.strongest(which, targetTokens.map((w, i) => `${w} ← ${sourceTokens[links[i]]} (${matrix[i][links[i]].toFixed(2)})`));
  return { svg, alt };
}
