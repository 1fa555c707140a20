// What the end-to-end tests expect of every widget: its English heading,
// and when it has drawn its results (its model loaded, if it has one). Each
// `RENDERED` test is a function of the widget's shadow root alone, so that it
// can be sent to a page as source text (Playwright, WebDriver).

/** Each widget's heading in English. */
export const HEADINGS = {
  "gf-attention-steps": "Self-attention on “Thinking Machines”",
  "gf-multihead": "Multi-head attention",
  "gf-positional-encoding": "Positional encoding",
  "gf-causal-mask": "The causal mask",
  "gf-ffn": "The feed-forward network",
  "gf-embedding-space": "The embedding space of a trained model",
  "gf-rnn-vs-attention": "RNN or attention: how far a gradient travels",
  "gf-bidirectional": "Both directions (BERT) or one (GPT)",
  "gf-attention-map": "Attention map of a trained model",
  "gf-seq2seq-trainer": "Train a translator: English → French",
  "gf-gpt-sampler": "GPT: one character at a time",
  "gf-bert-fill": "BERT: fill in the blanks",
};

/** When each widget has drawn its results. */
export const RENDERED = {
  "gf-attention-steps": (root) => root.querySelectorAll("table, svg").length > 0,
  "gf-multihead": (root) => root.querySelectorAll('[data-role="heads-view"] table').length > 0,
  "gf-positional-encoding": (root) => root.querySelector("svg path")?.getAttribute("d")?.length > 0,
  "gf-causal-mask": (root) => root.querySelectorAll('[data-role="weights"] td').length > 0,
  "gf-ffn": (root) => root.querySelectorAll('[data-role="bars"] rect').length > 0,
  "gf-embedding-space": (root) => root.querySelectorAll('[data-role="pca"] circle').length > 100,
  "gf-rnn-vs-attention": (root) => root.querySelector('[data-role="chart"] path.rnn') !== null,
  "gf-bidirectional": (root) => root.querySelectorAll('[data-role="gpt-matrix"] td').length > 0,
  "gf-attention-map": (root) => root.querySelectorAll('[data-role="lines"] line').length > 0,
  "gf-seq2seq-trainer": (root) => root.querySelectorAll("svg, canvas").length > 0 && /\S/.test(root.textContent),
  "gf-gpt-sampler": (root) => root.querySelectorAll("svg, canvas").length > 0,
  "gf-bert-fill": (root) => root.querySelectorAll(".guesses figure, .bar").length > 0,
};
