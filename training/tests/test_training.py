"""Distillation end to end on tiny models, plus its data reading and metrics."""

from __future__ import annotations

import json

import pytest
import torch

from training import train_language_adapter
from training.adaptclip_training import LoadedModels, load_language_checkpoint
from training.adaptclip_training.distillation_metrics import distillation_loss, validation_metrics
from training.adaptclip_training.parallel_text import read_parallel_tsv, split_train_validation


def test_tsv_reader_skips_comments_and_blank_lines(tmp_path):
    path = tmp_path / "p.tsv"
    path.write_text("# header\ta\n\na cat\t一只猫\r\na dog \t 一只狗\n", encoding="utf-8")
    pairs = read_parallel_tsv(path)
    assert [(p.english, p.chinese) for p in pairs] == [("a cat", "一只猫"), ("a dog", "一只狗")]


@pytest.mark.parametrize("text,message", [
    ("a cat\t一只猫\ta third\n", r":1: expected `english<TAB>chinese`, found 3"),
    ("a cat\t一只猫\nno tab here\n", r":2: expected `english<TAB>chinese`, found 1"),
    ("a cat\t \n", r":1: empty chinese side"),
    ("# only a comment\n", r"no pairs"),
])
def test_tsv_reader_refuses_malformed_lines_by_line_number(tmp_path, text, message):
    path = tmp_path / "p.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        read_parallel_tsv(path)


def test_split_is_seeded_disjoint_and_complete():
    train, validation = split_train_validation(50, 0.2, seed=3)
    assert (train, validation) == split_train_validation(50, 0.2, seed=3)
    assert len(validation) == 10 and sorted(train + validation) == list(range(50))
    assert split_train_validation(50, 0.2, seed=4) != (train, validation)


def test_metrics_of_perfect_and_of_swapped_students():
    target = torch.eye(6)
    perfect = validation_metrics(2 * target, target)
    assert perfect["mean_cosine_distance"] == pytest.approx(0.0, abs=1e-7)
    assert perfect["retrieval_zh_to_en_top1"] == 1.0
    swapped = validation_metrics(target[[1, 0, 2, 3, 4, 5]], target)
    assert swapped["retrieval_zh_to_en_top1"] == pytest.approx(4 / 6)
    assert swapped["mean_cosine_distance"] == pytest.approx(2 / 6)
    assert distillation_loss(target, target, "cosine+mse").item() == pytest.approx(0.0, abs=1e-7)
    assert distillation_loss(2 * target, target, "mse").item() == pytest.approx(1 / 6)


def run(tmp_path, bert_dir, clip_dir, pairs, name, *extra):
    output = tmp_path / name
    manifest = train_language_adapter.main([
        "--pairs", str(pairs), "--bert", str(bert_dir), "--clip", str(clip_dir), "--output", str(output),
        "--adapter-width", "32", "--num-layers", "1", "--num-heads", "4", "--intermediate-size", "64",
        "--epochs", "30", "--batch-size", "16", "--learning-rate", "3e-3", "--seed", "11",
        "--validation-fraction", "0.2", "--threads", "1", *extra])
    return output, manifest


def test_distillation_lowers_the_loss_and_exports_a_loadable_checkpoint(tmp_path, bert_dir, tiny_clip_dir,
                                                                        pairs_tsv, capsys):
    output, manifest = run(tmp_path, bert_dir, tiny_clip_dir, pairs_tsv, "zh-tiny", "--loss", "cosine+mse",
                           "--feature-cache", str(tmp_path / "features.pt"))
    first_run_log = capsys.readouterr().out
    training = manifest["training"]
    before, after = training["validation"]["before"], training["validation"]["after"]
    assert training["train_loss"]["after"] < 0.5 * training["train_loss"]["before"]
    assert after["mean_cosine_distance"] < before["mean_cosine_distance"]
    assert after["retrieval_zh_to_en_top1"] > before["retrieval_zh_to_en_top1"]
    assert training["data"]["pairs"] == 72 and training["data"]["validation_pairs"] == 14

    loaded = LoadedModels("bert-tiny-a", 64, tiny_clip_dir.name, 24)
    adapter, on_disk = load_language_checkpoint(output, loaded)
    assert on_disk == manifest and adapter.config.num_layers == 1

    # Same seed, features from the cache: the very same weights.
    again, _ = run(tmp_path, bert_dir, tiny_clip_dir, pairs_tsv, "zh-tiny-again", "--loss", "cosine+mse",
                   "--feature-cache", str(tmp_path / "features.pt"))
    assert "frozen features: loaded from" in capsys.readouterr().out
    assert json.loads((again / "adapter.json").read_text())["weights"]["sha256"] == manifest["weights"]["sha256"]
    print(first_run_log)   # shown with pytest -rP: the loss and validation curve of the first run


@pytest.mark.parametrize("loss", ["cosine", "mse"])
def test_zero_layer_adapter_trains_with_either_loss(tmp_path, bert_dir, tiny_clip_dir, pairs_tsv, loss):
    output = tmp_path / f"zh-linear-{loss}"
    manifest = train_language_adapter.main([
        "--pairs", str(pairs_tsv), "--bert", str(bert_dir), "--clip", str(tiny_clip_dir), "--output", str(output),
        "--adapter-width", "24", "--num-layers", "0", "--pooling", "cls", "--no-final-layer-norm",
        "--epochs", "20", "--batch-size", "16", "--learning-rate", "1e-2", "--loss", loss,
        "--weights-dtype", "F16", "--threads", "1"])
    assert manifest["architecture"]["num_heads"] == 0 and manifest["weights"]["dtype"] == "F16"
    assert manifest["training"]["train_loss"]["after"] < manifest["training"]["train_loss"]["before"]
    load_language_checkpoint(output, LoadedModels("bert-tiny-a", 64, tiny_clip_dir.name, 24))


def test_cli_refuses_an_existing_output(tmp_path, bert_dir, tiny_clip_dir, pairs_tsv):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "file").write_text("x")
    with pytest.raises(SystemExit):
        train_language_adapter.main(["--pairs", str(pairs_tsv), "--bert", str(bert_dir), "--clip",
                                     str(tiny_clip_dir), "--output", str(tmp_path / "taken")])
