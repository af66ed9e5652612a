"""The LanguageAdapter module: tensor names, padding invariance, and the layer math against
PyTorch's own nn.TransformerEncoderLayer (an independent implementation of the same formulas)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from training.adaptclip_training.language_adapter import (AdapterLayer, LanguageAdapter, LanguageAdapterConfig,
                                                          expected_tensor_shapes)


def config(**overrides) -> LanguageAdapterConfig:
    base = dict(input_size=20, output_size=12, adapter_width=16, num_layers=2, num_heads=4,
                intermediate_size=24, layer_norm_eps=1e-5, norm_position="pre", pooling="mean",
                final_layer_norm=True)
    base.update(overrides)
    return LanguageAdapterConfig(**base)


def padded_batch(generator: torch.Generator, lengths: list[int], width: int) -> tuple[torch.Tensor, torch.Tensor]:
    longest = max(lengths)
    hidden = torch.randn(len(lengths), longest, width, generator=generator)
    mask = torch.tensor([[1] * n + [0] * (longest - n) for n in lengths])
    return hidden, mask


@pytest.mark.parametrize("layers,final", [(0, False), (1, True), (2, False)])
def test_state_dict_names_and_shapes_are_the_documented_ones(layers, final):
    c = config(num_layers=layers, num_heads=4 if layers else 0, intermediate_size=24 if layers else 0,
               final_layer_norm=final)
    state = LanguageAdapter(c).state_dict()
    assert {k: list(v.shape) for k, v in state.items()} == expected_tensor_shapes(c)
    assert ("final_layer_norm.weight" in state) == final
    if layers:
        assert list(state["layers.0.self_attn.q_proj.weight"].shape) == [16, 16]
        assert list(state["layers.0.mlp.fc1.weight"].shape) == [24, 16]


@pytest.mark.parametrize("norm_position", ["pre", "post"])
@pytest.mark.parametrize("pooling", ["cls", "mean"])
def test_padding_does_not_change_any_output(norm_position, pooling):
    torch.manual_seed(0)
    adapter = LanguageAdapter(config(norm_position=norm_position, pooling=pooling)).eval()
    generator = torch.Generator().manual_seed(1)
    hidden, mask = padded_batch(generator, [1, 4, 7], 20)
    hidden[mask == 0] = 1e3 * torch.randn(int((mask == 0).sum()), 20, generator=generator)  # loud padding
    with torch.no_grad():
        batched = adapter(hidden, mask)
        for row, n in enumerate([1, 4, 7]):
            alone = adapter(hidden[row:row + 1, :n], mask[row:row + 1, :n])
            assert torch.allclose(alone[0], batched[row], atol=1e-5), (row, (alone[0] - batched[row]).abs().max())


@pytest.mark.parametrize("norm_position", ["pre", "post"])
def test_layer_matches_torch_transformer_encoder_layer(norm_position):
    torch.manual_seed(0)
    c = config(norm_position=norm_position, layer_norm_eps=1e-6)
    ours = AdapterLayer(c).eval()
    with torch.no_grad():                       # non-trivial LayerNorm parameters
        for norm in (ours.layer_norm1, ours.layer_norm2):
            norm.weight.uniform_(0.5, 1.5)
            norm.bias.uniform_(-0.2, 0.2)
    reference = nn.TransformerEncoderLayer(d_model=16, nhead=4, dim_feedforward=24, dropout=0.0,
                                           activation="gelu", layer_norm_eps=1e-6, batch_first=True,
                                           norm_first=norm_position == "pre").eval()
    a = ours.self_attn
    with torch.no_grad():
        reference.self_attn.in_proj_weight.copy_(torch.cat([a.q_proj.weight, a.k_proj.weight, a.v_proj.weight]))
        reference.self_attn.in_proj_bias.copy_(torch.cat([a.q_proj.bias, a.k_proj.bias, a.v_proj.bias]))
        reference.self_attn.out_proj.weight.copy_(a.out_proj.weight)
        reference.self_attn.out_proj.bias.copy_(a.out_proj.bias)
        reference.linear1.load_state_dict(ours.mlp.fc1.state_dict())
        reference.linear2.load_state_dict(ours.mlp.fc2.state_dict())
        reference.norm1.load_state_dict(ours.layer_norm1.state_dict())
        reference.norm2.load_state_dict(ours.layer_norm2.state_dict())
    hidden, mask = padded_batch(torch.Generator().manual_seed(2), [3, 6], 16)
    padding = mask == 0
    with torch.no_grad():
        expected = reference(hidden, src_key_padding_mask=padding)
        actual = ours(hidden, padding)
    real = ~padding
    diff = (expected[real] - actual[real]).abs().max().item()
    assert diff < 1e-5, f"max abs diff {diff}"


def test_mean_pooling_averages_real_tokens_and_cls_takes_the_first():
    c0 = config(num_layers=0, num_heads=0, intermediate_size=0, final_layer_norm=False)
    hidden = torch.randn(1, 3, 20)
    mask = torch.tensor([[1, 1, 0]])
    for pooling, expected_input in (("mean", hidden[0, :2].mean(0)), ("cls", hidden[0, 0])):
        torch.manual_seed(3)
        adapter = LanguageAdapter(LanguageAdapterConfig(**{**c0.__dict__, "pooling": pooling})).eval()
        with torch.no_grad():
            expected = adapter.up_proj(adapter.down_proj(expected_input))
            assert torch.allclose(adapter(hidden, mask)[0], expected, atol=1e-6)


@pytest.mark.parametrize("overrides,message", [
    (dict(num_heads=3), "num_heads"),
    (dict(num_layers=-1), "num_layers"),
    (dict(num_layers=0), "must be 0 when num_layers is 0"),
    (dict(pooling="max"), "pooling"),
    (dict(norm_position="sandwich"), "norm_position"),
    (dict(activation="relu"), "activation"),
    (dict(layer_norm_eps=0.0), "layer_norm_eps"),
    (dict(adapter_width=0), "adapter_width"),
])
def test_config_refuses_inconsistent_architectures(overrides, message):
    with pytest.raises(ValueError, match=message):
        config(**overrides)


def test_forward_refuses_wrong_shapes_and_empty_sequences():
    adapter = LanguageAdapter(config())
    with pytest.raises(ValueError, match=r"hidden must be \[B, T, 20\]"):
        adapter(torch.randn(1, 3, 19), torch.ones(1, 3))
    with pytest.raises(ValueError, match="attention_mask must be"):
        adapter(torch.randn(1, 3, 20), torch.ones(1, 4))
    with pytest.raises(ValueError, match="at least one real token"):
        adapter(torch.randn(2, 3, 20), torch.tensor([[1, 0, 0], [0, 0, 0]]))
