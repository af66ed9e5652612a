"""Learned-prompt checkpoints (kind "prompt", format_version 1): export, validate, load.

The same directory and the same common rules as the language adapter (checkpoint.py; docs/
adapters.md, "Learned prompts" lists the checks in order). The Swift loader
(Sources/Models/Prompts) follows the same order and wording.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .checkpoint import (MANIFEST_FILE, _exact_keys, _positive_int, _read_manifest, _read_weights, _section,
                         _string, check_format_version, check_tensors, check_training, check_weights_section,
                         float32_state, prepare_export_directory, weights_entry, write_manifest, write_weights,
                         FORMAT_VERSION)
from .checkpoint_error import CheckpointError
from .prompt_learner import VARIANTS, PromptConfig, PromptLearner, expected_prompt_tensor_shapes

KIND = "prompt"
OTHER_KINDS = ("language", "domain")
TOP_LEVEL_KEYS = ("format_version", "kind", "name", "version", "clip", "architecture", "task", "weights",
                  "training")
CLIP_KEYS = ("id", "projection_dim", "text_hidden_size", "vision_hidden_size")
ARCHITECTURE_KEYS = {
    "coop": ("variant", "n_ctx", "class_suffix"),
    "structured": ("variant", "n_general", "n_instance", "num_heads", "layer_norm_eps", "class_suffix"),
}
TASK_KEYS = ("name", "labels")


@dataclass(frozen=True)
class PromptHost:
    """The loaded CLIP a prompt must fit (Swift: `PromptHost`)."""

    clip_id: str
    projection_dim: int
    text_hidden_size: int
    vision_hidden_size: int


def export_prompt(prompt: PromptLearner, directory: Path, *, name: str, version: str, clip_id: str,
                  dtype: str = "F32", task: dict[str, Any] | None = None,
                  training: dict[str, Any] | None = None) -> dict[str, Any]:
    """Writes adapter.safetensors and adapter.json into `directory` (created, must not hold a
    checkpoint). `task` = {"name": ..., "labels": [...]} it was trained for, or None."""
    directory = prepare_export_directory(directory, dtype)
    config = prompt.config
    write_weights(prompt.state_dict(), expected_prompt_tensor_shapes(config), directory, dtype)
    manifest = {
        "format_version": FORMAT_VERSION,
        "kind": KIND,
        "name": name,
        "version": version,
        "clip": {"id": clip_id, "projection_dim": config.projection_dim,
                 "text_hidden_size": config.text_hidden_size, "vision_hidden_size": config.vision_hidden_size},
        "architecture": config.architecture(),
        "task": task,
        "weights": weights_entry(directory, dtype),
        "training": training or {},
    }
    write_manifest(manifest, directory)
    return manifest


def validate_prompt(directory: Path, host: PromptHost | None = None
                    ) -> tuple[dict[str, Any], PromptConfig, bytes]:
    """Every check in its documented order; `host=None` skips the comparison with the loaded CLIP."""
    directory = Path(directory)
    manifest = _read_manifest(directory)
    config = _check_manifest(manifest)
    if host is not None:
        _check_against_host(manifest, host)
    weights = _read_weights(directory, manifest["weights"])
    check_tensors(weights, manifest["weights"]["dtype"], expected_prompt_tensor_shapes(config))
    return manifest, config, weights


def load_prompt(directory: Path, host: PromptHost | None = None) -> tuple[PromptLearner, dict[str, Any]]:
    """Validates, then builds a float32 PromptLearner in eval mode."""
    manifest, config, weights = validate_prompt(directory, host)
    prompt = PromptLearner(config)
    prompt.load_state_dict(float32_state(weights), strict=True)
    return prompt.eval(), manifest


def _check_manifest(m: dict[str, Any]) -> PromptConfig:
    check_format_version(m)
    kind = _string(m, "kind", "kind")
    if kind in OTHER_KINDS:
        raise CheckpointError(MANIFEST_FILE, "kind", f"{json.dumps(kind)} is not a prompt (expected \"prompt\")")
    if kind != KIND:
        raise CheckpointError(MANIFEST_FILE, "kind", f"unknown kind {json.dumps(kind)} (expected \"prompt\")")
    _exact_keys(m, TOP_LEVEL_KEYS, "")
    _string(m, "name", "name")
    _string(m, "version", "version")

    clip = _section(m, "clip", CLIP_KEYS)
    _string(clip, "id", "clip.id")
    dims = {key: _positive_int(clip, key, f"clip.{key}") for key in CLIP_KEYS[1:]}

    if not isinstance(m["architecture"], dict):
        raise CheckpointError(MANIFEST_FILE, "architecture", "must be a JSON object")
    arch = m["architecture"]
    # variant first: it decides which other keys belong.
    variant = _string(arch, "variant", "architecture.variant")
    if variant not in VARIANTS:
        raise CheckpointError(MANIFEST_FILE, "architecture.variant",
                              f"unknown value {json.dumps(variant)} (one of {', '.join(VARIANTS)})")
    _exact_keys(arch, ARCHITECTURE_KEYS[variant], "architecture.")
    values: dict[str, Any] = {}
    for key in ARCHITECTURE_KEYS[variant][1:-1]:
        if key == "layer_norm_eps":
            eps = arch[key]
            if not (isinstance(eps, (int, float)) and not isinstance(eps, bool) and 0 < eps < 1):
                raise CheckpointError(MANIFEST_FILE, "architecture.layer_norm_eps",
                                      f"must be a number in (0, 1), got {json.dumps(eps)}")
            values[key] = float(eps)
        else:
            values[key] = _positive_int(arch, key, f"architecture.{key}")
    if "num_heads" in values and dims["text_hidden_size"] % values["num_heads"]:
        raise CheckpointError(MANIFEST_FILE, "architecture.num_heads",
                              f"{values['num_heads']} does not divide clip.text_hidden_size {dims['text_hidden_size']}")
    suffix = arch["class_suffix"]
    if not isinstance(suffix, str):
        raise CheckpointError(MANIFEST_FILE, "architecture.class_suffix", f"must be a string, got {json.dumps(suffix)}")

    task = m["task"]
    if task is not None:
        task = _section(m, "task", TASK_KEYS)
        _string(task, "name", "task.name")
        labels = task["labels"]
        if not isinstance(labels, list) or not labels or not all(isinstance(x, str) and x for x in labels):
            raise CheckpointError(MANIFEST_FILE, "task.labels",
                                  f"must be a non-empty list of non-empty strings, got {json.dumps(labels)}")

    check_weights_section(m)
    check_training(m)
    return PromptConfig(variant=variant, projection_dim=dims["projection_dim"],
                        text_hidden_size=dims["text_hidden_size"], vision_hidden_size=dims["vision_hidden_size"],
                        class_suffix=suffix, **values)


def _check_against_host(m: dict[str, Any], host: PromptHost) -> None:
    checks = (
        ("clip.id", m["clip"]["id"], host.clip_id, "the loaded CLIP model's id"),
        ("clip.projection_dim", m["clip"]["projection_dim"], host.projection_dim,
         "the loaded CLIP model's projection_dim"),
        ("clip.text_hidden_size", m["clip"]["text_hidden_size"], host.text_hidden_size,
         "the loaded CLIP model's text hidden_size"),
        ("clip.vision_hidden_size", m["clip"]["vision_hidden_size"], host.vision_hidden_size,
         "the loaded CLIP model's vision hidden_size"),
    )
    for field, found, expected, what in checks:
        if found != expected:
            raise CheckpointError(MANIFEST_FILE, field,
                                  f"{json.dumps(found)} does not match {what} ({json.dumps(expected)})")
