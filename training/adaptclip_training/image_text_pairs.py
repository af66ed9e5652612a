"""Image–caption pairs of a world split (captions.jsonl + PNGs), ready for a CLIP: the pixels
through the model's own CLIPImageProcessor (what the service's preprocessing equals), the captions
through its CLIPTokenizer. Shared by domain-adapter training, continual fine-tuning and the study.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import torch
from PIL import Image
from transformers import CLIPImageProcessor, CLIPTokenizer


@dataclass(frozen=True)
class ImageTextPairs:
    pixels: torch.Tensor           # [N, 3, H, W] float32, CLIP-normalised
    input_ids: torch.Tensor        # [N, T] int64, padded to the longest caption
    attention_mask: torch.Tensor   # [N, T]
    captions: list[str]
    labels: list[dict]
    files: list[str]

    def __len__(self) -> int:
        return len(self.captions)


def read_records(split: Path, limit: int | None = None) -> list[dict]:
    """captions.jsonl of a world split, the first `limit` records (all when None)."""
    path = Path(split) / "captions.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not records:
        raise ValueError(f"{path}: no records")
    return records[:limit] if limit is not None else records


def load_pairs(split: Path, tokenizer: CLIPTokenizer, processor: CLIPImageProcessor, *, language: str = "en",
               limit: int | None = None, batch: int = 512) -> ImageTextPairs:
    split = Path(split)
    records = read_records(split, limit)
    missing = [r["file"] for r in records if not (split / r["file"]).is_file()]
    if missing:
        raise FileNotFoundError(f"{split}: {len(missing)} images of captions.jsonl are missing, e.g. {missing[0]}")
    chunks = []
    for i in range(0, len(records), batch):
        images = [Image.open(split / r["file"]).convert("RGB") for r in records[i:i + batch]]
        chunks.append(processor(images, return_tensors="pt").pixel_values)
    captions = [r[language] for r in records]
    encoded = tokenizer(captions, padding="longest", truncation=True,
                        max_length=tokenizer.model_max_length if tokenizer.model_max_length < 10_000 else 77,
                        return_tensors="pt")
    return ImageTextPairs(torch.cat(chunks), encoded.input_ids, encoded.attention_mask, captions,
                          [r["labels"] for r in records], [r["file"] for r in records])
