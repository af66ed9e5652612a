"""Few-shot prompt learning on a frozen CLIP: initialisation, the training loop, evaluation.

The CLIP never changes, so its vision tower runs once per image (`FrozenVision`) and every step
only runs the prompt and the text tower. The loss is CoOp's: cross-entropy over
logit_scale · cos(image, class text features) for the task's classes.

Initialisation starts from the hand template (docs/adapters.md, "Learned prompts"):
- CoOp: ctx = the token embeddings of the template's words before the class ("a drawing of"),
  so before the first step the prompt *is* the template (CoOp initialises from "a photo of a").
- structured: general_ctx likewise; the instance queries small and random; the attention's
  out_proj near zero, so the instance vectors start near zero and the first steps see almost
  the template (it cannot be exact: the n_i instance positions exist from the start).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from .prompt_learner import PromptConfig, PromptedClassifier, PromptLearner


@dataclass
class FrozenVision:
    """What the frozen vision tower gives each image: projected features [N, P] and, for
    structured prompts, the last hidden states [N, Tv, Wv]."""

    features: torch.Tensor
    hidden: torch.Tensor | None

    def select(self, index: list[int]) -> "FrozenVision":
        rows = torch.tensor(index, dtype=torch.long)
        return FrozenVision(self.features[rows], None if self.hidden is None else self.hidden[rows])

    def __len__(self) -> int:
        return self.features.shape[0]


@torch.no_grad()
def encode_images(clip, pixel_values: torch.Tensor, keep_hidden: bool, batch: int = 256) -> FrozenVision:
    features, hidden = [], []
    for start in range(0, pixel_values.shape[0], batch):
        vision = clip.vision_model(pixel_values=pixel_values[start:start + batch])
        features.append(clip.visual_projection(vision.pooler_output))
        if keep_hidden:
            hidden.append(vision.last_hidden_state)
    return FrozenVision(torch.cat(features), torch.cat(hidden) if keep_hidden else None)


@dataclass(frozen=True)
class PromptShape:
    """The learned part's size; context lengths come from the initialising words."""

    variant: str
    init_words: str          # "a drawing of": the template's words before the class name
    n_instance: int = 2      # structured only
    num_heads: int = 4       # structured only
    class_suffix: str = ""   # "" keeps CoOp at initialisation equal to the template


def word_embeddings(clip, tokenizer, text: str) -> torch.Tensor:
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    return clip.text_model.embeddings.token_embedding(torch.tensor(ids, dtype=torch.long)).detach().clone()


def initial_prompt(clip, tokenizer, shape: PromptShape, seed: int) -> PromptLearner:
    """A prompt that starts at (CoOp) or next to (structured) the hand template."""
    words = word_embeddings(clip, tokenizer, shape.init_words)
    c = clip.config
    common = dict(text_hidden_size=c.text_config.hidden_size, vision_hidden_size=c.vision_config.hidden_size,
                  projection_dim=c.projection_dim, class_suffix=shape.class_suffix)
    torch.manual_seed(seed)
    if shape.variant == "coop":
        prompt = PromptLearner(PromptConfig("coop", n_ctx=words.shape[0], **common))
        with torch.no_grad():
            prompt.ctx.copy_(words)
        return prompt
    prompt = PromptLearner(PromptConfig("structured", n_general=words.shape[0], n_instance=shape.n_instance,
                                        num_heads=shape.num_heads, layer_norm_eps=c.vision_config.layer_norm_eps,
                                        **common))
    with torch.no_grad():
        prompt.general_ctx.copy_(words)
        prompt.queries.normal_(0.0, 0.02)
        # Near zero, not zero: with out_proj exactly 0 the queries, k and v would get no gradient.
        prompt.attn.out_proj.weight.normal_(0.0, 1e-3)
        prompt.attn.out_proj.bias.zero_()
    return prompt


@dataclass(frozen=True)
class TrainSettings:
    steps: int = 150
    batch_size: int = 16
    learning_rate: float = 2e-3
    weight_decay: float = 0.0
    eval_every: int = 20     # validation accuracy every N steps (0: never, keep the last state)
    patience: int = 5        # stop after this many evaluations without improvement
    seed: int = 0


@dataclass
class TrainHistory:
    losses: list[float] = field(default_factory=list)          # per step, on the step's batch
    validation: list[tuple[int, float]] = field(default_factory=list)  # (step, accuracy)
    best_step: int = 0
    stopped_early: bool = False


def accuracy(logits: torch.Tensor, truth: torch.Tensor) -> float:
    return float((logits.argmax(dim=1) == truth).float().mean()) if truth.numel() else 0.0


@torch.no_grad()
def prompt_logits(classifier: PromptedClassifier, vision: FrozenVision, class_names: list[str],
                  batch: int = 64) -> torch.Tensor:
    """[N, C] logits of a learned prompt over precomputed vision outputs (batched: structured
    prompts run the text tower once per image and class)."""
    if classifier.prompt.config.variant == "coop":
        return classifier.logits_from_vision(vision.features, None, class_names)
    chunks = [classifier.logits_from_vision(vision.features[s:s + batch], vision.hidden[s:s + batch], class_names)
              for s in range(0, len(vision), batch)]
    return torch.cat(chunks)


@torch.no_grad()
def template_logits(clip, tokenizer, vision: FrozenVision, texts: list[str]) -> torch.Tensor:
    """[N, C] logits of hand-written prompts (one text per class) through CLIP's own text path."""
    encoded = tokenizer(texts, padding=True, return_tensors="pt")
    text = F.normalize(clip.get_text_features(input_ids=encoded.input_ids, attention_mask=encoded.attention_mask),
                       dim=-1)
    return clip.logit_scale.exp() * F.normalize(vision.features, dim=-1) @ text.T


def train_prompt(classifier: PromptedClassifier, class_names: list[str], train: FrozenVision,
                 train_truth: torch.Tensor, settings: TrainSettings, validation: FrozenVision | None = None,
                 validation_truth: torch.Tensor | None = None) -> TrainHistory:
    """Trains classifier.prompt in place; with validation, leaves it at its best evaluated state
    (early stopping), else at the last step."""
    prompt = classifier.prompt
    generator = torch.Generator().manual_seed(settings.seed)
    optimizer = torch.optim.AdamW(prompt.parameters(), lr=settings.learning_rate,
                                  weight_decay=settings.weight_decay)
    # Cosine decay as in CoOp: large steps early, a settled prompt at the end.
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: 0.5 * (1 + math.cos(math.pi * min(step, settings.steps) / settings.steps)))
    history = TrainHistory()
    use_validation = validation is not None and settings.eval_every > 0

    def evaluate(step: int) -> float:
        prompt.eval()
        value = accuracy(prompt_logits(classifier, validation, class_names), validation_truth)
        prompt.train()
        history.validation.append((step, value))
        return value

    best_value, best_state, stale = -1.0, None, 0
    if use_validation:
        best_value, best_state = evaluate(0), copy.deepcopy(prompt.state_dict())
    prompt.train()
    order = torch.empty(0, dtype=torch.long)
    for step in range(1, settings.steps + 1):
        if order.numel() < settings.batch_size:   # epochs of the (small) few-shot set, reshuffled
            order = torch.cat([order, torch.randperm(len(train), generator=generator)])
        rows, order = order[:settings.batch_size], order[settings.batch_size:]
        hidden = None if train.hidden is None else train.hidden[rows]
        loss = F.cross_entropy(classifier.logits_from_vision(train.features[rows], hidden, class_names),
                               train_truth[rows])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        history.losses.append(loss.item())
        if use_validation and (step % settings.eval_every == 0 or step == settings.steps):
            value = evaluate(step)
            if value > best_value:
                best_value, best_state, stale, history.best_step = value, copy.deepcopy(prompt.state_dict()), 0, step
            else:
                stale += 1
                if stale >= settings.patience:
                    history.stopped_early = True
                    break
    if use_validation:
        prompt.load_state_dict(best_state)
    else:
        history.best_step = len(history.losses)
    prompt.eval()
    return history
