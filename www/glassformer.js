// The one module a course author includes:
//
//   <script type="module" src=".../glassformer.js"></script>
//   <gf-attention-steps></gf-attention-steps>
//
// It registers every widget; they share one runtime (see runtime.js).

import { loadGlassformer } from "./runtime.js";

export { getRuntime, describeBackend, backendLabel, loadGlassformer, relaxedSimd, cpuThreads } from "./runtime.js";
import "./widgets/gf-attention-steps.js";
import "./widgets/gf-multihead.js";
import "./widgets/gf-positional-encoding.js";
import "./widgets/gf-causal-mask.js";
import "./widgets/gf-ffn.js";
import "./widgets/gf-embedding-space.js";
import "./widgets/gf-rnn-vs-attention.js";
import "./widgets/gf-bidirectional.js";
import "./widgets/gf-attention-map.js";
import "./widgets/gf-seq2seq-trainer.js";
import "./widgets/gf-gpt-sampler.js";
import "./widgets/gf-bert-fill.js";

/**
 * Corpus BLEU (0–100) of `hypotheses` against one reference each, both
 * arrays of sentences whose words are separated by spaces; computed as
 * sacreBLEU does on already-tokenised text.
 * @returns {Promise<{score: number, precisions: number[], brevityPenalty: number, hypothesisLength: number, referenceLength: number}>}
 */
export async function bleu(hypotheses, references) {
  return (await loadGlassformer()).bleu(hypotheses, references);
}
