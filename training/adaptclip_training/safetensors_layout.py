"""Structural check of a .safetensors file, written out so the Swift loader can mirror it rule by rule.

Layout (https://github.com/huggingface/safetensors, "Format"):
    bytes [0, 8)          N, little-endian u64: length of the JSON header
    bytes [8, 8 + N)      UTF-8 JSON object: name -> {"dtype", "shape", "data_offsets": [begin, end]},
                          plus an optional "__metadata__" object of strings
    bytes [8 + N, size)   the data section; offsets are relative to its start, row-major, little-endian

The library's own reader refuses broken files too, but with messages that name no field; this
check runs first so every refusal says exactly what is wrong.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass

from .checkpoint_error import CheckpointError

DTYPE_SIZES = {"F32": 4, "F16": 2, "BF16": 2}


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: str
    shape: list[int]
    begin: int   # byte offset in the data section
    end: int


def read_layout(data: bytes, file: str) -> dict[str, TensorEntry]:
    """data: the whole file. Returns every tensor's entry or raises CheckpointError(file, ...)."""
    if len(data) < 8:
        raise CheckpointError(file, "header", f"file is {len(data)} bytes, shorter than the 8-byte header length")
    (header_length,) = struct.unpack("<Q", data[:8])
    if 8 + header_length > len(data):
        raise CheckpointError(file, "header", f"header length {header_length} runs past the end of the file "
                                              f"({len(data)} bytes): file truncated")
    try:
        header = json.loads(data[8:8 + header_length].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CheckpointError(file, "header", f"not valid UTF-8 JSON ({error})") from None
    if not isinstance(header, dict):
        raise CheckpointError(file, "header", "is not a JSON object")

    data_length = len(data) - 8 - header_length
    entries: dict[str, TensorEntry] = {}
    # Sorted by name (tensor names are ASCII, so byte order = Swift's String order): the first
    # broken entry reported is the same whatever order a JSON parser keeps.
    for name in sorted(header):
        if name == "__metadata__":
            continue
        entry = header[name]
        field = f"tensor {name}"
        if not isinstance(entry, dict):
            raise CheckpointError(file, field, "header entry is not an object")
        dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
        if dtype not in DTYPE_SIZES:
            raise CheckpointError(file, field, f"dtype {json.dumps(dtype)} is not one of [{', '.join(sorted(DTYPE_SIZES))}]")
        if not (isinstance(shape, list) and all(_is_count(s) for s in shape)):
            raise CheckpointError(file, field, f"shape {json.dumps(shape)} is not a list of non-negative integers")
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(_is_count(o) for o in offsets)
                and offsets[0] <= offsets[1]):
            raise CheckpointError(file, field, f"data_offsets {json.dumps(offsets)} is not [begin, end] with begin <= end")
        begin, end = offsets
        expected_bytes = math.prod(shape) * DTYPE_SIZES[dtype]
        if end - begin != expected_bytes:
            raise CheckpointError(file, field, f"data_offsets span {end - begin} bytes but {dtype} {shape} "
                                               f"needs {expected_bytes}")
        if end > data_length:
            raise CheckpointError(file, field, f"data ends at byte {end} but the data section has only "
                                               f"{data_length} bytes: file truncated")
        entries[name] = TensorEntry(name, dtype, shape, begin, end)

    covered = max((e.end for e in entries.values()), default=0)
    if covered != data_length:
        raise CheckpointError(file, "data", f"data section is {data_length} bytes but the tensors cover {covered}")
    ordered = sorted(entries.values(), key=lambda e: (e.begin, e.end))
    for previous, current in zip(ordered, ordered[1:]):
        if current.begin < previous.end:
            raise CheckpointError(file, f"tensor {current.name}",
                                  f"data_offsets overlap tensor {previous.name}")
    return entries


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
