"""Domain-adapter checkpoints (kind "domain"): export, validate, load. docs/adapters.md is the
contract; the directory, the common manifest rules and the weights checks are checkpoint.py's,
only the manifest's kind-specific part and the comparison with the loaded CLIP live here.

The Swift loader (Sources/Models/Adapters/DomainAdapterCheckpoint.swift) runs the same checks
in the same order with the same wording; Tests/Fixtures/domain-adapter/broken/ holds the
checkpoints both refuse for the same reason.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .checkpoint import (MANIFEST_FILE, check_header, check_host_matches, check_training, check_weights_section,
                         choice_field, exact_keys, export, is_int, load, positive_int_field, section,
                         string_field, validate)
from .checkpoint_error import CheckpointError
from .domain_adapter import (ACTIVATIONS, ADAPTER_DESIGN, SIDES, DomainAdapter, DomainAdapterConfig,
                             DomainSideConfig, expected_tensor_shapes)

KIND = "domain"
TOP_LEVEL_KEYS = ("format_version", "kind", "name", "version", "clip", "architecture", "weights", "training")
CLIP_KEYS = ("id", "projection_dim")
ARCHITECTURE_REQUIRED_KEYS = ("adapter", "activation")
ARCHITECTURE_KEYS = ARCHITECTURE_REQUIRED_KEYS + SIDES
SIDE_KEYS = ("layers", "width", "bottleneck", "scale")
OTHER_KINDS = ("language", "prompt")


@dataclass(frozen=True)
class LoadedCLIP:
    """What the serving side has loaded; a domain checkpoint must fit it."""

    clip_id: str
    projection_dim: int
    vision_width: int
    vision_layers: int
    text_width: int
    text_layers: int

    @staticmethod
    def of(model, clip_id: str) -> "LoadedCLIP":
        """The facts of a transformers CLIPModel under its configured id."""
        c = model.config
        return LoadedCLIP(clip_id, c.projection_dim, c.vision_config.hidden_size, c.vision_config.num_hidden_layers,
                          c.text_config.hidden_size, c.text_config.num_hidden_layers)


def export_domain_checkpoint(adapter: DomainAdapter, directory: Path, *, name: str, version: str, clip_id: str,
                             projection_dim: int, dtype: str = "F32",
                             training: dict[str, Any] | None = None) -> dict[str, Any]:
    """Writes adapter.safetensors and adapter.json (kind "domain") into `directory` (created;
    must not hold a checkpoint already). Returns the manifest."""
    fields = {
        "kind": KIND,
        "name": name,
        "version": version,
        "clip": {"id": clip_id, "projection_dim": projection_dim},
        "architecture": adapter.config.architecture(),
    }
    return export(adapter, expected_tensor_shapes(adapter.config), directory, dtype, fields, training)


def validate_domain_checkpoint(directory: Path, loaded: LoadedCLIP | None = None
                               ) -> tuple[dict[str, Any], DomainAdapterConfig, bytes]:
    """Every check of docs/adapters.md ("Domain adapter", "Validation"), in its order.
    `loaded=None` skips the comparison with the serving CLIP. Returns (manifest, config, bytes)."""
    check_host = None if loaded is None else lambda manifest, config: _check_against_loaded(manifest, config, loaded)
    return validate(directory, _check_manifest, check_host, expected_tensor_shapes)


def load_domain_checkpoint(directory: Path, loaded: LoadedCLIP | None = None
                           ) -> tuple[DomainAdapter, dict[str, Any]]:
    """Validates, then builds a float32 DomainAdapter in eval mode (not yet attached)."""
    return load(validate_domain_checkpoint(directory, loaded), DomainAdapter)


# -- the checks ---------------------------------------------------------------------------------

def _check_manifest(m: dict[str, Any]) -> DomainAdapterConfig:
    check_header(m, KIND, OTHER_KINDS, TOP_LEVEL_KEYS)

    clip = section(m, "clip", CLIP_KEYS)
    string_field(clip, "id", "clip.id")
    positive_int_field(clip, "projection_dim", "clip.projection_dim")

    arch = m["architecture"]
    if not isinstance(arch, dict):
        raise CheckpointError(MANIFEST_FILE, "architecture", "must be a JSON object")
    for key in ARCHITECTURE_REQUIRED_KEYS:
        if key not in arch:
            raise CheckpointError(MANIFEST_FILE, f"architecture.{key}", "missing")
    for key in sorted(arch):
        if key not in ARCHITECTURE_KEYS:
            raise CheckpointError(MANIFEST_FILE, f"architecture.{key}", "unknown field")
    for key, allowed in (("adapter", (ADAPTER_DESIGN,)), ("activation", ACTIVATIONS)):
        choice_field(arch, key, f"architecture.{key}", allowed)
    if not any(side in arch for side in SIDES):
        raise CheckpointError(MANIFEST_FILE, "architecture", "needs at least one of \"vision\", \"text\"")
    sides = {side: _check_side(arch, side) for side in SIDES if side in arch}

    check_weights_section(m)
    check_training(m)
    return DomainAdapterConfig(vision=sides.get("vision"), text=sides.get("text"), activation=arch["activation"])


def _check_side(arch: dict[str, Any], name: str) -> DomainSideConfig:
    prefix = f"architecture.{name}"
    side = arch[name]
    if not isinstance(side, dict):
        raise CheckpointError(MANIFEST_FILE, prefix, "must be a JSON object")
    exact_keys(side, SIDE_KEYS, prefix + ".")
    layers = side["layers"]
    if not (isinstance(layers, list) and layers and all(is_int(l) and l >= 0 for l in layers)):
        raise CheckpointError(MANIFEST_FILE, f"{prefix}.layers",
                              f"must be a non-empty list of integers >= 0, got {json.dumps(layers)}")
    seen: set[int] = set()
    for layer in layers:
        if layer in seen:
            raise CheckpointError(MANIFEST_FILE, f"{prefix}.layers", f"layer {layer} is listed twice")
        seen.add(layer)
    width = positive_int_field(side, "width", f"{prefix}.width")
    bottleneck = positive_int_field(side, "bottleneck", f"{prefix}.bottleneck")
    scale = side["scale"]
    if not (isinstance(scale, (int, float)) and not isinstance(scale, bool) and math.isfinite(scale)):
        raise CheckpointError(MANIFEST_FILE, f"{prefix}.scale", f"must be a finite number, got {json.dumps(scale)}")
    return DomainSideConfig(layers=tuple(layers), width=width, bottleneck=bottleneck, scale=float(scale))


def _check_against_loaded(m: dict[str, Any], config: DomainAdapterConfig, loaded: LoadedCLIP) -> None:
    check_host_matches((
        ("clip.id", m["clip"]["id"], loaded.clip_id, "the loaded CLIP model's id"),
        ("clip.projection_dim", m["clip"]["projection_dim"], loaded.projection_dim,
         "the loaded CLIP model's projection_dim"),
    ))
    towers = {"vision": (loaded.vision_width, loaded.vision_layers), "text": (loaded.text_width, loaded.text_layers)}
    for name, side in config.sides().items():
        width, depth = towers[name]
        if side.width != width:
            raise CheckpointError(MANIFEST_FILE, f"architecture.{name}.width",
                                  f"{side.width} does not match the loaded CLIP model's {name} hidden_size ({width})")
        for layer in side.layers:
            if layer >= depth:
                raise CheckpointError(MANIFEST_FILE, f"architecture.{name}.layers",
                                      f"layer {layer} is out of range for the loaded CLIP model's {name} encoder "
                                      f"({depth} layers)")
