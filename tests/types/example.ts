// A program that uses every call of www/glassformer.js, to be type-checked
// against glassformer.d.ts (never run: e2e/types.test.mjs runs tsc on it).
// Each result is read, so that a field the declarations got wrong fails.
// The lines after `@ts-expect-error` are mistakes the types must refuse.

import {
  backendLabel,
  bertOpinionExamples,
  bleu,
  cpuThreads,
  describeBackend,
  getRuntime,
  loadGlassformer,
  relaxedSimd,
  rnnGradients,
  type BleuScore,
  type GlassformerError,
  type GenerateStep,
  type Runtime,
  type Tensor,
  type WorkerRuntime,
} from "../../www/glassformer.js";

/** The mean of a tensor's values, to have something to do with each one. */
function mean({ data, shape }: Tensor): number {
  const count = shape.reduce((a, b) => a * b, 1);
  return data.reduce((sum, x) => sum + x, 0) / count;
}

/** The runtime: its state and every kernel. */
export async function kernels(): Promise<Runtime> {
  const rt = await getRuntime("auto");
  const status: string = `${rt.backend} ${rt.adapter ?? "no adapter"} ${rt.fallbackReason ?? ""} ${rt.webgpuAvailable} ${rt.cpuKernels}`;
  console.log(status, describeBackend(rt), backendLabel(rt), relaxedSimd, cpuThreads());
  if ("threads" in rt) console.log(`the CPU kernels run in a worker, on ${rt.threads} threads`);

  // Attention: q (1, 3, 4), k and v (1, 3, 4), two heads, causal.
  const q = new Float32Array(12).fill(0.5);
  const k = Float32Array.from({ length: 12 }, (_, i) => i / 12);
  const v = [1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0];
  const { dotProducts, scores, weights, output } = await rt.attention(q, k, v, { dModel: 4, heads: 2, causal: true });
  console.log(mean(dotProducts), mean(scores), weights.shape, output.data.length);
  const fused = await rt.attention(q, k, v, { dModel: 4, heads: 2, batch: 1, queryLength: 3, keyLength: 3, keyLengths: [2], outputOnly: true });
  console.log(fused.output.shape);
  const either = await rt.attention(q, k, v, { dModel: 4, outputOnly: Math.random() > 0.5 });
  console.log("weights" in either ? either.weights.shape : either.output.shape);

  const product = await rt.matmul(new Float32Array(6), [1, 2, 3, 4, 5, 6], { m: 2, k: 3, n: 2, transposeB: false });
  console.log(product.shape[0], product.data[0]);

  const x = new Float32Array(8);
  const ffn = await rt.feedForward(x, new Float32Array(16), new Float32Array(4), new Float32Array(16), new Float32Array(4), { dModel: 4, dFF: 4 });
  console.log(mean(ffn.preActivation), mean(ffn.hidden), mean(ffn.output));

  const { data, shape } = await rt.positionalEncoding({ length: 8, dModel: 16 });
  console.log(data[0], shape[1]);

  const timed = await rt.benchmark("matmul", { size: 256, iterations: 5 });
  const attentionTime = await rt.benchmark("attention", { batch: 1, heads: 4, length: 128, headSize: 32 });
  console.log(timed.name, timed.backend, timed.ms, timed.gflops, timed.maxError, attentionTime.ms);

  rt.loseDevice();
  const held = await rt.memory();
  console.log(held.wasmBytes, held.wasmMemoryBytes, held.gpuBytes, held.models, held.budgetBytes);
  await rt.simulateInternalError().catch((error: Error) => console.log(error.message));

  // A refused call: the Error names the op, and for a wrong size what, expected and got.
  try {
    await rt.feedForward(x, [1, 2, 3], [0, 0], [1, 2, 3, 4], [0, 0], { dModel: 2, dFF: 2 });
  } catch (e) {
    const err = e as GlassformerError;
    console.log(err.message, err.op, err.what ?? "", err.expected?.length, err.got);
  }

  // @ts-expect-error: option names are camelCase (dModel)
  await rt.positionalEncoding({ length: 8, dmodel: 16 });
  // @ts-expect-error: the options are one object, not positional numbers
  await rt.positionalEncoding(8, 16);
  // @ts-expect-error: a tensor has data and shape, no values
  console.log((await rt.positionalEncoding({ length: 8, dModel: 16 })).values);
  // @ts-expect-error: with outputOnly there are no weights
  console.log((await rt.attention(q, k, v, { dModel: 4, outputOnly: true })).weights);
  // @ts-expect-error: matmul needs m, k and n
  await rt.matmul(q, k, { m: 3, k: 4 });
  // @ts-expect-error: only the worker runtime has threads
  console.log(rt.threads);
  // @ts-expect-error: there is no "conv" benchmark
  await rt.benchmark("conv", { size: 3 });
  return rt;
}

/** The translator: train, evaluate, translate, describe, save and load. */
export async function translator(rt: Runtime): Promise<void> {
  const model = await rt.seq2seq({ seed: 1, sentences: 300, dModel: 16, dFF: 32, batchSize: 8, labelSmoothing: 0.1, tieEmbeddings: true, maxSourceWords: 40 });
  const { step, loss, tokensPerSecond } = await model.train({ steps: 20 });
  console.log(step, loss.toFixed(3), tokensPerSecond);
  const scored = await model.evaluate("test", { offset: 0, limit: 20 });
  console.log(scored.exactMatch, scored.bleu, scored.sentences, scored.sources[0], scored.hypotheses[0], scored.references[0]);
  const translation = await model.translate("the agreement was signed .", { beam: 4 });
  console.log(translation.text, translation.sourceTokens.join(" "), translation.targetTokens.length, translation.crossAttention.map(mean));
  const about = await model.describe();
  console.log(about.step, about.parameters, about.layers, about.dModel, about.heads, about.dFF, about.trainPairs, about.validPairs, about.testPairs);
  console.log(about.sourceVocabulary, about.targetVocabulary, about.dropout, about.labelSmoothing, about.tieEmbeddings, about.maxSourceWords);
  const where: "cpu" | "webgpu" = about.backend;
  console.log(where, about.backendReason, rt.backendReason);
  const bytes: Uint8Array = await model.save();
  const again = await rt.loadSeq2seq(bytes);
  console.log((await again.describe()).step);
  again.dispose();
  model.dispose();

  // @ts-expect-error: the splits are "train", "valid" and "test"
  await model.evaluate("validation");
  // @ts-expect-error: the option is beam, a number
  await model.translate("hello .", { beam: "4" });
}

/** The GPT: sample, generate with a callback, train, describe, save and load. */
export async function gpt(rt: Runtime, corpus: string): Promise<void> {
  const fresh = await rt.gpt({ text: corpus, seed: 1, context: 64, layers: 2, dModel: 32, heads: 2, batchSize: 8, lr: 3e-3 });
  const next = await fresh.nextToken("ROMEO:\n", { temperature: 0.8, topK: 10, topP: 0.9 });
  console.log(next.characters.length, mean(next.raw), mean(next.sampled), next.cropped);
  const seen: GenerateStep[] = [];
  const generated = await fresh.generate("ROMEO:\n", {
    maxTokens: 50,
    temperature: 0.8,
    seed: 1,
    onToken: async (step) => {
      seen.push(step);
      await new Promise((resolve) => setTimeout(resolve, 0));
      return step.token !== "\n";
    },
  });
  console.log(generated.text, generated.steps[0]?.top[0]?.probability, generated.cropped, seen.length);
  // A callback that returns nothing goes on to maxTokens.
  await fresh.generate("ROMEO:\n", { maxTokens: 5, onToken: (step) => console.log(step.token) });
  const trained = await fresh.train({ steps: 5, validationBatches: 1 });
  console.log(trained.step, trained.loss, trained.valLoss?.toFixed(3), trained.tokensPerSecond);
  const about = await fresh.describe();
  console.log(about.step, about.parameters, about.context, about.layers, about.dModel, about.heads, about.vocabulary.length, about.canTrain);
  const loaded = await rt.loadGpt(await fresh.save(), corpus);
  const sampleOnly = await rt.loadGpt(await loaded.save());
  console.log((await sampleOnly.describe()).canTrain);
  for (const model of [fresh, loaded, sampleOnly]) model.dispose();

  // @ts-expect-error: a GPT needs the text it learns from
  await rt.gpt({ seed: 1 });
  // @ts-expect-error: onToken is given each step, not a string
  await fresh.generate("A", { onToken: (token: string) => token === "." });
  // @ts-expect-error: valLoss may be absent (validationBatches: 0)
  console.log(trained.valLoss.toFixed(3));
}

/** A Hugging Face BERT: from a folder URL with progress, from picked files, from bytes; its inside. */
export async function pretrained(rt: Runtime, picked: FileList, config: string, weights: Uint8Array): Promise<void> {
  const controller = new AbortController();
  const minilm = await rt.fromPretrained("https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main/", {
    onProgress: ({ file, loaded, total, percent, cached }) => console.log(file, loaded, total ?? "?", percent?.toFixed(0), cached),
    signal: controller.signal,
  });
  const { tokens, ids } = await minilm.encode("open a bank account");
  const out = await minilm.forward(ids, { segments: ids.map(() => 0), hiddenStates: true, attentions: true });
  console.log(tokens.join(" "), out.hiddenStates?.length, out.attentions?.[0]?.shape, out.lastHiddenState.shape, out.logits?.shape ?? "no masked-LM head");
  const fromFiles = await rt.fromPretrained(picked);
  const fromBytes = await rt.loadPretrained({ config, weights, vocab: "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]" });
  console.log(await fromFiles.describe());
  // A BERT or a GPT-2, as config.json says: each has its own methods.
  if ("fillMask" in fromBytes) console.log(await fromBytes.attention("open a bank account"));
  else console.log((await fromBytes.generate("Hello", { maxTokens: 5 })).text);
  const gpt2 = await rt.loadPretrained({ config, weights, vocab: "{}", merges: "#version: 0.2" });
  const logits = (await gpt2.forward((await gpt2.encode("Hello")).ids)).logits;
  console.log(logits?.shape);
  // @ts-expect-error: the weights are bytes, not a URL
  await rt.loadPretrained({ config, weights: "model.safetensors" });
}

/** BERT: tokens, fill-mask, masking, attention, embeddings, pre-training, fine-tuning. */
export async function bert(rt: Runtime, checkpoint: Uint8Array, vocabTxt: string): Promise<void> {
  const model = await rt.loadBert(checkpoint, vocabTxt);
  const pieces: string[] = await model.tokenize("unknown ☃");
  const filled = await model.fillMask("the man went to the [MASK] to buy a [MASK] of milk.", { topK: 5 });
  console.log(pieces.join(" "), filled[0]?.[0]?.token, filled[1]?.[0]?.probability);
  for (const { token, shown, fate } of await model.maskExample("the man went to the store.", { seed: 3 })) {
    if (fate === "masked" || fate === "random") console.log(token, "→", shown);
  }
  const attention = await model.attention("open a bank account");
  console.log(attention.tokens.length, attention.layers[0]?.shape);
  const space = await model.embeddingSpace(["man", "woman", "bread"], { neighbours: 5, analogy: ["man", "woman", "father"] });
  console.log(space.words, space.missing, mean(space.dots), mean(space.cosines), space.neighbours[0]?.[0]?.cosine);
  console.log(space.projection.words[0]?.[0], space.projection.vocabulary.length, space.projection.tokens[0], space.projection.explained[0], space.analogy?.[0]?.token);

  const fresh = await rt.bert({ seed: 1, layers: 2, dModel: 32, heads: 2, batchSize: 8, documents: 200, vocabSize: 500, lr: 1e-3 });
  const pre = await fresh.train({ steps: 10 });
  console.log(pre.step, pre.mlmLoss, pre.nspLoss, pre.tokensPerSecond);
  fresh.dispose();

  const { examples, labels } = await bertOpinionExamples({ split: 0, count: 32, seed: 1 });
  const held = await bertOpinionExamples({ split: 1, count: 16 });
  const tuned = await model.fineTune(examples, { steps: 20, classes: 2, fromScratch: false, restart: true, lr: 3e-4, batchSize: 16, seed: 1, evaluateOn: held.examples });
  console.log(tuned.step, tuned.loss, tuned.accuracy);
  const { label, probabilities } = await model.classify("the bread was stale.");
  console.log(labels[label], probabilities.data[label]);
  const about = await model.describe();
  console.log(about.step, about.parameters, about.layers, about.dModel, about.heads, about.maxLength, about.vocabularySize, about.fineTuned);
  console.log((await model.save()).byteLength);
  model.dispose();

  // @ts-expect-error: a mask's fate is one of five names
  console.log((await model.maskExample("a b")).filter((t) => t.fate === "hidden"));
  // @ts-expect-error: examples are { text, label }
  await model.fineTune([{ sentence: "good bread", label: 1 }]);
  // @ts-expect-error: split is 0 or 1
  await bertOpinionExamples({ split: 2, count: 4 });
  // @ts-expect-error: count is required
  await bertOpinionExamples({ split: 0 });
}

/** The functions of the module, and the wasm package itself. */
export async function functions(): Promise<void> {
  const score = await bleu(["le chat est assis"], ["le chat est assis ."]);
  console.log(score.score, score.precisions[0], score.brevityPenalty, score.hypothesisLength, score.referenceLength);
  const { gradientNorms, stateNorms } = await rnnGradients({ hidden: 16, steps: 30, radius: 1.2, activation: "tanh", inputScale: 0.5, seed: 1 });
  console.log(gradientNorms.data[0], stateNorms.shape);

  const pkg = await loadGlassformer();
  const own = await pkg.Runtime.create("cpu");
  const budgeted = await pkg.Runtime.create("auto", { memoryBudget: 512e6, allowSoftwareAdapter: false });
  console.log((await budgeted.memory()).budgetBytes);
  console.log(own.backend, own.cpuKernels ?? pkg.cpuKernels(), pkg.version(), describeBackend(own));
  console.log(pkg.bleu(["a b"], ["a b"]).score, pkg.rnnGradients().gradientNorms.shape, pkg.bertOpinionExamples({ split: 0, count: 2 }).labels);
  console.log((await own.positionalEncoding({ length: 2, dModel: 2 })).shape);
  own.free();

  // @ts-expect-error: the activations are "tanh" and "identity"
  await rnnGradients({ activation: "relu" });
  // @ts-expect-error: the package's functions are synchronous
  await pkg.bleu(["a"], ["a"]).then((s: BleuScore) => s.score);
  // @ts-expect-error: the backends are "auto", "webgpu" and "cpu"
  await getRuntime("gpu");
}

/** When the page is done: a runtime in a worker is ended, with its models. */
export function shutDown(rt: Runtime | WorkerRuntime): void {
  if ("terminate" in rt) rt.terminate();
}

/** Every element, found by its tag, with an attribute read and one set. */
export function elements(): void {
  const steps = document.querySelector("gf-attention-steps");
  if (steps) {
    console.log(steps.getAttribute("tokens"), steps.tokens.length, steps.result?.weights.shape);
    steps.setAttribute("d-k", "2");
    steps.addEventListener("gf-update", (event) => console.log(mean(event.detail.output), mean(event.detail.q)));
  }
  const multihead = document.querySelector("gf-multihead");
  if (multihead) {
    multihead.setAttribute("heads", "4");
    console.log(multihead.getAttribute("d-model"), multihead.headWeights(0).length);
  }
  const table = document.querySelector("gf-positional-encoding");
  if (table) {
    table.setAttribute("position", "3");
    console.log(table.getAttribute("length"), table.value(3, 4));
  }
  const mask = document.querySelector("gf-causal-mask");
  if (mask) {
    mask.toggleAttribute("peek");
    console.log(mask.getAttribute("text"), mask.weights?.length);
  }
  const ffn = document.querySelector("gf-ffn");
  if (ffn) {
    ffn.setAttribute("hidden", "16");
    console.log(ffn.getAttribute("word"));
  }
  const space = document.querySelector("gf-embedding-space");
  if (space) {
    space.setAttribute("analogy", "man woman father");
    console.log(space.getAttribute("words"));
  }
  const rnn = document.querySelector("gf-rnn-vs-attention");
  if (rnn) {
    rnn.setAttribute("radius", "1.1");
    console.log(rnn.getAttribute("activation"), rnn.gradientByDistance?.[0]);
  }
  const both = document.querySelector("gf-bidirectional");
  if (both) {
    both.setAttribute("position", "1");
    console.log(both.getAttribute("text"), both.position, both.seen("gpt").join(" "), both.seen("bert", 0));
  }
  const map = document.querySelector("gf-attention-map");
  if (map) {
    map.setAttribute("head", "mean");
    console.log(map.getAttribute("layer"), map.weights?.length);
  }
  const trainer = document.querySelector("gf-seq2seq-trainer");
  if (trainer) {
    trainer.setAttribute("sentence", "the agreement was signed .");
    console.log(trainer.getAttribute("pretrained"), trainer.targetSteps, trainer.lossHistory.at(-1)?.loss);
    trainer.addEventListener("gf-update", ({ detail }) => console.log(detail.step, detail.loss, detail.tokensPerSecond, trainer.training));
    trainer.addEventListener("gf-idle", () => console.log("training stopped"));
  }
  const sampler = document.querySelector("gf-gpt-sampler");
  if (sampler) {
    sampler.setAttribute("prompt", "JULIET:\n");
    console.log(sampler.getAttribute("seed"), sampler.lossHistory[0]?.valLoss);
    sampler.addEventListener("gf-update", ({ detail }) => console.log("token" in detail ? detail.token : detail.loss));
  }
  const fill = document.querySelector("gf-bert-fill");
  if (fill) {
    fill.setAttribute("text", "she went to the [MASK].");
    console.log(fill.getAttribute("checkpoint"));
    fill.addEventListener("gf-update", ({ detail }) => console.log(detail?.pre, detail?.scratch));
    console.log(fill.training, fill.lossHistory.at(-1)?.pre);
  }
  // gf-update bubbles: one listener on the page hears every element.
  document.addEventListener("gf-update", (event) => console.log((event.target as Element).tagName, event.detail));

  // @ts-expect-error: <gf-ffn> has no heads to show
  console.log(document.querySelector("gf-ffn")?.headWeights(0));
  // @ts-expect-error: attributes are strings
  document.querySelector("gf-multihead")?.setAttribute("heads", 4);
  // @ts-expect-error: <gf-seq2seq-trainer>'s events carry a training result, not tokens
  trainer?.addEventListener("gf-update", ({ detail }) => console.log(detail.token));
}
