"""Write the text-only corpora: parallel en–zh pairs and Chinese-only sentences.

    python -m training.world.text --out DIR --split train --pairs N --chinese M --seed S

DIR/<split>/pairs.jsonl: {"en": ..., "zh": ..., "kind": caption|prompt|statement} per line.
DIR/<split>/zh.txt: one Chinese sentence per line (for BERT masked-language-model pre-training).
Streams are seeded like the images (seeding.py) under the names "<split>-pairs" and "<split>-zh",
so they never reuse an image scene's random stream.
"""
import argparse
import json
from pathlib import Path

from .seeding import item_rng
from .sentences import chinese_sentence, sentence_pair


def write_text(out: Path, split: str, pairs: int, chinese: int, seed: int) -> Path:
    folder = out / split
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "pairs.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for i in range(pairs):
            en, zh, kind = sentence_pair(item_rng(f"{split}-pairs", seed, i))
            f.write(json.dumps({"en": en, "zh": zh, "kind": kind}, ensure_ascii=False, sort_keys=True) + "\n")
    with open(folder / "zh.txt", "w", encoding="utf-8", newline="\n") as f:
        for i in range(chinese):
            f.write(chinese_sentence(item_rng(f"{split}-zh", seed, i)) + "\n")
    return folder


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--split", required=True)
    parser.add_argument("--pairs", type=int, required=True)
    parser.add_argument("--chinese", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    args = parser.parse_args(argv)
    folder = write_text(args.out, args.split, args.pairs, args.chinese, args.seed)
    print(f"wrote {args.pairs} pairs and {args.chinese} Chinese sentences to {folder}")


if __name__ == "__main__":
    main()
