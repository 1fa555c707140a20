"""PyTorch's side of `npm run bench:gpt`: the same GPT, natively, on one CPU thread.

nanoGPT's small CPU configuration (4 layers, 4 heads, d_model 128, context 64,
batch 12, a vocabulary of 65), built like glassformer's and like the
TensorFlow.js copy in www/bench-gpt.html: pre-LN blocks, biases on every
linear map, GELU (tanh form), learned positions, the output head tied to the
token embedding plus a bias. One training step is forward + backward +
AdamW; sampling is nanoGPT's loop (the whole window through the model for
every new character, no key/value cache), batch 1.

Prints one JSON line: {"torch": version, "parameters": n, "step_ms": median,
"loss": last loss, "sample_tokens_per_s": rate}.

    python3 scripts/bench_gpt_torch.py [--steps 10] [--sample-tokens 200]
"""

import argparse
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F

LAYERS, HEADS, D_MODEL, CONTEXT, BATCH, VOCAB = 4, 4, 128, 64, 12, 65


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = torch.nn.LayerNorm(D_MODEL)
        self.q = torch.nn.Linear(D_MODEL, D_MODEL)
        self.k = torch.nn.Linear(D_MODEL, D_MODEL)
        self.v = torch.nn.Linear(D_MODEL, D_MODEL)
        self.o = torch.nn.Linear(D_MODEL, D_MODEL)
        self.ln2 = torch.nn.LayerNorm(D_MODEL)
        self.fc1 = torch.nn.Linear(D_MODEL, 4 * D_MODEL)
        self.fc2 = torch.nn.Linear(4 * D_MODEL, D_MODEL)

    def forward(self, x):  # (B, T, C)
        b, t, c = x.shape
        h = self.ln1(x)
        split = lambda m: m.view(b, t, HEADS, c // HEADS).transpose(1, 2)  # (B, NH, T, HS)
        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        ctx = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.o(ctx.transpose(1, 2).reshape(b, t, c))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate="tanh"))


class Gpt(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = torch.nn.Embedding(VOCAB, D_MODEL)
        self.wpe = torch.nn.Embedding(CONTEXT, D_MODEL)
        self.blocks = torch.nn.ModuleList(Block() for _ in range(LAYERS))
        self.ln_f = torch.nn.LayerNorm(D_MODEL)
        self.head_bias = torch.nn.Parameter(torch.zeros(VOCAB))
        for p in self.parameters():
            if p.dim() == 2:
                torch.nn.init.normal_(p, 0.0, 0.02)

    def forward(self, idx):  # (B, T) → logits (B, T, V)
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for block in self.blocks:
            x = block(x)
        return self.ln_f(x) @ self.wte.weight.T + self.head_bias


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--sample-tokens", type=int, default=200)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(1)
    model = Gpt()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.99), weight_decay=0.05)
    data = torch.randint(0, VOCAB, (200_000,))

    def batch():
        starts = torch.randint(0, len(data) - CONTEXT - 1, (BATCH,))
        x = torch.stack([data[s : s + CONTEXT] for s in starts])
        y = torch.stack([data[s + 1 : s + 1 + CONTEXT] for s in starts])
        return x, y

    times, loss = [], math.nan
    for i in range(args.steps + 2):  # two warm-up steps
        x, y = batch()
        t0 = time.perf_counter()
        logits = model(x)
        loss_t = F.cross_entropy(logits.view(-1, VOCAB), y.view(-1))
        optimizer.zero_grad(set_to_none=True)
        loss_t.backward()
        optimizer.step()
        loss = loss_t.item()
        if i >= 2:
            times.append((time.perf_counter() - t0) * 1000)

    # Sampling, nanoGPT's way: the last ≤ CONTEXT characters through the whole model per new one.
    model.eval()
    idx = torch.zeros((1, 1), dtype=torch.long)
    with torch.no_grad():
        t0 = time.perf_counter()
        for _ in range(args.sample_tokens):
            logits = model(idx[:, -CONTEXT:])[:, -1, :]
            nxt = torch.multinomial(F.softmax(logits, dim=-1), 1)
            idx = torch.cat([idx, nxt], dim=1)
        rate = args.sample_tokens / (time.perf_counter() - t0)
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps({"torch": torch.__version__, "parameters": params, "step_ms": statistics.median(times),
                      "loss": loss, "sample_tokens_per_s": rate}))


if __name__ == "__main__":
    main()
