// Every widget, for the documentation page (widgets.html) and the share
// page (share.html): its tag, what it shows, the part of the course it
// serves, its attributes, and the attributes of the example shown live.
// Texts are { en, zh }.

export const CATALOGUE = [
  {
    tag: "gf-attention-steps",
    title: { en: "Self-attention, step by step", zh: "自注意力，一步一步" },
    about: {
      en: "The course's worked example “Thinking Machines”: embeddings, q/k/v, the scores q·k, the scaling by √d_k, the softmax and the weighted sum of the values, each number from the runtime's attention kernel.",
      zh: "课程中的“Thinking Machines”例子：词向量、q/k/v、分数 q·k、除以 √d_k、softmax，以及值向量的加权和，每个数字都来自运行时的注意力内核。",
    },
    attributes: [
      ["tokens", "Thinking Machines", { en: "the phrase, split on spaces (at most 8 words)", zh: "短语，按空格切分（最多 8 个词）" }],
      ["d-model", "4", { en: "width of the embeddings", zh: "词向量的维度" }],
      ["d-k", "4", { en: "width of q, k and v", zh: "q、k、v 的维度" }],
      ["seed", "", { en: "start from seeded random numbers instead of the course's example", zh: "用随机种子生成的数代替课程中的例子" }],
      ["x, wq, wk, wv", "", { en: "the numbers themselves, rows separated by “;” (x=\"1 0 1 0; 0 1 0 1\"); a student's edits are written here", zh: "矩阵本身的数，行之间用“;”分隔（x=\"1 0 1 0; 0 1 0 1\"）；学生修改的数会写回这里" }],
    ],
    example: {},
  },
  {
    tag: "gf-multihead",
    title: { en: "Multi-head attention", zh: "多头注意力" },
    about: {
      en: "Q, K and V split into heads, each head's weights, the concatenation and the output projection W_O; change the number of heads.",
      zh: "Q、K、V 切分成多个头，每个头的权重、拼接，以及输出投影 W_O；可以改变头的数量。",
    },
    attributes: [
      ["text", "the law will never be perfect", { en: "the sentence (at most 10 words)", zh: "句子（最多 10 个词）" }],
      ["d-model", "8", { en: "width of the vectors", zh: "向量维度" }],
      ["heads", "2", { en: "number of heads (a divisor of d-model)", zh: "头的数量（d-model 的约数）" }],
      ["seed", "1", { en: "seed of the vectors and weights", zh: "向量和权重的随机种子" }],
    ],
    example: { heads: "2" },
  },
  {
    tag: "gf-positional-encoding",
    title: { en: "Positional encoding", zh: "位置编码" },
    about: {
      en: "The sin/cos table as a heatmap, sliders for position and dimension with the formula filled in, and the dot product between positions, which depends only on their distance.",
      zh: "正弦/余弦位置编码表的热力图，位置和维度滑块（公式中代入具体数值），以及位置之间的点积——它只取决于两者的距离。",
    },
    attributes: [
      ["d-model", "64", { en: "width of the encoding", zh: "编码维度" }],
      ["length", "50", { en: "number of positions", zh: "位置个数" }],
      ["position", "10", { en: "the chosen position", zh: "选中的位置" }],
      ["dimension", "4", { en: "the chosen dimension", zh: "选中的维度" }],
    ],
    example: { "d-model": "64" },
  },
  {
    tag: "gf-causal-mask",
    title: { en: "The causal mask", zh: "因果掩码" },
    about: {
      en: "The scores before and after masking (−∞ above the diagonal), the softmax rows, and what changes when the mask is removed (“peeking”).",
      zh: "掩码前后的分数矩阵（对角线以上为 −∞）、每行的 softmax，以及去掉掩码（“偷看”）后的变化。",
    },
    attributes: [
      ["text", "the cat sat on the mat", { en: "the sentence (at most 12 words)", zh: "句子（最多 12 个词）" }],
      ["seed", "1", { en: "seed of the queries and keys", zh: "查询和键的随机种子" }],
      ["d-model", "8", { en: "width of the queries and keys", zh: "查询和键的维度" }],
      ["peek", "", { en: "present: the mask is removed (“peeking”)", zh: "出现时去掉掩码（“偷看”）" }],
    ],
    example: {},
  },
  {
    tag: "gf-ffn",
    title: { en: "The feed-forward network", zh: "前馈网络" },
    about: {
      en: "max(0, xW1 + b1)W2 + b2 applied to each position on its own, with the hidden activations and the values the ReLU cuts to zero.",
      zh: "max(0, xW1 + b1)W2 + b2 对每个位置单独计算，显示隐藏层激活值以及被 ReLU 置零的值。",
    },
    attributes: [
      ["text", "thinking machines", { en: "the words (at most 10)", zh: "词（最多 10 个）" }],
      ["d-model", "4", { en: "width of x and of the output", zh: "x 和输出的维度" }],
      ["hidden", "8", { en: "width of the hidden layer (d_ff)", zh: "隐藏层维度（d_ff）" }],
      ["seed", "1", { en: "seed of the vectors and weights", zh: "向量和权重的随机种子" }],
      ["word", "0", { en: "the word whose computation is drawn as bars", zh: "用柱状图展示计算过程的词" }],
    ],
    example: {},
  },
  {
    tag: "gf-embedding-space",
    title: { en: "The embedding space", zh: "词向量空间" },
    about: {
      en: "A trained model's own token embeddings: dot products and cosine similarities between chosen words, nearest neighbours, an analogy, and a 2-D projection (PCA).",
      zh: "训练好的模型自己的词向量：所选词之间的点积和余弦相似度、最近邻、类比，以及二维投影（PCA）。",
    },
    attributes: [
      ["words", "man woman boy girl father mother milk bread", { en: "the words compared", zh: "要比较的词" }],
      ["analogy", "man woman father", { en: "a b c: a is to b as c is to ?", zh: "a b c：a 之于 b，正如 c 之于 ?" }],
      ["neighbours", "5", { en: "how many nearest neighbours", zh: "最近邻的个数" }],
      ["model", "bert", { en: "the checkpoint whose embeddings are shown: \"bert\" (the course's) or a Hugging Face BERT folder's URL", zh: "展示哪个检查点的词向量：\"bert\"（课程自带）或 Hugging Face BERT 文件夹的网址" }],
    ],
    example: {},
  },
  {
    tag: "gf-rnn-vs-attention",
    title: { en: "RNN or attention", zh: "RNN 与注意力" },
    about: {
      en: "The gradient back through an RNN's time steps vanishing or exploding as the spectral radius of W_h moves below or above 1, against attention's path length of 1; sequential steps against one parallel step.",
      zh: "随着 W_h 的谱半径小于或大于 1，RNN 沿时间反向传播的梯度消失或爆炸，而注意力的路径长度始终为 1；串行计算与一步并行。",
    },
    attributes: [
      ["radius", "0.9", { en: "spectral radius ρ of W_h", zh: "W_h 的谱半径 ρ" }],
      ["steps", "30", { en: "sequence length T", zh: "序列长度 T" }],
      ["hidden", "16", { en: "size of the hidden state", zh: "隐藏状态的维度" }],
      ["activation", "tanh", { en: "f: tanh or identity", zh: "f：tanh 或 identity" }],
      ["seed", "1", { en: "seed of the weights and inputs", zh: "权重和输入的随机种子" }],
    ],
    example: {},
  },
  {
    tag: "gf-bidirectional",
    title: { en: "Bidirectional or causal", zh: "双向与单向" },
    about: {
      en: "What each position can see in BERT (everything) and in GPT (itself and the words before it), on a sentence the author chooses.",
      zh: "在作者选定的句子上，每个位置在 BERT 中（全部）和在 GPT 中（自己和前面的词）分别能看到什么。",
    },
    attributes: [
      ["text", "open a bank account", { en: "the sentence (at most 16 words)", zh: "句子（最多 16 个词）" }],
      ["position", "", { en: "the chosen word's index (default: the last but one)", zh: "选中的词的序号（默认倒数第二个）" }],
      ["model", "", { en: "URL of a Hugging Face BERT folder: its own attention in the BERT row", zh: "Hugging Face BERT 文件夹的 URL：BERT 一行显示它自己的注意力" }],
    ],
    example: {},
  },
  {
    tag: "gf-attention-map",
    title: { en: "Attention map of a trained model", zh: "训练好的模型的注意力图" },
    about: {
      en: "A pre-trained BERT's self-attention over a sentence, per layer and head, as a heatmap and as lines between words.",
      zh: "预训练 BERT 在一个句子上的自注意力，按层和头显示，既有热力图，也有词与词之间的连线。",
    },
    attributes: [
      ["text", "the woman bought a cake for her mother and it was delicious .", { en: "the sentence", zh: "句子" }],
      ["layer", "0", { en: "the layer (0-based)", zh: "层（从 0 开始）" }],
      ["head", "mean", { en: "the head (0-based) or mean", zh: "头（从 0 开始）或 mean（平均）" }],
      ["word", "", { en: "show only this token's lines", zh: "只显示这个词元的连线" }],
      ["model", "bert", { en: "the checkpoint: \"bert\" (the course's) or a Hugging Face BERT folder's URL", zh: "检查点：\"bert\"（课程自带）或 Hugging Face BERT 文件夹的网址" }],
    ],
    example: { layer: "1" },
  },
  {
    tag: "gf-seq2seq-trainer",
    title: { en: "Train a translator", zh: "训练一个翻译模型" },
    about: {
      en: "An encoder–decoder Transformer translating English to French, pre-trained or trained live in the page, with its loss curve, test sentences and cross-attention.",
      zh: "一个把英语翻译成法语的编码器-解码器 Transformer：可加载预训练模型或在页面中实时训练，显示损失曲线、测试句子和交叉注意力。",
    },
    attributes: [
      ["pretrained", "true", { en: "\"false\" starts untrained", zh: "\"false\" 表示从未训练的模型开始" }],
      ["steps", "1000", { en: "length of a run from scratch", zh: "从零训练的步数" }],
      ["seed", "1", { en: "seed of an untrained model", zh: "未训练模型的随机种子" }],
      ["train-to", "", {
        en: "once loaded, train to this step and pause (a shared run; the pretrained model counts on from its 3,000 steps)",
        zh: "加载后训练到这一步并暂停（分享的训练过程；预训练模型从它的 3,000 步接着计数）",
      }],
      ["sentence", "", { en: "the sentence whose cross-attention is drawn", zh: "绘制交叉注意力的句子" }],
      ["checkpoint", "", { en: "URL of a saved translator", zh: "已保存的翻译模型的 URL" }],
    ],
    example: {},
  },
  {
    tag: "gf-gpt-sampler",
    title: { en: "Sample from a GPT", zh: "从 GPT 采样" },
    about: {
      en: "A character-level GPT trained on Shakespeare: temperature, top-k and top-p sampling, the next-character distribution, and training further in a worker.",
      zh: "一个在莎士比亚作品上训练的字符级 GPT：温度、top-k 和 top-p 采样，下一个字符的概率分布，以及在后台线程中继续训练。",
    },
    attributes: [
      ["prompt", "ROMEO:\\n", { en: "the starting text", zh: "起始文本" }],
      ["seed", "1", { en: "the sampling seed", zh: "采样的随机种子" }],
      ["temperature", "0.8", { en: "the temperature τ, 0 (greedy) to 2", zh: "温度 τ，0（贪心）到 2" }],
      ["top-k", "0", { en: "keep the k likeliest characters, 0 (off) to 40", zh: "只保留最可能的 k 个字符，0（关闭）到 40" }],
      ["top-p", "1", { en: "keep the likeliest characters up to this probability, 0.05 to 1 (off)", zh: "只保留累计概率达到这个值的最可能字符，0.05 到 1（关闭）" }],
      ["train-to", "", {
        en: "once loaded, train further to this step and pause (a shared run; steps count on from the checkpoint's)",
        zh: "加载后继续训练到这一步并暂停（分享的训练过程；步数从检查点的步数接着计）",
      }],
      ["checkpoint", "", { en: "URL of a saved GPT", zh: "已保存的 GPT 的 URL" }],
      ["model", "", { en: "URL of a Hugging Face GPT-2 folder (instead of the course's GPT)", zh: "Hugging Face GPT-2 文件夹的 URL（代替课程自己的 GPT）" }],
      ["corpus", "", { en: "URL of its training text", zh: "训练文本的 URL" }],
    ],
    example: {},
  },
  {
    tag: "gf-bert-fill",
    title: { en: "BERT: fill in the blanks", zh: "BERT：完形填空" },
    about: {
      en: "A small pre-trained BERT: [MASK] filling, the 80/10/10 masking, an attention head, both directions, and fine-tuning against training from scratch.",
      zh: "一个小型预训练 BERT：[MASK] 预测、80/10/10 掩码策略、一个注意力头、双向性，以及微调与从零训练的对比。",
    },
    attributes: [
      ["text", "the man went to the [MASK] to buy a [MASK] of milk.", { en: "the fill-in sentence", zh: "完形填空的句子" }],
      ["seed", "1", { en: "the masking seed", zh: "掩码的随机种子" }],
      ["train-to", "", {
        en: "once loaded, run the fine-tuning race to this step (10 to 80) and pause (a shared run)",
        zh: "加载后把微调比赛进行到这一步（10 到 80）并暂停（分享的训练过程）",
      }],
      ["checkpoint", "", { en: "URL of a saved BERT", zh: "已保存的 BERT 的 URL" }],
      ["model", "", { en: "URL of a Hugging Face BERT folder (instead of the course's BERT)", zh: "Hugging Face BERT 文件夹的 URL（代替课程自己的 BERT）" }],
    ],
    example: {},
  },
];

/** A catalogue entry's example as an element string. */
export function exampleSnippet(entry) {
  const attributes = Object.entries(entry.example).map(([name, value]) => ` ${name}="${value}"`).join("");
  return `<${entry.tag}${attributes}></${entry.tag}>`;
}
