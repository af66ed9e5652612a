"""The learned-prompt modules against transformers: the prompted text encoder is CLIP's own
text tower, the visual-guided attention is multi-head attention, the sequences are in order."""

from __future__ import annotations

import pytest
import torch
from transformers import CLIPModel, CLIPTokenizerFast

from training.adaptclip_training import PromptConfig, PromptedClassifier, PromptLearner
from training.adaptclip_training.prompt_learner import VisualGuidedAttention
from .conftest import ROOT

CLIP_DIR = ROOT / "Tests" / "Fixtures" / "engine" / "tiny-clip"


@pytest.fixture(scope="module")
def clip():
    return CLIPModel.from_pretrained(str(CLIP_DIR), dtype=torch.float32).eval()


@pytest.fixture(scope="module")
def tokenizer():
    return CLIPTokenizerFast.from_pretrained(str(CLIP_DIR))


def coop(clip, n_ctx=4):
    c = clip.config
    return PromptLearner(PromptConfig("coop", c.text_config.hidden_size, c.vision_config.hidden_size,
                                      c.projection_dim, n_ctx=n_ctx)).eval()


def structured(clip, n_general=3, n_instance=2, heads=4):
    c = clip.config
    return PromptLearner(PromptConfig("structured", c.text_config.hidden_size, c.vision_config.hidden_size,
                                      c.projection_dim, n_general=n_general, n_instance=n_instance,
                                      num_heads=heads)).eval()


def embeddings_of(clip, tokenizer, text):
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    return clip.text_model.embeddings.token_embedding(torch.tensor(ids)).detach()


LABELS = ["cat", "dog", "red circle", "a rather long class name with many words"]


# Equal up to float summation order (the batch is padded; transformers runs one text): 1e-5 on
# values of order 0.1, far below any difference a wrong position or a missing token would make.
def test_coop_with_the_embeddings_of_a_hand_template_is_that_template(clip, tokenizer):
    template = embeddings_of(clip, tokenizer, "a photo of a")
    prompt = coop(clip, n_ctx=template.shape[0])
    with torch.no_grad():
        prompt.ctx.copy_(template)
        features = PromptedClassifier(clip, tokenizer, prompt).text_features(LABELS)
        for label, row in zip(LABELS, features):
            ids = tokenizer(f"a photo of a {label}.", return_tensors="pt")["input_ids"]
            expected = clip.get_text_features(input_ids=ids)[0]
            torch.testing.assert_close(row, expected, rtol=0, atol=1e-5)


def test_structured_sequence_is_general_then_class_then_instance_then_suffix(clip, tokenizer):
    general = embeddings_of(clip, tokenizer, "a photo of")
    instance = embeddings_of(clip, tokenizer, "on grass")
    prompt = structured(clip, n_general=general.shape[0], n_instance=instance.shape[0])
    with torch.no_grad():
        prompt.general_ctx.copy_(general)
        prompt.instance_context = lambda vision: instance.expand(vision.shape[0], -1, -1)
        features = PromptedClassifier(clip, tokenizer, prompt).text_features(LABELS, torch.zeros(1, 10, 64))
        for label, row in zip(LABELS, features[0]):
            ids = tokenizer(f"a photo of {label} on grass.", return_tensors="pt")["input_ids"]
            torch.testing.assert_close(row, clip.get_text_features(input_ids=ids)[0], rtol=0, atol=1e-5)


def test_visual_guided_attention_is_multi_head_attention_with_learned_queries():
    torch.manual_seed(1)
    attention = VisualGuidedAttention(vision_width=24, text_width=32, num_heads=4, eps=1e-5).eval()
    queries, vision = torch.randn(3, 32), torch.randn(2, 7, 24)
    reference = torch.nn.MultiheadAttention(32, 4, kdim=24, vdim=24, batch_first=True).eval()
    with torch.no_grad():
        reference.q_proj_weight.copy_(torch.eye(32))
        reference.k_proj_weight.copy_(attention.k_proj.weight)
        reference.v_proj_weight.copy_(attention.v_proj.weight)
        reference.in_proj_bias.copy_(torch.cat([torch.zeros(32), attention.k_proj.bias, attention.v_proj.bias]))
        reference.out_proj.weight.copy_(attention.out_proj.weight)
        reference.out_proj.bias.copy_(attention.out_proj.bias)
        z = attention.layer_norm(vision)
        expected, _ = reference(queries.expand(2, -1, -1), z, z, need_weights=False)
        torch.testing.assert_close(attention(queries, vision), expected, rtol=1e-5, atol=1e-6)


def test_structured_text_features_depend_on_the_image(clip, tokenizer):
    torch.manual_seed(2)
    prompt = structured(clip)
    with torch.no_grad():
        features = PromptedClassifier(clip, tokenizer, prompt).text_features(["cat"], torch.randn(2, 10, 64))
    assert features.shape == (2, 1, clip.config.projection_dim)
    assert (features[0] - features[1]).abs().max() > 1e-3


def test_batched_sequences_equal_one_at_a_time(clip, tokenizer):
    torch.manual_seed(3)
    classifier = PromptedClassifier(clip, tokenizer, coop(clip))
    with torch.no_grad():
        together = classifier.text_features(LABELS)
        alone = torch.cat([classifier.text_features([label]) for label in LABELS])
    torch.testing.assert_close(together, alone, rtol=0, atol=1e-5)


def test_a_sequence_longer_than_the_position_table_is_refused(clip, tokenizer):
    classifier = PromptedClassifier(clip, tokenizer, coop(clip, n_ctx=70))
    with pytest.raises(ValueError, match="max_position_embeddings"):
        classifier.text_features(["a long class name of many words"])


def test_logits_are_scaled_cosines(clip, tokenizer):
    torch.manual_seed(4)
    classifier = PromptedClassifier(clip, tokenizer, structured(clip))
    pixels = torch.randn(2, 3, 48, 48)
    with torch.no_grad():
        logits = classifier.logits(pixels, LABELS[:3])
    assert logits.shape == (2, 3)
    assert logits.abs().max() <= clip.logit_scale.exp() + 1e-4


@pytest.mark.parametrize("bad", [dict(n_ctx=0), dict(n_ctx=2, num_heads=2)])
def test_coop_configuration_is_checked(bad):
    with pytest.raises(ValueError):
        PromptConfig("coop", 64, 64, 32, **bad)


def test_structured_heads_must_divide_the_text_width():
    with pytest.raises(ValueError, match="divide"):
        PromptConfig("structured", 64, 64, 32, n_general=2, n_instance=2, num_heads=5)
