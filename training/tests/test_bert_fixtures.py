"""The committed BERT fixtures agree with transformers and are complete Hugging Face directories."""

from __future__ import annotations

import json

import pytest
import torch
from transformers import BertModel, BertTokenizer

from .conftest import BERT_FIXTURES
from .test_checkpoint import floats

SHAPES = sorted(p for p in BERT_FIXTURES.iterdir() if (p / "goldens.json").is_file())


def test_two_shapes_exist():
    assert [p.name for p in SHAPES] == ["bert-tiny-a", "bert-tiny-b"]


def test_shape_b_uses_the_naming_of_real_chinese_bert_checkpoints():
    from safetensors import safe_open
    with safe_open(BERT_FIXTURES / "bert-tiny-b" / "model.safetensors", "pt") as weights:
        names = set(weights.keys())
    assert "bert.embeddings.LayerNorm.gamma" in names and "bert.embeddings.LayerNorm.beta" in names
    assert "bert.pooler.dense.weight" in names and any(n.startswith("cls.") for n in names)
    assert not any(n.endswith("LayerNorm.weight") for n in names)


@pytest.mark.parametrize("directory", SHAPES, ids=[p.name for p in SHAPES])
def test_goldens_match_transformers(directory):
    model = BertModel.from_pretrained(directory, dtype=torch.float32, attn_implementation="eager").eval()
    goldens = json.loads((directory / "goldens.json").read_text())
    for batch in goldens["batches"]:
        mask = torch.tensor(batch["attention_mask"])
        with torch.no_grad():
            out = model(input_ids=torch.tensor(batch["input_ids"]), attention_mask=mask,
                        token_type_ids=torch.tensor(batch["token_type_ids"]))
        hidden = out.last_hidden_state
        mean = (hidden * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)
        for key, actual in (("last_hidden_state_f32", hidden), ("cls_f32", hidden[:, 0]), ("mean_f32", mean),
                            ("pooler_f32", out.pooler_output)):
            shape = batch["last_hidden_state_shape"] if key.startswith("last") else batch["vector_shape"]
            diff = (floats(batch[key], shape) - actual).abs().max().item()
            assert diff < 1e-5, f"{directory.name} {batch['name']} {key}: max abs diff {diff}"


@pytest.mark.parametrize("directory", SHAPES, ids=[p.name for p in SHAPES])
def test_vocabulary_matches_the_config_and_tokenises_chinese(directory):
    config = json.loads((directory / "config.json").read_text())
    lines = (directory / "vocab.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == config["vocab_size"] == len(set(lines))
    tokenizer = BertTokenizer.from_pretrained(directory)
    assert tokenizer.convert_tokens_to_ids(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]) == [0, 100, 101, 102, 103]
    ids = tokenizer("红色的猫")["input_ids"]
    assert ids[0] == 101 and ids[-1] == 102 and 100 not in ids and len(ids) == 6
