"""Hard-sample weighting: a memory bank of per-pair difficulty and the batch sampler it drives.

The rule (docs/adapters.md, "Training a domain adapter"):

- difficulty d_i of training pair i = hardest in-batch negative similarity − matched similarity
  (contrastive.pair_difficulty), measured with the current model whenever i is in a batch;
- the bank starts from one no-grad pass of the frozen model over the pairs in random batches
  (`initialise`), then keeps an exponential moving average:  b_i ← m·b_i + (1 − m)·d_i;
- sampling weights mix a softmax over the bank with the uniform distribution:
      p_i = (1 − λ)·softmax(b / τ)_i + λ / N,
  so harder pairs are drawn more (τ sets how sharply) and none starves: every p_i ≥ λ / N, at
  least λ times its uniform share;
- a batch is `batch_size` distinct pairs drawn by torch.multinomial without replacement (no pair
  is its own in-batch negative), from a seeded generator: the same seed gives the same batches.

The uniform sampler (no weighting) walks seeded random permutations epoch by epoch, so the two
modes differ only in which pairs form a batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class HardSampleSettings:
    momentum: float = 0.5         # m: weight of the old value in the EMA
    temperature: float = 0.2      # τ, in cosine units (difficulties lie in [−2, 2]); 0.05 over-concentrated (docs/results-domain.md)
    uniform_mix: float = 0.5      # λ: the uniform share, the floor that keeps every pair alive

    def __post_init__(self) -> None:
        if not 0.0 <= self.momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {self.momentum}")
        if not self.temperature > 0.0:
            raise ValueError(f"temperature must be > 0, got {self.temperature}")
        if not 0.0 < self.uniform_mix <= 1.0:
            raise ValueError(f"uniform_mix must be in (0, 1], got {self.uniform_mix}")


class DifficultyBank:
    """b_i per training pair, updated by EMA each time the pair is seen."""

    def __init__(self, size: int, momentum: float) -> None:
        if size <= 0:
            raise ValueError(f"the bank needs at least one pair, got {size}")
        self.momentum = momentum
        self.values = torch.zeros(size)
        self.seen = torch.zeros(size, dtype=torch.int64)

    def initialise(self, indices: torch.Tensor, difficulties: torch.Tensor) -> None:
        """Sets b_i = d_i outright (the warm-start pass; counts as no update)."""
        self.values[indices] = difficulties.float()

    def update(self, indices: torch.Tensor, difficulties: torch.Tensor) -> None:
        """b_i ← m·b_i + (1 − m)·d_i for each i in `indices` (distinct)."""
        m = self.momentum
        self.values[indices] = m * self.values[indices] + (1.0 - m) * difficulties.float()
        self.seen[indices] += 1


def sampling_weights(bank: torch.Tensor, settings: HardSampleSettings) -> torch.Tensor:
    """p = (1 − λ)·softmax(b / τ) + λ / N; sums to 1, every entry ≥ λ / N."""
    n = bank.numel()
    return (1.0 - settings.uniform_mix) * torch.softmax(bank / settings.temperature, dim=0) + settings.uniform_mix / n


class HardSampleSampler:
    def __init__(self, size: int, batch_size: int, settings: HardSampleSettings, generator: torch.Generator) -> None:
        if not 0 < batch_size <= size:
            raise ValueError(f"batch size must be in [1, {size}], got {batch_size}")
        self.bank = DifficultyBank(size, settings.momentum)
        self.batch_size, self.settings, self.generator = batch_size, settings, generator

    def weights(self) -> torch.Tensor:
        return sampling_weights(self.bank.values, self.settings)

    def next(self) -> torch.Tensor:
        return torch.multinomial(self.weights(), self.batch_size, replacement=False, generator=self.generator)

    def observe(self, indices: torch.Tensor, difficulties: torch.Tensor) -> None:
        self.bank.update(indices, difficulties)


class UniformSampler:
    """Seeded random permutations, one epoch after another (every pair once per epoch)."""

    def __init__(self, size: int, batch_size: int, generator: torch.Generator) -> None:
        if not 0 < batch_size <= size:
            raise ValueError(f"batch size must be in [1, {size}], got {batch_size}")
        self.size, self.batch_size, self.generator = size, batch_size, generator
        self.order, self.cursor = torch.randperm(size, generator=generator), 0

    def next(self) -> torch.Tensor:
        if self.cursor + self.batch_size > self.size:
            self.order, self.cursor = torch.randperm(self.size, generator=self.generator), 0
        self.cursor += self.batch_size
        return self.order[self.cursor - self.batch_size:self.cursor]

    def observe(self, indices: torch.Tensor, difficulties: torch.Tensor) -> None:
        """Uniform sampling ignores difficulty."""
