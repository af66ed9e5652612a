"""The committed published-checkpoint fixtures (Tests/Fixtures/published) and the Unigram tokenizer
fixture (Tests/Fixtures/tokenizers/unigram-xlmr) agree with transformers in this environment."""

from __future__ import annotations

import json

import pytest
import torch
from PIL import Image
from transformers import ChineseCLIPImageProcessor, XLMRobertaTokenizerFast

from training.published_models import PublishedModel

from .conftest import ROOT
from .test_checkpoint import floats

PUBLISHED = ROOT / "Tests" / "Fixtures" / "published"
UNIGRAM = ROOT / "Tests" / "Fixtures" / "tokenizers" / "unigram-xlmr"
SHAPES = {"taiyi-type": ("taiyi-clip", 128), "mclip-type": ("m-clip", 128), "chinese-clip-type": ("chinese-clip", 24)}


def test_unigram_goldens_match_the_fast_tokenizer():
    tokenizer = XLMRobertaTokenizerFast.from_pretrained(UNIGRAM)
    inputs = json.loads((UNIGRAM / "inputs.json").read_text(encoding="utf-8"))
    goldens = json.loads((UNIGRAM / "goldens.json").read_text(encoding="utf-8"))
    assert len(inputs) >= 300 and tokenizer.model_max_length == 64
    for case in inputs:
        assert tokenizer(case["text"], truncation=True)["input_ids"] == goldens[case["id"]], case
    assert sum(len(ids) == 64 for ids in goldens.values()) >= 10
    assert sum(tokenizer.unk_token_id in ids for ids in goldens.values()) >= 10


def test_unigram_tokenizer_json_has_the_xlm_r_components():
    spec = json.loads((UNIGRAM / "tokenizer.json").read_text(encoding="utf-8"))
    assert [n["type"] for n in spec["normalizer"]["normalizers"]] == ["Precompiled", "Strip", "Replace"]
    assert spec["pre_tokenizer"] == {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True}
    assert spec["post_processor"]["type"] == "TemplateProcessing"
    assert spec["model"]["type"] == "Unigram" and spec["model"]["unk_id"] == 3


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_published_goldens_match_transformers(shape):
    directory = PUBLISHED / shape
    fmt, dimension = SHAPES[shape]
    goldens = json.loads((directory / "goldens.json").read_text(encoding="utf-8"))
    published = PublishedModel(directory)
    assert published.info["format"] == fmt and published.info["projection_dim"] == dimension == goldens["dimension"]
    assert len(goldens["texts"]) >= 24 and sum(len(t["token_ids"]) == 64 for t in goldens["texts"]) >= 2
    for entry in goldens["texts"]:
        assert published.token_ids(entry["text"]) == entry["token_ids"]
        expected = floats(entry["features_f32"], [dimension])
        assert torch.allclose(published.text_features(entry["token_ids"]), expected, rtol=1e-5, atol=1e-5)
    assert bool(goldens["images"]) == (fmt == "chinese-clip")
    for entry in goldens["images"]:
        with Image.open(directory / entry["file"]) as image:
            pixels = ChineseCLIPImageProcessor.from_pretrained(directory)(image, return_tensors="pt")["pixel_values"][0]
        assert torch.equal(pixels, floats(entry["pixels_f32"], entry["pixel_shape"]))
        assert torch.allclose(published.image_features(pixels), floats(entry["features_f32"], [dimension]),
                              rtol=1e-5, atol=1e-5)
