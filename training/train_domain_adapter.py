"""Train a domain adapter on a frozen CLIP from image–caption pairs, or (--full-finetune) fine-tune
the whole CLIP on the same pairs for comparison.

    python -m training.train_domain_adapter --clip models/demo/clip \\
        --train training/out/domain/outline/train --output adapters/outline-v1 \\
        --clip-id adaptclip-demo-clip --vision-layers all --bottleneck 32 --hard-sample-weighting

Input: a Hugging Face CLIP directory (with its tokenizer and preprocessor_config.json) and a world
split (captions.jsonl + images, training/world/README.md; --limit takes its first N pairs).
Training: the symmetric contrastive loss on the English captions (identical captions are each
other's positives), AdamW, linear warm-up then cosine decay, fixed steps, seeded batches.

- default: a DomainAdapter (docs/adapters.md, "Domain adapter") beside the MLPs of the chosen
  layers; CLIP stays frozen; the output is a kind "domain" checkpoint (adapter.json +
  adapter.safetensors) whose manifest records the data, settings, versions and losses.
- --hard-sample-weighting: batches drawn by the memory bank of per-pair difficulty
  (training/adaptclip_training/hard_samples.py has the exact rule) instead of uniform permutations.
- --full-finetune: every CLIP weight is trained (continual fine-tuning; the logit scale stays
  frozen in both modes); the output is an HF CLIP directory (F16 or F32 safetensors, tokenizer
  and preprocessor copied).

Determinism: torch.use_deterministic_algorithms, a fixed thread count (--threads) and seeded
generators: the same command on the same machine gives the same weights.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
from pathlib import Path

import torch
import transformers
from transformers import CLIPImageProcessor, CLIPModel, CLIPTokenizer

from training.adaptclip_training.checkpoint import WEIGHT_DTYPES
from training.adaptclip_training.contrastive_training import ContrastiveSettings, train_contrastive
from training.adaptclip_training.domain_adapter import DomainAdapter, DomainAdapterConfig, DomainSideConfig
from training.adaptclip_training.domain_checkpoint import export_domain_checkpoint
from training.adaptclip_training.hard_samples import HardSampleSettings
from training.adaptclip_training.image_text_pairs import load_pairs

SCRIPT = "training/train_domain_adapter.py"  # the source file the manifest's training.script names


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    io = parser.add_argument_group("inputs and output")
    io.add_argument("--clip", type=Path, required=True, help="Hugging Face CLIP directory")
    io.add_argument("--train", type=Path, required=True, help="world split: captions.jsonl + images")
    io.add_argument("--limit", type=int, help="use the first N pairs of --train")
    io.add_argument("--output", type=Path, required=True, help="directory to create (must be empty)")
    io.add_argument("--name", help="manifest name (default: the output directory's name)")
    io.add_argument("--version", default="1.0.0", help="manifest version")
    io.add_argument("--clip-id", help="clip.id in the manifest (default: the CLIP directory's name)")
    io.add_argument("--weights-dtype", choices=sorted(WEIGHT_DTYPES), default="F16", help="stored tensor dtype")

    arch = parser.add_argument_group("adapter (ignored with --full-finetune)")
    arch.add_argument("--vision-layers", default="all", help="'all', 'none' or comma-separated layer indices")
    arch.add_argument("--text-layers", default="none", help="'all', 'none' or comma-separated layer indices")
    arch.add_argument("--bottleneck", type=int, default=32, help="r, the bottleneck width")
    arch.add_argument("--scale", type=float, default=1.0, help="s, multiplies the bottleneck's output")

    train = parser.add_argument_group("training")
    train.add_argument("--full-finetune", action="store_true",
                       help="train every CLIP weight instead of an adapter (continual fine-tuning)")
    train.add_argument("--steps", type=int, default=300)
    train.add_argument("--batch-size", type=int, default=64)
    train.add_argument("--learning-rate", type=float,
                       help="peak learning rate (default: 1e-3 for an adapter, 5e-5 with --full-finetune)")
    train.add_argument("--weight-decay", type=float, default=0.0)
    train.add_argument("--warmup", type=int, default=20)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--threads", type=int, default=1, help="torch CPU threads")

    hard = parser.add_argument_group("hard-sample weighting")
    hard.add_argument("--hard-sample-weighting", action="store_true",
                      help="sample batches by the memory bank of per-pair difficulty")
    hard.add_argument("--hsw-momentum", type=float, default=0.5, help="m of the EMA b ← m·b + (1 − m)·d")
    hard.add_argument("--hsw-temperature", type=float, default=0.2, help="τ of softmax(b / τ), cosine units")
    hard.add_argument("--hsw-uniform-mix", type=float, default=0.5, help="λ, the uniform share of the weights")
    arguments = parser.parse_args(argv)
    if arguments.learning_rate is None:
        arguments.learning_rate = 5e-5 if arguments.full_finetune else 1e-3
    if arguments.output.exists() and any(arguments.output.iterdir()):
        parser.error(f"--output {arguments.output} exists and is not empty")
    return arguments


def layer_list(spec: str, depth: int, option: str) -> tuple[int, ...]:
    """'all' → every layer, 'none' → (), '0,2' → (0, 2); refuses out-of-range indices."""
    if spec == "all":
        return tuple(range(depth))
    if spec == "none":
        return ()
    try:
        layers = tuple(int(part) for part in spec.split(","))
    except ValueError:
        raise SystemExit(f"{option}: expected 'all', 'none' or comma-separated integers, got {spec!r}") from None
    if any(not 0 <= layer < depth for layer in layers):
        raise SystemExit(f"{option}: layers must be in [0, {depth - 1}], got {spec!r}")
    return layers


def adapter_config(arguments: argparse.Namespace, model: CLIPModel) -> DomainAdapterConfig:
    sides = {}
    for side, spec in (("vision", arguments.vision_layers), ("text", arguments.text_layers)):
        tower = getattr(model.config, f"{side}_config")
        layers = layer_list(spec, tower.num_hidden_layers, f"--{side}-layers")
        if layers:
            sides[side] = DomainSideConfig(layers=layers, width=tower.hidden_size, bottleneck=arguments.bottleneck,
                                           scale=arguments.scale)
    if not sides:
        raise SystemExit("--vision-layers and --text-layers are both 'none': nothing to adapt")
    return DomainAdapterConfig(**sides)


def load_clip(directory: Path) -> tuple[CLIPModel, CLIPTokenizer, CLIPImageProcessor]:
    model = CLIPModel.from_pretrained(str(directory), dtype=torch.float32, attn_implementation="eager")
    return model, CLIPTokenizer.from_pretrained(str(directory)), CLIPImageProcessor.from_pretrained(str(directory))


def training_record(arguments: argparse.Namespace, pairs_count: int, history: dict) -> dict:
    captions = arguments.train / "captions.jsonl"
    losses = history["losses"]
    window = max(1, min(25, len(losses) // 4))
    record = {
        "script": SCRIPT,
        "mode": "full-finetune" if arguments.full_finetune else "adapter",
        "seed": arguments.seed,
        "data": {"split": arguments.train.name, "captions_sha256": hashlib.sha256(captions.read_bytes()).hexdigest(),
                 "pairs": pairs_count},
        "hyperparameters": {"steps": arguments.steps, "batch_size": arguments.batch_size,
                            "learning_rate": arguments.learning_rate, "weight_decay": arguments.weight_decay,
                            "warmup": arguments.warmup, "optimizer": "AdamW", "loss": "symmetric InfoNCE"},
        "hard_sample_weighting": ({"momentum": arguments.hsw_momentum, "temperature": arguments.hsw_temperature,
                                   "uniform_mix": arguments.hsw_uniform_mix}
                                  if arguments.hard_sample_weighting else None),
        "train_loss": {"first": sum(losses[:window]) / window, "last": sum(losses[-window:]) / window},
        "draws": history["draws"],
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "transformers": transformers.__version__},
    }
    if "bank" in history:
        record["bank"] = history["bank"]
    return record


def main(argv: list[str] | None = None) -> dict:
    """Returns {"output": directory, "training": the training record, "history": per-step history}."""
    arguments = parse_arguments(argv)
    torch.manual_seed(arguments.seed)
    torch.set_num_threads(arguments.threads)
    torch.use_deterministic_algorithms(True)

    model, tokenizer, processor = load_clip(arguments.clip)
    pairs = load_pairs(arguments.train, tokenizer, processor, limit=arguments.limit)
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    if arguments.full_finetune:
        adapter = None
        trainable = [p for name, p in model.named_parameters() if name != "logit_scale"]
    else:
        adapter = DomainAdapter(adapter_config(arguments, model))
        adapter.attach(model)
        trainable = list(adapter.parameters())
    for parameter in trainable:
        parameter.requires_grad_(True)
    print(f"{'full fine-tuning' if adapter is None else 'domain adapter'}: {sum(p.numel() for p in trainable)} "
          f"trainable parameters, {len(pairs)} pairs"
          f"{', hard-sample weighting' if arguments.hard_sample_weighting else ''}", flush=True)

    hard = (HardSampleSettings(arguments.hsw_momentum, arguments.hsw_temperature, arguments.hsw_uniform_mix)
            if arguments.hard_sample_weighting else None)
    settings = ContrastiveSettings(steps=arguments.steps, batch_size=arguments.batch_size,
                                   learning_rate=arguments.learning_rate, weight_decay=arguments.weight_decay,
                                   warmup=arguments.warmup, seed=arguments.seed, hard_samples=hard)
    history = train_contrastive(model, trainable, pairs, settings, log=lambda line: print(line, flush=True))
    training = training_record(arguments, len(pairs), history)

    if adapter is None:
        export_full_model(model, tokenizer, processor, arguments, training)
    else:
        adapter.detach()
        export_domain_checkpoint(adapter, arguments.output, name=arguments.name or arguments.output.name,
                                 version=arguments.version, clip_id=arguments.clip_id or arguments.clip.resolve().name,
                                 projection_dim=model.config.projection_dim, dtype=arguments.weights_dtype,
                                 training=training)
    print(f"written to {arguments.output}: train loss {training['train_loss']['first']:.4f} → "
          f"{training['train_loss']['last']:.4f}; pairs drawn {training['draws']['min']}–{training['draws']['max']} "
          f"times ({training['draws']['never']} never)", flush=True)
    return {"output": arguments.output, "training": training, "history": history}


def export_full_model(model: CLIPModel, tokenizer: CLIPTokenizer, processor: CLIPImageProcessor,
                      arguments: argparse.Namespace, training: dict) -> None:
    arguments.output.mkdir(parents=True, exist_ok=True)
    dtype = WEIGHT_DTYPES[arguments.weights_dtype]
    model.to(dtype).save_pretrained(arguments.output, safe_serialization=True)
    model.float()
    tokenizer.save_pretrained(arguments.output)
    processor.save_pretrained(arguments.output)
    (arguments.output / "training_log.json").write_text(json.dumps(training, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
