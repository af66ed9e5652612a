"""Learned prompts for zero-shot classification on a frozen CLIP (docs/adapters.md, kind "prompt").

Two variants, both inserting learned vectors at the token-embedding level of CLIP's text encoder:

coop        CoOp (Zhou et al., "Learning to Prompt for Vision-Language Models"): one learned
            context `ctx` [n_ctx, Wt] shared by every class. For class name c the encoder input is
                [emb(BOS), ctx_0 .. ctx_{n-1}, emb(tokens of c + suffix) ..., emb(EOS)]
            i.e. CoOp's "X X X X c." with the X replaced by the learned vectors.
structured  General / Domain / Instance prompts: General = learned `general_ctx` [n_g, Wt];
            Domain = the class name's tokens; Instance = n_i vectors produced from the image by
            visual-guided attention (VisualGuidedAttention below). The encoder input is
                [emb(BOS), general_ctx, emb(tokens of c), instance [n_i], emb(tokens of suffix), emb(EOS)]
            so a class's text features depend on the image.

After the input embeddings: + CLIP position embeddings, the causal encoder, final_layer_norm,
the row at the EOS position (the last one), text_projection — exactly CLIPTextTransformer from
`embeddings` on (PromptedTextEncoder, checked against get_text_features in the tests).

Tensor names (the checkpoint's, docs/adapters.md):
    coop:        ctx [n_ctx, Wt]
    structured:  general_ctx [n_g, Wt], queries [n_i, Wt],
                 attn.layer_norm.{weight, bias} [Wv], attn.k_proj.{weight [Wt, Wv], bias [Wt]},
                 attn.v_proj.{weight [Wt, Wv], bias [Wt]}, attn.out_proj.{weight [Wt, Wt], bias [Wt]}
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

VARIANTS = ("coop", "structured")


@dataclass(frozen=True)
class PromptConfig:
    """The `architecture` section of a prompt's adapter.json plus the frozen CLIP's dims."""

    variant: str                 # "coop" | "structured"
    text_hidden_size: int        # Wt
    vision_hidden_size: int      # Wv (the instance attention's input width; recorded for coop too)
    projection_dim: int          # P
    n_ctx: int = 0               # coop: learned context length; 0 for structured
    n_general: int = 0           # structured: general context length
    n_instance: int = 0          # structured: instance vectors from the image
    num_heads: int = 0           # structured: heads of the visual-guided attention (divides Wt)
    layer_norm_eps: float = 1e-5  # structured: the attention's input LayerNorm
    class_suffix: str = "."

    def __post_init__(self) -> None:
        problems = []
        if self.variant not in VARIANTS:
            problems.append(f"variant must be one of {VARIANTS}, got {self.variant!r}")
        for field in ("text_hidden_size", "vision_hidden_size", "projection_dim"):
            if getattr(self, field) <= 0:
                problems.append(f"{field} must be > 0")
        if self.variant == "coop":
            if self.n_ctx <= 0:
                problems.append("coop needs n_ctx > 0")
            if self.n_general or self.n_instance or self.num_heads:
                problems.append("coop has no n_general, n_instance or num_heads")
        elif self.variant == "structured":
            if self.n_ctx:
                problems.append("structured has no n_ctx (use n_general)")
            if self.n_general <= 0 or self.n_instance <= 0:
                problems.append("structured needs n_general > 0 and n_instance > 0")
            if self.num_heads <= 0 or self.text_hidden_size % self.num_heads:
                problems.append(f"num_heads {self.num_heads} must divide text_hidden_size {self.text_hidden_size}")
            if not 0 < self.layer_norm_eps < 1:
                problems.append("layer_norm_eps must be in (0, 1)")
        if problems:
            raise ValueError("; ".join(problems))

    def architecture(self) -> dict:
        """The manifest's `architecture` section: exactly the keys of this variant."""
        if self.variant == "coop":
            return {"variant": "coop", "n_ctx": self.n_ctx, "class_suffix": self.class_suffix}
        return {"variant": "structured", "n_general": self.n_general, "n_instance": self.n_instance,
                "num_heads": self.num_heads, "layer_norm_eps": self.layer_norm_eps,
                "class_suffix": self.class_suffix}


def expected_prompt_tensor_shapes(config: PromptConfig) -> dict[str, list[int]]:
    """Every tensor a prompt checkpoint of this configuration holds, name -> shape."""
    wt, wv = config.text_hidden_size, config.vision_hidden_size
    if config.variant == "coop":
        return {"ctx": [config.n_ctx, wt]}
    return {
        "general_ctx": [config.n_general, wt],
        "queries": [config.n_instance, wt],
        "attn.layer_norm.weight": [wv], "attn.layer_norm.bias": [wv],
        "attn.k_proj.weight": [wt, wv], "attn.k_proj.bias": [wt],
        "attn.v_proj.weight": [wt, wv], "attn.v_proj.bias": [wt],
        "attn.out_proj.weight": [wt, wt], "attn.out_proj.bias": [wt],
    }


class VisualGuidedAttention(nn.Module):
    """Instance context from an image: learned queries attend over the vision tokens.

        vision  [B, Tv, Wv]   the vision encoder's last hidden states (every token, before post_layernorm)
        z = layer_norm(vision); K = k_proj(z), V = v_proj(z)     [B, Tv, Wt]
        Q = queries                                               [n_i, Wt] (learned, no projection)
        per head h (hd = Wt / heads): softmax(Q_h K_hᵀ / √hd) V_h, heads concatenated
        out_proj                                                  [B, n_i, Wt]
    """

    def __init__(self, vision_width: int, text_width: int, num_heads: int, eps: float) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.layer_norm = nn.LayerNorm(vision_width, eps=eps)
        self.k_proj = nn.Linear(vision_width, text_width)
        self.v_proj = nn.Linear(vision_width, text_width)
        self.out_proj = nn.Linear(text_width, text_width)

    def forward(self, queries: torch.Tensor, vision: torch.Tensor) -> torch.Tensor:
        batch, tokens, _ = vision.shape
        n, width = queries.shape
        hd = width // self.num_heads
        z = self.layer_norm(vision)
        k = self.k_proj(z).view(batch, tokens, self.num_heads, hd).transpose(1, 2)    # [B, h, Tv, hd]
        v = self.v_proj(z).view(batch, tokens, self.num_heads, hd).transpose(1, 2)
        q = queries.view(1, n, self.num_heads, hd).transpose(1, 2)                     # [1, h, n, hd]
        weights = F.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd), dim=-1)          # [B, h, n, Tv]
        context = (weights @ v).transpose(1, 2).reshape(batch, n, width)
        return self.out_proj(context)


class PromptLearner(nn.Module):
    """The learned tensors of one prompt (a module whose state_dict is the checkpoint)."""

    def __init__(self, config: PromptConfig) -> None:
        super().__init__()
        self.config = config
        wt = config.text_hidden_size
        if config.variant == "coop":
            self.ctx = nn.Parameter(0.02 * torch.randn(config.n_ctx, wt))
        else:
            self.general_ctx = nn.Parameter(0.02 * torch.randn(config.n_general, wt))
            self.queries = nn.Parameter(0.02 * torch.randn(config.n_instance, wt))
            self.attn = VisualGuidedAttention(config.vision_hidden_size, wt, config.num_heads, config.layer_norm_eps)

    def instance_context(self, vision_hidden: torch.Tensor) -> torch.Tensor:
        """[B, Tv, Wv] -> [B, n_i, Wt] (structured only)."""
        return self.attn(self.queries, vision_hidden)


class PromptedTextEncoder(nn.Module):
    """A frozen transformers CLIPModel's text tower fed embeddings instead of ids.

    Reference: modeling_clip.py, CLIPTextEmbeddings.forward (inputs_embeds + position
    embeddings) and CLIPTextTransformer.forward (causal encoder, final_layer_norm, pooling);
    CLIPModel.get_text_features (text_projection).
    """

    def __init__(self, clip) -> None:
        super().__init__()
        self.clip = clip

    @property
    def text_config(self):
        return self.clip.config.text_config

    def token_embeddings(self, ids: list[int]) -> torch.Tensor:
        return self.clip.text_model.embeddings.token_embedding(torch.tensor(ids, dtype=torch.long))

    def forward(self, sequences: list[torch.Tensor]) -> torch.Tensor:
        """sequences: one [T_i, Wt] input-embedding matrix per text, each ending at its EOS.
        Returns text features [len(sequences), P], pooled at each sequence's last position."""
        limit = self.text_config.max_position_embeddings
        lengths = [s.shape[0] for s in sequences]
        for index, length in enumerate(lengths):
            if not 1 <= length <= limit:
                raise ValueError(f"sequence {index} has {length} positions; must be 1...{limit} "
                                 "(max_position_embeddings)")
        longest = max(lengths)
        # Right padding: under the causal mask no real position looks at a later one.
        batch = torch.stack([F.pad(s, (0, 0, 0, longest - s.shape[0])) for s in sequences])
        return self.encode_padded(batch, torch.tensor(lengths))

    def encode_padded(self, batch: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """batch [N, T, Wt] right-padded input embeddings, lengths [N] (each ≤ T, checked by the
        caller) -> text features [N, P]."""
        text = self.clip.text_model
        hidden = text.embeddings(inputs_embeds=batch)
        from transformers.modeling_attn_mask_utils import _create_4d_causal_attention_mask
        causal = _create_4d_causal_attention_mask(batch.shape[:2], hidden.dtype, device=hidden.device)
        hidden = text.encoder(inputs_embeds=hidden, causal_attention_mask=causal).last_hidden_state
        hidden = text.final_layer_norm(hidden)
        pooled = hidden[torch.arange(batch.shape[0]), lengths - 1]
        return self.clip.text_projection(pooled)


class PromptedClassifier(nn.Module):
    """Class text features and logits for a prompt on a frozen CLIP with its tokenizer."""

    def __init__(self, clip, tokenizer, prompt: PromptLearner) -> None:
        super().__init__()
        self.encoder = PromptedTextEncoder(clip)
        self.tokenizer = tokenizer
        self.prompt = prompt
        self._token_cache: dict[str, list[int]] = {}
        for p in clip.parameters():
            p.requires_grad_(False)

    def _ids(self, text: str) -> list[int]:
        """Tokens of `text` without BOS/EOS (kept: training asks for the same labels every step)."""
        if text not in self._token_cache:
            self._token_cache[text] = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        return self._token_cache[text]

    def _special(self) -> tuple[torch.Tensor, torch.Tensor]:
        c = self.encoder.text_config
        bos, eos = self.tokenizer.bos_token_id, self.tokenizer.eos_token_id
        if bos is None or eos is None:
            raise ValueError(f"the tokenizer has no BOS/EOS token (config says {c.bos_token_id}/{c.eos_token_id})")
        return self.encoder.token_embeddings([bos]), self.encoder.token_embeddings([eos])

    def class_sequences(self, labels: list[str], instance: torch.Tensor | None = None) -> list[torch.Tensor]:
        """One input-embedding matrix per label; `instance` [n_i, Wt] for structured prompts."""
        bos, eos = self._special()
        config = self.prompt.config
        emb = self.encoder.token_embeddings
        if config.variant == "structured":
            return [batch[0] for batch in self.structured_batches(labels, instance.unsqueeze(0))]
        return [torch.cat([bos, self.prompt.ctx, emb(self._ids(label + config.class_suffix)), eos])
                for label in labels]

    def structured_batches(self, labels: list[str], instances: torch.Tensor) -> list[torch.Tensor]:
        """Per label, the input embeddings of every image at once: [B, T_label, Wt] for
        instances [B, n_i, Wt] — [BOS, general_ctx, name, instance, suffix, EOS]."""
        bos, eos = self._special()
        emb = self.encoder.token_embeddings
        batch = instances.shape[0]
        after = torch.cat([emb(self._ids(self.prompt.config.class_suffix)), eos])  # suffix may be ""
        batches = []
        for label in labels:
            before = torch.cat([bos, self.prompt.general_ctx, emb(self._ids(label))])
            batches.append(torch.cat([before.expand(batch, -1, -1), instances, after.expand(batch, -1, -1)], dim=1))
        return batches

    def text_features(self, labels: list[str], vision_hidden: torch.Tensor | None = None) -> torch.Tensor:
        """coop: [C, P] (image-independent). structured: [B, C, P] for vision_hidden [B, Tv, Wv]."""
        if self.prompt.config.variant == "coop":
            return self.encoder(self.class_sequences(labels))
        if vision_hidden is None:
            raise ValueError("a structured prompt needs the image's vision hidden states")
        instances = self.prompt.instance_context(vision_hidden)
        # One encoder call for every (class, image) pair, built as tensors (not B×C Python
        # sequences): training calls this once per step.
        batches = self.structured_batches(labels, instances)
        lengths = [b.shape[1] for b in batches]
        limit = self.encoder.text_config.max_position_embeddings
        for label, length in zip(labels, lengths):
            if length > limit:
                raise ValueError(f"label {label!r} makes {length} positions; must be 1...{limit} "
                                 "(max_position_embeddings)")
        longest = max(lengths)
        padded = torch.cat([F.pad(b, (0, 0, 0, longest - b.shape[1])) for b in batches])       # [C·B, T, Wt]
        features = self.encoder.encode_padded(padded, torch.tensor(lengths).repeat_interleave(instances.shape[0]))
        return features.view(len(labels), instances.shape[0], -1).transpose(0, 1)               # [B, C, P]

    def logits(self, pixel_values: torch.Tensor, labels: list[str]) -> torch.Tensor:
        """[B, C]: logit_scale · cos(image features, class text features)."""
        clip = self.encoder.clip
        vision = clip.vision_model(pixel_values=pixel_values)
        return self.logits_from_vision(clip.visual_projection(vision.pooler_output), vision.last_hidden_state, labels)

    def logits_from_vision(self, image_features: torch.Tensor, vision_hidden: torch.Tensor | None,
                           labels: list[str]) -> torch.Tensor:
        """`logits` from the frozen vision tower's outputs (computed once when training):
        image_features [B, P] (projected, any norm), vision_hidden [B, Tv, Wv] (structured only)."""
        clip = self.encoder.clip
        image = F.normalize(image_features, dim=-1)
        if self.prompt.config.variant == "coop":
            text = F.normalize(self.text_features(labels), dim=-1)
            return clip.logit_scale.exp() * image @ text.T
        text = F.normalize(self.text_features(labels, vision_hidden), dim=-1)
        return clip.logit_scale.exp() * torch.einsum("bp,bcp->bc", image, text)
