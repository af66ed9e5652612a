"""The demo world's classification tasks as prompt-learning tasks, and its splits as frozen features.

Class names carry their article or number word ("a circle", "an ellipse", "a red shape", "two
shapes") and the hand template is "a drawing of {}": then template(class) is exactly the English
zero-shot prompt of training/world/prompts.py, the one the demo CLIP was trained and evaluated
with. (A template "a drawing of a {}" cannot say "an ellipse" or "two shapes".)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from training.world.prompts import TASKS, prompt  # the world's own wording, never a copy of it

from .prompt_training import FrozenVision, encode_images

TEMPLATE = "a drawing of {}"
TEMPLATE_WORDS = "a drawing of"   # the template before the class: what learned context starts from


@dataclass(frozen=True)
class WorldTask:
    name: str
    labels: list[str]        # the captions' label values, as strings ("red", "2")
    class_names: list[str]   # "a red shape", "two shapes"

    @property
    def template_texts(self) -> list[str]:
        return [TEMPLATE.format(name) for name in self.class_names]

    def truth(self, records: list[dict]) -> list[int | None]:
        """Class index per record; None where the scene has no single answer (mixed scenes)."""
        return [None if r["labels"].get(self.name) is None else self.labels.index(str(r["labels"][self.name]))
                for r in records]


def world_task(name: str) -> WorldTask:
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r} (one of {', '.join(TASKS)})")
    prefix = TEMPLATE.format("")
    names = []
    for label in TASKS[name]:
        text = prompt(name, label, "en")
        if not text.startswith(prefix):
            raise ValueError(f"the {name} prompt {text!r} does not start with {prefix!r}")
        names.append(text[len(prefix):])
    return WorldTask(name, [str(label) for label in TASKS[name]], names)


def task_names() -> list[str]:
    return list(TASKS)


class WorldSplit:
    """One generated split (captions.jsonl + PNGs). Vision outputs are computed on first use
    and kept, so a grid of runs encodes each image once."""

    def __init__(self, folder: Path, clip, processor) -> None:
        self.folder = Path(folder)
        lines = (self.folder / "captions.jsonl").read_text(encoding="utf-8").splitlines()
        self.records = [json.loads(line) for line in lines]
        self.clip, self.processor = clip, processor
        self._features: dict[int, torch.Tensor] = {}
        self._hidden: dict[int, torch.Tensor] = {}

    def vision(self, index: list[int], keep_hidden: bool) -> FrozenVision:
        missing = [i for i in dict.fromkeys(index) if i not in self._features or (keep_hidden and i not in self._hidden)]
        for start in range(0, len(missing), 256):
            chunk = missing[start:start + 256]
            images = [np.asarray(Image.open(self.folder / self.records[i]["file"]).convert("RGB")) for i in chunk]
            pixels = self.processor(images, return_tensors="pt").pixel_values
            encoded = encode_images(self.clip, pixels, keep_hidden)
            for row, i in enumerate(chunk):
                self._features[i] = encoded.features[row]
                if keep_hidden:
                    self._hidden[i] = encoded.hidden[row]
        features = torch.stack([self._features[i] for i in index])
        hidden = torch.stack([self._hidden[i] for i in index]) if keep_hidden else None
        return FrozenVision(features, hidden)
