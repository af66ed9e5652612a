"""The training loop: fit a LanguageAdapter so that adapter(BERT(zh)) ~ CLIP_text(en).

Works on cached FrozenFeatures only (no encoder runs inside the loop). Deterministic for a
given seed on CPU: initialisation, shuffling and the validation split all draw from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch

from .distillation_metrics import distillation_loss, validation_metrics
from .frozen_features import FrozenFeatures
from .language_adapter import LanguageAdapter, LanguageAdapterConfig


@dataclass(frozen=True)
class DistillationSettings:
    epochs: int = 10
    batch_size: int = 64
    learning_rate: float = 1e-3
    weight_decay: float = 0.01
    loss: str = "cosine"
    mse_weight: float = 1.0
    seed: int = 0


@dataclass
class EpochReport:
    epoch: int                  # 0 = before training
    train_loss: float           # mean over the epoch's batches (0: over the whole train set)
    validation: dict[str, float]


@torch.no_grad()
def embed(adapter: LanguageAdapter, features: FrozenFeatures, batch_size: int) -> torch.Tensor:
    """Adapter outputs [N, P] for cached features, batch by batch, each trimmed to its longest row."""
    adapter.eval()
    outputs = []
    for start in range(0, features.hidden.shape[0], batch_size):
        hidden, mask = _trimmed(features.hidden[start:start + batch_size], features.mask[start:start + batch_size])
        outputs.append(adapter(hidden, mask))
    return torch.cat(outputs)


def distil(config: LanguageAdapterConfig, train: FrozenFeatures, validation: FrozenFeatures,
           settings: DistillationSettings, log: Callable[[str], None] = print
           ) -> tuple[LanguageAdapter, list[EpochReport]]:
    torch.manual_seed(settings.seed)
    adapter = LanguageAdapter(config)
    optimizer = torch.optim.AdamW(adapter.parameters(), lr=settings.learning_rate,
                                  weight_decay=settings.weight_decay)
    shuffle = torch.Generator().manual_seed(settings.seed + 1)

    def report(epoch: int, train_loss: float) -> EpochReport:
        metrics = validation_metrics(embed(adapter, validation, settings.batch_size), validation.targets)
        log(f"epoch {epoch:3d}  train loss {train_loss:.6f}  validation: cosine distance "
            f"{metrics['mean_cosine_distance']:.6f}  mse {metrics['mse']:.6f}  "
            f"zh->en top1 {metrics['retrieval_zh_to_en_top1']:.3f}  top5 {metrics['retrieval_zh_to_en_top5']:.3f}")
        return EpochReport(epoch, train_loss, metrics)

    initial = distillation_loss(embed(adapter, train, settings.batch_size), train.targets,
                                settings.loss, settings.mse_weight)
    history = [report(0, float(initial))]
    count = train.hidden.shape[0]
    for epoch in range(1, settings.epochs + 1):
        adapter.train()
        order = torch.randperm(count, generator=shuffle)
        total, batches = 0.0, 0
        for start in range(0, count, settings.batch_size):
            index = order[start:start + settings.batch_size]
            hidden, mask = _trimmed(train.hidden[index], train.mask[index])
            loss = distillation_loss(adapter(hidden, mask), train.targets[index], settings.loss, settings.mse_weight)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total, batches = total + loss.item(), batches + 1
        if not math.isfinite(total):
            raise FloatingPointError(f"epoch {epoch}: training loss is {total}; lower --learning-rate")
        history.append(report(epoch, total / batches))
    return adapter.eval(), history


def _trimmed(hidden: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Drops padding columns no row of the batch uses; casts cached (possibly F16) states to float32."""
    width = int(mask.sum(dim=1).max())
    return hidden[:, :width].to(torch.float32), mask[:, :width]
