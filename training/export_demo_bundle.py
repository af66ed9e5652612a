"""Assemble the embedded default, models/demo, from the trained demo models and the test split.

    python -m training.export_demo_bundle --demo training/out/demo --world training/out/world \
        --out models/demo

Writes, replacing what is there:

    clip/        the demo CLIP (HF directory: config, F16 safetensors, vocab.json, merges.txt, processor)
    bert-zh/     the demo Chinese BERT (HF directory: config, F16 safetensors, vocab.txt)
    zh-adapter/  the language adapter checkpoint (docs/adapters.md)
    test/        the balanced gallery split (training/world/gallery.py: every (shape, colour, count)
                 three times, plus mixed scenes; never seen in training), its captions.jsonl and the
                 zero-shot prompts (prompts.json): `serve` indexes it on first start, `adaptclip
                 eval` and the CI tests measure on it
    manifest.json  how every part was made (scripts, arguments, seeds, versions, validation figures)
                   and the SHA-256 of every file

Only the files the service reads are copied (not tokenizer.json, training logs or MLM heads beyond
what the model file holds), and the bundle must stay within --max-mb (default 25 MB: the embedded
default ships inside the repository and the service image, so its size is budgeted).
"""
import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

from training.world.prompts import TASKS, prompts

CLIP_FILES = ("config.json", "model.safetensors", "vocab.json", "merges.txt", "preprocessor_config.json",
              "tokenizer_config.json", "special_tokens_map.json")
BERT_FILES = ("config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json")
ADAPTER_FILES = ("adapter.json", "adapter.safetensors")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_files(source: Path, target: Path, names: tuple[str, ...], required: tuple[str, ...]) -> None:
    target.mkdir(parents=True)
    for name in names:
        if (source / name).exists():
            shutil.copyfile(source / name, target / name)
        elif name in required:
            raise SystemExit(f"{source / name} is missing")


def write_gallery(split: Path, target: Path) -> int:
    lines = (split / "captions.jsonl").read_text(encoding="utf-8").splitlines()
    target.mkdir(parents=True)
    for line in lines:
        name = json.loads(line)["file"]
        shutil.copyfile(split / name, target / name)
    (target / "captions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    tasks = {task: {"labels": list(labels), "en": prompts(task, "en"), "zh": prompts(task, "zh")}
             for task, labels in TASKS.items()}
    (target / "prompts.json").write_text(json.dumps({"tasks": tasks}, ensure_ascii=False, indent=1) + "\n",
                                         encoding="utf-8")
    return len(lines)


def training_summary(log: Path) -> dict:
    """The parts of a trainer's training_log.json worth keeping (not the per-step losses)."""
    if not log.exists():
        return {}
    data = json.loads(log.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if k not in ("losses", "validation_losses")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demo", type=Path, default=Path("training/out/demo"),
                        help="folder with clip/, bert/ and zh-adapter/ as the trainers wrote them")
    parser.add_argument("--world", type=Path, default=Path("training/out/world"))
    parser.add_argument("--out", type=Path, default=Path("models/demo"))
    parser.add_argument("--gallery", type=Path, help="the gallery split (default: <world>/gallery)")
    parser.add_argument("--max-mb", type=float, default=25.0)
    parser.add_argument("--world-command", default="", help="how the world was generated (for the manifest)")
    args = parser.parse_args(argv)

    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    copy_files(args.demo / "clip", args.out / "clip", CLIP_FILES, CLIP_FILES[:4])
    copy_files(args.demo / "bert", args.out / "bert-zh", BERT_FILES, BERT_FILES[:3])
    copy_files(args.demo / "zh-adapter", args.out / "zh-adapter", ADAPTER_FILES, ADAPTER_FILES)
    shipped = write_gallery(args.gallery or args.world / "gallery", args.out / "test")

    adapter = json.loads((args.out / "zh-adapter" / "adapter.json").read_text(encoding="utf-8"))
    files = sorted(p for p in args.out.rglob("*") if p.is_file())
    manifest = {
        "bundle": "adaptclip demo",
        "made_by": "make demo-model (training/make_demo.sh)",
        # What /v1/classify wraps a bare label in by default: the demo CLIP learned "a drawing of …"
        # captions (training/world/prompts.py), not photos.
        "classification_templates": {"en": "a drawing of a {}", "zh": "一个{}"},
        "world": {"generator": "training/world", "command": args.world_command,
                  "gallery": f"{shipped} images of the balanced gallery split (training/world/gallery.py, seed 4)"},
        "clip": training_summary(args.demo / "clip" / "training_log.json"),
        "bert-zh": training_summary(args.demo / "bert" / "training_log.json"),
        "zh-adapter": adapter.get("training", {}),
        "files": {str(p.relative_to(args.out)): {"bytes": p.stat().st_size, "sha256": sha256(p)}
                  for p in files if p.parent.name != "test" or p.suffix != ".png"},
        "gallery_sha256": hashlib.sha256(b"".join(sha256(p).encode() for p in files
                                                  if p.parent.name == "test" and p.suffix == ".png")).hexdigest(),
    }
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n",
                                            encoding="utf-8")
    total = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"wrote {args.out}: {len(files) + 1} files, {total / 1e6:.2f} MB")
    if total > args.max_mb * 1e6:
        print(f"the bundle exceeds {args.max_mb} MB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
