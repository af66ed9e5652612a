"""Language-adapter checkpoints: export, validate, load. docs/adapters.md is the contract.

A checkpoint is a directory:
    adapter.json          the manifest (format_version 1, kind "language")
    adapter.safetensors   the tensors named in language_adapter.py

validate_checkpoint() runs the checks in the documented order and raises CheckpointError
naming the first wrong field; the Swift loader (Sources/Models) follows the same order and
wording so that the broken fixtures in Tests/Fixtures/language-adapter/broken/ are refused by
both for the same reason.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load as load_safetensors_bytes
from safetensors.torch import save_file

from .checkpoint_error import CheckpointError
from .language_adapter import (ACTIVATIONS, NORM_POSITIONS, POOLINGS, LanguageAdapter,
                               LanguageAdapterConfig, expected_tensor_shapes)
from .safetensors_layout import read_layout

FORMAT_VERSION = 1
MANIFEST_FILE = "adapter.json"
WEIGHTS_FILE = "adapter.safetensors"
WEIGHT_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}

TOP_LEVEL_KEYS = ("format_version", "kind", "name", "version", "language", "base_encoder", "clip",
                  "architecture", "weights", "training")
BASE_ENCODER_KEYS = ("id", "model_type", "hidden_size")
CLIP_KEYS = ("id", "projection_dim")
ARCHITECTURE_KEYS = ("adapter_width", "num_layers", "num_heads", "intermediate_size", "layer_norm_eps",
                     "norm_position", "pooling", "activation", "final_layer_norm")
WEIGHTS_KEYS = ("file", "sha256", "dtype")
KINDS_DEFINED_LATER = ("domain", "prompt")
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class LoadedModels:
    """What the serving side has loaded; a checkpoint must agree with it field by field."""

    base_encoder_id: str
    base_encoder_hidden_size: int
    clip_id: str
    clip_projection_dim: int
    language: str = "zh"


def sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_checkpoint(adapter: LanguageAdapter, directory: Path, *, name: str, version: str,
                      base_encoder_id: str, clip_id: str, language: str = "zh", dtype: str = "F32",
                      training: dict[str, Any] | None = None) -> dict[str, Any]:
    """Writes adapter.safetensors and adapter.json into `directory` (created; must not hold a
    checkpoint already). Returns the manifest. The tensors are cast to `dtype` ("F32", "F16", "BF16")."""
    directory = prepare_export_directory(directory, dtype)
    config = adapter.config
    write_weights(adapter.state_dict(), expected_tensor_shapes(config), directory, dtype)
    manifest = {
        "format_version": FORMAT_VERSION,
        "kind": "language",
        "name": name,
        "version": version,
        "language": language,
        "base_encoder": {"id": base_encoder_id, "model_type": "bert", "hidden_size": config.input_size},
        "clip": {"id": clip_id, "projection_dim": config.output_size},
        "architecture": config.architecture(),
        "weights": weights_entry(directory, dtype),
        "training": training or {},
    }
    write_manifest(manifest, directory)
    return manifest


def validate_checkpoint(directory: Path, loaded: LoadedModels | None = None
                        ) -> tuple[dict[str, Any], LanguageAdapterConfig, bytes]:
    """Every check of docs/adapters.md, in its order. `loaded=None` skips the comparison with
    the serving models (checks 6) but nothing else. Returns (manifest, config, weights bytes)."""
    directory = Path(directory)
    manifest = _read_manifest(directory)
    config = _check_manifest(manifest)
    if loaded is not None:
        _check_against_loaded(manifest, loaded)
    weights = _read_weights(directory, manifest["weights"])
    check_tensors(weights, manifest["weights"]["dtype"], expected_tensor_shapes(config))
    return manifest, config, weights


def load_checkpoint(directory: Path, loaded: LoadedModels | None = None
                    ) -> tuple[LanguageAdapter, dict[str, Any]]:
    """Validates, then builds a float32 LanguageAdapter in eval mode from the checkpoint."""
    manifest, config, weights = validate_checkpoint(directory, loaded)
    adapter = LanguageAdapter(config)
    adapter.load_state_dict(float32_state(weights), strict=True)
    return adapter.eval(), manifest


# -- the checks ---------------------------------------------------------------------------------

def _read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST_FILE
    if not path.is_file():
        raise CheckpointError(MANIFEST_FILE, "file", f"not found in {directory}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CheckpointError(MANIFEST_FILE, "file", f"not valid UTF-8 JSON ({error})") from None
    if not isinstance(manifest, dict):
        raise CheckpointError(MANIFEST_FILE, "file", "top level is not a JSON object")
    return manifest


def _check_manifest(m: dict[str, Any]) -> LanguageAdapterConfig:
    check_header(m, "language", KINDS_DEFINED_LATER, TOP_LEVEL_KEYS)
    _string(m, "language", "language")

    base = _section(m, "base_encoder", BASE_ENCODER_KEYS)
    _string(base, "id", "base_encoder.id")
    if _string(base, "model_type", "base_encoder.model_type") != "bert":
        raise CheckpointError(MANIFEST_FILE, "base_encoder.model_type",
                              f"{json.dumps(base['model_type'])} is not supported (expected \"bert\")")
    hidden = _positive_int(base, "hidden_size", "base_encoder.hidden_size")

    clip = _section(m, "clip", CLIP_KEYS)
    _string(clip, "id", "clip.id")
    projection = _positive_int(clip, "projection_dim", "clip.projection_dim")

    arch = _section(m, "architecture", ARCHITECTURE_KEYS)
    width = _positive_int(arch, "adapter_width", "architecture.adapter_width")
    layers = _count(arch, "num_layers", "architecture.num_layers")
    heads = _count(arch, "num_heads", "architecture.num_heads")
    intermediate = _count(arch, "intermediate_size", "architecture.intermediate_size")
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
    eps = arch["layer_norm_eps"]
    if not (isinstance(eps, (int, float)) and not isinstance(eps, bool) and 0 < eps < 1):
        raise CheckpointError(MANIFEST_FILE, "architecture.layer_norm_eps",
                              f"must be a number in (0, 1), got {json.dumps(eps)}")
    for key, allowed in (("norm_position", NORM_POSITIONS), ("pooling", POOLINGS), ("activation", ACTIVATIONS)):
        value = _string(arch, key, f"architecture.{key}")
        if value not in allowed:
            raise CheckpointError(MANIFEST_FILE, f"architecture.{key}",
                                  f"unknown value {json.dumps(value)} (one of {', '.join(allowed)})")
    if not isinstance(arch["final_layer_norm"], bool):
        raise CheckpointError(MANIFEST_FILE, "architecture.final_layer_norm",
                              f"must be true or false, got {json.dumps(arch['final_layer_norm'])}")

    check_weights_section(m)
    check_training(m)

    return LanguageAdapterConfig(
        input_size=hidden, output_size=projection, adapter_width=width, num_layers=layers,
        num_heads=heads, intermediate_size=intermediate, layer_norm_eps=float(eps),
        norm_position=arch["norm_position"], pooling=arch["pooling"], activation=arch["activation"],
        final_layer_norm=arch["final_layer_norm"])


def _check_against_loaded(m: dict[str, Any], loaded: LoadedModels) -> None:
    checks = (
        ("language", m["language"], loaded.language, "the language this adapter slot serves"),
        ("base_encoder.id", m["base_encoder"]["id"], loaded.base_encoder_id, "the loaded base encoder's id"),
        ("base_encoder.hidden_size", m["base_encoder"]["hidden_size"], loaded.base_encoder_hidden_size,
         "the loaded base encoder's hidden_size"),
        ("clip.id", m["clip"]["id"], loaded.clip_id, "the loaded CLIP model's id"),
        ("clip.projection_dim", m["clip"]["projection_dim"], loaded.clip_projection_dim,
         "the loaded CLIP model's projection_dim"),
    )
    for field, found, expected, what in checks:
        if found != expected:
            raise CheckpointError(MANIFEST_FILE, field,
                                  f"{json.dumps(found)} does not match {what} ({json.dumps(expected)})")


def _read_weights(directory: Path, weights: dict[str, Any]) -> bytes:
    path = directory / weights["file"]
    if not path.is_file():
        raise CheckpointError(WEIGHTS_FILE, "file", f"not found in {directory}")
    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != weights["sha256"]:
        raise CheckpointError(MANIFEST_FILE, "weights.sha256",
                              f"{weights['sha256']} does not match the file's sha256 {actual}")
    return data


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _exact_keys(obj: dict[str, Any], keys: tuple[str, ...], prefix: str) -> None:
    for key in keys:
        if key not in obj:
            raise CheckpointError(MANIFEST_FILE, prefix + key, "missing")
    for key in sorted(obj):      # sorted: the same report whatever order a JSON parser keeps
        if key not in keys:
            raise CheckpointError(MANIFEST_FILE, prefix + key, "unknown field")


def _section(m: dict[str, Any], key: str, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(m[key], dict):
        raise CheckpointError(MANIFEST_FILE, key, "must be a JSON object")
    _exact_keys(m[key], keys, key + ".")
    return m[key]


def _string(obj: dict[str, Any], key: str, field: str) -> str:
    if key not in obj:
        raise CheckpointError(MANIFEST_FILE, field, "missing")
    if not isinstance(obj[key], str) or not obj[key]:
        raise CheckpointError(MANIFEST_FILE, field, f"must be a non-empty string, got {json.dumps(obj[key])}")
    return obj[key]


def _count(obj: dict[str, Any], key: str, field: str) -> int:
    if not _is_int(obj[key]) or obj[key] < 0:
        raise CheckpointError(MANIFEST_FILE, field, f"must be an integer >= 0, got {json.dumps(obj[key])}")
    return obj[key]


def _positive_int(obj: dict[str, Any], key: str, field: str) -> int:
    if not _is_int(obj[key]) or obj[key] <= 0:
        raise CheckpointError(MANIFEST_FILE, field, f"must be an integer > 0, got {json.dumps(obj[key])}")
    return obj[key]


# -- shared by every kind (the prompt checkpoint module uses them too) --------------------------

def prepare_export_directory(directory: Path, dtype: str) -> Path:
    """Creates `directory`; refuses an unknown dtype or a directory that holds a checkpoint."""
    if dtype not in WEIGHT_DTYPES:
        raise ValueError(f"dtype must be one of {sorted(WEIGHT_DTYPES)}, got {dtype!r}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for file in (MANIFEST_FILE, WEIGHTS_FILE):
        if (directory / file).exists():
            raise FileExistsError(f"{directory / file} exists; export into an empty directory")
    return directory


def write_weights(state: dict[str, torch.Tensor], expected: dict[str, list[int]], directory: Path,
                  dtype: str) -> None:
    """adapter.safetensors from a module's state_dict cast to `dtype`. The names and shapes must
    be exactly `expected` (the documented table): a module never exports what loaders refuse."""
    tensors = {key: value.detach().to(WEIGHT_DTYPES[dtype]).contiguous() for key, value in state.items()}
    if {k: list(v.shape) for k, v in tensors.items()} != expected:
        raise AssertionError("the module's state_dict disagrees with its expected tensor shapes")
    save_file(tensors, str(directory / WEIGHTS_FILE), metadata={"format": "pt"})


def write_manifest(manifest: dict[str, Any], directory: Path) -> None:
    (directory / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                           encoding="utf-8")


def weights_entry(directory: Path, dtype: str) -> dict[str, str]:
    """The manifest's `weights` section for the file write_weights() wrote."""
    return {"file": WEIGHTS_FILE, "sha256": sha256_of_file(directory / WEIGHTS_FILE), "dtype": dtype}


def check_format_version(m: dict[str, Any]) -> None:
    """Check 2: format_version first, every other rule depends on it."""
    if "format_version" not in m:
        raise CheckpointError(MANIFEST_FILE, "format_version", "missing")
    version = m["format_version"]
    if not _is_int(version) or version != FORMAT_VERSION:
        raise CheckpointError(MANIFEST_FILE, "format_version",
                              f"unsupported value {json.dumps(version)} (this loader reads {FORMAT_VERSION})")


def check_header(m: dict[str, Any], kind: str, other_kinds: tuple[str, ...], top_level_keys: tuple[str, ...]) -> None:
    """Checks 2-5 of an adapter kind: format_version, `kind` (another known kind and an unknown
    one refused in their own words), exactly `top_level_keys`, then `name` and `version`."""
    check_format_version(m)
    found = _string(m, "kind", "kind")
    if found in other_kinds:
        raise CheckpointError(MANIFEST_FILE, "kind", f"{json.dumps(found)} is not a {kind} adapter (expected \"{kind}\")")
    if found != kind:
        raise CheckpointError(MANIFEST_FILE, "kind", f"unknown kind {json.dumps(found)} (expected \"{kind}\")")
    _exact_keys(m, top_level_keys, "")
    _string(m, "name", "name")
    _string(m, "version", "version")


def check_weights_section(m: dict[str, Any]) -> None:
    weights = _section(m, "weights", WEIGHTS_KEYS)
    if _string(weights, "file", "weights.file") != WEIGHTS_FILE:
        raise CheckpointError(MANIFEST_FILE, "weights.file",
                              f"must be \"{WEIGHTS_FILE}\" (a file beside adapter.json), got {json.dumps(weights['file'])}")
    if not SHA256_PATTERN.match(_string(weights, "sha256", "weights.sha256")):
        raise CheckpointError(MANIFEST_FILE, "weights.sha256", "must be 64 lower-case hex digits")
    if _string(weights, "dtype", "weights.dtype") not in WEIGHT_DTYPES:
        raise CheckpointError(MANIFEST_FILE, "weights.dtype",
                              f"unknown value {json.dumps(weights['dtype'])} (one of {', '.join(WEIGHT_DTYPES)})")


def check_training(m: dict[str, Any]) -> None:
    if not isinstance(m["training"], dict):
        raise CheckpointError(MANIFEST_FILE, "training", "must be a JSON object")


def check_tensors(weights: bytes, dtype: str, expected: dict[str, list[int]]) -> None:
    """Checks 13-16 on the bytes of adapter.safetensors: its layout, one dtype (the manifest's),
    every `expected` tensor with its shape, and no other tensor."""
    layout = read_layout(weights, WEIGHTS_FILE)
    for entry in sorted(layout.values(), key=lambda e: e.name):
        if entry.dtype != dtype:
            raise CheckpointError(WEIGHTS_FILE, f"tensor {entry.name}",
                                  f"dtype {entry.dtype} differs from weights.dtype {dtype} in {MANIFEST_FILE}")
    for name, shape in sorted(expected.items()):
        if name not in layout:
            raise CheckpointError(WEIGHTS_FILE, f"tensor {name}", f"missing (architecture needs it, shape {shape})")
        if layout[name].shape != shape:
            raise CheckpointError(WEIGHTS_FILE, f"tensor {name}",
                                  f"shape {layout[name].shape} differs from {shape} required by {MANIFEST_FILE}")
    for name in sorted(layout):
        if name not in expected:
            raise CheckpointError(WEIGHTS_FILE, f"tensor {name}", "unexpected (not part of this architecture)")


def float32_state(weights: bytes) -> dict[str, torch.Tensor]:
    """The validated tensors of adapter.safetensors, widened to float32."""
    return {k: v.to(torch.float32) for k, v in load_safetensors_bytes(weights).items()}
