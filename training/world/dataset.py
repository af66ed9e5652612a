"""Loading a generated split back: images as one uint8 array, captions and labels as lists."""
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image


@dataclass
class Split:
    images: np.ndarray        # [N, 64, 64, 3] uint8
    en: list[str]
    zh: list[str]
    labels: list[dict]
    files: list[str]


def load_split(folder: Path) -> Split:
    records = [json.loads(line) for line in (folder / "captions.jsonl").read_text(encoding="utf-8").splitlines()]
    images = np.stack([np.asarray(Image.open(folder / r["file"]).convert("RGB")) for r in records])
    return Split(images, [r["en"] for r in records], [r["zh"] for r in records],
                 [r["labels"] for r in records], [r["file"] for r in records])
