"""Shared fixtures of the training tests (`make training-test`, or from the repository root in the
pinned environment of training/requirements.txt):

    python -m pytest training/tests -q

The BERT side uses the committed fixture Tests/Fixtures/bert/bert-tiny-a (a real Hugging Face
directory with a vocab.txt). The CLIP side is a tiny random CLIPModel built here, with a
byte-level BPE vocabulary of the 256 byte symbols and no merges: a real CLIPTokenizer over a
vocabulary small enough to build in a test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]

BERT_FIXTURES = ROOT / "Tests" / "Fixtures" / "bert"
ADAPTER_FIXTURES = ROOT / "Tests" / "Fixtures" / "language-adapter"

COLOURS = {"red": "红", "yellow": "黄", "blue": "蓝", "green": "绿", "white": "白", "black": "黑"}
THINGS = {"cat": "猫", "dog": "狗", "bird": "鸟", "fish": "鱼", "horse": "马", "cow": "牛",
          "sheep": "羊", "flower": "花", "tree": "树", "car": "车", "boat": "船", "book": "书"}


def _bytes_to_unicode() -> list[str]:
    """GPT-2 / CLIP byte-to-symbol table (the published mapping, written out for the test vocab)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    symbols, extra = {}, 0
    for byte in range(256):
        if byte in printable:
            symbols[byte] = chr(byte)
        else:
            symbols[byte] = chr(256 + extra)
            extra += 1
    return [symbols[b] for b in range(256)]


@pytest.fixture(scope="session")
def bert_dir() -> Path:
    return BERT_FIXTURES / "bert-tiny-a"


@pytest.fixture(scope="session")
def tiny_clip_dir(tmp_path_factory) -> Path:
    from transformers import CLIPConfig, CLIPModel

    directory = tmp_path_factory.mktemp("tiny-clip")
    symbols = _bytes_to_unicode()
    vocab = {s: i for i, s in enumerate(symbols)}
    vocab.update({s + "</w>": 256 + i for i, s in enumerate(symbols)})
    vocab["<|startoftext|>"], vocab["<|endoftext|>"] = 512, 513
    (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (directory / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    (directory / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "CLIPTokenizer", "model_max_length": 32, "bos_token": "<|startoftext|>",
        "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>", "unk_token": "<|endoftext|>"}))

    torch.manual_seed(7)
    config = CLIPConfig(
        text_config=dict(vocab_size=514, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                         intermediate_size=64, max_position_embeddings=32, bos_token_id=512,
                         eos_token_id=513, pad_token_id=513),
        vision_config=dict(image_size=16, patch_size=8, hidden_size=32, num_hidden_layers=1,
                           num_attention_heads=2, intermediate_size=64),
        projection_dim=24)
    CLIPModel(config).save_pretrained(directory, safe_serialization=True)
    return directory


@pytest.fixture(scope="session")
def pairs_tsv(tmp_path_factory) -> Path:
    """72 compositional pairs ("a red cat" <TAB> "红色的猫"): learnable, so the loss must fall."""
    path = tmp_path_factory.mktemp("pairs") / "en-zh.tsv"
    lines = ["# english\tchinese"]
    for en_colour, zh_colour in COLOURS.items():
        for en_thing, zh_thing in THINGS.items():
            lines.append(f"a {en_colour} {en_thing}\t{zh_colour}色的{zh_thing}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
