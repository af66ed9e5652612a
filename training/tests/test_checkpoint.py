"""Checkpoint export / load / validation, and the committed fixtures the Swift side tests against."""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from training.adaptclip_training import (CheckpointError, LanguageAdapter, LanguageAdapterConfig, LoadedModels,
                                         export_language_checkpoint, load_language_checkpoint,
                                         validate_language_checkpoint)
from training.adaptclip_training.checkpoint import sha256_of_file
from training.adaptclip_training.safetensors_layout import read_layout
from .conftest import ADAPTER_FIXTURES

CONFIG = LanguageAdapterConfig(input_size=20, output_size=12, adapter_width=16, num_layers=1, num_heads=2,
                               intermediate_size=24, norm_position="post", pooling="cls", final_layer_norm=True)
LOADED = LoadedModels("bert-x", 20, "clip-x", 12)


def exported(directory: Path, dtype: str = "F32") -> tuple[LanguageAdapter, dict]:
    torch.manual_seed(0)
    adapter = LanguageAdapter(CONFIG).eval()
    manifest = export_language_checkpoint(adapter, directory, name="unit", version="0.1.0", base_encoder_id="bert-x",
                                 clip_id="clip-x", dtype=dtype, training={"script": "test"})
    return adapter, manifest


def floats(encoded: str, shape: list[int]) -> torch.Tensor:
    return torch.from_numpy(np.frombuffer(base64.b64decode(encoded), dtype="<f4").copy().reshape(shape))


def test_export_then_load_gives_the_same_module(tmp_path):
    adapter, manifest = exported(tmp_path / "ckpt")
    loaded, loaded_manifest = load_language_checkpoint(tmp_path / "ckpt", LOADED)
    assert loaded_manifest == manifest
    hidden, mask = torch.randn(2, 5, 20), torch.tensor([[1, 1, 1, 0, 0], [1] * 5])
    with torch.no_grad():
        assert torch.equal(adapter(hidden, mask), loaded(hidden, mask))


def test_f16_export_loads_the_f16_rounded_weights(tmp_path):
    adapter, manifest = exported(tmp_path / "ckpt", dtype="F16")
    assert manifest["weights"]["dtype"] == "F16"
    loaded, _ = load_language_checkpoint(tmp_path / "ckpt", LOADED)
    for name, value in adapter.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], value.half().float()), name


def test_manifest_records_dims_architecture_and_the_weights_hash(tmp_path):
    _, manifest = exported(tmp_path / "ckpt")
    on_disk = json.loads((tmp_path / "ckpt" / "adapter.json").read_text())
    assert on_disk == manifest
    assert manifest["format_version"] == 1 and manifest["kind"] == "language" and manifest["language"] == "zh"
    assert manifest["base_encoder"] == {"id": "bert-x", "model_type": "bert", "hidden_size": 20}
    assert manifest["clip"] == {"id": "clip-x", "projection_dim": 12}
    assert manifest["architecture"] == {"adapter_width": 16, "num_layers": 1, "num_heads": 2,
                                        "intermediate_size": 24, "layer_norm_eps": 1e-5, "norm_position": "post",
                                        "pooling": "cls", "activation": "gelu", "final_layer_norm": True}
    assert manifest["weights"] == {"file": "adapter.safetensors", "dtype": "F32",
                                   "sha256": sha256_of_file(tmp_path / "ckpt" / "adapter.safetensors")}


def test_export_refuses_to_overwrite_a_checkpoint(tmp_path):
    exported(tmp_path / "ckpt")
    with pytest.raises(FileExistsError):
        exported(tmp_path / "ckpt")


def _edit_manifest(edit):
    def apply(directory: Path) -> None:
        manifest = json.loads((directory / "adapter.json").read_text())
        edit(manifest)
        (directory / "adapter.json").write_text(json.dumps(manifest))
    return apply


def _edit_weights(edit, rehash: bool = True):
    def apply(directory: Path) -> None:
        data = edit((directory / "adapter.safetensors").read_bytes())
        (directory / "adapter.safetensors").write_bytes(data)
        if rehash:
            _edit_manifest(lambda m: m["weights"].__setitem__("sha256", sha256_of_file(
                directory / "adapter.safetensors")))(directory)
    return apply


def _append_trailing_bytes(data: bytes) -> bytes:
    return data + b"\0" * 8


def _header_length_too_large(data: bytes) -> bytes:
    return struct.pack("<Q", len(data)) + data[8:]


REFUSALS = [
    ("format_version", _edit_manifest(lambda m: m.__setitem__("format_version", 2))),
    ("format_version", _edit_manifest(lambda m: m.pop("format_version"))),
    ("format_version", _edit_manifest(lambda m: m.__setitem__("format_version", "1"))),
    ("kind", _edit_manifest(lambda m: m.__setitem__("kind", "prompt"))),
    ("kind", _edit_manifest(lambda m: m.__setitem__("kind", "vision"))),
    ("name", _edit_manifest(lambda m: m.__setitem__("name", ""))),
    ("training", _edit_manifest(lambda m: m.pop("training"))),
    ("colour", _edit_manifest(lambda m: m.__setitem__("colour", "blue"))),
    ("language", _edit_manifest(lambda m: m.__setitem__("language", "en"))),
    ("base_encoder.id", _edit_manifest(lambda m: m["base_encoder"].__setitem__("id", "bert-y"))),
    ("base_encoder.hidden_size", _edit_manifest(lambda m: m["base_encoder"].__setitem__("hidden_size", 21))),
    ("base_encoder.hidden_size", _edit_manifest(lambda m: m["base_encoder"].__setitem__("hidden_size", True))),
    ("base_encoder.model_type", _edit_manifest(lambda m: m["base_encoder"].__setitem__("model_type", "xlm"))),
    ("clip.id", _edit_manifest(lambda m: m["clip"].__setitem__("id", "clip-y"))),
    ("clip.projection_dim", _edit_manifest(lambda m: m["clip"].__setitem__("projection_dim", 13))),
    ("clip.projection_dim", _edit_manifest(lambda m: m["clip"].__setitem__("projection_dim", 12.0))),
    ("architecture.pooling", _edit_manifest(lambda m: m["architecture"].__setitem__("pooling", "max"))),
    ("architecture.norm_position", _edit_manifest(lambda m: m["architecture"].__setitem__("norm_position", "mid"))),
    ("architecture.activation", _edit_manifest(lambda m: m["architecture"].__setitem__("activation", "relu"))),
    ("architecture.num_heads", _edit_manifest(lambda m: m["architecture"].__setitem__("num_heads", 3))),
    ("architecture.layer_norm_eps", _edit_manifest(lambda m: m["architecture"].__setitem__("layer_norm_eps", 0))),
    ("architecture.final_layer_norm", _edit_manifest(lambda m: m["architecture"].__setitem__("final_layer_norm", 1))),
    ("architecture.adapter_width", _edit_manifest(lambda m: m["architecture"].pop("adapter_width"))),
    ("weights.file", _edit_manifest(lambda m: m["weights"].__setitem__("file", "../other.safetensors"))),
    ("weights.sha256", _edit_manifest(lambda m: m["weights"].__setitem__("sha256", "0" * 64))),
    ("weights.sha256", _edit_manifest(lambda m: m["weights"].__setitem__("sha256", "ABC"))),
    ("weights.dtype", _edit_manifest(lambda m: m["weights"].__setitem__("dtype", "F64"))),
    ("weights.sha256", _edit_weights(lambda d: d[:-4], rehash=False)),
    ("header", _edit_weights(lambda d: d[:5])),
    ("header", _edit_weights(_header_length_too_large)),
    ("tensor up_proj.weight", _edit_weights(lambda d: d[:-4])),
    ("data", _edit_weights(_append_trailing_bytes)),
    ("tensor layers.0.mlp.fc1.bias", _edit_manifest(lambda m: m["architecture"].__setitem__("intermediate_size", 8))),
    ("tensor down_proj.bias", _edit_manifest(lambda m: m["weights"].__setitem__("dtype", "F16"))),
    ("tensor final_layer_norm.bias", _edit_manifest(lambda m: m["architecture"].__setitem__("final_layer_norm", False))),
]


@pytest.mark.parametrize("field,breakage", REFUSALS, ids=[f"{i}-{f}" for i, (f, _) in enumerate(REFUSALS)])
def test_loader_refuses_and_names_the_field(tmp_path, field, breakage):
    exported(tmp_path / "ckpt")
    breakage(tmp_path / "ckpt")
    with pytest.raises(CheckpointError) as caught:
        load_language_checkpoint(tmp_path / "ckpt", LOADED)
    assert caught.value.field == field, str(caught.value)
    assert str(caught.value).startswith(f"{caught.value.file}: {field}: "), str(caught.value)


def test_missing_files_are_refused_by_name(tmp_path):
    with pytest.raises(CheckpointError, match="adapter.json: file: not found"):
        validate_language_checkpoint(tmp_path)
    exported(tmp_path / "ckpt")
    (tmp_path / "ckpt" / "adapter.safetensors").unlink()
    with pytest.raises(CheckpointError, match="adapter.safetensors: file: not found"):
        validate_language_checkpoint(tmp_path / "ckpt")


def test_layout_reader_refuses_overlapping_tensors():
    header = json.dumps({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                         "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}).encode()
    with pytest.raises(CheckpointError, match="tensor b: data_offsets overlap tensor a"):
        read_layout(struct.pack("<Q", len(header)) + header + b"\0" * 8, "x.safetensors")


# -- the committed fixtures (Tests/Fixtures/language-adapter) ------------------------------------

GOOD_FIXTURES = sorted(p for p in ADAPTER_FIXTURES.iterdir() if (p / "goldens.json").is_file())


def test_there_are_adapter_fixtures_with_zero_one_and_two_layers():
    layers = {json.loads((p / "adapter.json").read_text())["architecture"]["num_layers"] for p in GOOD_FIXTURES}
    assert layers == {0, 1, 2}


@pytest.mark.parametrize("directory", GOOD_FIXTURES, ids=[p.name for p in GOOD_FIXTURES])
def test_fixture_adapter_reproduces_its_goldens(directory):
    manifest = json.loads((directory / "adapter.json").read_text())
    loaded = LoadedModels("bert-tiny-a", 64, manifest["clip"]["id"], manifest["clip"]["projection_dim"])
    adapter, _ = load_language_checkpoint(directory, loaded)
    goldens = json.loads((directory / "goldens.json").read_text())
    for batch in goldens["batches"]:
        hidden = floats(batch["hidden_states_f32"], batch["hidden_states_shape"])
        expected = floats(batch["output_f32"], batch["output_shape"])
        with torch.no_grad():
            actual = adapter(hidden, torch.tensor(batch["attention_mask"]))
        diff = (actual - expected).abs().max().item()
        assert diff < 1e-5, f"{batch['name']}: max abs diff {diff}"


def test_every_broken_fixture_is_refused_for_its_recorded_reason():
    summary = json.loads((ADAPTER_FIXTURES / "broken" / "cases.json").read_text())
    loaded = LoadedModels(**summary["loaded_models"])
    assert len(summary["cases"]) >= 10
    for case in summary["cases"]:
        with pytest.raises(CheckpointError) as caught:
            validate_language_checkpoint(ADAPTER_FIXTURES / "broken" / case["directory"], loaded)
        assert (caught.value.file, caught.value.field) == (case["file"], case["field"]), case["directory"]
        assert str(caught.value) == case["message"]
