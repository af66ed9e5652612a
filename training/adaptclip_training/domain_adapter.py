"""Domain adapters: AdaptFormer-style parallel bottlenecks beside the MLP of chosen layers of
the frozen CLIP vision and/or text encoder (docs/adapters.md, "Domain adapter").

In an adapted layer l of a transformers CLIPEncoderLayer (pre-LN):

    h   = x + attn(ln1(x))
    u   = ln2(h)                                   [tokens, W]
    out = h + mlp(u) + scale * up(relu(down(u)))   down: [r, W] + [r], up: [W, r] + [W]

The adapter is attached with forward hooks on `encoder.layers[l].mlp` that add
`scale * bottleneck(input)` to the MLP's output, so the CLIP module itself is never modified
and `detach()` restores it exactly. `up` starts at zero: an untrained adapter is the identity.

state_dict names are the checkpoint's tensor names (one side shown; `text.` alike):

    vision.layers.{l}.down.weight [r, W]    vision.layers.{l}.down.bias [r]
    vision.layers.{l}.up.weight   [W, r]    vision.layers.{l}.up.bias   [W]
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import torch
import torch.nn.functional as F
from torch import nn

ADAPTER_DESIGN = "parallel-bottleneck"
ACTIVATIONS = ("relu",)
SIDES = ("vision", "text")


@dataclass(frozen=True)
class DomainSideConfig:
    """One encoder's adapters: `architecture.<side>` of adapter.json."""

    layers: tuple[int, ...]   # indices of the encoder layers that get a bottleneck, unique
    width: int                # W: the encoder's hidden_size
    bottleneck: int           # r
    scale: float              # s: multiplies the bottleneck's output

    def __post_init__(self) -> None:
        problems = []
        if not self.layers:
            problems.append("layers must not be empty")
        if any(layer < 0 for layer in self.layers):
            problems.append(f"layers must be >= 0, got {list(self.layers)}")
        if len(set(self.layers)) != len(self.layers):
            problems.append(f"layers must be unique, got {list(self.layers)}")
        if self.width <= 0 or self.bottleneck <= 0:
            problems.append(f"width and bottleneck must be > 0, got {self.width}, {self.bottleneck}")
        if not math.isfinite(self.scale):
            problems.append(f"scale must be finite, got {self.scale}")
        if problems:
            raise ValueError("invalid DomainSideConfig: " + "; ".join(problems))

    def manifest(self) -> dict:
        return {"layers": sorted(self.layers), "width": self.width, "bottleneck": self.bottleneck,
                "scale": self.scale}


@dataclass(frozen=True)
class DomainAdapterConfig:
    """The `architecture` section of a domain adapter's adapter.json: at least one side."""

    vision: DomainSideConfig | None = None
    text: DomainSideConfig | None = None
    activation: str = "relu"

    def __post_init__(self) -> None:
        if self.vision is None and self.text is None:
            raise ValueError("invalid DomainAdapterConfig: needs at least one of vision, text")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"invalid DomainAdapterConfig: activation must be one of {ACTIVATIONS}")

    def sides(self) -> dict[str, DomainSideConfig]:
        return {name: side for name, side in (("vision", self.vision), ("text", self.text)) if side is not None}

    def architecture(self) -> dict:
        fields: dict = {"adapter": ADAPTER_DESIGN, "activation": self.activation}
        fields.update({name: side.manifest() for name, side in self.sides().items()})
        return fields


class Bottleneck(nn.Module):
    """u: [..., W] -> up(relu(down(u))): [..., W]."""

    def __init__(self, width: int, bottleneck: int) -> None:
        super().__init__()
        self.down = nn.Linear(width, bottleneck)
        self.up = nn.Linear(bottleneck, width)
        # Zero `up`: the adapted model starts as exactly the frozen one (no forgetting at step 0).
        nn.init.zeros_(self.up.weight)
        nn.init.zeros_(self.up.bias)

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        return self.up(F.relu(self.down(u)))


class DomainSide(nn.Module):
    def __init__(self, config: DomainSideConfig) -> None:
        super().__init__()
        self.config = config
        self.layers = nn.ModuleDict({str(l): Bottleneck(config.width, config.bottleneck) for l in sorted(config.layers)})


class DomainAdapter(nn.Module):
    """The trainable part: one Bottleneck per adapted layer, per side. Attach it to a
    transformers CLIPModel with `attached(model)` (or `attach` / `detach`)."""

    def __init__(self, config: DomainAdapterConfig) -> None:
        super().__init__()
        self.config = config
        for name, side in config.sides().items():
            self.add_module(name, DomainSide(side))
        self._handles: list = []

    def attach(self, model: nn.Module) -> None:
        """Hooks every adapted layer's MLP of `model` (a CLIPModel, CLIPVisionModel or
        CLIPTextModel); refuses a model whose widths or depth do not fit."""
        if self._handles:
            raise RuntimeError("this DomainAdapter is already attached; detach() it first")
        for name, side in self.config.sides().items():
            encoder_layers = _encoder_layers(model, name)
            width = encoder_layers[0].mlp.fc2.out_features
            if width != side.width:
                raise ValueError(f"{name} adapter width {side.width} does not match the model's hidden_size {width}")
            for layer in side.layers:
                if layer >= len(encoder_layers):
                    raise ValueError(f"{name} layer {layer} is out of range: the model has {len(encoder_layers)} layers")
            module: DomainSide = getattr(self, name)
            for key, bottleneck in module.layers.items():
                mlp = encoder_layers[int(key)].mlp
                self._handles.append(mlp.register_forward_hook(_parallel_hook(bottleneck, side.scale)))

    def detach(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []

    @contextmanager
    def attached(self, model: nn.Module) -> Iterator[nn.Module]:
        self.attach(model)
        try:
            yield model
        finally:
            self.detach()


def _parallel_hook(bottleneck: Bottleneck, scale: float):
    def hook(_module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> torch.Tensor:
        # inputs[0] is ln2(h), the MLP's input: the bottleneck runs beside the MLP on it.
        return output + scale * bottleneck(inputs[0])
    return hook


def _encoder_layers(model: nn.Module, side: str) -> nn.ModuleList:
    """`<side>_model.encoder.layers` of a CLIPModel, or of a single-tower model."""
    tower = getattr(model, f"{side}_model", None)
    if tower is None and side == "vision" and hasattr(model, "embeddings") and hasattr(model, "pre_layrnorm"):
        tower = model
    if tower is None and side == "text" and hasattr(model, "embeddings") and hasattr(model, "final_layer_norm"):
        tower = model
    if tower is None:
        raise ValueError(f"the model has no {side} encoder")
    return tower.encoder.layers


def expected_tensor_shapes(config: DomainAdapterConfig) -> dict[str, list[int]]:
    """Every tensor a checkpoint for this config holds, name -> shape (the loader's checklist)."""
    shapes: dict[str, list[int]] = {}
    for name, side in config.sides().items():
        for layer in sorted(side.layers):
            prefix = f"{name}.layers.{layer}."
            shapes[prefix + "down.weight"] = [side.bottleneck, side.width]
            shapes[prefix + "down.bias"] = [side.bottleneck]
            shapes[prefix + "up.weight"] = [side.width, side.bottleneck]
            shapes[prefix + "up.bias"] = [side.width]
    return shapes
