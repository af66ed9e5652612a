"""Domain-adapter training: the memory bank's update rule, the hard-sample sampler's weights
(deterministic, hard pairs drawn more, nothing starved), the difficulty measure, training that
lowers the loss on the tiny fixture CLIP, and the exported checkpoint loading back."""

from __future__ import annotations

import json

import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from training import train_domain_adapter
from training.adaptclip_training import LoadedCLIP, load_domain_checkpoint
from training.adaptclip_training.contrastive import contrastive_loss, pair_difficulty, same_caption
from training.adaptclip_training.hard_samples import (DifficultyBank, HardSampleSampler, HardSampleSettings,
                                                      UniformSampler, sampling_weights)

SETTINGS = HardSampleSettings(momentum=0.5, temperature=0.05, uniform_mix=0.5)


# ---------------------------------------------------------------- difficulty and loss

def test_difficulty_is_hardest_negative_minus_matched_similarity():
    image = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    text = torch.tensor([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]])
    # similarity rows (image) × columns (text): [[1, .6, 0], [0, .8, 1], [.6, 1, .8]]
    d = pair_difficulty(image, text, ["a", "b", "c"])
    # pair 0: best wrong text .6, best wrong image .6 → .6 − 1; pair 1: max(1, 1) − .8; pair 2: max(1, 1) − .8
    assert torch.allclose(d, torch.tensor([-0.4, 0.2, 0.2]))


def test_identical_captions_are_not_negatives():
    image = F.normalize(torch.tensor([[1.0, 0.1], [1.0, 0.0], [0.0, 1.0]]), dim=-1)
    text = F.normalize(torch.tensor([[1.0, 0.0], [1.0, 0.1], [0.0, 1.0]]), dim=-1)
    d = pair_difficulty(image, text, ["red circle", "red circle", "blue star"])
    assert (d[:2] < -0.5).all()  # the other "red circle" is not a wrong answer
    assert same_caption(["x", "y", "x"]).tolist() == [[True, False, True], [False, True, False], [True, False, True]]
    assert pair_difficulty(image, text, ["same"] * 3).tolist() == [-2.0] * 3


def test_loss_is_lower_for_matched_features_and_soft_for_duplicates():
    text = F.normalize(torch.randn(4, 8, generator=torch.Generator().manual_seed(0)), dim=-1)
    matched = contrastive_loss(text, text, 20.0, ["a", "b", "c", "d"])
    shuffled = contrastive_loss(text[[1, 2, 3, 0]], text, 20.0, ["a", "b", "c", "d"])
    assert matched < shuffled
    # Two copies of one pair under one caption: targets are (½, ½), the logits tie, and the loss is
    # the targets' entropy log 2 — its minimum, so duplicates are never pushed apart.
    twins = torch.cat([text[:1], text[:1]])
    assert contrastive_loss(twins, twins, 20.0, ["a", "a"]).item() == pytest.approx(0.693147, abs=1e-5)


# ---------------------------------------------------------------- memory bank

def test_bank_update_is_an_exponential_moving_average_of_what_was_seen():
    bank = DifficultyBank(4, momentum=0.75)
    bank.initialise(torch.arange(4), torch.tensor([0.0, 0.4, -0.4, 1.0]))
    bank.update(torch.tensor([1, 3]), torch.tensor([0.8, -1.0]))
    assert torch.allclose(bank.values, torch.tensor([0.0, 0.75 * 0.4 + 0.25 * 0.8, -0.4, 0.75 * 1.0 - 0.25]))
    assert bank.seen.tolist() == [0, 1, 0, 1]
    bank.update(torch.tensor([1]), torch.tensor([0.8]))
    assert bank.values[1].item() == pytest.approx(0.75 * (0.75 * 0.4 + 0.25 * 0.8) + 0.25 * 0.8)


@pytest.mark.parametrize("kwargs", [dict(momentum=1.0), dict(temperature=0.0), dict(uniform_mix=0.0)])
def test_settings_refuse_values_that_break_the_rule(kwargs):
    with pytest.raises(ValueError):
        HardSampleSettings(**kwargs)


# ---------------------------------------------------------------- sampler

def test_weights_are_a_distribution_that_grows_with_difficulty_with_a_uniform_floor():
    bank = torch.linspace(-1.0, 0.5, 100)
    weights = sampling_weights(bank, SETTINGS)
    assert weights.sum().item() == pytest.approx(1.0, abs=1e-6)
    assert (weights[1:] >= weights[:-1]).all()
    assert weights.min().item() >= SETTINGS.uniform_mix / 100 - 1e-9
    assert weights[-1] > 10 * weights[0]


def _draw_counts(seed: int, steps: int = 400) -> tuple[torch.Tensor, HardSampleSampler]:
    sampler = HardSampleSampler(200, 16, SETTINGS, torch.Generator().manual_seed(seed))
    difficulty = torch.full((200,), -0.5)
    difficulty[:20] = 0.1  # the first 20 pairs stay hard
    sampler.bank.initialise(torch.arange(200), difficulty)
    counts = torch.zeros(200, dtype=torch.int64)
    for _ in range(steps):
        batch = sampler.next()
        assert len(set(batch.tolist())) == 16  # distinct pairs: none is its own negative
        counts[batch] += 1
        sampler.observe(batch, difficulty[batch])
    return counts, sampler


def test_sampler_is_deterministic_draws_hard_pairs_more_and_starves_none():
    counts, sampler = _draw_counts(seed=3)
    again, _ = _draw_counts(seed=3)
    assert torch.equal(counts, again)
    assert not torch.equal(counts, _draw_counts(seed=4)[0])
    hard, easy = counts[:20].float().mean(), counts[20:].float().mean()
    assert hard > 5 * easy
    # 6,400 draws: the floor λ/N alone gives every pair ≥ 16 expected draws.
    assert counts.min() >= 5
    assert sampler.weights().min() * 200 >= SETTINGS.uniform_mix - 1e-6


def test_uniform_sampler_walks_epochs():
    sampler = UniformSampler(10, 5, torch.Generator().manual_seed(0))
    first_epoch = torch.cat([sampler.next(), sampler.next()])
    assert sorted(first_epoch.tolist()) == list(range(10))
    with pytest.raises(ValueError):
        UniformSampler(3, 4, torch.Generator())


# ---------------------------------------------------------------- training end to end

@pytest.fixture(scope="module")
def clip_dir(tiny_clip_dir):
    """The conftest tiny CLIP with a preprocessor config at its 16×16 input size."""
    from transformers import CLIPImageProcessor
    CLIPImageProcessor(size={"shortest_edge": 16}, crop_size={"height": 16, "width": 16}).save_pretrained(tiny_clip_dir)
    return tiny_clip_dir


@pytest.fixture(scope="module")
def colour_pairs(tmp_path_factory):
    """48 learnable pairs: a plain colour image captioned with its colour word, 6 colours × 8 noisy copies."""
    folder = tmp_path_factory.mktemp("pairs")
    colours = {"red": (220, 30, 30), "green": (30, 200, 40), "blue": (30, 40, 220), "yellow": (230, 220, 30),
               "black": (10, 10, 10), "white": (245, 245, 245)}
    generator = torch.Generator().manual_seed(0)
    lines = []
    for k in range(8):
        for name, rgb in colours.items():
            noise = torch.randint(-20, 21, (16, 16, 3), generator=generator)
            pixels = (torch.tensor(rgb) + noise).clamp(0, 255).to(torch.uint8).numpy()
            file = f"{name}-{k}.png"
            Image.fromarray(pixels).save(folder / file)
            lines.append(json.dumps({"file": file, "en": name, "zh": name, "labels": {"colour": name}}))
    (folder / "captions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("extra", [[], ["--hard-sample-weighting"]], ids=["uniform", "hard-sample-weighting"])
def test_adapter_training_lowers_the_loss_and_round_trips(clip_dir, colour_pairs, tmp_path, extra):
    from transformers import CLIPModel
    output = tmp_path / "adapter"
    result = train_domain_adapter.main([
        "--clip", str(clip_dir), "--train", str(colour_pairs), "--output", str(output), "--clip-id", "tiny",
        "--text-layers", "1", "--bottleneck", "8", "--steps", "60", "--batch-size", "12", "--learning-rate", "1e-2",
        "--warmup", "5", "--weights-dtype", "F32", "--seed", "1", *extra])
    losses = result["history"]["losses"]
    assert sum(losses[-10:]) / 10 < 0.8 * sum(losses[:10]) / 10, (losses[:10], losses[-10:])
    assert result["training"]["mode"] == "adapter"
    assert (result["training"]["hard_sample_weighting"] is not None) == bool(extra)

    clip = CLIPModel.from_pretrained(clip_dir, attn_implementation="eager").eval()
    adapter, manifest = load_domain_checkpoint(output, LoadedCLIP.of(clip, "tiny"))
    assert manifest["architecture"]["vision"]["layers"] == [0] and manifest["architecture"]["text"]["layers"] == [1]
    assert manifest["training"]["train_loss"]["last"] < manifest["training"]["train_loss"]["first"]
    # The exported adapter is the trained one: it changes CLIP's outputs (an untrained one would not).
    pixels = torch.randn(2, 3, 16, 16, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        plain = clip.get_image_features(pixel_values=pixels)
        with adapter.attached(clip):
            adapted = clip.get_image_features(pixel_values=pixels)
    assert (plain - adapted).abs().max() > 1e-3


def test_full_finetune_trains_every_weight_but_the_logit_scale(clip_dir, colour_pairs, tmp_path):
    from transformers import CLIPModel
    output = tmp_path / "full"
    result = train_domain_adapter.main([
        "--clip", str(clip_dir), "--train", str(colour_pairs), "--output", str(output), "--full-finetune",
        "--steps", "30", "--batch-size", "12", "--learning-rate", "1e-3", "--warmup", "3", "--weights-dtype", "F32"])
    assert result["training"]["mode"] == "full-finetune"
    before = CLIPModel.from_pretrained(clip_dir).state_dict()
    after = CLIPModel.from_pretrained(output).state_dict()
    assert torch.equal(before["logit_scale"], after["logit_scale"])
    changed = [k for k in before if k != "logit_scale" and not torch.equal(before[k], after[k])]
    assert "vision_model.encoder.layers.0.mlp.fc1.weight" in changed and "text_projection.weight" in changed
    assert (output / "tokenizer_config.json").is_file() and (output / "preprocessor_config.json").is_file()


def test_training_refuses_a_non_empty_output_and_bad_layer_lists(clip_dir, colour_pairs, tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "file").write_text("x")
    with pytest.raises(SystemExit):
        train_domain_adapter.main(["--clip", str(clip_dir), "--train", str(colour_pairs),
                                   "--output", str(tmp_path / "taken")])
    with pytest.raises(SystemExit, match="--vision-layers: layers must be in"):
        train_domain_adapter.main(["--clip", str(clip_dir), "--train", str(colour_pairs),
                                   "--output", str(tmp_path / "new"), "--vision-layers", "5"])
