"""The contrastive training loop shared by domain-adapter training and continual full fine-tuning
(training/train_domain_adapter.py): the same data, loss, schedule and samplers, only the set of
trainable parameters differs, so comparison (b) vs (c)/(d) of the domain study measures what is
trained, not how.

The logit scale is the frozen model's and is never trained (in either mode): the temperature the
model was pre-trained with is part of what the adapter must fit into.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from transformers import CLIPModel

from .contrastive import contrastive_loss, pair_difficulty
from .hard_samples import HardSampleSampler, HardSampleSettings, UniformSampler
from .image_text_pairs import ImageTextPairs


@dataclass(frozen=True)
class ContrastiveSettings:
    steps: int
    batch_size: int
    learning_rate: float
    weight_decay: float = 0.0
    warmup: int = 20
    seed: int = 0
    hard_samples: HardSampleSettings | None = None   # None: uniform batches


def encode(model: CLIPModel, pairs: ImageTextPairs, indices: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """L2-normalised image and text features of the pairs `indices` ([B, D] each)."""
    mask = pairs.attention_mask[indices]
    length = int(mask.sum(dim=1).max())
    image = model.get_image_features(pixel_values=pairs.pixels[indices])
    text = model.get_text_features(input_ids=pairs.input_ids[indices, :length], attention_mask=mask[:, :length])
    return F.normalize(image, dim=-1), F.normalize(text, dim=-1)


def learning_rate(step: int, settings: ContrastiveSettings) -> float:
    """Linear warm-up, then cosine decay to 0 at the last step."""
    if step < settings.warmup:
        return settings.learning_rate * (step + 1) / settings.warmup
    progress = (step - settings.warmup) / max(1, settings.steps - settings.warmup)
    return settings.learning_rate * 0.5 * (1.0 + math.cos(math.pi * progress))


@torch.no_grad()
def initial_difficulties(model: CLIPModel, pairs: ImageTextPairs, batch_size: int,
                         generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """One pass of the current model over every pair in seeded random batches of `batch_size`:
    (indices, difficulties), the bank's starting values. A last partial batch joins the one before
    it, so every pair is measured against at least batch_size − 1 negatives."""
    order = torch.randperm(len(pairs), generator=generator)
    starts = list(range(0, len(pairs) - batch_size + 1, batch_size)) or [0]
    difficulties = torch.empty(len(pairs))
    for k, start in enumerate(starts):
        end = len(pairs) if k == len(starts) - 1 else start + batch_size
        batch = order[start:end]
        image, text = encode(model, pairs, batch)
        difficulties[batch] = pair_difficulty(image, text, [pairs.captions[i] for i in batch.tolist()])
    return torch.arange(len(pairs)), difficulties


def train_contrastive(model: CLIPModel, parameters: list[torch.nn.Parameter], pairs: ImageTextPairs,
                      settings: ContrastiveSettings, log: Callable[[str], None] = print,
                      log_every: int = 25) -> dict:
    """Trains `parameters` (AdamW) by the symmetric contrastive loss over batches of `pairs`.
    Returns the history: per-step loss and mean batch difficulty, how often each pair was drawn,
    and the bank at the end (hard-sample weighting only)."""
    generator = torch.Generator().manual_seed(settings.seed)
    if settings.hard_samples is not None:
        sampler = HardSampleSampler(len(pairs), settings.batch_size, settings.hard_samples, generator)
        model.eval()
        sampler.bank.initialise(*initial_difficulties(model, pairs, settings.batch_size, generator))
        initial_bank = sampler.bank.values.clone()
    else:
        sampler = UniformSampler(len(pairs), settings.batch_size, generator)
        initial_bank = None
    scale = model.logit_scale.exp().detach()
    optimizer = torch.optim.AdamW(parameters, lr=settings.learning_rate, weight_decay=settings.weight_decay,
                                  betas=(0.9, 0.98), eps=1e-6)
    draws = torch.zeros(len(pairs), dtype=torch.int64)
    losses, difficulties = [], []
    started, cpu_started = time.monotonic(), time.process_time()
    model.train()
    for step in range(settings.steps):
        batch = sampler.next()
        draws[batch] += 1
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, settings)
        captions = [pairs.captions[i] for i in batch.tolist()]
        image, text = encode(model, pairs, batch)
        loss = contrastive_loss(image, text, scale, captions)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        difficulty = pair_difficulty(image.detach(), text.detach(), captions)
        sampler.observe(batch, difficulty)
        losses.append(loss.item())
        difficulties.append(float(difficulty.mean()))
        if step % log_every == 0 or step == settings.steps - 1:
            recent = losses[-log_every:]
            log(f"step {step:5d}  loss {sum(recent) / len(recent):.4f}  batch difficulty {difficulties[-1]:+.3f}  "
                f"{time.monotonic() - started:.0f}s")
    model.eval()
    history = {"losses": losses, "batch_difficulty": difficulties,
               "draws": {"min": int(draws.min()), "max": int(draws.max()), "never": int((draws == 0).sum())},
               "train_seconds": time.monotonic() - started, "train_cpu_seconds": time.process_time() - cpu_started}
    if initial_bank is not None:
        history["bank"] = {"initial_mean": float(initial_bank.mean()), "final_mean": float(sampler.bank.values.mean()),
                           "final_max": float(sampler.bank.values.max()),
                           "min_weight_times_n": float(sampler.weights().min() * len(pairs))}
    return history
