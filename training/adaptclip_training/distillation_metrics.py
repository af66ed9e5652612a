"""Losses and validation metrics of distillation into CLIP's text-embedding space.

student, target: [N, P]. Cosine distance = 1 - cos(student, target). Retrieval (zh -> en):
each Chinese sentence's adapter embedding ranks all English CLIP embeddings of the same set by
cosine; top-k accuracy is the share whose own translation ranks within the first k.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

LOSSES = ("cosine", "mse", "cosine+mse")


def distillation_loss(student: torch.Tensor, target: torch.Tensor, loss: str, mse_weight: float = 1.0) -> torch.Tensor:
    """cosine: mean(1 - cos); mse: mean squared error on the raw (unnormalised) embeddings;
    cosine+mse: their sum with the MSE term scaled by mse_weight."""
    cosine = (1 - F.cosine_similarity(student, target, dim=-1)).mean()
    if loss == "cosine":
        return cosine
    mse = F.mse_loss(student, target)
    if loss == "mse":
        return mse
    if loss == "cosine+mse":
        return cosine + mse_weight * mse
    raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")


@torch.no_grad()
def validation_metrics(student: torch.Tensor, target: torch.Tensor) -> dict[str, float]:
    s, t = F.normalize(student, dim=-1), F.normalize(target, dim=-1)
    similarity = s @ t.T                                               # [N, N], row = zh query
    own = similarity.diagonal().unsqueeze(1)
    rank = (similarity > own).sum(dim=1)                               # 0 = own translation first
    return {
        "pairs": int(student.shape[0]),
        "mean_cosine_distance": float((1 - (s * t).sum(-1)).mean()),
        "mse": float(F.mse_loss(student, target)),
        "retrieval_zh_to_en_top1": float((rank < 1).float().mean()),
        "retrieval_zh_to_en_top5": float((rank < 5).float().mean()),
    }
