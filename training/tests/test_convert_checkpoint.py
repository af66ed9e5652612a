"""training/convert_checkpoint.py: each format round-trips (pytorch_model.bin -> model.safetensors ->
the same weights and features in transformers), and every damaged or foreign source is refused with
a message naming what is wrong, leaving nothing behind. Tiny models, built per test in tmp_path."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from safetensors import safe_open
from transformers import (BertConfig, BertForSequenceClassification, BertTokenizer, ChineseCLIPConfig,
                          ChineseCLIPModel, CLIPConfig, CLIPModel, GPT2Config, GPT2Model, XLMRobertaConfig)

from training.convert_checkpoint import MCLIP_LANGUAGES, ConversionError, convert, main
from training.published_models import MultilingualCLIP, PublishedModel, text_features

from .conftest import BERT_FIXTURES, ROOT

BERT_VOCAB = BERT_FIXTURES / "bert-tiny-a" / "vocab.txt"
UNIGRAM = ROOT / "Tests" / "Fixtures" / "tokenizers" / "unigram-xlmr"
TEXTS = ["一只猫", "a red dog 红色的狗", "", "猫" * 80]


def bert_tokenizer(src: Path) -> None:
    BertTokenizer(vocab_file=str(BERT_VOCAB), model_max_length=32).save_pretrained(src)


def taiyi_source(src: Path) -> BertForSequenceClassification:
    src.mkdir()
    config = BertConfig(vocab_size=2000, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=20, max_position_embeddings=32, num_labels=12)
    config.architectures = ["BertForSequenceClassification"]
    torch.manual_seed(1)
    model = BertForSequenceClassification(config).eval()
    state = dict(model.state_dict())
    state["bert.embeddings.position_ids"] = torch.arange(32).unsqueeze(0)  # as older checkpoints carry it
    torch.save(state, src / "pytorch_model.bin")
    (src / "config.json").write_text(json.dumps({**config.to_dict(), "_name_or_path": "IDEA-CCNL/tiny-taiyi"}))
    bert_tokenizer(src)
    return model


def mclip_source(src: Path, hidden: int = 64, heads: int = 1) -> MultilingualCLIP:
    src.mkdir()
    vocab_size = len(json.loads((UNIGRAM / "tokenizer.json").read_text())["model"]["vocab"])
    xlmr = XLMRobertaConfig(vocab_size=vocab_size, hidden_size=hidden, num_hidden_layers=2, num_attention_heads=heads,
                            intermediate_size=24, max_position_embeddings=66, type_vocab_size=1,
                            layer_norm_eps=1e-5, pad_token_id=1)
    torch.manual_seed(2)
    model = MultilingualCLIP(xlmr, 10).eval()
    torch.save(model.state_dict(), src / "pytorch_model.bin")
    (src / "config.json").write_text(json.dumps({"model_type": "M-CLIP", "modelBase": "xlm-roberta-large",
                                                 "transformerDimensions": hidden, "numDims": 10,
                                                 "architectures": ["MultilingualCLIP"]}))
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copyfile(UNIGRAM / name, src / name)
    (src.parent / "base-config.json").write_text(json.dumps(xlmr.to_dict()))
    return model


def chinese_clip_source(src: Path) -> ChineseCLIPModel:
    src.mkdir()
    config = ChineseCLIPConfig(
        text_config=dict(vocab_size=2000, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=20, max_position_embeddings=32),
        vision_config=dict(image_size=16, patch_size=8, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                           intermediate_size=20),
        projection_dim=8)
    torch.manual_seed(3)
    model = ChineseCLIPModel(config).eval()
    torch.save(model.state_dict(), src / "pytorch_model.bin")
    (src / "config.json").write_text(json.dumps(config.to_dict()))
    bert_tokenizer(src)
    (src / "preprocessor_config.json").write_text(json.dumps({
        "size": {"height": 16, "width": 16}, "crop_size": {"height": 16, "width": 16}, "do_center_crop": False,
        "image_processor_type": "ChineseCLIPImageProcessor"}))
    return model


SOURCES = {"taiyi-clip": taiyi_source, "m-clip": mclip_source, "chinese-clip": chinese_clip_source}


def refusal(src: Path, dst: Path, **options) -> str:
    with pytest.raises(ConversionError) as raised:
        convert(src, dst, **options)
    assert not dst.exists()
    assert [p.name for p in dst.parent.iterdir() if p.name.startswith(".")] == [], "a partial directory was left"
    return str(raised.value)


@pytest.mark.parametrize("fmt", sorted(SOURCES))
def test_round_trip_gives_the_same_weights_and_features(tmp_path, fmt):
    source = SOURCES[fmt](tmp_path / "src")
    info = convert(tmp_path / "src", tmp_path / "out")
    assert info.format == fmt
    published = PublishedModel(tmp_path / "out")
    converted = published.model.state_dict()
    for key, value in source.state_dict().items():
        assert torch.equal(converted[key], value), key
    for text in TEXTS:
        ids = published.token_ids(text)
        assert torch.allclose(published.text_features(ids), text_features(fmt, source, ids), rtol=1e-6, atol=1e-6)
    with safe_open(tmp_path / "out" / "model.safetensors", "pt") as weights:
        names = set(weights.keys())
        assert {weights.get_slice(n).get_dtype() for n in names} == {"F32"}
    assert names == set(source.state_dict()), "source names kept, buffers dropped"
    assert not any(n.endswith("position_ids") for n in names)


def test_adaptclip_block_and_copied_files(tmp_path):
    taiyi_source(tmp_path / "src")
    convert(tmp_path / "src", tmp_path / "out")
    config = json.loads((tmp_path / "out" / "config.json").read_text())
    assert config["adaptclip"] == {"format": "taiyi-clip", "name": "tiny-taiyi", "languages": ["zh"],
                                   "projection_dim": 12}
    assert config["model_type"] == "bert" and len(config["id2label"]) == 12
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "config.json", "model.safetensors", "special_tokens_map.json", "tokenizer_config.json", "vocab.txt"]
    assert (tmp_path / "out" / "vocab.txt").read_bytes() == (tmp_path / "src" / "vocab.txt").read_bytes()


def test_name_and_languages_options_and_directory_name_fallback(tmp_path):
    chinese_clip_source(tmp_path / "my-clip")
    convert(tmp_path / "my-clip", tmp_path / "a")
    assert json.loads((tmp_path / "a" / "config.json").read_text())["adaptclip"]["name"] == "my-clip"
    assert json.loads((tmp_path / "a" / "config.json").read_text())["adaptclip"]["languages"] == ["zh", "en"]
    convert(tmp_path / "my-clip", tmp_path / "b", name="declared", languages=["zh"])
    block = json.loads((tmp_path / "b" / "config.json").read_text())["adaptclip"]
    assert (block["name"], block["languages"], block["projection_dim"]) == ("declared", ["zh"], 8)


def test_mclip_config_inferred_from_shapes_or_read_from_base_config(tmp_path):
    mclip_source(tmp_path / "src", hidden=64)
    convert(tmp_path / "src", tmp_path / "inferred")
    config = json.loads((tmp_path / "inferred" / "config.json").read_text())
    assert (config["model_type"], config["hidden_size"], config["num_attention_heads"], config["num_hidden_layers"],
            config["intermediate_size"], config["max_position_embeddings"], config["type_vocab_size"],
            config["layer_norm_eps"], config["pad_token_id"]) == ("xlm-roberta", 64, 1, 2, 24, 66, 1, 1e-5, 1)
    assert config["adaptclip"]["languages"] == list(MCLIP_LANGUAGES) and config["adaptclip"]["projection_dim"] == 10
    assert (tmp_path / "inferred" / "tokenizer.json").is_file()


def test_mclip_heads_that_cannot_be_inferred_need_the_base_config(tmp_path):
    source = mclip_source(tmp_path / "src", hidden=40, heads=4)
    message = refusal(tmp_path / "src", tmp_path / "out")
    assert "hidden size 40 is not a multiple of 64" in message and "--base-config" in message
    convert(tmp_path / "src", tmp_path / "out", base_config=tmp_path / "base-config.json")
    published = PublishedModel(tmp_path / "out")
    assert published.model.transformer.config.num_attention_heads == 4
    ids = published.token_ids("两只猫")
    assert torch.allclose(published.text_features(ids), text_features("m-clip", source, ids), rtol=1e-6, atol=1e-6)


def test_foreign_clip_checkpoint_is_refused(tmp_path):
    src = tmp_path / "clip"
    src.mkdir()
    config = CLIPConfig(text_config=dict(hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                         intermediate_size=20),
                        vision_config=dict(image_size=16, patch_size=8, hidden_size=16, num_hidden_layers=1,
                                           num_attention_heads=2, intermediate_size=20), projection_dim=8)
    CLIPModel(config).save_pretrained(src)
    assert "model_type 'clip' is not a supported published checkpoint" in refusal(src, tmp_path / "out")


def test_gpt2_weights_under_a_taiyi_config_are_refused_by_name(tmp_path):
    taiyi_source(tmp_path / "src")
    gpt2 = GPT2Model(GPT2Config(n_embd=16, n_layer=1, n_head=2, vocab_size=100, n_positions=32))
    torch.save(gpt2.state_dict(), tmp_path / "src" / "pytorch_model.bin")
    message = refusal(tmp_path / "src", tmp_path / "out")
    assert "unknown to the taiyi-clip format" in message and "h.0.attn.c_attn.weight" in message


def test_bert_that_is_not_a_classifier_is_refused(tmp_path):
    taiyi_source(tmp_path / "src")
    config = json.loads((tmp_path / "src" / "config.json").read_text())
    (tmp_path / "src" / "config.json").write_text(json.dumps({**config, "architectures": ["BertModel"]}))
    assert "not BertForSequenceClassification" in refusal(tmp_path / "src", tmp_path / "out")


def edited_state(src: Path, edit) -> None:
    state = torch.load(src / "pytorch_model.bin", weights_only=True)
    edit(state)
    torch.save(state, src / "pytorch_model.bin")


@pytest.mark.parametrize("case, edit, expected", [
    ("unknown key", lambda s: s.update({"bert.extra.weight": torch.zeros(3)}),
     "1 tensor(s) unknown to the taiyi-clip format: bert.extra.weight"),
    ("missing key", lambda s: s.pop("classifier.bias"),
     "1 tensor(s) of the taiyi-clip format missing: classifier.bias"),
    ("wrong shape", lambda s: s.update({"classifier.weight": torch.zeros(11, 16)}),
     "wrong shape: classifier.weight [11, 16] (expected [12, 16])"),
    ("integer tensor", lambda s: s.update({"classifier.bias": torch.zeros(12, dtype=torch.int64)}),
     "non-float tensor(s): classifier.bias (int64)"),
    ("NaN", lambda s: s["bert.pooler.dense.weight"].__setitem__((0, 0), float("nan")),
     "NaN or Inf in bert.pooler.dense.weight"),
    ("Inf", lambda s: s["classifier.bias"].__setitem__(0, float("inf")), "NaN or Inf in classifier.bias"),
])
def test_damaged_state_dicts_are_refused_naming_the_tensor(tmp_path, case, edit, expected):
    taiyi_source(tmp_path / "src")
    edited_state(tmp_path / "src", edit)
    assert expected in refusal(tmp_path / "src", tmp_path / "out")


def test_chinese_clip_shape_mismatch_is_refused(tmp_path):
    chinese_clip_source(tmp_path / "src")
    edited_state(tmp_path / "src", lambda s: s.update({"text_projection.weight": torch.zeros(8, 15)}))
    assert "text_projection.weight [8, 15] (expected [8, 16])" in refusal(tmp_path / "src", tmp_path / "out")


@pytest.mark.parametrize("damage", ["truncated", "garbage", "not a state dict"])
def test_unreadable_checkpoints_are_refused(tmp_path, damage):
    taiyi_source(tmp_path / "src")
    path = tmp_path / "src" / "pytorch_model.bin"
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        expected = "is not a readable PyTorch checkpoint (truncated or corrupted?)"
    elif damage == "garbage":
        path.write_bytes(bytes(range(256)) * 40)
        expected = "is not a readable PyTorch checkpoint (truncated or corrupted?)"
    else:
        torch.save({"model": {"a": torch.zeros(2)}, "epoch": 3}, path)
        expected = "is not a flat state dict of named tensors"
    assert expected in refusal(tmp_path / "src", tmp_path / "out")


@pytest.mark.parametrize("fmt, missing", [("taiyi-clip", "vocab.txt"), ("m-clip", "tokenizer.json"),
                                          ("chinese-clip", "preprocessor_config.json")])
def test_missing_tokenizer_or_preprocessor_file_is_refused(tmp_path, fmt, missing):
    SOURCES[fmt](tmp_path / "src")
    (tmp_path / "src" / missing).unlink()
    assert f"the {fmt} format needs {missing}, missing" in refusal(tmp_path / "src", tmp_path / "out")


def test_existing_destination_is_left_untouched(tmp_path):
    taiyi_source(tmp_path / "src")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep").write_text("x")
    with pytest.raises(ConversionError, match="already exists"):
        convert(tmp_path / "src", tmp_path / "out")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep"]


def test_command_line_exit_codes_and_one_line_refusal(tmp_path, capsys):
    taiyi_source(tmp_path / "src")
    assert main([str(tmp_path / "src"), str(tmp_path / "out"), "--name", "cli"]) == 0
    assert "taiyi-clip 'cli'" in capsys.readouterr().out
    (tmp_path / "src" / "pytorch_model.bin").write_bytes(b"\x00" * 100)
    assert main([str(tmp_path / "src"), str(tmp_path / "out2")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("convert_checkpoint: refused: ") and err.count("\n") == 1 and "pytorch_model.bin" in err


def test_safetensors_source_is_read_and_a_damaged_one_refused(tmp_path):
    source = chinese_clip_source(tmp_path / "src")
    (tmp_path / "src" / "pytorch_model.bin").unlink()
    source.save_pretrained(tmp_path / "saved", safe_serialization=True)
    shutil.copyfile(tmp_path / "saved" / "model.safetensors", tmp_path / "src" / "model.safetensors")
    convert(tmp_path / "src", tmp_path / "out")
    assert torch.equal(PublishedModel(tmp_path / "out").model.text_projection.weight, source.text_projection.weight)
    path = tmp_path / "src" / "model.safetensors"
    path.write_bytes(path.read_bytes()[:1000])
    assert "is not a readable safetensors file" in refusal(tmp_path / "src", tmp_path / "out2")


def test_format_option_overrides_detection(tmp_path):
    taiyi_source(tmp_path / "src")
    config = json.loads((tmp_path / "src" / "config.json").read_text())
    del config["architectures"]
    (tmp_path / "src" / "config.json").write_text(json.dumps(config))
    assert "not BertForSequenceClassification" in refusal(tmp_path / "src", tmp_path / "out")
    assert convert(tmp_path / "src", tmp_path / "out", fmt="taiyi-clip").projection_dim == 12
