"""The domain-adaptation study on the demo world, one command, fixed seeds:

    python -m training.domain_study --clip training/out/demo/clip --general training/out/world/test \\
        --clip-bpe training/out/downloads/bpe_simple_vocab_16e6.txt.gz

Target domain: the outline style of the world (training/world/README.md, "Styles"). Data, all under
--out (default training/out/domain/outline), generated on first use:
  train       --large-pairs outline pairs (seed 11): the large domain set of (e); its first
              --small-pairs pairs are the small domain set of (b), (c) and (d);
  validation  500 outline pairs (seed 12), only for train_demo_clip's own logging in (e);
  test        2,000 outline pairs (split "test", seed 3): the scenes of the demo world's test split,
              outlined, so the domain and general test sets differ only in style.
The general test set is the demo world's filled test split (--general).

Settings (the published comparison's (a)–(e), see PUBLISHED):
  (a) the frozen demo CLIP;
  (b) continual full fine-tuning of the whole CLIP on the small set (train_domain_adapter --full-finetune);
  (c) a domain adapter on the frozen CLIP, uniform batches;
  (d) the same adapter with hard-sample weighting (same steps, seed, learning rate);
  (e) a CLIP trained from scratch on the large set with the demo CLIP's own recipe
      (train_demo_clip, same architecture and flags) but --scratch-steps steps (the demo: 900).
Measured for each: zero-shot accuracy per task (shape, colour, count; English prompts) and their
mean on the domain test set, text→image mR (mean of R@1/5/10, 2,000-image gallery) on it, and the
mean zero-shot accuracy on the general test set, also as a share of (a)'s ("retained").

Writes <out>/study.json, docs/results-domain.json and docs/results-domain.md (--results-dir).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import torch
from transformers import CLIPImageProcessor, CLIPModel, CLIPTokenizer

from training import train_domain_adapter
from training.adaptclip_training.domain_checkpoint import load_domain_checkpoint
from training.adaptclip_training.image_text_pairs import ImageTextPairs, load_pairs
from training.evaluate_demo import recalls, zero_shot_accuracy
from training.train_demo_clip import embed_images, embed_texts
from training.train_demo_clip import main as train_demo_clip
from training.world.generate import generate_item, png_bytes, write_split
from training.world.prompts import TASKS, prompts

SETTINGS = ("a", "b", "c", "d", "e")
TITLES = {"a": "(a) frozen demo CLIP", "b": "(b) continual full fine-tuning", "c": "(c) domain adapter",
          "d": "(d) domain adapter + hard-sample weighting", "e": "(e) CLIP from scratch on the large domain set"}
# The published figures this study re-tests: accuracy on two domains, 100k domain pairs vs a 6M-pair
# domain model. The table shows them beside ours; the relations are what can carry over, not the numbers.
PUBLISHED = {"b": "71.6% / 78.1%", "d": "73.5% / 79.7%", "e": "72.4% / 79.2% (6M pairs)"}


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--clip", type=Path, default=Path("training/out/demo/clip"), help="the demo CLIP (HF dir)")
    parser.add_argument("--clip-id", default="adaptclip-demo-clip", help="clip.id of the exported adapters")
    parser.add_argument("--general", type=Path, default=Path("training/out/world/test"), help="filled test split")
    parser.add_argument("--clip-bpe", type=Path, default=Path("training/out/downloads/bpe_simple_vocab_16e6.txt.gz"))
    parser.add_argument("--out", type=Path, default=Path("training/out/domain/outline"))
    parser.add_argument("--results-dir", type=Path, default=Path("docs"))
    parser.add_argument("--small-pairs", type=int, default=3000)
    parser.add_argument("--large-pairs", type=int, default=20000)
    parser.add_argument("--test-pairs", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=300, help="training steps of (b), (c), (d)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--adapter-lr", type=float, default=1e-3)
    parser.add_argument("--finetune-lr", type=float, default=5e-5)
    parser.add_argument("--bottleneck", type=int, default=32)
    parser.add_argument("--hsw-temperature", type=float, default=0.2, help="τ of (d)'s sampling weights")
    parser.add_argument("--hsw-uniform-mix", type=float, default=0.5, help="λ of (d)'s sampling weights")
    parser.add_argument("--vision-layers", default="all")
    parser.add_argument("--text-layers", default="none")
    parser.add_argument("--scratch-steps", type=int, default=600, help="training steps of (e)")
    parser.add_argument("--scratch-label-weight", type=float, default=1.0, help="as the demo CLIP (make_demo.sh)")
    parser.add_argument("--only", default="abcde", help="run a subset of the settings, e.g. 'acd'")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--note", default="", help="a provenance line for the Markdown (e.g. which CLIP)")
    return parser.parse_args(argv)


def generate_domain_world(arguments: argparse.Namespace) -> None:
    for split, count, seed in (("train", arguments.large_pairs, 11), ("validation", 500, 12),
                               ("test", arguments.test_pairs, 3)):
        if _is_current(arguments.out / split, split, seed, count):
            continue
        started = time.monotonic()
        write_split(arguments.out, split, count, seed, style="outline")
        print(f"generated outline {split}: {count} pairs (seed {seed}) in {time.monotonic() - started:.0f}s",
              flush=True)


def _is_current(folder: Path, split: str, seed: int, count: int) -> bool:
    """A split generated earlier is reused when it has `count` records and its first and last
    images are byte-identical to what the generator draws now (the world's code may have moved)."""
    captions = folder / "captions.jsonl"
    if not captions.is_file() or len(captions.read_text(encoding="utf-8").splitlines()) != count:
        return False
    for index in (0, count - 1):
        image, record = generate_item(split, seed, index, "outline")
        if not (folder / record["file"]).is_file() or (folder / record["file"]).read_bytes() != png_bytes(image):
            return False
    return True


def evaluate(model: CLIPModel, tokenizer: CLIPTokenizer, domain: ImageTextPairs, general: ImageTextPairs) -> dict:
    result: dict = {}
    for name, pairs in (("domain", domain), ("general", general)):
        images = embed_images(model, pairs.pixels)
        accuracy = {}
        for task, classes in TASKS.items():
            truth = [classes.index(l[task]) if l[task] is not None else None for l in pairs.labels]
            accuracy[task] = zero_shot_accuracy(images, truth, embed_texts(model, tokenizer, prompts(task, "en")))
        accuracy["mean"] = sum(accuracy[t] for t in TASKS) / len(TASKS)
        result[name] = {"zero_shot": accuracy}
        if name == "domain":
            r = recalls(embed_texts(model, tokenizer, pairs.captions), images)
            result[name]["retrieval"] = {**r, "mR": sum(r.values()) / 3}
    return result


def test_sets(directory: Path, arguments: argparse.Namespace) -> tuple[CLIPTokenizer, ImageTextPairs, ImageTextPairs]:
    """The domain and general test sets as the CLIP in `directory` sees them (its own tokenizer and
    preprocessing: (e) is a different model from the one the adapters were trained on)."""
    tokenizer = CLIPTokenizer.from_pretrained(str(directory))
    processor = CLIPImageProcessor.from_pretrained(str(directory))
    return (tokenizer, load_pairs(arguments.out / "test", tokenizer, processor),
            load_pairs(arguments.general, tokenizer, processor))


def frozen_clip(directory: Path) -> CLIPModel:
    model = CLIPModel.from_pretrained(str(directory), dtype=torch.float32, attn_implementation="eager").eval()
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model


def train_setting(setting: str, arguments: argparse.Namespace, runs: Path) -> tuple[Path, dict]:
    """Trains (b), (c), (d) or (e) into runs/<setting> (replaced) and returns (directory, record)."""
    output = runs / setting
    shutil.rmtree(output, ignore_errors=True)
    started = time.process_time()
    if setting == "e":
        train_demo_clip(["--world", str(arguments.out), "--clip-bpe", str(arguments.clip_bpe), "--out", str(output),
                         "--seed", "1234", "--threads", "1", "--steps", str(arguments.scratch_steps),
                         "--label-weight", str(arguments.scratch_label_weight)])
        log = json.loads((output / "training_log.json").read_text(encoding="utf-8"))
        return output, {"steps": arguments.scratch_steps, "pairs": log["train_examples"],
                        "cpu_seconds": time.process_time() - started}
    common = ["--clip", str(arguments.clip), "--train", str(arguments.out / "train"), "--limit",
              str(arguments.small_pairs), "--output", str(output), "--clip-id", arguments.clip_id,
              "--steps", str(arguments.steps), "--batch-size", str(arguments.batch_size),
              "--seed", str(arguments.seed), "--threads", "1"]
    if setting == "b":
        extra = ["--full-finetune", "--learning-rate", str(arguments.finetune_lr), "--weights-dtype", "F32"]
    else:
        extra = ["--learning-rate", str(arguments.adapter_lr), "--bottleneck", str(arguments.bottleneck),
                 "--vision-layers", arguments.vision_layers, "--text-layers", arguments.text_layers,
                 "--name", f"outline-{'hsw' if setting == 'd' else 'uniform'}", "--weights-dtype", "F16"]
        if setting == "d":
            extra += ["--hard-sample-weighting", "--hsw-temperature", str(arguments.hsw_temperature),
                      "--hsw-uniform-mix", str(arguments.hsw_uniform_mix)]
    result = train_domain_adapter.main(common + extra)
    return output, {"steps": arguments.steps, "pairs": result["training"]["data"]["pairs"],
                    "train_loss": result["training"]["train_loss"], "draws": result["training"]["draws"],
                    **({"bank": result["training"]["bank"]} if "bank" in result["training"] else {}),
                    "cpu_seconds": time.process_time() - started}


def main(argv: list[str] | None = None) -> dict:
    arguments = parse_arguments(argv)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    generate_domain_world(arguments)
    runs = arguments.out / "runs"
    tokenizer, domain, general = test_sets(arguments.clip, arguments)

    results: dict = {}
    for setting in SETTINGS:
        if setting not in arguments.only:
            continue
        print(f"== {TITLES[setting]}", flush=True)
        if setting == "a":
            model, record = frozen_clip(arguments.clip), {"cpu_seconds": 0.0}
            results[setting] = {**evaluate(model, tokenizer, domain, general), "training": record}
        elif setting in ("b", "e"):
            directory, record = train_setting(setting, arguments, runs)
            own = test_sets(directory, arguments) if setting == "e" else (tokenizer, domain, general)
            results[setting] = {**evaluate(frozen_clip(directory), *own), "training": record}
        else:
            directory, record = train_setting(setting, arguments, runs)
            model = frozen_clip(arguments.clip)
            adapter, _ = load_domain_checkpoint(directory)
            with adapter.attached(model):
                results[setting] = {**evaluate(model, tokenizer, domain, general), "training": record}
        print(json.dumps({k: v for k, v in results[setting].items() if k != "training"}), flush=True)
        # Written after every setting: a long run that stops half-way still leaves its figures.
        study = write_results(results, arguments, argv)
    print("\n".join(f"{name}: {'holds' if ok else 'does NOT hold'} ({detail})"
                    for name, (ok, detail) in study["checks"].items()))
    return study


def write_results(results: dict, arguments: argparse.Namespace, argv: list[str] | None) -> dict:
    study = {"command": "python -m training.domain_study " + " ".join(argv or []),
             "arguments": {k: str(v) for k, v in vars(arguments).items()}, "results": results,
             "checks": checks(results)}
    text = json.dumps(study, indent=1, sort_keys=True) + "\n"
    (arguments.out / "study.json").write_text(text, encoding="utf-8")
    arguments.results_dir.mkdir(parents=True, exist_ok=True)
    (arguments.results_dir / "results-domain.json").write_text(text, encoding="utf-8")
    (arguments.results_dir / "results-domain.md").write_text(markdown(study, arguments), encoding="utf-8")
    return study


def checks(results: dict) -> dict:
    """The study's bounds: (d) beats (b) and (c) on the domain and keeps ≥ 98% of (a)'s general accuracy."""
    def domain(s: str) -> float:
        return results[s]["domain"]["zero_shot"]["mean"]
    found: dict = {}
    for other in ("b", "c"):
        if "d" in results and other in results:
            found[f"(d) > ({other}) on the domain"] = (domain("d") > domain(other),
                                                       f"{100 * domain('d'):.2f}% vs {100 * domain(other):.2f}%")
    if "d" in results and "a" in results:
        share = results["d"]["general"]["zero_shot"]["mean"] / results["a"]["general"]["zero_shot"]["mean"]
        found["(d) keeps >= 98% of (a)'s general accuracy"] = (share >= 0.98, f"{100 * share:.1f}%")
    return found


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def markdown(study: dict, arguments: argparse.Namespace) -> str:
    results = study["results"]
    frozen_general = results["a"]["general"]["zero_shot"]["mean"] if "a" in results else None
    lines = [
        "# Domain adaptation on the demo world: outline drawings",
        "",
        "Regenerate: `python -m training.domain_study` (defaults below; seeds fixed; one thread). "
        "Target domain: the world's outline style (training/world/README.md). "
        f"Small domain set {arguments.small_pairs} outline pairs, large {arguments.large_pairs}; "
        f"domain test {arguments.test_pairs} outline images (the demo test scenes, outlined); general test: "
        "the demo world's filled test split. Zero-shot accuracy with the English prompts, per task and mean; "
        "mR = mean of text→image R@1/5/10 on the domain test; retained = general mean / (a)'s, "
        "measured with the adapter active (deactivated, an adapter leaves the frozen model exactly: 100%).",
        "",
        *([f"**{arguments.note}**", ""] if arguments.note else []),
        "| setting | domain shape | domain colour | domain count | **domain mean** | domain mR | general mean | "
        "retained | train CPU s | published (two domains) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for setting in SETTINGS:
        if setting not in results:
            continue
        r = results[setting]
        z, g = r["domain"]["zero_shot"], r["general"]["zero_shot"]["mean"]
        retained = f"{100 * g / frozen_general:.1f}%" if frozen_general else "–"
        lines.append(f"| {TITLES[setting]} | {_pct(z['shape'])} | {_pct(z['colour'])} | {_pct(z['count'])} | "
                     f"**{_pct(z['mean'])}** | {_pct(r['domain']['retrieval']['mR'])} | {_pct(g)} | {retained} | "
                     f"{r['training']['cpu_seconds']:.0f} | {PUBLISHED.get(setting, '–')} |")
    lines += ["", "The study's bounds:", ""]
    lines += [f"- {name}: **{'holds' if ok else 'does not hold'}** ({detail})"
              for name, (ok, detail) in study["checks"].items()]
    lines += ["", f"Settings: (b)–(d) {arguments.steps} steps × {arguments.batch_size} on the small set "
              f"(adapter lr {arguments.adapter_lr}, bottleneck {arguments.bottleneck}, vision layers "
              f"{arguments.vision_layers}, text layers {arguments.text_layers}; full fine-tuning lr "
              f"{arguments.finetune_lr}; (d) τ {arguments.hsw_temperature}, λ {arguments.hsw_uniform_mix}); (e) {arguments.scratch_steps} steps × 64 of train_demo_clip.py on the "
              f"large set (the demo CLIP had 900: scaled down for the CPU budget). Figures: `docs/results-domain.json`.",
              ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
