"""Learned-prompt checkpoints (kind "prompt"): export, validate, load. docs/adapters.md
("Learned prompts") lists the checks in order; the directory, the common manifest rules and the
weights checks are checkpoint.py's, only the prompt's own fields and the comparison with the
loaded CLIP live here. The Swift loader (Sources/Models/Prompts) follows the same order and
wording.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .checkpoint import (MANIFEST_FILE, check_header, check_host_matches, check_training, check_weights_section,
                         choice_field, exact_keys, export, layer_norm_eps_field, load, positive_int_field,
                         section, string_field, validate)
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
    config = prompt.config
    fields = {
        "kind": KIND,
        "name": name,
        "version": version,
        "clip": {"id": clip_id, "projection_dim": config.projection_dim,
                 "text_hidden_size": config.text_hidden_size, "vision_hidden_size": config.vision_hidden_size},
        "architecture": config.architecture(),
        "task": task,
    }
    return export(prompt, expected_prompt_tensor_shapes(config), directory, dtype, fields, training)


def validate_prompt(directory: Path, host: PromptHost | None = None
                    ) -> tuple[dict[str, Any], PromptConfig, bytes]:
    """Every check in its documented order; `host=None` skips the comparison with the loaded CLIP."""
    check_host = None if host is None else lambda manifest, _: _check_against_host(manifest, host)
    return validate(directory, _check_manifest, check_host, expected_prompt_tensor_shapes)


def load_prompt(directory: Path, host: PromptHost | None = None) -> tuple[PromptLearner, dict[str, Any]]:
    """Validates, then builds a float32 PromptLearner in eval mode."""
    return load(validate_prompt(directory, host), PromptLearner)


def _check_manifest(m: dict[str, Any]) -> PromptConfig:
    check_header(m, KIND, OTHER_KINDS, TOP_LEVEL_KEYS, noun="a prompt")

    clip = section(m, "clip", CLIP_KEYS)
    string_field(clip, "id", "clip.id")
    dims = {key: positive_int_field(clip, key, f"clip.{key}") for key in CLIP_KEYS[1:]}

    if not isinstance(m["architecture"], dict):
        raise CheckpointError(MANIFEST_FILE, "architecture", "must be a JSON object")
    arch = m["architecture"]
    # variant first: it decides which other keys belong.
    variant = choice_field(arch, "variant", "architecture.variant", VARIANTS)
    exact_keys(arch, ARCHITECTURE_KEYS[variant], "architecture.")
    values: dict[str, Any] = {}
    for key in ARCHITECTURE_KEYS[variant][1:-1]:
        if key == "layer_norm_eps":
            values[key] = layer_norm_eps_field(arch, key, "architecture.layer_norm_eps")
        else:
            values[key] = positive_int_field(arch, key, f"architecture.{key}")
    if "num_heads" in values and dims["text_hidden_size"] % values["num_heads"]:
        raise CheckpointError(MANIFEST_FILE, "architecture.num_heads",
                              f"{values['num_heads']} does not divide clip.text_hidden_size {dims['text_hidden_size']}")
    suffix = arch["class_suffix"]
    if not isinstance(suffix, str):
        raise CheckpointError(MANIFEST_FILE, "architecture.class_suffix", f"must be a string, got {json.dumps(suffix)}")

    task = m["task"]
    if task is not None:
        task = section(m, "task", TASK_KEYS)
        string_field(task, "name", "task.name")
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
    check_host_matches((
        ("clip.id", m["clip"]["id"], host.clip_id, "the loaded CLIP model's id"),
        ("clip.projection_dim", m["clip"]["projection_dim"], host.projection_dim,
         "the loaded CLIP model's projection_dim"),
        ("clip.text_hidden_size", m["clip"]["text_hidden_size"], host.text_hidden_size,
         "the loaded CLIP model's text hidden_size"),
        ("clip.vision_hidden_size", m["clip"]["vision_hidden_size"], host.vision_hidden_size,
         "the loaded CLIP model's vision hidden_size"),
    ))
