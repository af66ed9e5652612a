"""Language-adapter checkpoints (kind "language"): export, validate, load. docs/adapters.md is the
contract; the directory, the common manifest rules and the weights checks are checkpoint.py's,
only the manifest's kind-specific part and the comparison with the loaded models live here.

The Swift loader (Sources/Models/Adapters/LanguageAdapterCheckpoint.swift) runs the same checks
in the same order with the same wording; Tests/Fixtures/language-adapter/broken/ holds the
checkpoints both refuse for the same reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .checkpoint import (MANIFEST_FILE, check_header, check_host_matches, check_training, check_weights_section,
                         choice_field, count_field, export, layer_norm_eps_field, load, positive_int_field,
                         section, string_field, validate)
from .checkpoint_error import CheckpointError
from .language_adapter import (ACTIVATIONS, NORM_POSITIONS, POOLINGS, LanguageAdapter, LanguageAdapterConfig,
                               expected_tensor_shapes)

KIND = "language"
OTHER_KINDS = ("domain", "prompt")
TOP_LEVEL_KEYS = ("format_version", "kind", "name", "version", "language", "base_encoder", "clip",
                  "architecture", "weights", "training")
BASE_ENCODER_KEYS = ("id", "model_type", "hidden_size")
CLIP_KEYS = ("id", "projection_dim")
ARCHITECTURE_KEYS = ("adapter_width", "num_layers", "num_heads", "intermediate_size", "layer_norm_eps",
                     "norm_position", "pooling", "activation", "final_layer_norm")


@dataclass(frozen=True)
class LoadedModels:
    """What the serving side has loaded; a checkpoint must agree with it field by field."""

    base_encoder_id: str
    base_encoder_hidden_size: int
    clip_id: str
    clip_projection_dim: int
    language: str = "zh"


def export_language_checkpoint(adapter: LanguageAdapter, directory: Path, *, name: str, version: str,
                               base_encoder_id: str, clip_id: str, language: str = "zh", dtype: str = "F32",
                               training: dict[str, Any] | None = None) -> dict[str, Any]:
    """Writes adapter.safetensors and adapter.json into `directory` (created; must not hold a
    checkpoint already). Returns the manifest. The tensors are cast to `dtype` ("F32", "F16", "BF16")."""
    config = adapter.config
    fields = {
        "kind": KIND,
        "name": name,
        "version": version,
        "language": language,
        "base_encoder": {"id": base_encoder_id, "model_type": "bert", "hidden_size": config.input_size},
        "clip": {"id": clip_id, "projection_dim": config.output_size},
        "architecture": config.architecture(),
    }
    return export(adapter, expected_tensor_shapes(config), directory, dtype, fields, training)


def validate_language_checkpoint(directory: Path, loaded: LoadedModels | None = None
                                 ) -> tuple[dict[str, Any], LanguageAdapterConfig, bytes]:
    """Every check of docs/adapters.md, in its order. `loaded=None` skips the comparison with
    the serving models (checks 6) but nothing else. Returns (manifest, config, weights bytes)."""
    check_host = None if loaded is None else lambda manifest, _: _check_against_loaded(manifest, loaded)
    return validate(directory, _check_manifest, check_host, expected_tensor_shapes)


def load_language_checkpoint(directory: Path, loaded: LoadedModels | None = None
                             ) -> tuple[LanguageAdapter, dict[str, Any]]:
    """Validates, then builds a float32 LanguageAdapter in eval mode from the checkpoint."""
    return load(validate_language_checkpoint(directory, loaded), LanguageAdapter)


def _check_manifest(m: dict[str, Any]) -> LanguageAdapterConfig:
    check_header(m, KIND, OTHER_KINDS, TOP_LEVEL_KEYS)
    string_field(m, "language", "language")

    base = section(m, "base_encoder", BASE_ENCODER_KEYS)
    string_field(base, "id", "base_encoder.id")
    if string_field(base, "model_type", "base_encoder.model_type") != "bert":
        raise CheckpointError(MANIFEST_FILE, "base_encoder.model_type",
                              f"{json.dumps(base['model_type'])} is not supported (expected \"bert\")")
    hidden = positive_int_field(base, "hidden_size", "base_encoder.hidden_size")

    clip = section(m, "clip", CLIP_KEYS)
    string_field(clip, "id", "clip.id")
    projection = positive_int_field(clip, "projection_dim", "clip.projection_dim")

    arch = section(m, "architecture", ARCHITECTURE_KEYS)
    width = positive_int_field(arch, "adapter_width", "architecture.adapter_width")
    layers = count_field(arch, "num_layers", "architecture.num_layers")
    heads = count_field(arch, "num_heads", "architecture.num_heads")
    intermediate = count_field(arch, "intermediate_size", "architecture.intermediate_size")
    if layers > 0:
        if heads == 0 or width % heads != 0:
            raise CheckpointError(MANIFEST_FILE, "architecture.num_heads",
                                  f"{heads} does not divide architecture.adapter_width {width}")
        if intermediate == 0:
            raise CheckpointError(MANIFEST_FILE, "architecture.intermediate_size",
                                  f"must be > 0 when architecture.num_layers is {layers}")
    else:
        for key, value in (("num_heads", heads), ("intermediate_size", intermediate)):
            if value != 0:
                raise CheckpointError(MANIFEST_FILE, f"architecture.{key}",
                                      f"must be 0 when architecture.num_layers is 0, got {value}")
    eps = layer_norm_eps_field(arch, "layer_norm_eps", "architecture.layer_norm_eps")
    choices = {key: choice_field(arch, key, f"architecture.{key}", allowed)
               for key, allowed in (("norm_position", NORM_POSITIONS), ("pooling", POOLINGS),
                                    ("activation", ACTIVATIONS))}
    if not isinstance(arch["final_layer_norm"], bool):
        raise CheckpointError(MANIFEST_FILE, "architecture.final_layer_norm",
                              f"must be true or false, got {json.dumps(arch['final_layer_norm'])}")

    check_weights_section(m)
    check_training(m)

    return LanguageAdapterConfig(
        input_size=hidden, output_size=projection, adapter_width=width, num_layers=layers,
        num_heads=heads, intermediate_size=intermediate, layer_norm_eps=eps,
        final_layer_norm=arch["final_layer_norm"], **choices)


def _check_against_loaded(m: dict[str, Any], loaded: LoadedModels) -> None:
    check_host_matches((
        ("language", m["language"], loaded.language, "the language this adapter slot serves"),
        ("base_encoder.id", m["base_encoder"]["id"], loaded.base_encoder_id, "the loaded base encoder's id"),
        ("base_encoder.hidden_size", m["base_encoder"]["hidden_size"], loaded.base_encoder_hidden_size,
         "the loaded base encoder's hidden_size"),
        ("clip.id", m["clip"]["id"], loaded.clip_id, "the loaded CLIP model's id"),
        ("clip.projection_dim", m["clip"]["projection_dim"], loaded.clip_projection_dim,
         "the loaded CLIP model's projection_dim"),
    ))
