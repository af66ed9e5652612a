"""Domain adapters: the hooked module against hand-written math, identity at zero init,
checkpoint export -> load round trip, and the documented refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from training.adaptclip_training import (CheckpointError, DomainAdapter, DomainAdapterConfig, DomainSideConfig,
                                         LoadedCLIP, export_domain_checkpoint, load_domain_checkpoint,
                                         validate_domain_checkpoint)
from training.adaptclip_training.checkpoint import sha256_of_file
from training.adaptclip_training.domain_adapter import expected_tensor_shapes
from .conftest import ROOT

# conftest's tiny CLIP: vision width 32 with 1 layer, text width 32 with 2 layers, projection 24.
BOTH = DomainAdapterConfig(vision=DomainSideConfig(layers=(0,), width=32, bottleneck=4, scale=0.5),
                           text=DomainSideConfig(layers=(1, 0), width=32, bottleneck=6, scale=2.0))
LOADED = LoadedCLIP("tiny", 24, 32, 1, 32, 2)


@pytest.fixture(scope="module")
def clip(tiny_clip_dir):
    from transformers import CLIPModel
    return CLIPModel.from_pretrained(tiny_clip_dir, attn_implementation="eager").eval()


def randomised(config: DomainAdapterConfig, seed: int = 0) -> DomainAdapter:
    """An adapter with non-zero `up` (a trained one), so that it changes the outputs."""
    torch.manual_seed(seed)
    adapter = DomainAdapter(config).eval()
    with torch.no_grad():
        for p in adapter.parameters():
            p.copy_(0.3 * torch.randn_like(p))
    return adapter


def inputs(seed: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    pixels = torch.randn(3, 3, 16, 16, generator=generator)
    ids = torch.tensor([[512, 40, 41, 42, 513], [512, 7, 8, 513, 513]])
    return pixels, ids


def features(clip, pixels, ids) -> tuple[torch.Tensor, torch.Tensor]:
    with torch.no_grad():
        return clip.get_image_features(pixel_values=pixels), clip.get_text_features(input_ids=ids)


def test_state_dict_names_and_shapes_are_the_documented_ones():
    state = DomainAdapter(BOTH).state_dict()
    assert {k: list(v.shape) for k, v in state.items()} == expected_tensor_shapes(BOTH)
    assert sorted(state) == sorted(
        [f"vision.layers.0.{p}" for p in ("down.weight", "down.bias", "up.weight", "up.bias")]
        + [f"text.layers.{l}.{p}" for l in (0, 1) for p in ("down.weight", "down.bias", "up.weight", "up.bias")])
    assert list(state["text.layers.1.down.weight"].shape) == [6, 32]
    assert list(state["text.layers.1.up.weight"].shape) == [32, 6]


def test_a_fresh_adapter_is_exactly_the_frozen_model(clip):
    pixels, ids = inputs()
    plain_image, plain_text = features(clip, pixels, ids)
    with DomainAdapter(BOTH).attached(clip):
        image, text = features(clip, pixels, ids)
    assert torch.equal(image, plain_image) and torch.equal(text, plain_text)


def test_attached_adapter_changes_the_outputs_and_detach_restores_them(clip):
    pixels, ids = inputs()
    plain_image, plain_text = features(clip, pixels, ids)
    with randomised(BOTH).attached(clip):
        image, text = features(clip, pixels, ids)
    assert (image - plain_image).abs().max() > 1e-2 and (text - plain_text).abs().max() > 1e-2
    again_image, again_text = features(clip, pixels, ids)
    assert torch.equal(again_image, plain_image) and torch.equal(again_text, plain_text)


def test_vision_only_adapter_leaves_text_alone(clip):
    pixels, ids = inputs()
    plain_image, plain_text = features(clip, pixels, ids)
    with randomised(DomainAdapterConfig(vision=BOTH.vision)).attached(clip):
        image, text = features(clip, pixels, ids)
    assert torch.equal(text, plain_text) and not torch.equal(image, plain_image)


def test_hooked_layer_equals_the_hand_written_formula(clip):
    """out = h + mlp(u) + scale * up(relu(down(u))), h = x + attn(ln1(x)), u = ln2(h)."""
    adapter = randomised(BOTH)
    layer = clip.text_model.encoder.layers[1]
    x = torch.randn(2, 5, 32, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        h = x + layer.self_attn(layer.layer_norm1(x), attention_mask=None)[0]
        u = layer.layer_norm2(h)
        mlp = layer.mlp.fc2(layer.mlp.activation_fn(layer.mlp.fc1(u)))
        b = adapter.text.layers["1"]
        branch = torch.relu(u @ b.down.weight.T + b.down.bias) @ b.up.weight.T + b.up.bias
        expected = h + mlp + 2.0 * branch
        with adapter.attached(clip):
            actual = layer(x, attention_mask=None, causal_attention_mask=None)
            actual = actual[0] if isinstance(actual, tuple) else actual
    assert torch.allclose(actual, expected, atol=1e-6), (actual - expected).abs().max()


def test_attach_refuses_a_model_it_does_not_fit(clip):
    wide = DomainAdapterConfig(vision=DomainSideConfig(layers=(0,), width=48, bottleneck=4, scale=1.0))
    with pytest.raises(ValueError, match="hidden_size 32"):
        DomainAdapter(wide).attach(clip)
    deep = DomainAdapterConfig(text=DomainSideConfig(layers=(2,), width=32, bottleneck=4, scale=1.0))
    with pytest.raises(ValueError, match="out of range"):
        DomainAdapter(deep).attach(clip)


def test_side_config_refuses_bad_layers():
    for layers in ((), (-1,), (1, 1)):
        with pytest.raises(ValueError):
            DomainSideConfig(layers=layers, width=32, bottleneck=4, scale=1.0)
    with pytest.raises(ValueError):
        DomainAdapterConfig()


def exported(directory: Path, dtype: str = "F32") -> tuple[DomainAdapter, dict]:
    adapter = randomised(BOTH)
    manifest = export_domain_checkpoint(adapter, directory, name="unit", version="0.1.0", clip_id="tiny",
                                        projection_dim=24, dtype=dtype, training={"script": "test"})
    return adapter, manifest


def test_export_then_load_gives_the_same_outputs(tmp_path, clip):
    adapter, manifest = exported(tmp_path / "ckpt")
    loaded, loaded_manifest = load_domain_checkpoint(tmp_path / "ckpt", LOADED)
    assert loaded_manifest == manifest == json.loads((tmp_path / "ckpt" / "adapter.json").read_text())
    pixels, ids = inputs()
    with adapter.attached(clip):
        expected = features(clip, pixels, ids)
    with loaded.attached(clip):
        actual = features(clip, pixels, ids)
    assert torch.equal(expected[0], actual[0]) and torch.equal(expected[1], actual[1])


def test_manifest_records_the_architecture_and_the_weights_hash(tmp_path):
    _, manifest = exported(tmp_path / "ckpt", dtype="F16")
    assert manifest["kind"] == "domain" and manifest["format_version"] == 1
    assert manifest["clip"] == {"id": "tiny", "projection_dim": 24}
    assert manifest["architecture"] == {
        "adapter": "parallel-bottleneck", "activation": "relu",
        "vision": {"layers": [0], "width": 32, "bottleneck": 4, "scale": 0.5},
        "text": {"layers": [0, 1], "width": 32, "bottleneck": 6, "scale": 2.0}}
    assert manifest["weights"] == {"file": "adapter.safetensors", "dtype": "F16",
                                   "sha256": sha256_of_file(tmp_path / "ckpt" / "adapter.safetensors")}
    loaded, _ = load_domain_checkpoint(tmp_path / "ckpt")
    for name, value in randomised(BOTH).state_dict().items():
        assert torch.equal(loaded.state_dict()[name], value.half().float()), name


def _edit(edit):
    def apply(directory: Path) -> None:
        manifest = json.loads((directory / "adapter.json").read_text())
        edit(manifest)
        (directory / "adapter.json").write_text(json.dumps(manifest))
    return apply


def _arch(key, value):
    return _edit(lambda m: m["architecture"].__setitem__(key, value))


def _side(side, key, value):
    return _edit(lambda m: m["architecture"][side].__setitem__(key, value))


def _drop_tensor(directory: Path) -> None:
    from safetensors.torch import load_file, save_file
    tensors = load_file(directory / "adapter.safetensors")
    del tensors["text.layers.1.up.bias"]
    save_file(tensors, directory / "adapter.safetensors")
    _edit(lambda m: m["weights"].__setitem__("sha256", sha256_of_file(directory / "adapter.safetensors")))(directory)


REFUSALS = [
    ("format_version", _edit(lambda m: m.__setitem__("format_version", 2)), "unsupported value 2"),
    ("kind", _edit(lambda m: m.__setitem__("kind", "language")), "\"language\" is not a domain adapter"),
    ("kind", _edit(lambda m: m.__setitem__("kind", "style")), "unknown kind \"style\" (expected \"domain\")"),
    ("language", _edit(lambda m: m.__setitem__("language", "zh")), "unknown field"),
    ("clip.projection_dim", _edit(lambda m: m["clip"].__setitem__("projection_dim", 0)), "integer > 0"),
    ("architecture.adapter", _arch("adapter", "lora"), "unknown value \"lora\" (one of parallel-bottleneck)"),
    ("architecture.activation", _edit(lambda m: m["architecture"].pop("activation")), "missing"),
    ("architecture.audio", _arch("audio", {}), "unknown field"),
    ("architecture", _edit(lambda m: [m["architecture"].pop(s) for s in ("vision", "text")]),
     "needs at least one of \"vision\", \"text\""),
    ("architecture.text.layers", _side("text", "layers", []), "non-empty list of integers >= 0, got []"),
    ("architecture.text.layers", _side("text", "layers", [0, 1, 0]), "layer 0 is listed twice"),
    ("architecture.text.layers", _side("text", "layers", [0, True]), "non-empty list"),
    ("architecture.vision.bottleneck", _side("vision", "bottleneck", 4.0), "integer > 0, got 4.0"),
    ("architecture.vision.scale", _side("vision", "scale", "1"), "finite number, got \"1\""),
    ("architecture.vision.rank", _side("vision", "rank", 4), "unknown field"),
    ("weights.sha256", _edit(lambda m: m["weights"].__setitem__("sha256", "0" * 64)), "does not match"),
    ("tensor text.layers.1.up.bias", _drop_tensor, "missing (architecture needs it, shape [32])"),
    ("tensor text.layers.0.down.bias", _side("text", "bottleneck", 5), "shape [6] differs from [5]"),
    ("tensor text.layers.1.down.bias", _side("text", "layers", [0]), "unexpected"),
]


@pytest.mark.parametrize("field,breaks,detail", REFUSALS, ids=[f"{r[0]}-{i}" for i, r in enumerate(REFUSALS)])
def test_refusals_name_the_field(tmp_path, field, breaks, detail):
    exported(tmp_path / "ckpt")
    breaks(tmp_path / "ckpt")
    with pytest.raises(CheckpointError) as caught:
        validate_domain_checkpoint(tmp_path / "ckpt")
    assert (caught.value.file, caught.value.field) == (
        "adapter.safetensors" if field.startswith("tensor") else "adapter.json", field)
    assert detail in caught.value.detail


@pytest.mark.parametrize("loaded,field,detail", [
    (LoadedCLIP("other", 24, 32, 1, 32, 2), "clip.id", "\"tiny\" does not match the loaded CLIP model's id (\"other\")"),
    (LoadedCLIP("tiny", 24, 64, 1, 32, 2), "architecture.vision.width",
     "32 does not match the loaded CLIP model's vision hidden_size (64)"),
    (LoadedCLIP("tiny", 24, 32, 1, 32, 1), "architecture.text.layers",
     "layer 1 is out of range for the loaded CLIP model's text encoder (1 layers)"),
])
def test_refusals_against_the_loaded_clip(tmp_path, loaded, field, detail):
    exported(tmp_path / "ckpt")
    with pytest.raises(CheckpointError) as caught:
        validate_domain_checkpoint(tmp_path / "ckpt", loaded)
    assert caught.value.field == field and caught.value.detail == detail


def test_loaded_clip_reads_a_transformers_model(clip):
    assert LoadedCLIP.of(clip, "tiny") == LOADED


def test_every_broken_domain_fixture_is_refused_for_its_recorded_reason():
    root = ROOT / "Tests" / "Fixtures" / "domain-adapter" / "broken"
    summary = json.loads((root / "cases.json").read_text())
    loaded = LoadedCLIP(**summary["loaded_clip"])
    assert len(summary["cases"]) >= 10
    for case in summary["cases"]:
        with pytest.raises(CheckpointError) as caught:
            validate_domain_checkpoint(root / case["directory"], loaded)
        assert str(caught.value) == case["message"], case["directory"]
