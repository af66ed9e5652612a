"""Prompt checkpoints (kind "prompt"): export -> load round trip, and refusals naming their field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from training.adaptclip_training import (CheckpointError, PromptConfig, PromptHost, PromptLearner, export_prompt,
                                         load_prompt, validate_prompt)

HOST = PromptHost("clip-x", 16, 32, 24)
STRUCTURED = PromptConfig("structured", 32, 24, 16, n_general=3, n_instance=2, num_heads=4)
COOP = PromptConfig("coop", 32, 24, 16, n_ctx=4)


def exported(directory: Path, config=STRUCTURED, dtype="F32", task=None):
    torch.manual_seed(0)
    prompt = PromptLearner(config).eval()
    manifest = export_prompt(prompt, directory, name="unit", version="1", clip_id="clip-x", dtype=dtype, task=task)
    return prompt, manifest


def edit_manifest(directory: Path, change) -> None:
    path = directory / "adapter.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


@pytest.mark.parametrize("config", [COOP, STRUCTURED], ids=["coop", "structured"])
def test_export_then_load_gives_the_same_tensors(tmp_path, config):
    prompt, manifest = exported(tmp_path / "p", config, task={"name": "shapes", "labels": ["circle", "star"]})
    loaded, loaded_manifest = load_prompt(tmp_path / "p", HOST)
    assert loaded_manifest == manifest and loaded.config == config
    for name, value in prompt.state_dict().items():
        assert torch.equal(value, loaded.state_dict()[name])


def test_f16_export_loads_the_rounded_weights(tmp_path):
    prompt, _ = exported(tmp_path / "p", dtype="F16")
    loaded, _ = load_prompt(tmp_path / "p", HOST)
    for name, value in prompt.state_dict().items():
        assert torch.equal(value.half().float(), loaded.state_dict()[name])


REFUSALS = [
    ("kind", lambda m: m.update(kind="language"), "\"language\" is not a prompt"),
    ("kind", lambda m: m.update(kind="vision"), "unknown kind"),
    ("task", lambda m: m.pop("task"), "missing"),
    ("clip.text_hidden_size", lambda m: m["clip"].update(text_hidden_size=0), "integer > 0"),
    ("architecture.variant", lambda m: m["architecture"].update(variant="cocoop"), "unknown value"),
    ("architecture.n_ctx", lambda m: m["architecture"].update(n_ctx=4), "unknown field"),
    ("architecture.num_heads", lambda m: m["architecture"].update(num_heads=5), "does not divide"),
    ("architecture.class_suffix", lambda m: m["architecture"].update(class_suffix=1), "must be a string"),
    ("task.labels", lambda m: m.update(task={"name": "t", "labels": []}), "non-empty list"),
    ("task.labels", lambda m: m.update(task={"name": "t", "labels": ["a", ""]}), "non-empty list"),
]


@pytest.mark.parametrize("field,change,detail", REFUSALS, ids=[f"{r[0]}-{i}" for i, r in enumerate(REFUSALS)])
def test_a_wrong_manifest_is_refused_naming_its_field(tmp_path, field, change, detail):
    exported(tmp_path / "p")
    edit_manifest(tmp_path / "p", change)
    with pytest.raises(CheckpointError) as error:
        validate_prompt(tmp_path / "p", HOST)
    assert (error.value.file, error.value.field) == ("adapter.json", field)
    assert detail in error.value.detail


def test_a_prompt_for_another_clip_is_refused(tmp_path):
    exported(tmp_path / "p")
    with pytest.raises(CheckpointError, match="clip.vision_hidden_size: 24 does not match"):
        validate_prompt(tmp_path / "p", PromptHost("clip-x", 16, 32, 48))


def test_tensors_of_the_other_variant_are_refused(tmp_path):
    exported(tmp_path / "p", COOP)
    # A structured manifest over coop tensors: same file, so the sha256 still matches.
    edit_manifest(tmp_path / "p", lambda m: m.update(architecture=STRUCTURED.architecture()))
    with pytest.raises(CheckpointError) as error:
        validate_prompt(tmp_path / "p", HOST)
    assert (error.value.file, error.value.field) == ("adapter.safetensors", "tensor attn.k_proj.bias")
    assert error.value.detail.startswith("missing")
