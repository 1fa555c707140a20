// The words of <gf-gpt-sampler>, in English and in Chinese: the widget
// (../gf-gpt-sampler.js) picks one table by its `lang`.
//
// Every word it shows, in English and in Chinese (strings with
// numbers are functions). The generated Shakespeare and the runtime's error
// messages are never translated.
import { formatInteger } from "../common.js";

export const TEXT = {
  en: {
    title: "GPT: one character at a time",
    intro: "A decoder-only Transformer trained on Shakespeare's plays.",
    introPretrained: "A pre-trained GPT-2, opened from its Hugging Face files and run by glassformer's own kernels: it writes one token (a piece of a word, from its byte-level BPE) at a time.",
    pretrained: {
      title: "GPT: one token at a time",
      step: "Step one token",
      ready: "Ready: press Generate, or step one token at a time.",
      top12: "The next token's 12 most probable choices.",
      noTraining: "This model is shown as it was pre-trained: training further runs on the course's small GPT (remove the model attribute).",
      about: (i, backend, url) =>
        `GPT-2 from ${url}: ${i.layers} layers, d_model ${i.dModel}, ${i.heads} heads, ` +
        `context ${formatInteger(i.context)} tokens, ${formatInteger(i.parameters)} parameters; its vocabulary is ` +
        `${formatInteger(i.vocabulary.length)} byte-level BPE tokens. Running on ${backend}.`,
      notGpt: (url) => `${url} holds a BERT-family model, not a GPT-2: this widget writes text, so give it a GPT-2 folder.`,
    },
    about: (i, backend) =>
      `A decoder-only Transformer (GPT): ${i.layers} layers, d_model ${i.dModel}, ${i.heads} heads, ` +
      `context ${i.context} characters, ${formatInteger(i.parameters)} parameters, ` +
      `trained for ${formatInteger(i.step)} steps on Shakespeare's plays; its vocabulary is ` +
      `${i.vocabulary.length} characters. Running on ${backend}.`,
    prompt: "prompt", temperature: "temperature", seed: "seed",
    greedy: "0 (greedy)", off: "off",
    generate: "Generate", stop: "Stop", step: "Step one character", clear: "Clear",
    starting: "Starting…",
    text: "the prompt and the generated text",
    chart: "next-character distribution",
    raw: "softmax of the logits", sampled: "after τ, top-k, top-p",
    top12: "The next character's 12 most probable choices.",
    drawnFrom: (c) => `The distribution "${c}" was drawn from (outlined).`,
    chartLabel: (summary) => `Next-character probabilities, before → after the filters: ${summary}`,
    further: "Train further",
    train: "Train on the corpus", pauseTraining: "Pause training",
    noCurve: "loss curve: no training yet",
    curveSoon: "the curve appears once training starts",
    curveCaption: "Loss in nats per character (training: solid; validation: dashed) against step.",
    loading: "Loading the model…",
    ready: "Ready: press Generate, or step one character at a time.",
    loadFailed: "Could not load the model.",
    croppedNext: (n) => `The text is longer than the model's context of ${n} characters: it sees only the last ${n}.`,
    croppedGenerated: (n) => `The text is longer than the context of ${n} characters: the model saw only the last ${n}.`,
    generated: (n) => `${n} characters generated.`,
    startingWorker: "Starting a background worker and loading the corpus (4.8 MB)…",
    trainingWorker: "Training in a background worker…",
    progress: (step, loss, valid, speed, goal) =>
      `step ${formatInteger(step)}${goal ? ` of ${formatInteger(goal)}` : ""} · loss ${loss} · validation ${valid} · ${formatInteger(speed)} characters/s (in a background worker)`,
    axisStep: (n) => `step ${n}`,
    curveLabel: (l0, l1, valid, step) => `loss ${l0} → ${l1}, validation ${valid} at step ${step}`,
  },
  zh: {
    title: "GPT：一次写一个字符",
    intro: "一个只有解码器的 Transformer，在莎士比亚的剧本上训练。",
    introPretrained: "一个预训练好的 GPT-2，从它的 Hugging Face 文件打开，由 glassformer 自己的内核运行：它一次写一个 token（用字节级 BPE 切出的词片段）。",
    pretrained: {
      title: "GPT：一次写一个 token",
      step: "生成一个 token",
      ready: "就绪：按“生成”，或一次生成一个 token。",
      top12: "下一个 token 最可能的 12 个选择。",
      noTraining: "这个模型按预训练时的样子展示：继续训练要用课程自己的小 GPT（去掉 model 属性）。",
      about: (i, backend, url) =>
        `来自 ${url} 的 GPT-2：${i.layers} 层，d_model ${i.dModel}，${i.heads} 个注意力头，` +
        `上下文 ${formatInteger(i.context)} 个 token，${formatInteger(i.parameters)} 个参数；词表共有 ` +
        `${formatInteger(i.vocabulary.length)} 个字节级 BPE token。运行于 ${backend}。`,
      notGpt: (url) => `${url} 里是 BERT 类模型，不是 GPT-2：这个组件用来写文本，请给它一个 GPT-2 的文件夹。`,
    },
    about: (i, backend) =>
      `一个只有解码器的 Transformer（GPT）：${i.layers} 层，d_model ${i.dModel}，${i.heads} 个注意力头，` +
      `上下文 ${i.context} 个字符，${formatInteger(i.parameters)} 个参数，` +
      `在莎士比亚的剧本上训练了 ${formatInteger(i.step)} 步；词表共有 ` +
      `${i.vocabulary.length} 个字符。运行于 ${backend}。`,
    prompt: "提示文本", temperature: "温度", seed: "随机种子",
    greedy: "0（贪心）", off: "关",
    generate: "生成", stop: "停止", step: "生成一个字符", clear: "清空",
    starting: "正在启动…",
    text: "提示文本和生成的文本",
    chart: "下一个字符的概率分布",
    raw: "logits 的 softmax", sampled: "经过 τ、top-k、top-p 之后",
    top12: "下一个字符最可能的 12 个选择。",
    drawnFrom: (c) => `“${c}”就是从这个分布中抽出来的（已描边）。`,
    chartLabel: (summary) => `下一个字符的概率，过滤前 → 过滤后：${summary}`,
    further: "继续训练",
    train: "在语料上训练", pauseTraining: "暂停训练",
    noCurve: "损失曲线：尚未开始训练",
    curveSoon: "开始训练后就会出现曲线",
    curveCaption: "每个字符的损失（单位：nat；训练为实线，验证为虚线）随步数的变化。",
    loading: "正在加载模型…",
    ready: "就绪：按“生成”，或一次生成一个字符。",
    loadFailed: "无法加载模型。",
    croppedNext: (n) => `文本超出了模型 ${n} 个字符的上下文：它只能看到最后 ${n} 个字符。`,
    croppedGenerated: (n) => `文本超出了 ${n} 个字符的上下文：模型只看到了最后 ${n} 个字符。`,
    generated: (n) => `已生成 ${n} 个字符。`,
    startingWorker: "正在启动后台 Worker 并加载语料（4.8 MB）…",
    trainingWorker: "正在后台 Worker 中训练…",
    progress: (step, loss, valid, speed, goal) =>
      `第 ${formatInteger(step)}${goal ? ` / ${formatInteger(goal)}` : ""} 步 · 损失 ${loss} · 验证损失 ${valid} · 每秒 ${formatInteger(speed)} 个字符（在后台 Worker 中）`,
    axisStep: (n) => `第 ${n} 步`,
    curveLabel: (l0, l1, valid, step) => `损失 ${l0} → ${l1}，第 ${step} 步的验证损失为 ${valid}`,
  },
};
