"""What every adapter checkpoint kind shares: the directory, the manifest's common rules, the
weights file, export and validation. docs/adapters.md is the contract.

A checkpoint is a directory:
    adapter.json          the manifest (format_version 1; `kind` "language", "domain" or "prompt")
    adapter.safetensors   the tensors the kind's module names

Each kind's module (language_checkpoint.py, domain_checkpoint.py, prompt_checkpoint.py) checks
its own manifest fields with the field readers below and hands validate() / export() its
specifics. Every refusal is a CheckpointError naming the file and the first wrong field; the
Swift loader (Sources/Models/Adapters, Sources/Models/Prompts) runs the same checks in the same
order with the same wording, so the broken fixtures under Tests/Fixtures are refused by both
for the same reason.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Callable, TypeVar

import torch
from safetensors.torch import load as load_safetensors_bytes
from safetensors.torch import save_file

from .checkpoint_error import CheckpointError
from .safetensors_layout import read_layout

FORMAT_VERSION = 1
MANIFEST_FILE = "adapter.json"
WEIGHTS_FILE = "adapter.safetensors"
WEIGHT_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}
WEIGHTS_KEYS = ("file", "sha256", "dtype")
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")

Config = TypeVar("Config")
Module = TypeVar("Module", bound=torch.nn.Module)


def sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- export -------------------------------------------------------------------------------------

def export(module: torch.nn.Module, expected: dict[str, list[int]], directory: Path, dtype: str,
           fields: dict[str, Any], training: dict[str, Any] | None) -> dict[str, Any]:
    """Writes adapter.safetensors (the module's state_dict cast to `dtype`) and adapter.json into
    `directory` (created; must not hold a checkpoint already). The manifest is format_version,
    then `fields` in their order (kind, name, version, the kind's sections), then weights and
    training. Returns the manifest."""
    directory = prepare_export_directory(directory, dtype)
    write_weights(module.state_dict(), expected, directory, dtype)
    manifest = {"format_version": FORMAT_VERSION, **fields, "weights": weights_entry(directory, dtype),
                "training": training or {}}
    write_manifest(manifest, directory)
    return manifest


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


# -- validation and loading ---------------------------------------------------------------------

def validate(directory: Path, check_manifest: Callable[[dict[str, Any]], Config],
             check_host: Callable[[dict[str, Any], Config], None] | None,
             expected_shapes: Callable[[Config], dict[str, list[int]]]) -> tuple[dict[str, Any], Config, bytes]:
    """The documented order for every kind: read the manifest, check its fields (the kind's
    `check_manifest`, which returns the architecture), compare it with the serving models
    (`check_host`; None skips it), then the weights file's sha256, layout, dtype and tensors.
    Returns (manifest, architecture, weights bytes)."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    config = check_manifest(manifest)
    if check_host is not None:
        check_host(manifest, config)
    weights = read_weights(directory, manifest["weights"])
    check_tensors(weights, manifest["weights"]["dtype"], expected_shapes(config))
    return manifest, config, weights


def load(validated: tuple[dict[str, Any], Config, bytes], build: Callable[[Config], Module]
         ) -> tuple[Module, dict[str, Any]]:
    """What validate() returned as a float32 module in eval mode: `build(architecture)` with the
    tensors widened to float32. Returns (module, manifest)."""
    manifest, config, weights = validated
    module = build(config)
    module.load_state_dict({k: v.to(torch.float32) for k, v in load_safetensors_bytes(weights).items()}, strict=True)
    return module.eval(), manifest


def read_manifest(directory: Path) -> dict[str, Any]:
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


def read_weights(directory: Path, weights: dict[str, Any]) -> bytes:
    path = directory / weights["file"]
    if not path.is_file():
        raise CheckpointError(WEIGHTS_FILE, "file", f"not found in {directory}")
    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != weights["sha256"]:
        raise CheckpointError(MANIFEST_FILE, "weights.sha256",
                              f"{weights['sha256']} does not match the file's sha256 {actual}")
    return data


# -- the manifest checks every kind runs --------------------------------------------------------

def check_format_version(m: dict[str, Any]) -> None:
    """Check 2: format_version first, every other rule depends on it."""
    if "format_version" not in m:
        raise CheckpointError(MANIFEST_FILE, "format_version", "missing")
    version = m["format_version"]
    if not is_int(version) or version != FORMAT_VERSION:
        raise CheckpointError(MANIFEST_FILE, "format_version",
                              f"unsupported value {json.dumps(version)} (this loader reads {FORMAT_VERSION})")


def check_header(m: dict[str, Any], kind: str, other_kinds: tuple[str, ...], top_level_keys: tuple[str, ...],
                 noun: str | None = None) -> None:
    """Checks 2-5 of a kind: format_version, `kind` (another known kind and an unknown one refused
    in their own words; `noun` is what the kind is called there, "a <kind> adapter" unless
    given), exactly `top_level_keys`, then `name` and `version`."""
    check_format_version(m)
    found = string_field(m, "kind", "kind")
    if found in other_kinds:
        raise CheckpointError(MANIFEST_FILE, "kind",
                              f"{json.dumps(found)} is not {noun or f'a {kind} adapter'} (expected \"{kind}\")")
    if found != kind:
        raise CheckpointError(MANIFEST_FILE, "kind", f"unknown kind {json.dumps(found)} (expected \"{kind}\")")
    exact_keys(m, top_level_keys, "")
    string_field(m, "name", "name")
    string_field(m, "version", "version")


def check_weights_section(m: dict[str, Any]) -> None:
    weights = section(m, "weights", WEIGHTS_KEYS)
    if string_field(weights, "file", "weights.file") != WEIGHTS_FILE:
        raise CheckpointError(MANIFEST_FILE, "weights.file",
                              f"must be \"{WEIGHTS_FILE}\" (a file beside adapter.json), got {json.dumps(weights['file'])}")
    if not SHA256_PATTERN.match(string_field(weights, "sha256", "weights.sha256")):
        raise CheckpointError(MANIFEST_FILE, "weights.sha256", "must be 64 lower-case hex digits")
    if string_field(weights, "dtype", "weights.dtype") not in WEIGHT_DTYPES:
        raise CheckpointError(MANIFEST_FILE, "weights.dtype",
                              f"unknown value {json.dumps(weights['dtype'])} (one of {', '.join(WEIGHT_DTYPES)})")


def check_training(m: dict[str, Any]) -> None:
    if not isinstance(m["training"], dict):
        raise CheckpointError(MANIFEST_FILE, "training", "must be a JSON object")


def check_host_matches(rows: tuple[tuple[str, Any, Any, str], ...]) -> None:
    """Each (field, manifest value, the serving side's value, what that value is), in order:
    the first that differs is refused."""
    for field, found, expected, what in rows:
        if found != expected:
            raise CheckpointError(MANIFEST_FILE, field,
                                  f"{json.dumps(found)} does not match {what} ({json.dumps(expected)})")


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


# -- field readers: each returns the value or raises naming `field` (a dotted path) -------------

def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def exact_keys(obj: dict[str, Any], keys: tuple[str, ...], prefix: str) -> None:
    for key in keys:
        if key not in obj:
            raise CheckpointError(MANIFEST_FILE, prefix + key, "missing")
    for key in sorted(obj):      # sorted: the same report whatever order a JSON parser keeps
        if key not in keys:
            raise CheckpointError(MANIFEST_FILE, prefix + key, "unknown field")


def section(m: dict[str, Any], key: str, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(m[key], dict):
        raise CheckpointError(MANIFEST_FILE, key, "must be a JSON object")
    exact_keys(m[key], keys, key + ".")
    return m[key]


def string_field(obj: dict[str, Any], key: str, field: str) -> str:
    if key not in obj:
        raise CheckpointError(MANIFEST_FILE, field, "missing")
    if not isinstance(obj[key], str) or not obj[key]:
        raise CheckpointError(MANIFEST_FILE, field, f"must be a non-empty string, got {json.dumps(obj[key])}")
    return obj[key]


def choice_field(obj: dict[str, Any], key: str, field: str, allowed: tuple[str, ...]) -> str:
    value = string_field(obj, key, field)
    if value not in allowed:
        raise CheckpointError(MANIFEST_FILE, field,
                              f"unknown value {json.dumps(value)} (one of {', '.join(allowed)})")
    return value


def count_field(obj: dict[str, Any], key: str, field: str) -> int:
    if not is_int(obj[key]) or obj[key] < 0:
        raise CheckpointError(MANIFEST_FILE, field, f"must be an integer >= 0, got {json.dumps(obj[key])}")
    return obj[key]


def positive_int_field(obj: dict[str, Any], key: str, field: str) -> int:
    if not is_int(obj[key]) or obj[key] <= 0:
        raise CheckpointError(MANIFEST_FILE, field, f"must be an integer > 0, got {json.dumps(obj[key])}")
    return obj[key]


def layer_norm_eps_field(obj: dict[str, Any], key: str, field: str) -> float:
    eps = obj[key]
    if not (isinstance(eps, (int, float)) and not isinstance(eps, bool) and 0 < eps < 1):
        raise CheckpointError(MANIFEST_FILE, field, f"must be a number in (0, 1), got {json.dumps(eps)}")
    return float(eps)
