"""Distil a Chinese language adapter: adapter(BERT(zh)) -> CLIP_text(en), both encoders frozen.

    python -m training.train_language_adapter \\
        --pairs data/en-zh.tsv --bert models/bert-base-chinese --clip models/clip-vit-base-patch32 \\
        --output adapters/zh-v1 --num-layers 2 --adapter-width 256 --num-heads 4 --epochs 20

Input: a UTF-8 TSV of `english<TAB>chinese` pairs, a Hugging Face BERT directory
(model_type bert, with vocab.txt) and a Hugging Face CLIP directory (model_type clip, with
vocab.json/merges.txt). The target of each pair is CLIP's text embedding of the English side
(projection space, not normalised); the student is the adapter applied to BERT's last hidden
states of the Chinese side. The frozen features are computed once (optionally cached on disk
with --feature-cache), so epochs only run the adapter. CPU only.

Output: a checkpoint directory (adapter.json + adapter.safetensors, docs/adapters.md) whose
manifest records the data, seed, versions and the final validation metrics: mean cosine
distance, MSE and zh->en retrieval top-1/top-5 within the validation split.

Run from the repository root; dependencies: training/requirements.txt.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import platform
import time
from pathlib import Path

import numpy
import safetensors
import torch
import transformers

from training.adaptclip_training.checkpoint import WEIGHT_DTYPES
from training.adaptclip_training.distillation import DistillationSettings, distil
from training.adaptclip_training.distillation_metrics import LOSSES
from training.adaptclip_training.frozen_features import (FrozenFeatures, bert_hidden_states, cache_key,
                                                         clip_text_embeddings, load_bert, load_cached, load_clip,
                                                         save_cached)
from training.adaptclip_training.language_adapter import (NORM_POSITIONS, POOLINGS, LanguageAdapterConfig,
                                                         expected_tensor_shapes)
from training.adaptclip_training.language_checkpoint import export_language_checkpoint
from training.adaptclip_training.parallel_text import read_parallel_tsv, split_train_validation

SCRIPT = "training/train_language_adapter.py"  # the source file the manifest's training.script names


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Distil a language adapter mapping a frozen Chinese BERT into a frozen CLIP's "
                    "text-embedding space from parallel English-Chinese text, and export it in the "
                    "AdaptCLIP checkpoint format (docs/adapters.md).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    io = parser.add_argument_group("inputs and output")
    io.add_argument("--pairs", type=Path, required=True, help="UTF-8 TSV, one `english<TAB>chinese` pair per line")
    io.add_argument("--bert", type=Path, required=True, help="Hugging Face BERT directory (frozen)")
    io.add_argument("--clip", type=Path, required=True, help="Hugging Face CLIP directory (frozen)")
    io.add_argument("--output", type=Path, required=True, help="checkpoint directory to create (must not exist)")
    io.add_argument("--name", help="manifest name (default: the output directory's name)")
    io.add_argument("--version", default="1.0.0", help="manifest version")
    io.add_argument("--base-encoder-id", help="base_encoder.id (default: the BERT directory's name)")
    io.add_argument("--clip-id", help="clip.id (default: the CLIP directory's name)")
    io.add_argument("--weights-dtype", choices=sorted(WEIGHT_DTYPES), default="F32", help="stored tensor dtype")
    io.add_argument("--feature-cache", type=Path,
                    help="file to keep the frozen features in between runs (recomputed when inputs change)")

    arch = parser.add_argument_group("adapter architecture")
    arch.add_argument("--adapter-width", type=int, default=256, help="d, width of the adapter layers")
    arch.add_argument("--num-layers", type=int, default=1, help="transformer layers between the projections (>= 0)")
    arch.add_argument("--num-heads", type=int, default=4, help="attention heads (ignored when --num-layers 0)")
    arch.add_argument("--intermediate-size", type=int, help="MLP width (default: 4 x --adapter-width)")
    arch.add_argument("--norm-position", choices=NORM_POSITIONS, default="pre", help="pre-LN or post-LN layers")
    arch.add_argument("--pooling", choices=POOLINGS, default="mean", help="CLS token or masked mean")
    arch.add_argument("--final-layer-norm", action=argparse.BooleanOptionalAction, default=True,
                      help="LayerNorm on the pooled vector before the up-projection")
    arch.add_argument("--layer-norm-eps", type=float, default=1e-5)

    train = parser.add_argument_group("training")
    train.add_argument("--loss", choices=LOSSES, default="cosine")
    train.add_argument("--mse-weight", type=float, default=1.0, help="weight of the MSE term in cosine+mse")
    train.add_argument("--epochs", type=int, default=10)
    train.add_argument("--batch-size", type=int, default=64)
    train.add_argument("--learning-rate", type=float, default=1e-3)
    train.add_argument("--weight-decay", type=float, default=0.01)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--validation-fraction", type=float, default=0.1)
    train.add_argument("--max-length", type=int, default=64, help="BERT truncation length in tokens")
    train.add_argument("--encoder-batch-size", type=int, default=32, help="batch size of the frozen encoders")
    train.add_argument("--cache-dtype", choices=("float32", "float16"), default="float32",
                       help="dtype of the cached BERT hidden states (float16 halves their memory)")
    train.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    arguments = parser.parse_args(argv)
    if arguments.num_layers == 0:
        arguments.num_heads, arguments.intermediate_size = 0, 0
    elif arguments.intermediate_size is None:
        arguments.intermediate_size = 4 * arguments.adapter_width
    if arguments.output.exists() and any(arguments.output.iterdir()):
        parser.error(f"--output {arguments.output} exists and is not empty")
    return arguments


def frozen_features(arguments: argparse.Namespace, english: list[str], chinese: list[str]) -> FrozenFeatures:
    dtype = getattr(torch, arguments.cache_dtype)
    key = cache_key(arguments.pairs, arguments.bert, arguments.clip, arguments.max_length, dtype)
    if arguments.feature_cache and (cached := load_cached(arguments.feature_cache, key)) is not None:
        print(f"frozen features: loaded from {arguments.feature_cache}")
        return cached
    started = time.monotonic()
    bert_tokenizer, bert = load_bert(arguments.bert)
    clip_tokenizer, clip = load_clip(arguments.clip)
    hidden, mask = bert_hidden_states(bert_tokenizer, bert, chinese, arguments.max_length,
                                      arguments.encoder_batch_size, dtype)
    targets = clip_text_embeddings(clip_tokenizer, clip, english, arguments.encoder_batch_size)
    features = FrozenFeatures(hidden, mask, targets)
    print(f"frozen features: {len(chinese)} pairs, hidden {list(hidden.shape)}, targets {list(targets.shape)} "
          f"in {time.monotonic() - started:.1f}s")
    if arguments.feature_cache:
        save_cached(arguments.feature_cache, key, features)
    return features


def main(argv: list[str] | None = None) -> dict:
    arguments = parse_arguments(argv)
    if arguments.threads > 0:
        torch.set_num_threads(arguments.threads)
    pairs = read_parallel_tsv(arguments.pairs)
    train_index, validation_index = split_train_validation(len(pairs), arguments.validation_fraction, arguments.seed)
    features = frozen_features(arguments, [p.english for p in pairs], [p.chinese for p in pairs])

    config = LanguageAdapterConfig(
        input_size=features.hidden.shape[-1], output_size=features.targets.shape[-1],
        adapter_width=arguments.adapter_width, num_layers=arguments.num_layers, num_heads=arguments.num_heads,
        intermediate_size=arguments.intermediate_size, layer_norm_eps=arguments.layer_norm_eps,
        norm_position=arguments.norm_position, pooling=arguments.pooling,
        final_layer_norm=arguments.final_layer_norm)
    settings = DistillationSettings(epochs=arguments.epochs, batch_size=arguments.batch_size,
                                    learning_rate=arguments.learning_rate, weight_decay=arguments.weight_decay,
                                    loss=arguments.loss, mse_weight=arguments.mse_weight, seed=arguments.seed)
    print(f"train {len(train_index)} pairs, validation {len(validation_index)} pairs; "
          f"adapter {sum(math.prod(shape) for shape in expected_tensor_shapes(config).values())} parameters")
    adapter, history = distil(config, features.select(train_index), features.select(validation_index), settings)

    training = {
        "script": SCRIPT,
        "seed": arguments.seed,
        "data": {"file": arguments.pairs.name, "sha256": hashlib.sha256(arguments.pairs.read_bytes()).hexdigest(),
                 "pairs": len(pairs), "train_pairs": len(train_index), "validation_pairs": len(validation_index)},
        "hyperparameters": {"loss": settings.loss, "mse_weight": settings.mse_weight, "epochs": settings.epochs,
                            "batch_size": settings.batch_size, "learning_rate": settings.learning_rate,
                            "weight_decay": settings.weight_decay, "optimizer": "AdamW",
                            "validation_fraction": arguments.validation_fraction,
                            "bert_max_length": arguments.max_length},
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "transformers": transformers.__version__, "safetensors": safetensors.__version__,
                     "numpy": numpy.__version__},
        "validation": {"before": history[0].validation, "after": history[-1].validation},
        "train_loss": {"before": history[0].train_loss, "after": history[-1].train_loss},
    }
    manifest = export_language_checkpoint(
        adapter, arguments.output, name=arguments.name or arguments.output.name, version=arguments.version,
        base_encoder_id=arguments.base_encoder_id or arguments.bert.resolve().name,
        clip_id=arguments.clip_id or arguments.clip.resolve().name, dtype=arguments.weights_dtype,
        training=training)
    print(f"checkpoint written to {arguments.output}")
    print(json.dumps(manifest["training"]["validation"]["after"], indent=2))
    return manifest


if __name__ == "__main__":
    main()
