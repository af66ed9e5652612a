"""Reference forward passes of the three published checkpoint formats (training/convert_checkpoint.py),
as their own projects compute them, on top of transformers 4.57.6:

  taiyi-clip    BertForSequenceClassification called on one text without attention_mask (Taiyi's own
                example); the feature is the logits = classifier(BertPooler(BERT(ids))).
  m-clip        MultilingualCLIP below: XLMRobertaModel, mean of the last hidden state over the
                attention mask, then LinearTransformation (as Multilingual-CLIP's
                pt_multilingual_clip.py, with the XLM-R built from a config instead of downloaded).
  chinese-clip  ChineseCLIPModel: text_projection(last_hidden_state[:, 0]) as forward() computes
                text_embeds (get_text_features in 4.57.6 projects text_model's pooler_output, which
                is None for this text tower: it is built without a pooler); image features =
                visual_projection(post_layernorm(CLS)) = get_image_features.

Used by the fixture generator (training/fixtures/make_published_fixtures.py) and the converter tests;
every model runs in float32 with eager attention.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import load_file
from transformers import (BertForSequenceClassification, BertTokenizer, ChineseCLIPModel, XLMRobertaConfig,
                          XLMRobertaModel, XLMRobertaTokenizerFast)


class MultilingualCLIP(torch.nn.Module):
    """M-CLIP's text encoder: the tensor names of its pytorch_model.bin ("transformer.*",
    "LinearTransformation.*") are this module's state dict."""

    def __init__(self, config: XLMRobertaConfig, projection_dim: int):
        super().__init__()
        self.transformer = XLMRobertaModel(config)
        self.LinearTransformation = torch.nn.Linear(config.hidden_size, projection_dim)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.transformer(input_ids=input_ids, attention_mask=attention_mask)[0]
        mask = attention_mask.unsqueeze(2).to(hidden.dtype)
        return self.LinearTransformation((hidden * mask).sum(dim=1) / mask.sum(dim=1))


class PublishedModel:
    """A converted directory loaded in transformers, with its tokenizer and per-text features."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        config = json.loads((self.directory / "config.json").read_text(encoding="utf-8"))
        self.info = config["adaptclip"]
        self.format = self.info["format"]
        if self.format == "taiyi-clip":
            self.model = BertForSequenceClassification.from_pretrained(self.directory, attn_implementation="eager")
            self.tokenizer = BertTokenizer.from_pretrained(self.directory)
        elif self.format == "m-clip":
            xlmr = XLMRobertaConfig.from_pretrained(self.directory, attn_implementation="eager")
            self.model = load_mclip(xlmr, self.info["projection_dim"], load_file(str(self.directory / "model.safetensors")))
            self.tokenizer = XLMRobertaTokenizerFast.from_pretrained(self.directory)
        elif self.format == "chinese-clip":
            self.model = ChineseCLIPModel.from_pretrained(self.directory, attn_implementation="eager")
            self.tokenizer = BertTokenizer.from_pretrained(self.directory)
        else:
            raise ValueError(f"unknown format {self.format!r}")
        self.model.eval()

    def token_ids(self, text: str) -> list[int]:
        return self.tokenizer(text, truncation=True)["input_ids"]

    @torch.no_grad()
    def text_features(self, token_ids: list[int]) -> torch.Tensor:
        return text_features(self.format, self.model, token_ids)

    @torch.no_grad()
    def image_features(self, pixels: torch.Tensor) -> torch.Tensor:
        """pixels [3, H, W] -> [projection_dim]."""
        return self.model.get_image_features(pixel_values=pixels.unsqueeze(0))[0]


def load_mclip(config: XLMRobertaConfig, projection_dim: int, state: dict[str, torch.Tensor]) -> MultilingualCLIP:
    model = MultilingualCLIP(config, projection_dim)
    missing, unexpected = model.load_state_dict(state, strict=False)
    # M-CLIP never runs XLM-R's pooler, so a checkpoint without one is complete.
    if unexpected or any(not k.startswith("transformer.pooler.") for k in missing):
        raise ValueError(f"M-CLIP state dict mismatch: missing {missing}, unexpected {unexpected}")
    return model.eval()


@torch.no_grad()
def text_features(fmt: str, model: torch.nn.Module, token_ids: list[int]) -> torch.Tensor:
    """One unpadded text -> its raw (not normalised) feature vector."""
    ids = torch.tensor([token_ids])
    if fmt == "taiyi-clip":
        return model(input_ids=ids).logits[0]
    mask = torch.ones_like(ids)
    if fmt == "m-clip":
        return model(ids, mask)[0]
    if fmt == "chinese-clip":
        hidden = model.text_model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids))[0]
        return model.text_projection(hidden[:, 0, :])[0]
    raise ValueError(f"unknown format {fmt!r}")
