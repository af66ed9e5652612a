"""Few-shot prompt training: the draw is reproducible and balanced, training starts at the hand
template and lowers the loss, early stopping keeps the best state, and what is exported is what
was trained."""

from __future__ import annotations

import pytest
import torch
from transformers import CLIPModel, CLIPTokenizer

from training.adaptclip_training import load_prompt, validate_prompt
from training.adaptclip_training.few_shot import draw_shots, first_per_class
from training.adaptclip_training.prompt_checkpoint import export_prompt
from training.adaptclip_training.prompt_learner import PromptedClassifier
from training.adaptclip_training.prompt_training import (FrozenVision, PromptShape, TrainSettings, accuracy,
                                                         initial_prompt, prompt_logits, template_logits, train_prompt)
from training.adaptclip_training.world_tasks import TEMPLATE_WORDS, task_names, world_task
from .conftest import ROOT

CLIP_DIR = ROOT / "Tests" / "Fixtures" / "engine" / "tiny-clip"
CLASSES = ["a red shape", "a blue shape", "an orange shape", "two shapes"]
TEMPLATES = [f"a drawing of {c}" for c in CLASSES]


@pytest.fixture(scope="module")
def clip():
    model = CLIPModel.from_pretrained(str(CLIP_DIR), dtype=torch.float32).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model


@pytest.fixture(scope="module")
def tokenizer():
    return CLIPTokenizer.from_pretrained(str(CLIP_DIR))


def random_vision(clip, n: int, seed: int) -> FrozenVision:
    """Stand-in vision outputs (the prompt never looks inside the vision tower)."""
    g = torch.Generator().manual_seed(seed)
    c = clip.config
    tokens = (c.vision_config.image_size // c.vision_config.patch_size) ** 2 + 1
    return FrozenVision(torch.randn(n, c.projection_dim, generator=g),
                        torch.randn(n, tokens, c.vision_config.hidden_size, generator=g))


def learnable_task(clip, per_class: int, seed: int) -> tuple[FrozenVision, torch.Tensor]:
    """Images of class k lie near a class direction: a task a prompt can learn."""
    vision = random_vision(clip, per_class * len(CLASSES), seed)
    truth = torch.arange(len(CLASSES)).repeat_interleave(per_class)
    g = torch.Generator().manual_seed(seed + 100)
    directions = torch.randn(len(CLASSES), clip.config.projection_dim, generator=g)
    vision.features = directions[truth] + 0.3 * vision.features
    return vision, truth


# --- the few-shot draw ---------------------------------------------------------------------

TRUTH = [i % 5 if i % 7 else None for i in range(200)]


def test_the_same_seed_draws_the_same_shots_and_another_seed_others():
    assert draw_shots(TRUTH, 5, 4, seed=3) == draw_shots(TRUTH, 5, 4, seed=3)
    assert draw_shots(TRUTH, 5, 4, seed=3) != draw_shots(TRUTH, 5, 4, seed=4)


@pytest.mark.parametrize("shots", [1, 4, 16])
def test_every_class_gets_exactly_k_distinct_shots_with_its_own_label(shots):
    drawn = draw_shots(TRUTH, 5, shots, seed=0)
    assert len(drawn) == len(set(drawn)) == 5 * shots
    assert [TRUTH[i] for i in drawn] == [c for c in range(5) for _ in range(shots)]


def test_a_class_with_fewer_examples_than_shots_is_refused():
    with pytest.raises(ValueError, match="class 2 has 1 examples, fewer than 2 shots"):
        draw_shots([0, 0, 1, 1, 2], 3, 2, seed=0)


def test_the_validation_subset_is_balanced_and_seed_free():
    chosen = first_per_class(TRUTH, 5, 3)
    assert sorted(TRUTH[i] for i in chosen) == [c for c in range(5) for _ in range(3)]


# --- the world's tasks ------------------------------------------------------------------------

@pytest.mark.parametrize("name", task_names())
def test_template_with_the_class_names_is_the_worlds_english_prompt(name):
    from training.world.prompts import prompts
    task = world_task(name)
    assert task.template_texts == prompts(name, "en")
    assert all(text.startswith(TEMPLATE_WORDS + " ") for text in task.template_texts)


# --- initialisation and training ---------------------------------------------------------------

def test_coop_before_training_scores_exactly_like_the_hand_template(clip, tokenizer):
    prompt = initial_prompt(clip, tokenizer, PromptShape("coop", TEMPLATE_WORDS), seed=0)
    vision = random_vision(clip, 6, seed=1)
    learned = prompt_logits(PromptedClassifier(clip, tokenizer, prompt), vision, CLASSES)
    torch.testing.assert_close(learned, template_logits(clip, tokenizer, vision, TEMPLATES), rtol=0, atol=1e-4)


def test_structured_before_training_starts_next_to_the_hand_template(clip, tokenizer):
    prompt = initial_prompt(clip, tokenizer, PromptShape("structured", TEMPLATE_WORDS, 2, 4), seed=0)
    vision = random_vision(clip, 6, seed=1)
    assert prompt.instance_context(vision.hidden).abs().max() < 0.05  # near-zero instance vectors
    assert torch.equal(prompt.general_ctx, initial_prompt(
        clip, tokenizer, PromptShape("coop", TEMPLATE_WORDS), seed=0).ctx)


@pytest.mark.parametrize("variant", ["coop", "structured"])
def test_a_few_steps_reduce_the_loss(clip, tokenizer, variant):
    train, truth = learnable_task(clip, per_class=4, seed=2)
    classifier = PromptedClassifier(clip, tokenizer, initial_prompt(clip, tokenizer, PromptShape(variant, TEMPLATE_WORDS), 0))
    history = train_prompt(classifier, CLASSES, train, truth,
                           TrainSettings(steps=25, batch_size=8, learning_rate=1e-2, eval_every=0, seed=0))
    first, last = sum(history.losses[:4]) / 4, sum(history.losses[-4:]) / 4
    assert last < 0.8 * first, f"loss {first:.3f} -> {last:.3f}"


def test_early_stopping_leaves_the_prompt_at_its_best_validation_accuracy(clip, tokenizer):
    train, truth = learnable_task(clip, per_class=4, seed=3)
    validation, validation_truth = learnable_task(clip, per_class=5, seed=3)
    classifier = PromptedClassifier(clip, tokenizer, initial_prompt(clip, tokenizer, PromptShape("coop", TEMPLATE_WORDS), 0))
    history = train_prompt(classifier, CLASSES, train, truth,
                           TrainSettings(steps=40, batch_size=8, learning_rate=1e-2, eval_every=5, patience=3),
                           validation, validation_truth)
    best = max(value for _, value in history.validation)
    assert accuracy(prompt_logits(classifier, validation, CLASSES), validation_truth) == best
    assert history.best_step in [step for step, value in history.validation if value == best]


# --- export -> validate -> load ------------------------------------------------------------------

@pytest.mark.parametrize("variant", ["coop", "structured"])
def test_an_exported_trained_prompt_loads_back_as_the_same_module(clip, tokenizer, tmp_path, variant):
    train, truth = learnable_task(clip, per_class=2, seed=4)
    classifier = PromptedClassifier(clip, tokenizer, initial_prompt(clip, tokenizer, PromptShape(variant, TEMPLATE_WORDS), 0))
    train_prompt(classifier, CLASSES, train, truth, TrainSettings(steps=5, batch_size=8, eval_every=0))
    export_prompt(classifier.prompt, tmp_path / "p", name="p", version="1", clip_id="tiny-clip",
                  task={"name": "t", "labels": CLASSES}, training={"steps": 5})
    validate_prompt(tmp_path / "p")
    loaded, manifest = load_prompt(tmp_path / "p")
    assert manifest["architecture"] == classifier.prompt.config.architecture()
    for name, tensor in classifier.prompt.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], tensor), name
    vision = random_vision(clip, 3, seed=5)
    assert torch.equal(prompt_logits(PromptedClassifier(clip, tokenizer, loaded), vision, CLASSES),
                       prompt_logits(classifier, vision, CLASSES))
