"""The frozen half of distillation, computed once: BERT hidden states of the Chinese side and
CLIP text embeddings (projection space) of the English side.

Both encoders are frozen, so their outputs never change between epochs; computing them once
turns every epoch into adapter-only work (the adapter is a few percent of BERT's cost).

    hidden   [N, T, H]  BERT last_hidden_state, padded to the longest Chinese sequence
    mask     [N, T]     1 = real token
    targets  [N, P]     CLIPModel.get_text_features(english), not normalised
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import BertModel, BertTokenizer, CLIPModel, CLIPTokenizer


@dataclass
class FrozenFeatures:
    hidden: torch.Tensor
    mask: torch.Tensor
    targets: torch.Tensor

    def select(self, indices: list[int]) -> "FrozenFeatures":
        index = torch.tensor(indices, dtype=torch.long)
        return FrozenFeatures(self.hidden[index], self.mask[index], self.targets[index])


def read_model_type(directory: Path) -> str:
    return json.loads((Path(directory) / "config.json").read_text(encoding="utf-8")).get("model_type", "")


def load_bert(directory: Path) -> tuple[BertTokenizer, BertModel]:
    """A frozen Hugging Face BERT directory (`model_type: bert`); task heads and `bert.` prefixes
    of pre-training checkpoints are dropped by from_pretrained."""
    if (model_type := read_model_type(directory)) != "bert":
        raise ValueError(f"{directory}/config.json: model_type is {model_type!r}, expected 'bert'")
    tokenizer = BertTokenizer.from_pretrained(str(directory))
    model = BertModel.from_pretrained(str(directory), dtype=torch.float32, attn_implementation="eager")
    return tokenizer, _frozen(model)


def load_clip(directory: Path) -> tuple[CLIPTokenizer, CLIPModel]:
    """A frozen Hugging Face CLIP directory; only the text tower and text_projection are used,
    so the vision tower is released after loading."""
    if (model_type := read_model_type(directory)) != "clip":
        raise ValueError(f"{directory}/config.json: model_type is {model_type!r}, expected 'clip'")
    tokenizer = CLIPTokenizer.from_pretrained(str(directory))
    model = CLIPModel.from_pretrained(str(directory), dtype=torch.float32, attn_implementation="eager")
    model.vision_model = None
    model.visual_projection = None
    return tokenizer, _frozen(model)


def _frozen(model: torch.nn.Module) -> torch.nn.Module:
    model.eval()
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model


@torch.no_grad()
def bert_hidden_states(tokenizer: BertTokenizer, bert: BertModel, texts: list[str], max_length: int,
                       batch_size: int, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """texts -> (hidden [N, T, H] in `dtype`, mask [N, T] int8); T = longest tokenised text, at most
    max_length and at most the model's max_position_embeddings."""
    max_length = min(max_length, bert.config.max_position_embeddings)
    encoded = [tokenizer(texts[i:i + batch_size], padding=True, truncation=True, max_length=max_length,
                         return_tensors="pt") for i in range(0, len(texts), batch_size)]
    width = max(e["input_ids"].shape[1] for e in encoded)
    hidden = torch.zeros(len(texts), width, bert.config.hidden_size, dtype=dtype)
    mask = torch.zeros(len(texts), width, dtype=torch.int8)
    start = 0
    for e in encoded:
        out = bert(input_ids=e["input_ids"], attention_mask=e["attention_mask"],
                   token_type_ids=e.get("token_type_ids")).last_hidden_state
        n, t = e["input_ids"].shape
        hidden[start:start + n, :t] = out.to(dtype)
        mask[start:start + n, :t] = e["attention_mask"].to(torch.int8)
        start += n
    return hidden, mask


@torch.no_grad()
def clip_text_embeddings(tokenizer: CLIPTokenizer, clip: CLIPModel, texts: list[str],
                         batch_size: int) -> torch.Tensor:
    """texts -> [N, P] float32, CLIP's text embedding before L2 normalisation."""
    max_length = clip.config.text_config.max_position_embeddings
    chunks = []
    for i in range(0, len(texts), batch_size):
        e = tokenizer(texts[i:i + batch_size], padding=True, truncation=True, max_length=max_length,
                      return_tensors="pt")
        chunks.append(clip.get_text_features(input_ids=e["input_ids"], attention_mask=e["attention_mask"]))
    return torch.cat(chunks)


def cache_key(tsv: Path, bert_dir: Path, clip_dir: Path, max_length: int, dtype: torch.dtype) -> str:
    """Identifies the inputs of a feature cache: the data's bytes, each model's config.json bytes
    and its weight files' names, sizes and modification times (hashing gigabytes of weights on
    every run would cost more than it saves)."""
    digest = hashlib.sha256()
    digest.update(Path(tsv).read_bytes())
    for directory in (Path(bert_dir), Path(clip_dir)):
        digest.update((directory / "config.json").read_bytes())
        for weights in sorted(directory.glob("*.safetensors")) + sorted(directory.glob("*.bin")):
            stat = weights.stat()
            digest.update(f"{weights.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    digest.update(f"max_length={max_length};dtype={dtype}".encode())
    return digest.hexdigest()


def load_cached(path: Path, key: str) -> FrozenFeatures | None:
    if not Path(path).is_file():
        return None
    stored = torch.load(path, weights_only=True)
    if stored.get("key") != key:
        return None
    return FrozenFeatures(stored["hidden"], stored["mask"], stored["targets"])


def save_cached(path: Path, key: str, features: FrozenFeatures) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(str(path) + ".tmp")
    torch.save({"key": key, "hidden": features.hidden, "mask": features.mask, "targets": features.targets},
               temporary)
    temporary.replace(path)
