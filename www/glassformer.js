// The one module a course author includes:
//
//   <script type="module" src=".../glassformer.js"></script>
//   <gf-attention-steps></gf-attention-steps>
//
// It registers every widget; they share one runtime (see runtime.js). It is
// also the one module a program imports for the API: `getRuntime` for the
// page's runtime and its models, and the functions below. Types:
// glassformer.d.ts beside it.

import { loadGlassformer } from "./runtime.js";

export { getRuntime, describeBackend, describeBackendZh, backendLabel, loadGlassformer, relaxedSimd, cpuThreads } from "./runtime.js";
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

/**
 * Labelled opinion sentences from BERT's errands corpus, for fine-tuning:
 * `split` 0 uses the opinion words of the training split, 1 the held-out
 * ones; label 1 = good, 0 = bad.
 * @returns {Promise<{examples: {text: string, label: number}[], labels: string[]}>}
 */
export async function bertOpinionExamples(options) {
  return (await loadGlassformer()).bertOpinionExamples(options);
}

/**
 * The gradient's journey back through a recurrent network
 * h_t = f(W_h h_{t−1} + W_x x_t + b) whose W_h has spectral radius `radius`:
 * ‖∂L/∂h_t‖ for every step t (a real backward pass through time).
 * @returns {Promise<{gradientNorms: {data: Float32Array, shape: number[]}, stateNorms: {data: Float32Array, shape: number[]}}>}
 */
export async function rnnGradients(options) {
  return (await loadGlassformer()).rnnGradients(options);
}
