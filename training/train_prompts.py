"""Few-shot prompt learning (CoOp or structured) on a frozen CLIP for one demo-world task.

    python -m training.train_prompts --clip training/out/demo/clip --world training/out/world \\
        --task shape --variant structured --shots 4 --seed 0 --output training/out/prompts/shape-s4 \\
        --threads 1

K shots per class are drawn (seeded, class-balanced) from the world's train split; a fixed
balanced subset of the validation split (--validation-per-class per class) picks the best step
(early stopping); accuracy is measured on the whole test split, for the learned prompt and for
the hand template "a drawing of {class}" it started from. The prompt is exported as a kind
"prompt" checkpoint (docs/adapters.md) whose manifest `training` section records the script,
seed, shots, task, steps, versions and these accuracies. CPU only.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy
import safetensors
import torch
import transformers
from transformers import CLIPImageProcessor, CLIPModel, CLIPTokenizer

from training.adaptclip_training.checkpoint import WEIGHT_DTYPES
from training.adaptclip_training.few_shot import draw_shots, first_per_class
from training.adaptclip_training.prompt_checkpoint import export_prompt
from training.adaptclip_training.prompt_learner import VARIANTS, PromptedClassifier
from training.adaptclip_training.prompt_training import (PromptShape, TrainSettings, accuracy, initial_prompt,
                                                         prompt_logits, template_logits, train_prompt)
from training.adaptclip_training.world_tasks import (TEMPLATE, TEMPLATE_WORDS, WorldSplit, WorldTask, task_names,
                                                     world_task)

SCRIPT = "training/train_prompts.py"  # the source file the manifest's training.script names


class FrozenCLIP:
    """The frozen CLIP, its tokenizer and the world's splits encoded through it (lazily, once)."""

    def __init__(self, clip_dir: Path, world: Path, test_limit: int | None = None) -> None:
        self.directory = Path(clip_dir)
        self.clip = CLIPModel.from_pretrained(str(clip_dir), dtype=torch.float32).eval()
        for p in self.clip.parameters():
            p.requires_grad_(False)
        self.tokenizer = CLIPTokenizer.from_pretrained(str(clip_dir))
        processor = CLIPImageProcessor.from_pretrained(str(clip_dir))
        self.splits = {name: WorldSplit(Path(world) / name, self.clip, processor)
                       for name in ("train", "validation", "test")}
        self.test_limit = test_limit

    def labelled(self, split: str, task: WorldTask) -> tuple[list[int], torch.Tensor]:
        """Indices with a single answer for `task`, and their classes."""
        truth = task.truth(self.splits[split].records)
        keep = [i for i, t in enumerate(truth) if t is not None]
        if split == "test" and self.test_limit:
            keep = keep[:self.test_limit]
        return keep, torch.tensor([truth[i] for i in keep], dtype=torch.long)


def run(frozen: FrozenCLIP, task: WorldTask, variant: str, shots: int, seed: int, settings: TrainSettings,
        shape: PromptShape, validation_per_class: int) -> tuple[PromptedClassifier, dict]:
    """One few-shot run: draw, train, evaluate. Returns the trained classifier and its record."""
    started = time.monotonic()
    structured = variant == "structured"
    train_split = frozen.splits["train"]
    drawn = draw_shots(task.truth(train_split.records), len(task.labels), shots, seed)
    train_truth = torch.tensor(task.truth([train_split.records[i] for i in drawn]), dtype=torch.long)
    train = train_split.vision(drawn, structured)

    validation_split = frozen.splits["validation"]
    validation_truth_all = task.truth(validation_split.records)
    validation_index = first_per_class(validation_truth_all, len(task.labels), validation_per_class)
    validation = validation_split.vision(validation_index, structured) if validation_index else None
    validation_truth = torch.tensor([validation_truth_all[i] for i in validation_index], dtype=torch.long)

    test_index, test_truth = frozen.labelled("test", task)
    test = frozen.splits["test"].vision(test_index, structured)

    prompt = initial_prompt(frozen.clip, frozen.tokenizer, shape, seed)
    classifier = PromptedClassifier(frozen.clip, frozen.tokenizer, prompt)
    history = train_prompt(classifier, task.class_names, train, train_truth, settings,
                           validation if validation_per_class > 0 else None, validation_truth)
    record = {
        "task": task.name, "variant": variant, "shots": shots, "seed": seed,
        "train_images": len(drawn), "validation_images": len(validation_index), "test_images": len(test_index),
        "steps_run": len(history.losses), "best_step": history.best_step, "stopped_early": history.stopped_early,
        "train_loss": {"first": history.losses[0], "last": history.losses[-1]},
        "validation_accuracy": {"initial": history.validation[0][1] if history.validation else None,
                                "best": max((v for _, v in history.validation), default=None)},
        "test_accuracy": {
            "template": accuracy(template_logits(frozen.clip, frozen.tokenizer, test, task.template_texts), test_truth),
            "trained": accuracy(prompt_logits(classifier, test, task.class_names), test_truth),
        },
        "seconds": round(time.monotonic() - started, 2),
    }
    return classifier, record


def versions() -> dict[str, str]:
    return {"python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__,
            "safetensors": safetensors.__version__, "numpy": numpy.__version__}


def training_section(record: dict, settings: TrainSettings, shape: PromptShape, world: Path,
                     validation_per_class: int) -> dict:
    return {
        "script": SCRIPT, "seed": record["seed"], "shots": record["shots"], "task": record["task"],
        "data": {"world": str(world), "train_split": "train", "validation_split": "validation",
                 "validation_per_class": validation_per_class, "test_split": "test"},
        "init": {"template": TEMPLATE, "context_from": shape.init_words},
        "hyperparameters": {"steps": settings.steps, "batch_size": settings.batch_size,
                            "learning_rate": settings.learning_rate, "weight_decay": settings.weight_decay,
                            "optimizer": "AdamW", "schedule": "cosine", "eval_every": settings.eval_every,
                            "patience": settings.patience, "n_instance": shape.n_instance,
                            "num_heads": shape.num_heads},
        "steps": record["steps_run"], "best_step": record["best_step"],
        "train_loss": record["train_loss"], "validation_accuracy": record["validation_accuracy"],
        "test_accuracy": record["test_accuracy"], "versions": versions(),
    }


def add_training_options(parser: argparse.ArgumentParser) -> None:
    """Options shared with prompt_results.py (the same defaults make the same runs)."""
    parser.add_argument("--clip", type=Path, required=True, help="Hugging Face CLIP directory (frozen)")
    parser.add_argument("--world", type=Path, required=True, help="folder with train/, validation/, test/")
    parser.add_argument("--steps", type=int, default=150)
    # 16 images × C classes text passes per structured step: what keeps a run near a minute on one core.
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument("--weight-decay", type=float, default=0.0)
    parser.add_argument("--eval-every", type=int, default=20, help="validation every N steps (0: no early stopping)")
    parser.add_argument("--patience", type=int, default=5, help="evaluations without improvement before stopping")
    parser.add_argument("--validation-per-class", type=int, default=10,
                        help="validation images per class for early stopping (0: none)")
    parser.add_argument("--n-instance", type=int, default=2, help="structured: instance vectors from the image")
    parser.add_argument("--num-heads", type=int, default=4, help="structured: heads of the visual-guided attention")
    parser.add_argument("--test-limit", type=int, help="evaluate on the first N labelled test images only")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")


def settings_from(arguments: argparse.Namespace, seed: int) -> TrainSettings:
    return TrainSettings(steps=arguments.steps, batch_size=arguments.batch_size, learning_rate=arguments.learning_rate,
                         weight_decay=arguments.weight_decay, eval_every=arguments.eval_every,
                         patience=arguments.patience, seed=seed)


def shape_from(arguments: argparse.Namespace, variant: str) -> PromptShape:
    return PromptShape(variant, TEMPLATE_WORDS, n_instance=arguments.n_instance, num_heads=arguments.num_heads)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_training_options(parser)
    parser.add_argument("--task", choices=task_names(), required=True)
    parser.add_argument("--variant", choices=VARIANTS, required=True)
    parser.add_argument("--shots", type=int, required=True, help="training images per class")
    parser.add_argument("--seed", type=int, default=0, help="the few-shot draw and the initialisation")
    parser.add_argument("--output", type=Path, required=True, help="checkpoint directory to create")
    parser.add_argument("--name", help="manifest name (default: the output directory's name)")
    parser.add_argument("--version", default="1.0.0")
    parser.add_argument("--clip-id", help="clip.id (default: the CLIP directory's name)")
    parser.add_argument("--weights-dtype", choices=sorted(WEIGHT_DTYPES), default="F32")
    arguments = parser.parse_args(argv)
    if arguments.output.exists() and any(arguments.output.iterdir()):
        parser.error(f"--output {arguments.output} exists and is not empty")
    torch.set_num_threads(arguments.threads)

    frozen = FrozenCLIP(arguments.clip, arguments.world, arguments.test_limit)
    task = world_task(arguments.task)
    settings = settings_from(arguments, arguments.seed)
    shape = shape_from(arguments, arguments.variant)
    classifier, record = run(frozen, task, arguments.variant, arguments.shots, arguments.seed, settings, shape,
                             arguments.validation_per_class)
    manifest = export_prompt(
        classifier.prompt, arguments.output, name=arguments.name or arguments.output.name, version=arguments.version,
        clip_id=arguments.clip_id or arguments.clip.resolve().name, dtype=arguments.weights_dtype,
        task={"name": task.name, "labels": task.class_names},
        training=training_section(record, settings, shape, arguments.world, arguments.validation_per_class))
    print(json.dumps(record, indent=1))
    print(f"checkpoint written to {arguments.output}")
    return manifest


if __name__ == "__main__":
    main()
