"""The language adapter: BERT hidden states -> CLIP's text-embedding (projection) space.

    hidden  [B, T, H]  BERT last_hidden_state (frozen encoder)
    mask    [B, T]     1 = real token, 0 = padding (BERT's attention_mask)
 -> down_proj          [B, T, d]
 -> N x layer          [B, T, d]   self-attention + MLP, pre- or post-LN, padding keys masked
 -> pooling            [B, d]      "cls" = position 0, "mean" = masked mean over real tokens
 -> final_layer_norm   [B, d]      optional, on the pooled vector
 -> up_proj            [B, P]      P = CLIP projection_dim; not normalised

Every op is written out (no nn.TransformerEncoderLayer, no nn.MultiheadAttention with a fused
in_proj) so that the state_dict names below are the checkpoint's tensor names and the Swift
port can mirror them one to one. docs/adapters.md lists every tensor with its shape.

    down_proj.{weight [d, H], bias [d]}
    layers.{i}.self_attn.{q,k,v,out}_proj.{weight [d, d], bias [d]}
    layers.{i}.layer_norm1.{weight, bias} [d]
    layers.{i}.mlp.fc1.{weight [F, d], bias [F]}
    layers.{i}.mlp.fc2.{weight [d, F], bias [d]}
    layers.{i}.layer_norm2.{weight, bias} [d]
    final_layer_norm.{weight, bias} [d]          (only if final_layer_norm is true)
    up_proj.{weight [P, d], bias [P]}
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

NORM_POSITIONS = ("pre", "post")
POOLINGS = ("cls", "mean")
ACTIVATIONS = ("gelu",)


@dataclass(frozen=True)
class LanguageAdapterConfig:
    """The `architecture` section of adapter.json plus the two dims fixed by the frozen models."""

    input_size: int            # H = base_encoder.hidden_size
    output_size: int           # P = clip.projection_dim
    adapter_width: int         # d
    num_layers: int            # N >= 0
    num_heads: int             # 0 when N == 0, else divides d
    intermediate_size: int     # F; 0 when N == 0
    layer_norm_eps: float = 1e-5
    norm_position: str = "pre"
    pooling: str = "mean"
    activation: str = "gelu"
    final_layer_norm: bool = False

    def __post_init__(self) -> None:
        problems = []
        for field in ("input_size", "output_size", "adapter_width"):
            if getattr(self, field) <= 0:
                problems.append(f"{field} must be > 0, got {getattr(self, field)}")
        if self.num_layers < 0:
            problems.append(f"num_layers must be >= 0, got {self.num_layers}")
        if self.num_layers > 0:
            if self.num_heads <= 0 or self.adapter_width % self.num_heads != 0:
                problems.append(f"num_heads must be > 0 and divide adapter_width {self.adapter_width}, "
                                f"got {self.num_heads}")
            if self.intermediate_size <= 0:
                problems.append(f"intermediate_size must be > 0, got {self.intermediate_size}")
        elif self.num_heads != 0 or self.intermediate_size != 0:
            problems.append("num_heads and intermediate_size must be 0 when num_layers is 0")
        if not self.layer_norm_eps > 0:
            problems.append(f"layer_norm_eps must be > 0, got {self.layer_norm_eps}")
        if self.norm_position not in NORM_POSITIONS:
            problems.append(f"norm_position must be one of {NORM_POSITIONS}, got {self.norm_position!r}")
        if self.pooling not in POOLINGS:
            problems.append(f"pooling must be one of {POOLINGS}, got {self.pooling!r}")
        if self.activation not in ACTIVATIONS:
            problems.append(f"activation must be one of {ACTIVATIONS}, got {self.activation!r}")
        if problems:
            raise ValueError("invalid LanguageAdapterConfig: " + "; ".join(problems))

    def architecture(self) -> dict:
        """The manifest's `architecture` object (the two model dims live in base_encoder / clip)."""
        fields = asdict(self)
        del fields["input_size"], fields["output_size"]
        return fields


class SelfAttention(nn.Module):
    """Multi-head self-attention with separate q/k/v/out projections.

    x: [B, T, d], key_padding: [B, T] bool (True = padding) -> [B, T, d]
    scores = (q k^T) / sqrt(d / heads); padding keys get -inf before the softmax.
    """

    def __init__(self, width: int, num_heads: int) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = width // num_heads
        self.q_proj = nn.Linear(width, width)
        self.k_proj = nn.Linear(width, width)
        self.v_proj = nn.Linear(width, width)
        self.out_proj = nn.Linear(width, width)

    def forward(self, x: torch.Tensor, key_padding: torch.Tensor) -> torch.Tensor:
        batch, tokens, width = x.shape

        def heads(t: torch.Tensor) -> torch.Tensor:  # [B, T, d] -> [B, heads, T, head_dim]
            return t.view(batch, tokens, self.num_heads, self.head_dim).transpose(1, 2)

        q, k, v = heads(self.q_proj(x)), heads(self.k_proj(x)), heads(self.v_proj(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim)          # [B, heads, T, T]
        scores = scores.masked_fill(key_padding[:, None, None, :], float("-inf"))
        context = scores.softmax(dim=-1) @ v                                 # [B, heads, T, head_dim]
        return self.out_proj(context.transpose(1, 2).reshape(batch, tokens, width))


class MLP(nn.Module):
    """x: [B, T, d] -> fc2(gelu(fc1(x))): [B, T, d]; gelu is the exact erf form (torch default)."""

    def __init__(self, width: int, intermediate_size: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(width, intermediate_size)
        self.fc2 = nn.Linear(intermediate_size, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x)))


class AdapterLayer(nn.Module):
    """One transformer encoder layer, x: [B, T, d] -> [B, T, d].

    pre-LN:  x = x + attn(ln1(x));  x = x + mlp(ln2(x))
    post-LN: x = ln1(x + attn(x));  x = ln2(x + mlp(x))
    """

    def __init__(self, config: LanguageAdapterConfig) -> None:
        super().__init__()
        d = config.adapter_width
        self.pre_norm = config.norm_position == "pre"
        self.self_attn = SelfAttention(d, config.num_heads)
        self.layer_norm1 = nn.LayerNorm(d, eps=config.layer_norm_eps)
        self.mlp = MLP(d, config.intermediate_size)
        self.layer_norm2 = nn.LayerNorm(d, eps=config.layer_norm_eps)

    def forward(self, x: torch.Tensor, key_padding: torch.Tensor) -> torch.Tensor:
        if self.pre_norm:
            x = x + self.self_attn(self.layer_norm1(x), key_padding)
            return x + self.mlp(self.layer_norm2(x))
        x = self.layer_norm1(x + self.self_attn(x, key_padding))
        return self.layer_norm2(x + self.mlp(x))


class LanguageAdapter(nn.Module):
    """hidden: [B, T, H], attention_mask: [B, T] (1 real / 0 pad) -> [B, P] (unnormalised)."""

    def __init__(self, config: LanguageAdapterConfig) -> None:
        super().__init__()
        self.config = config
        self.down_proj = nn.Linear(config.input_size, config.adapter_width)
        self.layers = nn.ModuleList(AdapterLayer(config) for _ in range(config.num_layers))
        self.final_layer_norm = (nn.LayerNorm(config.adapter_width, eps=config.layer_norm_eps)
                                 if config.final_layer_norm else None)
        self.up_proj = nn.Linear(config.adapter_width, config.output_size)

    def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        if hidden.dim() != 3 or hidden.shape[-1] != self.config.input_size:
            raise ValueError(f"hidden must be [B, T, {self.config.input_size}], got {list(hidden.shape)}")
        if attention_mask.shape != hidden.shape[:2]:
            raise ValueError(f"attention_mask must be {list(hidden.shape[:2])}, got {list(attention_mask.shape)}")
        real = attention_mask.to(torch.bool)
        if not bool(real.any(dim=1).all()):
            raise ValueError("every sequence needs at least one real token (attention_mask all zero)")
        x = self.down_proj(hidden)
        for layer in self.layers:
            x = layer(x, ~real)
        pooled = self.pool(x, real)
        if self.final_layer_norm is not None:
            pooled = self.final_layer_norm(pooled)
        return self.up_proj(pooled)

    def pool(self, x: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
        """x: [B, T, d], real: [B, T] bool -> [B, d]."""
        if self.config.pooling == "cls":
            return x[:, 0]
        weights = real.to(x.dtype).unsqueeze(-1)                               # [B, T, 1]
        return (x * weights).sum(dim=1) / weights.sum(dim=1)


def expected_tensor_shapes(config: LanguageAdapterConfig) -> dict[str, list[int]]:
    """Every tensor a checkpoint for this config holds, name -> shape (the loader's checklist)."""
    d, f = config.adapter_width, config.intermediate_size
    shapes = {"down_proj.weight": [d, config.input_size], "down_proj.bias": [d]}
    for i in range(config.num_layers):
        p = f"layers.{i}."
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            shapes[f"{p}self_attn.{proj}.weight"] = [d, d]
            shapes[f"{p}self_attn.{proj}.bias"] = [d]
        shapes[f"{p}layer_norm1.weight"] = [d]
        shapes[f"{p}layer_norm1.bias"] = [d]
        shapes[f"{p}mlp.fc1.weight"] = [f, d]
        shapes[f"{p}mlp.fc1.bias"] = [f]
        shapes[f"{p}mlp.fc2.weight"] = [d, f]
        shapes[f"{p}mlp.fc2.bias"] = [d]
        shapes[f"{p}layer_norm2.weight"] = [d]
        shapes[f"{p}layer_norm2.bias"] = [d]
    if config.final_layer_norm:
        shapes["final_layer_norm.weight"] = [d]
        shapes["final_layer_norm.bias"] = [d]
    shapes["up_proj.weight"] = [config.output_size, d]
    shapes["up_proj.bias"] = [config.output_size]
    return shapes
