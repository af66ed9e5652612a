"""Few-shot draws for prompt learning: K labelled examples per class, the same K for the same seed.

The draw depends only on (truth, shots, seed): each class's candidates are the indices carrying
that label, in index order, and a `random.Random` seeded by a string (not Python's salted hash)
picks K of them without replacement. So a 4-shot draw is reproducible across machines and
processes, and seeds 0, 1, 2 give three independent draws for a mean ± sd.
"""

from __future__ import annotations

import random
from collections.abc import Sequence


def draw_shots(truth: Sequence[int | None], num_classes: int, shots: int, seed: int) -> list[int]:
    """K = `shots` indices per class (class-major order, classes 0..num_classes-1).

    truth[i] is the class of item i, or None when it has no single answer (never drawn).
    Raises ValueError when a class has fewer than K candidates: a smaller class would make
    the draw unbalanced without anyone noticing.
    """
    if shots <= 0:
        raise ValueError(f"shots must be > 0, got {shots}")
    candidates: list[list[int]] = [[] for _ in range(num_classes)]
    for index, label in enumerate(truth):
        if label is None:
            continue
        if not 0 <= label < num_classes:
            raise ValueError(f"item {index} has class {label}, outside 0..{num_classes - 1}")
        candidates[label].append(index)
    drawn: list[int] = []
    for label, pool in enumerate(candidates):
        if len(pool) < shots:
            raise ValueError(f"class {label} has {len(pool)} examples, fewer than {shots} shots")
        rng = random.Random(f"adaptclip-few-shot/{seed}/{shots}/{label}")
        drawn.extend(rng.sample(pool, shots))
    return drawn


def first_per_class(truth: Sequence[int | None], num_classes: int, limit: int) -> list[int]:
    """Up to `limit` indices per class in index order: a fixed, balanced evaluation subset
    (validation for early stopping), the same for every seed and variant."""
    taken = [0] * num_classes
    chosen = []
    for index, label in enumerate(truth):
        if label is not None and taken[label] < limit:
            taken[label] += 1
            chosen.append(index)
    return chosen
