// Types for glassformer.js: the runtime, its models, the free functions and
// the custom elements. Every runtime and model method returns a Promise.
// Option objects are checked in Rust: a missing required field, an unknown
// one or a value out of range rejects with a GlassformerError.
// (One file, longer than the others: TypeScript pairs one declaration file
// with one module, and glassformer.js is the one module of the API.)

// ---------------------------------------------------------------------------
// Tensors and errors

/** Numbers going in: a Float32Array, another typed array of numbers, or a plain array. */
export type Numbers =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | readonly number[];

/** A tensor coming out: its values in row-major order and its shape. */
export interface Tensor {
  /** The values, row-major. */
  data: Float32Array;
  /** The size of each dimension; their product is `data.length`. */
  shape: number[];
}

/** What a refused call rejects with: an Error naming the op, and for a wrong size what, expected and got. */
export type GlassformerError = Error & {
  /** The call that refused, e.g. "feedForward" or "gpt.generate"; "backend" for a GPU failure. */
  op: string;
  /** The buffer whose size was wrong, e.g. "W1". */
  what?: string;
  /** The size it should have had, e.g. "(dModel=2, dFF=2) = 4 values". */
  expected?: string;
  /** The size it had, e.g. "3 values". */
  got?: string;
};

// ---------------------------------------------------------------------------
// The runtime

/** The backend asked for: WebGPU if an adapter answers ("auto"), WebGPU only, or the CPU. */
export type BackendPreference = "auto" | "webgpu" | "cpu";

/** The backend that runs the kernels. */
export type Backend = "webgpu" | "cpu";

/** Options of `runtime.attention`: q is (batch, T, dModel), k and v (batch, S, dModel). */
export interface AttentionOptions {
  /** Width of q, k and v. */
  dModel: number;
  /** Number of heads, a divisor of dModel (default 1). */
  heads?: number;
  /** Number of sequences (default 1). */
  batch?: number;
  /** T, checked against q's size (default: inferred from it). */
  queryLength?: number;
  /** S, checked against k's size (default: inferred from it). */
  keyLength?: number;
  /** Each query sees only the keys up to its own position (default false). */
  causal?: boolean;
  /** Per sequence, how many keys are real; the rest are padding and get no weight. */
  keyLengths?: readonly number[];
  /** Only the output, by the fused kernels, without the (batch, heads, T, S) matrices (default false). */
  outputOnly?: boolean;
}

/** Full attention: every (batch, heads, T, S) matrix and the output. */
export interface AttentionResult {
  /** Raw q·k, (batch, heads, T, S), before masking. */
  dotProducts: Tensor;
  /** q·k / √(dModel / heads), (batch, heads, T, S), before masking. */
  scores: Tensor;
  /** The scores after the mask and softmax, (batch, heads, T, S). */
  weights: Tensor;
  /** The weighted sum of the values, (batch, T, dModel). */
  output: Tensor;
}

/** Attention with `outputOnly: true`: the output alone. */
export interface AttentionOutput {
  /** The weighted sum of the values, (batch, T, dModel). */
  output: Tensor;
}

/** Options of `runtime.matmul`: A (m, k) · B (k, n). */
export interface MatmulOptions {
  /** Rows of A and of the result. */
  m: number;
  /** Columns of A, rows of B. */
  k: number;
  /** Columns of B and of the result. */
  n: number;
  /** A is given as (k, m) (default false). */
  transposeA?: boolean;
  /** B is given as (n, k) (default false). */
  transposeB?: boolean;
}

/** Options of `runtime.feedForward`: x (N, dModel), W1 (dModel, dFF), W2 (dFF, dModel). */
export interface FeedForwardOptions {
  /** Width of x and of the output. */
  dModel: number;
  /** Width of the hidden layer. */
  dFF: number;
}

/** What `runtime.feedForward` computes, row by row. */
export interface FeedForwardResult {
  /** x W1 + b1, (N, dFF). */
  preActivation: Tensor;
  /** max(0, x W1 + b1), (N, dFF). */
  hidden: Tensor;
  /** hidden W2 + b2, (N, dModel). */
  output: Tensor;
}

/** Options of `runtime.positionalEncoding`. */
export interface PositionalEncodingOptions {
  /** Number of positions (a whole number ≥ 1). */
  length: number;
  /** Width of the encoding (a whole number ≥ 1). */
  dModel: number;
}

/** Options of `runtime.benchmark("matmul", …)`: a square product. */
export interface MatmulBenchmarkOptions {
  /** M = K = N, from 1 to 4096. */
  size: number;
  /** Timed runs after a warm-up, 1 to 100 (default 3). */
  iterations?: number;
}

/** Options of `runtime.benchmark("attention", …)`: causal self-attention, fused. */
export interface AttentionBenchmarkOptions {
  /** Number of sequences. */
  batch: number;
  /** Number of heads. */
  heads: number;
  /** Sequence length. */
  length: number;
  /** Width of each head. */
  headSize: number;
  /** Timed runs after a warm-up, 1 to 100 (default 3). */
  iterations?: number;
}

/** One kernel timed on the runtime's backend, after checking it against the CPU reference. */
export interface BenchmarkResult {
  /** The kernel and its sizes, e.g. "matmul 512×512×512". */
  name: string;
  /** The backend it ran on. */
  backend: Backend;
  /** Milliseconds per run. */
  ms: number;
  /** Billions of floating-point operations per second. */
  gflops: number;
  /** Largest difference from the CPU reference. */
  maxError: number;
}

/** `runtime.memory()`: what the runtime holds. */
export interface MemoryReport {
  /** Bytes allocated in wasm memory and not freed (what the runtime's models and buffers hold). */
  wasmBytes: number;
  /** The wasm memory's size: it only grows (freed bytes are reused, never returned to the browser). */
  wasmMemoryBytes: number;
  /** Bytes of GPU buffers alive (0 on the CPU). */
  gpuBytes: number;
  /** Models neither disposed nor collected. */
  models: number;
  /** The memory budget: what the runtime's models may hold in wasm memory together. */
  budgetBytes: number;
}

/** Options of `Runtime.create`. */
export interface RuntimeOptions {
  /** Bytes the runtime's models and calls may hold in wasm memory together (default: 4 GiB, or 3/4 of navigator.deviceMemory). */
  memoryBudget?: number;
  /** Let "auto" consider a software WebGPU adapter too, timing each model on it like a real one. */
  allowSoftwareAdapter?: boolean;
}

/** The page's runtime: the wasm Runtime, or the CPU runtime in a worker (same members). */
export interface Runtime {
  /** glassformer's version, e.g. "0.1.0" (the package's). */
  readonly version: string;
  /** Which backend runs the kernels now ("cpu" after a lost GPU). */
  readonly backend: Backend;
  /** The GPU adapter's name, on WebGPU. */
  readonly adapter: string | undefined;
  /** Why the runtime moved from the GPU to the CPU, if it did. */
  readonly fallbackReason: string | undefined;
  /** Why it runs on its backend, in a sentence for the page ("auto" never takes a software adapter). */
  readonly backendReason: string;
  /** Whether the browser exposes WebGPU at all. */
  readonly webgpuAvailable: boolean;
  /** Which CPU kernels run, on how many threads (set by getRuntime). */
  readonly cpuKernels: string;
  /** Destroy the GPU device, as a driver reset would; the next call finishes on the CPU. */
  loseDevice(): void;
  /** What the runtime holds now: memory in use and live models. */
  memory(): Promise<MemoryReport>;
  /**
   * Panic inside a call, as a bug would: the call rejects with "internal error in
   * simulateInternalError; the runtime was restarted", models made before are lost,
   * and the next call runs on a fresh wasm instance (a `glassformer-restarted`
   * event tells the page).
   */
  simulateInternalError(): Promise<never>;
  /** Multi-head attention, only the output (the fused kernels). */
  attention(q: Numbers, k: Numbers, v: Numbers, options: AttentionOptions & { outputOnly: true }): Promise<AttentionOutput>;
  /** Multi-head attention, with the scores and weights of every head. */
  attention(q: Numbers, k: Numbers, v: Numbers, options: AttentionOptions & { outputOnly?: false }): Promise<AttentionResult>;
  /** Multi-head attention, when `outputOnly` is only known at run time. */
  attention(q: Numbers, k: Numbers, v: Numbers, options: AttentionOptions): Promise<AttentionResult | AttentionOutput>;
  /** A (m, k) · B (k, n) → (m, n). */
  matmul(a: Numbers, b: Numbers, options: MatmulOptions): Promise<Tensor>;
  /** The position-wise feed-forward network max(0, x W1 + b1) W2 + b2 (on the CPU). */
  feedForward(x: Numbers, w1: Numbers, b1: Numbers, w2: Numbers, b2: Numbers, options: FeedForwardOptions): Promise<FeedForwardResult>;
  /** The sinusoidal table, (length, dModel) (on the CPU). */
  positionalEncoding(options: PositionalEncodingOptions): Promise<Tensor>;
  /** Time a square matmul. */
  benchmark(kind: "matmul", options: MatmulBenchmarkOptions): Promise<BenchmarkResult>;
  /** Time causal self-attention. */
  benchmark(kind: "attention", options: AttentionBenchmarkOptions): Promise<BenchmarkResult>;
  /** A fresh English→French translator. */
  seq2seq(options?: Seq2seqOptions): Promise<Seq2seqModel>;
  /** A translator from `model.save()` bytes. */
  loadSeq2seq(bytes: Uint8Array): Promise<Seq2seqModel>;
  /** A fresh character-level GPT that learns from `options.text`. */
  gpt(options: GptOptions): Promise<GptModel>;
  /** A GPT from `gpt.save()` bytes; `text`, if given, is what `train` continues on. */
  loadGpt(bytes: Uint8Array, text?: string): Promise<GptModel>;
  /** A fresh BERT to pre-train on the errands corpus. */
  bert(options?: BertOptions): Promise<BertModel>;
  /** A BERT from `bert.save()` bytes; `vocabTxt`, if given, replaces its vocabulary. */
  loadBert(bytes: Uint8Array, vocabTxt?: string): Promise<BertModel>;
  /** A BERT-family model or a GPT-2 from a Hugging Face folder's files, already read. */
  loadPretrained(files: PretrainedFiles): Promise<BertModel | GptModel>;
  /**
   * Download a Hugging Face model folder (its URL, e.g. a Hub repository's
   * `…/resolve/main/`, or a path on this site) or read the files a user picked,
   * with progress, kept in the browser's cache; then `loadPretrained`.
   */
  fromPretrained(source: string | FileList | readonly File[], options?: FromPretrainedOptions): Promise<BertModel | GptModel>;
}

/** The files of a Hugging Face model folder, as `loadPretrained` takes them. */
export interface PretrainedFiles {
  /** config.json's text. */
  config: string;
  /** model.safetensors' bytes (F32, F16 or BF16 weights). */
  weights: Uint8Array;
  /** tokenizer.json's text (or give `vocab`, and `merges` for GPT-2). */
  tokenizer?: string;
  /** vocab.txt's text (BERT) or vocab.json's (GPT-2). */
  vocab?: string;
  /** merges.txt's text (GPT-2). */
  merges?: string;
}

/** Progress of `fromPretrained`, one call per chunk received. */
export interface PretrainedProgress {
  /** The file arriving: "config.json", "model.safetensors", … */
  file: string;
  /** Bytes so far. */
  loaded: number;
  /** Its size, when the server says. */
  total: number | null;
  /** 0–100, when the size is known. */
  percent: number | null;
  /** Read from the browser's cache rather than downloaded. */
  cached: boolean;
}

/** Options of `fromPretrained`. */
export interface FromPretrainedOptions {
  /** Told as each file arrives. */
  onProgress?: (progress: PretrainedProgress) => void;
  /** Abort the downloads. */
  signal?: AbortSignal;
  /** Read from and keep in the browser's cache (default true). */
  cache?: boolean;
}

/** The CPU runtime in a Web Worker: a Runtime that also has threads and can be ended. */
export interface WorkerRuntime extends Runtime {
  /** How many threads its kernels use. */
  readonly threads: number;
  /** End the worker; its models go with it. */
  terminate(): void;
}

/** The wasm package's Runtime as `Runtime.create` makes it: no `cpuKernels`, and `free()` to release it. */
export interface PackageRuntime extends Omit<Runtime, "cpuKernels"> {
  /** Absent until getRuntime sets it. */
  cpuKernels?: string;
  /** Release the runtime's wasm memory. */
  free(): void;
}

// ---------------------------------------------------------------------------
// The translator

/** Options of `runtime.seq2seq`; every one has a default. */
export interface Seq2seqOptions {
  /** Seed of the data and the initial weights. */
  seed?: number;
  /** Sentence pairs generated, 100 to 200000. */
  sentences?: number;
  /** Encoder and decoder layers, 1 to 12. */
  layers?: number;
  /** Width of the model, up to 1024. */
  dModel?: number;
  /** Attention heads. */
  heads?: number;
  /** Width of the feed-forward layers, up to 4096. */
  dFF?: number;
  /** Sentence pairs per step, 1 to 512. */
  batchSize?: number;
  /** Warm-up steps of the learning-rate schedule. */
  warmup?: number;
  /** Factor on the paper's learning rate. */
  lrScale?: number;
  /** Dropout rate (default 0). */
  dropout?: number;
  /** Label smoothing (default 0.1, as in the paper). */
  labelSmoothing?: number;
  /** The output head reuses the French embedding table (default false). */
  tieEmbeddings?: boolean;
  /** Longest English sentence, 1 to 200 (default 40). */
  maxSourceWords?: number;
  /** Longest French sentence, 1 to 200 (default 24). */
  maxTargetWords?: number;
}

/** Options of a model's `train`. */
export interface TrainOptions {
  /** Steps in this call, 1 to 10000 (default 1). */
  steps?: number;
}

/** Where training is after a call to the translator's `train`. */
export interface Seq2seqTrainResult {
  /** Steps trained so far. */
  step: number;
  /** Loss of the last step. */
  loss: number;
  /** Target tokens per second over the call. */
  tokensPerSecond: number;
}

/** The translator's size, data and progress. */
export interface Seq2seqDescription {
  /** Where the model trains: "auto" on a real GPU times a step on both backends when the model is built. */
  backend: Backend;
  /** Why there, in a sentence (e.g. the two timings). */
  backendReason: string;
  /** Steps trained so far. */
  step: number;
  /** Number of parameters. */
  parameters: number;
  /** Encoder and decoder layers. */
  layers: number;
  /** Width of the model. */
  dModel: number;
  /** Attention heads. */
  heads: number;
  /** Width of the feed-forward layers. */
  dFF: number;
  /** Sentence pairs in the training split. */
  trainPairs: number;
  /** Sentence pairs in the validation split. */
  validPairs: number;
  /** Sentence pairs in the test split. */
  testPairs: number;
  /** English words known. */
  sourceVocabulary: number;
  /** French words known. */
  targetVocabulary: number;
  /** Dropout rate. */
  dropout: number;
  /** Label smoothing. */
  labelSmoothing: number;
  /** Whether the output head reuses the French embedding table. */
  tieEmbeddings: boolean;
  /** Longest English sentence. */
  maxSourceWords: number;
}

/** A split of the translation data. */
export type Split = "train" | "valid" | "test";

/** Options of `evaluate`: a slice of the split. */
export interface EvaluateOptions {
  /** First sentence scored (default 0). */
  offset?: number;
  /** Most sentences scored (default: the rest of the split). */
  limit?: number;
}

/** Scores on a slice of a split, with its sentences (words separated by spaces). */
export interface Evaluation {
  /** Percentage of sentences translated exactly. */
  exactMatch: number;
  /** Corpus BLEU, 0 to 100. */
  bleu: number;
  /** Sentences scored. */
  sentences: number;
  /** The English sentences. */
  sources: string[];
  /** The model's translations. */
  hypotheses: string[];
  /** The reference translations. */
  references: string[];
}

/** Options of `translate`. */
export interface TranslateOptions {
  /** Beam width, 1 to 16 (default 1: greedy decoding). */
  beam?: number;
}

/** A translation and the decoder's attention on the source. */
export interface Translation {
  /** The French sentence. */
  text: string;
  /** The English tokens as the model saw them (unknown words as "<unk>"). */
  sourceTokens: string[];
  /** The French tokens produced. */
  targetTokens: string[];
  /** Per decoder layer, the weights (heads, target, source). */
  crossAttention: Tensor[];
}

/** An encoder–decoder Transformer translating English to French. */
export interface Seq2seqModel {
  /** Train more steps; call again to continue. */
  train(options?: TrainOptions): Promise<Seq2seqTrainResult>;
  /** Exact match and BLEU on a split, or a slice of it. */
  evaluate(split: Split, options?: EvaluateOptions): Promise<Evaluation>;
  /** Translate an English sentence. */
  translate(text: string, options?: TranslateOptions): Promise<Translation>;
  /** Size, data and progress. */
  describe(): Promise<Seq2seqDescription>;
  /** The model as checkpoint bytes (safetensors). */
  save(): Promise<Uint8Array>;
  /**
   * Free the model now, GPU buffers included (calls already made finish
   * first); later calls reject. Optional: a model the page drops is freed
   * when the garbage collector collects it.
   */
  dispose(): void;
  /** wasm-bindgen's own release: frees at once too, but a later call fails with a bare null-pointer error. Prefer `dispose()`. */
  free(): void;
}

// ---------------------------------------------------------------------------
// The GPT

/** Options of `runtime.gpt`: the text is required, the rest have defaults. */
export interface GptOptions {
  /** The text to learn from. */
  text: string;
  /** Seed of the initial weights and the batches. */
  seed?: number;
  /** Longest context in characters, at most 1024. */
  context?: number;
  /** Transformer blocks, at most 24. */
  layers?: number;
  /** Width of the model, at most 1024. */
  dModel?: number;
  /** Attention heads. */
  heads?: number;
  /** Sequences per step. */
  batchSize?: number;
  /** Peak learning rate. */
  lr?: number;
}

/** How the next character is drawn. */
export interface SamplingOptions {
  /** Divides the logits; 0 is greedy (default 1). */
  temperature?: number;
  /** Keep the k most probable characters; 0 keeps all (default 0). */
  topK?: number;
  /** Keep the most probable characters up to this total probability; 1 keeps all (default 1). */
  topP?: number;
}

/** A character and its probability. */
export interface TokenProbability {
  /** The token. */
  token: string;
  /** Its probability. */
  probability: number;
}

/** One generated character and the most probable ones it was drawn from. */
export interface GenerateStep {
  /** The character drawn. */
  token: string;
  /** The 10 most probable characters of the distribution drawn from. */
  top: TokenProbability[];
}

/** Options of `generate`: sampling, length, seed and a callback per character. */
export interface GenerateOptions extends SamplingOptions {
  /** Characters to generate, 1 to 5000 (default 200). */
  maxTokens?: number;
  /** Seed of the draws (default 0). */
  seed?: number;
  /** Called with each step; returning false (or a Promise of false) stops generation. */
  onToken?: (step: GenerateStep) => boolean | void | Promise<boolean | void>;
}

/** The next character's distribution after a prompt. */
export interface NextToken {
  /** The vocabulary, one character per entry, in the order of the tensors. */
  characters: string[];
  /** Softmax of the logits, (V). */
  raw: Tensor;
  /** What `generate` would draw from, after temperature, top-k and top-p, (V). */
  sampled: Tensor;
  /** Prompt characters dropped from the front to fit the context. */
  cropped: number;
}

/** Generated text and its steps. */
export interface Generation {
  /** The characters generated (without the prompt). */
  text: string;
  /** One entry per character generated. */
  steps: GenerateStep[];
  /** Prompt characters dropped from the front to fit the context. */
  cropped: number;
}

/** Options of the GPT's `train`. */
export interface GptTrainOptions extends TrainOptions {
  /** Fixed validation batches for `valLoss`, 0 to 100; 0 skips it (default 2). */
  validationBatches?: number;
}

/** Where training is after a call to the GPT's `train`. */
export interface GptTrainResult {
  /** Steps trained so far. */
  step: number;
  /** Loss of the last step, in nats per character. */
  loss: number;
  /** Validation loss in nats per character; absent with `validationBatches: 0`. */
  valLoss?: number;
  /** Characters per second over the call. */
  tokensPerSecond: number;
}

/** The GPT's size and progress. */
export interface GptDescription {
  /** Where the model trains: "auto" on a real GPU times a step on both backends when the model is built. */
  backend: Backend;
  /** Why there, in a sentence (e.g. the two timings). */
  backendReason: string;
  /** Steps trained so far. */
  step: number;
  /** Number of parameters. */
  parameters: number;
  /** Longest context in characters. */
  context: number;
  /** Transformer blocks. */
  layers: number;
  /** Width of the model. */
  dModel: number;
  /** Attention heads. */
  heads: number;
  /** Every character the model knows, in one string. */
  vocabulary: string;
  /** Whether it has a text to train on. */
  canTrain: boolean;
}

/** A character-level GPT. */
export interface GptModel {
  /** `text` as the model reads it: characters, or GPT-2's tokens, with their ids. */
  encode(text: string): Promise<{ tokens: string[]; ids: number[] }>;
  /**
   * One forward pass over token ids, as `transformers` returns it:
   * `hiddenStates` (L + 1 tensors `(T, C)`, the last after the final layer
   * norm), `attentions` (L tensors `(H, T, T)`), `logits` `(T, V)`.
   */
  forward(ids: readonly number[] | Uint32Array, options?: ForwardOptions): Promise<ForwardResult>;
  /** The next token's distribution after `prompt`. */
  nextToken(prompt: string, options?: SamplingOptions): Promise<NextToken>;
  /** Generate characters after `prompt`. */
  generate(prompt: string, options?: GenerateOptions): Promise<Generation>;
  /** Train more steps on its text; call again to continue. */
  train(options?: GptTrainOptions): Promise<GptTrainResult>;
  /** Size and progress. */
  describe(): Promise<GptDescription>;
  /** The model as checkpoint bytes (safetensors). */
  save(): Promise<Uint8Array>;
  /**
   * Free the model now, GPU buffers included (calls already made finish
   * first); later calls reject. Optional: a model the page drops is freed
   * when the garbage collector collects it.
   */
  dispose(): void;
  /** wasm-bindgen's own release: frees at once too, but a later call fails with a bare null-pointer error. Prefer `dispose()`. */
  free(): void;
}

// ---------------------------------------------------------------------------
// BERT

/** Options of `runtime.bert`; every one has a default. */
export interface BertOptions {
  /** Seed of the corpus and the initial weights. */
  seed?: number;
  /** Transformer blocks, at most 24. */
  layers?: number;
  /** Width of the model, at most 1024. */
  dModel?: number;
  /** Attention heads. */
  heads?: number;
  /** Sentence pairs per step. */
  batchSize?: number;
  /** Documents in the generated corpus, at most 200000. */
  documents?: number;
  /** WordPiece vocabulary size, at most 30000. */
  vocabSize?: number;
  /** Peak learning rate. */
  lr?: number;
}

/** Options of `fillMask`. */
export interface FillMaskOptions {
  /** Candidates per [MASK], 1 to 100 (default 5). */
  topK?: number;
}

/** Options of `maskExample`. */
export interface MaskExampleOptions {
  /** Seed of the masking (default 0). */
  seed?: number;
}

/** What BERT's masking did to a token. */
export type MaskFate = "special" | "not chosen" | "masked" | "random" | "kept";

/** A token of `[CLS] text [SEP]` and what the model is shown instead. */
export interface MaskedToken {
  /** The token. */
  token: string;
  /** What the model sees in its place. */
  shown: string;
  /** What the masking did. */
  fate: MaskFate;
}

/** BERT's attention over a sentence. */
export interface BertAttention {
  /** The tokens, [CLS] first and [SEP] last. */
  tokens: string[];
  /** Per layer, the weights (heads, T, T), a row per query. */
  layers: Tensor[];
}

/** Options of `embeddingSpace`. */
export interface EmbeddingSpaceOptions {
  /** Nearest tokens listed per word (default 5). */
  neighbours?: number;
  /** [a, b, c]: the tokens nearest to E[b] − E[a] + E[c]. */
  analogy?: readonly [string, string, string];
}

/** A token and its cosine similarity to a vector. */
export interface Neighbour {
  /** The token. */
  token: string;
  /** Cosine similarity. */
  cosine: number;
}

/** The vocabulary on its first two principal components. */
export interface Projection {
  /** The chosen words' points. */
  words: [number, number][];
  /** Every ordinary token's point. */
  vocabulary: [number, number][];
  /** The tokens of `vocabulary`, in order. */
  tokens: string[];
  /** Share of the variance along each of the two components. */
  explained: [number, number];
}

/** A look at the token embeddings. */
export interface EmbeddingSpace {
  /** The given words the vocabulary has, lower-cased. */
  words: string[];
  /** The given words it does not have. */
  missing: string[];
  /** Dot products between the words, (n, n). */
  dots: Tensor;
  /** Cosine similarities between the words, (n, n). */
  cosines: Tensor;
  /** Per word, its nearest tokens. */
  neighbours: Neighbour[][];
  /** The 2-D map. */
  projection: Projection;
  /** The analogy's answers, when one was asked. */
  analogy?: Neighbour[];
}

/** Where pre-training is after a call to BERT's `train`. */
export interface BertTrainResult {
  /** Steps trained so far. */
  step: number;
  /** Masked-LM loss of the last step. */
  mlmLoss: number;
  /** Next-sentence loss of the last step. */
  nspLoss: number;
  /** Tokens per second over the call. */
  tokensPerSecond: number;
}

/** A sentence and its class. */
export interface LabelledExample {
  /** The sentence. */
  text: string;
  /** Its class, 0 to classes − 1. */
  label: number;
}

/** Options of `fineTune`. */
export interface FineTuneOptions {
  /** Steps in this call, 1 to 10000 (default 20). */
  steps?: number;
  /** Number of classes, 2 to 1000 (default: 1 + the largest label). */
  classes?: number;
  /** Start from a random encoder instead of the pre-trained one. */
  fromScratch?: boolean;
  /** Throw away the classifier trained so far. */
  restart?: boolean;
  /** Learning rate (default 3e-4). */
  lr?: number;
  /** Examples per step (default 16). */
  batchSize?: number;
  /** Seed of the new classifier (default 1). */
  seed?: number;
  /** Sentences to measure accuracy on (default: the training examples). */
  evaluateOn?: readonly LabelledExample[];
}

/** Where fine-tuning is after a call. */
export interface FineTuneResult {
  /** Classifier steps trained so far. */
  step: number;
  /** Loss of the last step. */
  loss: number;
  /** Share classified right, 0 to 1. */
  accuracy: number;
}

/** The classifier's answer. */
export interface Classification {
  /** The most probable class. */
  label: number;
  /** Each class's probability, (classes). */
  probabilities: Tensor;
}

/** BERT's size and progress. */
export interface BertDescription {
  /** Where the model trains: "auto" on a real GPU times a step on both backends when the model is built. */
  backend: Backend;
  /** Why there, in a sentence (e.g. the two timings). */
  backendReason: string;
  /** Pre-training steps so far. */
  step: number;
  /** Number of parameters. */
  parameters: number;
  /** Transformer blocks. */
  layers: number;
  /** Width of the model. */
  dModel: number;
  /** Attention heads. */
  heads: number;
  /** Longest input in tokens, [CLS] and [SEP] included. */
  maxLength: number;
  /** Tokens in the vocabulary. */
  vocabularySize: number;
  /** Whether `fineTune` has made a classifier. */
  fineTuned: boolean;
}

/** What `forward` returns besides the logits (as `output_hidden_states` / `output_attentions` in `transformers`). */
export interface ForwardOptions {
  /** Every layer's hidden state (default false). */
  hiddenStates?: boolean;
  /** Every layer's attention weights (default false). */
  attentions?: boolean;
}

/** What `forward` returns. */
export interface ForwardResult {
  /** `(T, V)`, or null for a model without a language-model head. */
  logits: Tensor | null;
  /** `(T, C)`: what the last layer gives. */
  lastHiddenState: Tensor;
  /** L + 1 tensors `(T, C)`, when asked. */
  hiddenStates?: Tensor[];
  /** L tensors `(H, T, T)`, when asked. */
  attentions?: Tensor[];
}

/** A BERT: pre-training, fill-mask, attention, embeddings, and a classifier on top. */
export interface BertModel {
  /** The WordPiece pieces of `text`. */
  tokenize(text: string): Promise<string[]>;
  /** `text` as the model reads it: `[CLS]`, its pieces, `[SEP]`, with their ids. */
  encode(text: string): Promise<{ tokens: string[]; ids: number[] }>;
  /**
   * One forward pass over token ids, as `transformers` returns it with
   * `output_hidden_states` and `output_attentions`: `hiddenStates` (L + 1
   * tensors `(T, C)`), `attentions` (L tensors `(H, T, T)`), and `logits`
   * `(T, V)` when the model has its masked-LM head.
   */
  forward(ids: readonly number[] | Uint32Array, options?: ForwardOptions & { segments?: readonly number[] }): Promise<ForwardResult>;
  /** For each [MASK] in `text`, the most probable fillers, most probable first. */
  fillMask(text: string, options?: FillMaskOptions): Promise<TokenProbability[][]>;
  /** Mask `[CLS] text [SEP]` the BERT way (80% [MASK], 10% random, 10% kept). */
  maskExample(text: string, options?: MaskExampleOptions): Promise<MaskedToken[]>;
  /** The attention weights over `[CLS] text [SEP]`. */
  attention(text: string): Promise<BertAttention>;
  /** The token embeddings of `words`: similarities, neighbours, a 2-D map, an analogy. */
  embeddingSpace(words: readonly string[], options?: EmbeddingSpaceOptions): Promise<EmbeddingSpace>;
  /** Pre-train more steps; call again to continue. */
  train(options?: TrainOptions): Promise<BertTrainResult>;
  /** Fine-tune a [CLS] classifier on `examples`; later calls go on training it. */
  fineTune(examples: readonly LabelledExample[], options?: FineTuneOptions): Promise<FineTuneResult>;
  /** Classify `text` with the fine-tuned classifier. */
  classify(text: string): Promise<Classification>;
  /** Size and progress. */
  describe(): Promise<BertDescription>;
  /** The pre-trained model as checkpoint bytes (safetensors). */
  save(): Promise<Uint8Array>;
  /**
   * Free the model now, GPU buffers included (calls already made finish
   * first); later calls reject. Optional: a model the page drops is freed
   * when the garbage collector collects it.
   */
  dispose(): void;
  /** wasm-bindgen's own release: frees at once too, but a later call fails with a bare null-pointer error. Prefer `dispose()`. */
  free(): void;
}

// ---------------------------------------------------------------------------
// Functions

/** Corpus BLEU and its parts. */
export interface BleuScore {
  /** BLEU, 0 to 100. */
  score: number;
  /** The 1- to 4-gram precisions, 0 to 100. */
  precisions: number[];
  /** The brevity penalty, 0 to 1. */
  brevityPenalty: number;
  /** Words in the hypotheses. */
  hypothesisLength: number;
  /** Words in the references. */
  referenceLength: number;
}

/** Options of `bertOpinionExamples`. */
export interface OpinionExamplesOptions {
  /** 0: the training split's opinion words; 1: the held-out ones. */
  split: 0 | 1;
  /** Sentences to make, 1 to 10000. */
  count: number;
  /** Seed of the sentences (default 0). */
  seed?: number;
}

/** Labelled opinion sentences and the names of their labels. */
export interface OpinionExamples {
  /** The sentences; label 1 = good, 0 = bad. */
  examples: LabelledExample[];
  /** The labels' names, by label: ["bad", "good"]. */
  labels: string[];
}

/** Options of `rnnGradients`; every one has a default. */
export interface RnnGradientsOptions {
  /** Size of the hidden state (default 16). */
  hidden?: number;
  /** Sequence length T (default 30). */
  steps?: number;
  /** Spectral radius of W_h (default 1). */
  radius?: number;
  /** The nonlinearity f (default "tanh"). */
  activation?: "tanh" | "identity";
  /** Scale of the random inputs (default 0.5). */
  inputScale?: number;
  /** Seed of the weights and inputs (default 1). */
  seed?: number;
}

/** Norms through time of a recurrent network's gradient and state. */
export interface RnnGradients {
  /** ‖∂L/∂h_t‖ for every step t, (steps). */
  gradientNorms: Tensor;
  /** ‖h_t‖ for every step t, (steps). */
  stateNorms: Tensor;
}

/** The wasm package, initialised: its Runtime class and its functions (those are synchronous). */
export interface GlassformerPackage {
  /** The Runtime class. */
  Runtime: {
    /** A runtime on the backend asked for (default "auto"). */
    create(preference?: BackendPreference | null, options?: RuntimeOptions): Promise<PackageRuntime>;
  };
  /** Corpus BLEU of `hypotheses` against one reference each. */
  bleu(hypotheses: readonly string[], references: readonly string[]): BleuScore;
  /** Labelled opinion sentences from BERT's errands corpus. */
  bertOpinionExamples(options: OpinionExamplesOptions): OpinionExamples;
  /** A recurrent network's gradient norms back through time. */
  rnnGradients(options?: RnnGradientsOptions): RnnGradients;
  /** Which CPU kernels this build runs, and on how many threads. */
  cpuKernels(): string;
  /** The crate's version. */
  version(): string;
}

/** The page's shared runtime; `preference` only counts on the first call. */
export function getRuntime(preference?: BackendPreference): Promise<Runtime | WorkerRuntime>;

/** A sentence for the page: which backend runs, and why. */
export function describeBackend(runtime: Pick<Runtime, "backend" | "adapter" | "fallbackReason" | "webgpuAvailable">): string;

/** The same in Chinese, shorter (the English sentence makes a good tooltip beside it). */
export function describeBackendZh(runtime: Pick<Runtime, "backend" | "adapter" | "fallbackReason" | "webgpuAvailable">): string;

/** The backend's short name, for a status line: "WebGPU" or "CPU (WebAssembly)". */
export function backendLabel(runtime: Pick<Runtime, "backend">): string;

/** The wasm package, loaded once: the relaxed-SIMD build where the browser has it. */
export function loadGlassformer(): Promise<GlassformerPackage>;

/** Whether this browser runs relaxed SIMD (fused multiply-add). */
export const relaxedSimd: boolean;

/** How many threads the CPU kernels may use on this page. */
export function cpuThreads(): number;

/** Corpus BLEU (0–100) of sentences whose words are separated by spaces, one reference each. */
export function bleu(hypotheses: readonly string[], references: readonly string[]): Promise<BleuScore>;

/** Labelled opinion sentences from BERT's errands corpus, for fine-tuning. */
export function bertOpinionExamples(options: OpinionExamplesOptions): Promise<OpinionExamples>;

/** A recurrent network's gradient norms back through time (a real backward pass). */
export function rnnGradients(options?: RnnGradientsOptions): Promise<RnnGradients>;

// ---------------------------------------------------------------------------
// Elements
//
// Attributes are strings, read whenever they change; the elements have no
// matching properties. Each attribute map below names them, with defaults.

/** The attributes every element reads. */
export interface GfCommonAttributes {
  /** "en" or "zh" (default: the nearest `lang` above, else the page's). */
  lang: string;
}

/** The attribute of the elements that may start the page's runtime. */
export interface GfBackendAttribute {
  /** "auto" | "webgpu" | "cpu": the backend, if this element starts the runtime. */
  backend: string;
}

/** The events of an element whose `gf-update` carries `Detail`. */
export interface GfElementEventMap<Detail> extends HTMLElementEventMap {
  /** New results were drawn. */
  "gf-update": CustomEvent<Detail>;
  /** The demos: a training call or run has stopped (paused, finished, failed, or the element removed). */
  "gf-idle": CustomEvent<null>;
}

/** A glassformer element with attributes `A` and a `gf-update` carrying `Detail`. */
export interface GfElement<A, Detail = null> extends HTMLElement {
  /** One of the element's attributes. */
  getAttribute(name: keyof A & string): string | null;
  /** Any attribute. */
  getAttribute(qualifiedName: string): string | null;
  /** Set one of the element's attributes; it redraws. */
  setAttribute(name: keyof A & string, value: string): void;
  /** Set any attribute. */
  setAttribute(qualifiedName: string, value: string): void;
  /** Listen for `gf-update` or any element event. */
  addEventListener<K extends keyof GfElementEventMap<Detail>>(
    type: K,
    listener: (this: this, event: GfElementEventMap<Detail>[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Listen for any event. */
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  /** Stop listening for `gf-update` or any element event. */
  removeEventListener<K extends keyof GfElementEventMap<Detail>>(
    type: K,
    listener: (this: this, event: GfElementEventMap<Detail>[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  /** Stop listening for any event. */
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

/** Attributes of `<gf-attention-steps>`. */
export interface GfAttentionStepsAttributes extends GfCommonAttributes, GfBackendAttribute {
  /** The phrase, split on spaces, at most 8 words (default "Thinking Machines"). */
  tokens: string;
  /** Width of the embeddings (default "4"). */
  "d-model": string;
  /** Width of q, k and v (default "4"). */
  "d-k": string;
  /** Seeded random numbers instead of the course's example (default: none). */
  seed: string;
  /** The embeddings, rows separated by ";"; a student's edits are written here. */
  x: string;
  /** The query weights, rows separated by ";". */
  wq: string;
  /** The key weights, rows separated by ";". */
  wk: string;
  /** The value weights, rows separated by ";". */
  wv: string;
  /** Set by the element: "loading", "ready" or "error". */
  "data-state": string;
}

/** What `<gf-attention-steps>` computed: q, k, v and the attention of them. */
export interface AttentionStepsResult extends AttentionResult {
  /** x Wq. */
  q: Tensor;
  /** x Wk. */
  k: Tensor;
  /** x Wv. */
  v: Tensor;
}

/** `<gf-attention-steps>`: self-attention on the course's worked example, step by step. */
export interface GfAttentionSteps extends GfElement<GfAttentionStepsAttributes, AttentionStepsResult> {
  /** The words shown. */
  readonly tokens: string[];
  /** The latest results, or null before the first. */
  readonly result: AttentionStepsResult | null;
}

/** Attributes of `<gf-multihead>`. */
export interface GfMultiheadAttributes extends GfCommonAttributes, GfBackendAttribute {
  /** The sentence, at most 10 words (default "the law will never be perfect"). */
  text: string;
  /** Width of the vectors (default "8"). */
  "d-model": string;
  /** Number of heads, a divisor of d-model (default "2"). */
  heads: string;
  /** Seed of the vectors and weights (default "1"). */
  seed: string;
}

/** `<gf-multihead>`: Q, K and V split into heads, each head's weights, and W_O. */
export interface GfMultihead extends GfElement<GfMultiheadAttributes> {
  /** Head `i`'s (T, T) weights, row-major. */
  headWeights(i: number): number[];
}

/** Attributes of `<gf-positional-encoding>`. */
export interface GfPositionalEncodingAttributes extends GfCommonAttributes, GfBackendAttribute {
  /** Width of the encoding (default "64"). */
  "d-model": string;
  /** Number of positions (default "50"). */
  length: string;
  /** The chosen position (default "10"). */
  position: string;
  /** The chosen dimension (default "4"). */
  dimension: string;
}

/** `<gf-positional-encoding>`: the sin/cos table, one entry with its formula, and dot products. */
export interface GfPositionalEncoding extends GfElement<GfPositionalEncodingAttributes> {
  /** The table's value at (position, dimension). */
  value(position: number, dimension: number): number;
}

/** Attributes of `<gf-causal-mask>`. */
export interface GfCausalMaskAttributes extends GfCommonAttributes, GfBackendAttribute {
  /** The sentence, at most 12 words (default "the cat sat on the mat"). */
  text: string;
  /** Seed of the queries and keys (default "1"). */
  seed: string;
  /** Width of the queries and keys (default "8"). */
  "d-model": string;
  /** Present: the mask is removed ("peeking"). */
  peek: string;
}

/** `<gf-causal-mask>`: the scores before and after the causal mask, and what peeking changes. */
export interface GfCausalMask extends GfElement<GfCausalMaskAttributes> {
  /** The (T, T) weights shown, row-major, or null before the first result. */
  readonly weights: number[] | null;
}

/** Attributes of `<gf-ffn>`. */
export interface GfFfnAttributes extends GfCommonAttributes, GfBackendAttribute {
  /** The words, at most 10 (default "thinking machines"). */
  text: string;
  /** Width of x and of the output (default "4"). */
  "d-model": string;
  /** Width of the hidden layer, d_ff (default "8"). */
  hidden: string;
  /** Seed of the vectors and weights (default "1"). */
  seed: string;
  /** The word whose computation is drawn as bars (default "0"). */
  word: string;
}

/** `<gf-ffn>`: the feed-forward network, position by position, with what the ReLU cuts. */
export interface GfFfn extends GfElement<GfFfnAttributes> {}

/** Attributes of `<gf-embedding-space>`. */
export interface GfEmbeddingSpaceAttributes extends GfCommonAttributes {
  /** The words compared (default "man woman boy girl father mother milk bread"). */
  words: string;
  /** Three words a b c: a is to b as c is to ? (default "man woman father"). */
  analogy: string;
  /** How many nearest neighbours (default "5"). */
  neighbours: string;
  /** The checkpoint whose embeddings are shown: "bert" (default) or a Hugging Face BERT folder's URL. */
  model: string;
}

/** `<gf-embedding-space>`: a trained model's token embeddings, neighbours, an analogy and a 2-D map. */
export interface GfEmbeddingSpace extends GfElement<GfEmbeddingSpaceAttributes> {}

/** Attributes of `<gf-rnn-vs-attention>`. */
export interface GfRnnVsAttentionAttributes extends GfCommonAttributes {
  /** Spectral radius ρ of W_h (default "0.9"). */
  radius: string;
  /** Sequence length T (default "30"). */
  steps: string;
  /** Size of the hidden state (default "16"). */
  hidden: string;
  /** f: "tanh" or "identity" (default "tanh"). */
  activation: string;
  /** Seed of the weights and inputs (default "1"). */
  seed: string;
}

/** `<gf-rnn-vs-attention>`: an RNN's gradient vanishing or exploding, against attention's one step. */
export interface GfRnnVsAttention extends GfElement<GfRnnVsAttentionAttributes> {
  /** ‖∂L/∂h_t‖ by distance from the last step (index 0 = the last), or null before the first result. */
  readonly gradientByDistance: number[] | null;
}

/** Attributes of `<gf-bidirectional>`. */
export interface GfBidirectionalAttributes extends GfCommonAttributes, GfBackendAttribute {
  /** The sentence, at most 16 words (default "open a bank account"). */
  text: string;
  /** The chosen word's index (default: the last but one). */
  position: string;
}

/** `<gf-bidirectional>`: what each position sees in BERT (everything) and in GPT (what came before). */
export interface GfBidirectional extends GfElement<GfBidirectionalAttributes> {
  /** The chosen word's index. */
  readonly position: number;
  /** The words position `p` sees in "bert" or "gpt" (default: the chosen one). */
  seen(model: "bert" | "gpt", p?: number): string[];
}

/** Attributes of `<gf-attention-map>`. */
export interface GfAttentionMapAttributes extends GfCommonAttributes {
  /** The sentence (default "the woman bought a cake for her mother and it was delicious ."). */
  text: string;
  /** The layer, 0-based (default "0"). */
  layer: string;
  /** The head, 0-based, or "mean" (default "mean"). */
  head: string;
  /** Show only this token's lines (default: all). */
  word: string;
  /** The checkpoint: "bert" (default) or a Hugging Face BERT folder's URL. */
  model: string;
}

/** `<gf-attention-map>`: a pre-trained BERT's attention over a sentence, per layer and head. */
export interface GfAttentionMap extends GfElement<GfAttentionMapAttributes> {
  /** The (T, T) weights shown, row-major, or null before the first result. */
  readonly weights: number[] | null;
}

/** Attributes of `<gf-seq2seq-trainer>`. */
export interface GfSeq2seqTrainerAttributes extends GfCommonAttributes, GfBackendAttribute {
  /** "false" starts untrained (default "true"). */
  pretrained: string;
  /** Length of a run from scratch (default "1000"). */
  steps: string;
  /** Seed of an untrained model (default "1"). */
  seed: string;
  /** The sentence whose cross-attention is drawn (default: a test sentence). */
  sentence: string;
  /** URL of a saved translator (default: the one shipped with the course). */
  checkpoint: string;
}

/** A point of a loss curve. */
export interface LossPoint {
  /** Steps trained. */
  step: number;
  /** The loss there. */
  loss: number;
}

/** What the three demos share: a training run that their Train button pauses and resumes. */
export interface GfTrainerElement<Point> {
  /** The run so far, one point per training call (a copy). */
  readonly lossHistory: Point[];
  /** Whether training is on (started and not yet paused, finished or failed). */
  readonly training: boolean;
}

/** `<gf-seq2seq-trainer>`: a translator, pre-trained or trained live, with its curve and cross-attention. */
export interface GfSeq2seqTrainer extends GfElement<GfSeq2seqTrainerAttributes, Seq2seqTrainResult>, GfTrainerElement<LossPoint> {
  /** The from-scratch run's length. */
  readonly targetSteps: number;
}

/** Attributes of `<gf-gpt-sampler>`. */
export interface GfGptSamplerAttributes extends GfCommonAttributes, GfBackendAttribute {
  /** The starting text (default "ROMEO:" and a new line). */
  prompt: string;
  /** The sampling seed (default "1"). */
  seed: string;
  /** URL of a saved GPT (default: the one shipped with the course). */
  checkpoint: string;
  /** URL of its training text (default: the course's Shakespeare). */
  corpus: string;
}

/** A point of the GPT's loss curve. */
export interface GptLossPoint extends LossPoint {
  /** Validation loss there. */
  valLoss: number;
}

/** `<gf-gpt-sampler>`: sampling from a character-level GPT, and training it further in a worker. */
export interface GfGptSampler extends GfElement<GfGptSamplerAttributes, GenerateStep | GptTrainResult>, GfTrainerElement<GptLossPoint> {}

/** Attributes of `<gf-bert-fill>`. */
export interface GfBertFillAttributes extends GfCommonAttributes, GfBackendAttribute {
  /** The fill-in sentence (default "the man went to the [MASK] to buy a [MASK] of milk."). */
  text: string;
  /** The masking seed (default "1"). */
  seed: string;
  /** URL of a saved BERT (default: the one shipped with the course). */
  checkpoint: string;
}

/** A point of `<gf-bert-fill>`'s fine-tuning: both classifiers' test accuracy after `step` steps. */
export interface FineTunePoint {
  /** Fine-tuning steps so far (each classifier). */
  step: number;
  /** Test accuracy (0–1) of the classifier on the pre-trained encoder. */
  pre: number;
  /** Test accuracy (0–1) of the same classifier on random weights. */
  scratch: number;
}

/**
 * `<gf-bert-fill>`: a small BERT filling blanks, its masking, attention, and
 * fine-tuning. `gf-update` carries a FineTunePoint after each fine-tuning
 * call, and nothing after the other panels' calls.
 */
export interface GfBertFill extends GfElement<GfBertFillAttributes, FineTunePoint | undefined>, GfTrainerElement<FineTunePoint> {}

declare global {
  interface HTMLElementTagNameMap {
    "gf-attention-steps": GfAttentionSteps;
    "gf-multihead": GfMultihead;
    "gf-positional-encoding": GfPositionalEncoding;
    "gf-causal-mask": GfCausalMask;
    "gf-ffn": GfFfn;
    "gf-embedding-space": GfEmbeddingSpace;
    "gf-rnn-vs-attention": GfRnnVsAttention;
    "gf-bidirectional": GfBidirectional;
    "gf-attention-map": GfAttentionMap;
    "gf-seq2seq-trainer": GfSeq2seqTrainer;
    "gf-gpt-sampler": GfGptSampler;
    "gf-bert-fill": GfBertFill;
  }

  // gf-update and gf-idle bubble, so a page can listen above the elements.
  interface HTMLElementEventMap {
    /** A glassformer element drew new results. */
    "gf-update": CustomEvent<unknown>;
    /** A glassformer demo stopped training or ended a call. */
    "gf-idle": CustomEvent<null>;
  }

  interface DocumentEventMap {
    /** A glassformer element drew new results. */
    "gf-update": CustomEvent<unknown>;
    /** A glassformer demo stopped training or ended a call. */
    "gf-idle": CustomEvent<null>;
  }
}
