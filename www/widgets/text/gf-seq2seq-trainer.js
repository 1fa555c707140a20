// The words of <gf-seq2seq-trainer>, in English and in Chinese: the widget
// (../gf-seq2seq-trainer.js) picks one table by its `lang`.
//
// Every word it shows, in English and in Chinese. Strings with
// numbers in them are functions; those marked (HTML) may hold markup. The
// model's French and the runtime's error messages are never translated.
import { formatInteger } from "../common.js";

export const TEXT = {
  en: {
    title: "Train a translator: English → French",
    intro: "An encoder–decoder Transformer, trained with teacher forcing on generated sentence pairs.",
    about: (i, backend) =>
      `An encoder–decoder Transformer: ${i.layers} encoder and ${i.layers} decoder layers, d_model ${i.dModel}, ` +
      `${i.heads} heads, FFN ${i.dFF} wide; ${formatInteger(i.parameters)} parameters. It learns from ` +
      `${formatInteger(i.trainPairs)} generated sentence pairs (${i.sourceVocabulary} English and ${i.targetVocabulary} French words); ` +
      `the ${formatInteger(i.testPairs)} test sentences combine words in ways training never showed. ` +
      `Running on ${backend}.`,
    train: "Train", pause: "Pause",
    scratch: "Start over, untrained", pretrained: "Load the pretrained model",
    save: "Save…", saveTip: "download the model as a .safetensors checkpoint",
    open: "Open…", openTip: "open a checkpoint saved from here",
    starting: "Starting…",
    progress: "training progress",
    noCurve: "Loss curve: no training yet.",
    curveCaption: (smoothing) => "Training loss against step (log scale): cross-entropy per French word" + (smoothing > 0
      ? `, measured against label-smoothed targets (${smoothing}% of each target spread over the whole vocabulary), so it levels off above 0.`
      : "."),
    scoreAll: "Score the whole test split",
    samples: "test sentences and the model's translations",
    english: "English (never trained on)", french: "the model's French", correct: "correct?",
    crossTitle: "Cross-attention: where the decoder looks while writing each French word",
    sentence: "English sentence to translate",
    translate: "Translate", layer: "layer", head: "head", beam: "beam", greedy: "1 (greedy)", average: "average",
    noRuntime: "Could not start the runtime.",
    noModel: "No model.",
    loadingPretrained: "Loading the pretrained translator…",
    opening: (name) => `Opening ${name}…`,
    kept: "Kept the current model.",
    loadFailed: (name, message) => `Could not load ${name ?? "the pretrained translator"}: ${message}`,
    loadFailedScratch: (name, message) => `Could not load ${name ?? "the pretrained translator"}: ${message}. Starting untrained instead.`,
    readyPretrained: (steps) => `Pretrained for ${formatInteger(steps)} steps by the project's trainer. Press Train to go on, or start over untrained.`,
    readyFile: (name, steps) => `Opened ${name}: trained for ${formatInteger(steps)} steps.`,
    readyScratch: "Untrained: its translations are noise. Press Train and watch the loss fall and the alignment appear.",
    making: "Making an untrained translator…",
    saved: (name, mb) => `Saved ${name} (${mb} MB).`,
    paused: "Paused. Press Train to go on.",
    training: "Training…",
    stopped: "Training stopped.",
    reached: (steps) => `Reached ${formatInteger(steps)} steps. Press Train to go on, or score the whole test split.`,
    step: (step, target) => `step ${formatInteger(step)}${target === null ? "" : ` of ${formatInteger(target)}`}`,
    loss: (loss) => `loss ${loss}`,
    speed: (n) => `${formatInteger(n)} French words/s`,
    time: (s) => `${s} s of training`,
    curveLoaded: ["a loaded model has no curve here:", "train it further, or start over, to draw one"],
    curveScratch: ["the curve appears once training starts"],
    axisStep: (n) => `step ${formatInteger(n)}`,
    curveLabel: (l0, s0, l1, s1) => `Loss curve: ${l0} at step ${formatInteger(s0)}, ${l1} at step ${formatInteger(s1)}.`,
    expected: "expected: ", nothing: "(nothing)", right: "correct", wrong: "wrong",
    sampleScore: (n, percent, step) => // (HTML)
      `Exact match on the first ${n} test sentences: <strong>${percent}%</strong> <span class="status">(step ${formatInteger(step)})</span>`,
    scoring: (done, total) => `Scoring the test split… ${done} / ${total}`,
    wholeScore: (total, exact, bleu) => // (HTML)
      `Whole test split (${formatInteger(total)} sentences): exact match <strong>${exact}%</strong>, BLEU <strong>${bleu}</strong>`,
    scored: "Scored.",
    unknown: (n) => `(${n} English word${n > 1 ? "s" : ""} not in the vocabulary, read as &lt;unk&gt;)`, // (HTML)
    allLayers: "all layers", layerN: (n) => `layer ${n}`,
    allHeads: "average of the heads", headN: (n) => `head ${n}`,
    which: (layer, head) => `${layer}, ${head}`,
    heatmap: (which) => `Cross-attention heatmap, ${which}: rows are French words, columns English words; darker means more weight.`,
    strongest: (which, links) => `Strongest link per French word (${which}): ${links.join(", ")}.`,
  },
  zh: {
    title: "训练一个翻译模型：英语 → 法语",
    intro: "一个编码器–解码器 Transformer，用教师强制（teacher forcing）在自动生成的句对上训练。",
    about: (i, backend) =>
      `一个编码器–解码器 Transformer：编码器和解码器各 ${i.layers} 层，d_model ${i.dModel}，` +
      `${i.heads} 个注意力头，前馈网络宽 ${i.dFF}；共 ${formatInteger(i.parameters)} 个参数。它从 ` +
      `${formatInteger(i.trainPairs)} 个自动生成的句对中学习（${i.sourceVocabulary} 个英语词、${i.targetVocabulary} 个法语词）；` +
      `${formatInteger(i.testPairs)} 个测试句子以训练中从未出现过的方式组合这些词。` +
      `运行于 ${backend}。`,
    train: "训练", pause: "暂停",
    scratch: "从未训练的模型重新开始", pretrained: "加载预训练模型",
    save: "保存…", saveTip: "把模型下载为 .safetensors 检查点文件",
    open: "打开…", openTip: "打开在这里保存的检查点",
    starting: "正在启动…",
    progress: "训练进度",
    noCurve: "损失曲线：尚未开始训练。",
    curveCaption: (smoothing) => "训练损失随步数的变化（对数刻度）：每个法语词的交叉熵" + (smoothing > 0
      ? `，以标签平滑后的目标计算（每个目标有 ${smoothing}% 分摊到整个词表上），所以它会停在 0 以上。`
      : "。"),
    scoreAll: "在整个测试集上评分",
    samples: "测试句子和模型的译文",
    english: "英语（训练中从未见过）", french: "模型的法语译文", correct: "是否正确",
    crossTitle: "交叉注意力：解码器写出每个法语词时在看英语句子的哪里",
    sentence: "要翻译的英语句子",
    translate: "翻译", layer: "层", head: "头", beam: "束宽", greedy: "1（贪心）", average: "平均",
    noRuntime: "无法启动运行时。",
    noModel: "没有模型。",
    loadingPretrained: "正在加载预训练的翻译模型…",
    opening: (name) => `正在打开 ${name}…`,
    kept: "保留了当前模型。",
    loadFailed: (name, message) => (name ? `无法加载文件 ${name}：${message}` : `无法加载预训练的翻译模型：${message}`),
    loadFailedScratch: (name, message) => `${name ? `无法加载文件 ${name}` : "无法加载预训练的翻译模型"}：${message}。改为从一个未训练的模型开始。`,
    readyPretrained: (steps) => `已由本项目的训练程序预训练 ${formatInteger(steps)} 步。按“训练”继续训练，或从未训练的模型重新开始。`,
    readyFile: (name, steps) => `已打开 ${name}：已训练 ${formatInteger(steps)} 步。`,
    readyScratch: "未训练：它的译文只是噪声。按“训练”，看损失下降、对齐逐渐出现。",
    making: "正在创建一个未训练的翻译模型…",
    saved: (name, mb) => `已保存 ${name}（${mb} MB）。`,
    paused: "已暂停。按“训练”继续。",
    training: "训练中…",
    stopped: "训练已停止。",
    reached: (steps) => `已训练到 ${formatInteger(steps)} 步。按“训练”继续，或在整个测试集上评分。`,
    step: (step, target) => (target === null ? `第 ${formatInteger(step)} 步` : `第 ${formatInteger(step)} / ${formatInteger(target)} 步`),
    loss: (loss) => `损失 ${loss}`,
    speed: (n) => `每秒 ${formatInteger(n)} 个法语词`,
    time: (s) => `已训练 ${s} 秒`,
    curveLoaded: ["加载的模型在这里没有曲线：", "继续训练或重新开始，就会画出一条"],
    curveScratch: ["开始训练后就会出现曲线"],
    axisStep: (n) => `第 ${formatInteger(n)} 步`,
    curveLabel: (l0, s0, l1, s1) => `损失曲线：第 ${formatInteger(s0)} 步为 ${l0}，第 ${formatInteger(s1)} 步为 ${l1}。`,
    expected: "正确答案：", nothing: "（空）", right: "正确", wrong: "错误",
    sampleScore: (n, percent, step) =>
      `前 ${n} 个测试句子的完全匹配率：<strong>${percent}%</strong> <span class="status">（第 ${formatInteger(step)} 步）</span>`,
    scoring: (done, total) => `正在为测试集评分… ${done} / ${total}`,
    wholeScore: (total, exact, bleu) =>
      `整个测试集（${formatInteger(total)} 个句子）：完全匹配 <strong>${exact}%</strong>，BLEU <strong>${bleu}</strong>`,
    scored: "评分完成。",
    unknown: (n) => `（${n} 个英语词不在词表中，被读作 &lt;unk&gt;）`,
    allLayers: "所有层的平均", layerN: (n) => `第 ${n} 层`,
    allHeads: "各个头的平均", headN: (n) => `第 ${n} 个头`,
    which: (layer, head) => `${layer}，${head}`,
    heatmap: (which) => `交叉注意力热力图（${which}）：行是法语词，列是英语词；颜色越深，权重越大。`,
    strongest: (which, links) => `每个法语词关联最强的英语词（${which}）：${links.join(", ")}。`,
  },
};
