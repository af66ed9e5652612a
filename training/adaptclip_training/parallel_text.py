"""Parallel English-Chinese text: one pair per line, `english<TAB>chinese`, UTF-8.

Blank lines and lines starting with `#` are skipped; any other line must hold exactly one tab and
two non-empty sides, otherwise the file is refused with its line number (a silently dropped or
misaligned pair would teach the adapter a wrong mapping).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch


@dataclass(frozen=True)
class ParallelPair:
    english: str
    chinese: str


def read_parallel_tsv(path: Path) -> list[ParallelPair]:
    pairs = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 2:
                raise ValueError(f"{path}:{number}: expected `english<TAB>chinese`, found {len(parts)} "
                                 f"tab-separated fields")
            english, chinese = parts[0].strip(), parts[1].strip()
            if not english or not chinese:
                raise ValueError(f"{path}:{number}: empty {'english' if not english else 'chinese'} side")
            pairs.append(ParallelPair(english, chinese))
    if not pairs:
        raise ValueError(f"{path}: no pairs")
    return pairs


def split_train_validation(count: int, validation_fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Seeded random split of indices [0, count); at least one example on each side."""
    if count < 2:
        raise ValueError(f"need at least 2 pairs for a train/validation split, got {count}")
    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation fraction must be in (0, 1), got {validation_fraction}")
    order = torch.randperm(count, generator=torch.Generator().manual_seed(seed)).tolist()
    validation_count = min(count - 1, max(1, round(count * validation_fraction)))
    return sorted(order[validation_count:]), sorted(order[:validation_count])
