"""The symmetric image–text contrastive loss and the per-pair difficulty the hard-sample memory
bank records, both over one batch of L2-normalised features.

Captions that are the same string are positives of each other (soft targets, as in
train_demo_clip.py): the world has many identical short captions ("a red circle"), and pushing an
image away from a caption that describes it exactly as well would teach noise.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def same_caption(captions: list[str]) -> torch.Tensor:
    """[B, B] bool: captions i and j are the same string (the diagonal is always true)."""
    ids = {c: k for k, c in enumerate(dict.fromkeys(captions))}
    index = torch.tensor([ids[c] for c in captions])
    return index.unsqueeze(0) == index.unsqueeze(1)


def contrastive_loss(image: torch.Tensor, text: torch.Tensor, scale: torch.Tensor | float,
                     captions: list[str]) -> torch.Tensor:
    """image, text: [B, D] normalised; mean of the image→text and text→image cross-entropies."""
    logits = scale * image @ text.T
    same = same_caption(captions).float()
    targets = same / same.sum(dim=1, keepdim=True)
    return 0.5 * (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets))


@torch.no_grad()
def pair_difficulty(image: torch.Tensor, text: torch.Tensor, captions: list[str]) -> torch.Tensor:
    """[B]: for pair i, (hardest in-batch negative similarity) − (matched similarity), in cosine units.

    The hardest negative is the larger of the best wrong caption for image i and the best wrong
    image for caption i; pairs whose captions are identical are not negatives of each other.
    > 0: the pair is currently mis-ranked; ≪ 0: solved with a margin. A batch in which every
    caption is the same has no negatives: difficulty −2 (the minimum), "nothing to learn here".
    """
    similarity = image @ text.T
    positive = similarity.diagonal()
    masked = similarity.masked_fill(same_caption(captions), float("-inf"))
    hardest = torch.maximum(masked.max(dim=1).values, masked.max(dim=0).values)
    return torch.where(torch.isfinite(hardest), hardest - positive, torch.full_like(positive, -2.0))
