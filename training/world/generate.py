"""Write one split of the world: PNG images plus captions.jsonl.

    python -m training.world.generate --out DIR --split train --count N --seed S [--style outline]

DIR/<split>/<split>-000000.png … and DIR/<split>/captions.jsonl, one JSON object per line:
{"file": "train-000000.png", "en": "...", "zh": "...", "labels": {...}} (labels: see scene.py).
Item i depends only on (split, seed, i): the same arguments give byte-identical files.
--style outline draws the same scenes as outlines (render.py); its records carry "style": "outline"
and otherwise equal the filled world's (the default style's records have no "style" key, so the
demo world's captions.jsonl is unchanged).
"""
import argparse
import io
import json
from pathlib import Path

from .captions import chinese_caption, english_caption
from .render import STYLES, render
from .scene import sample_scene
from .seeding import item_rng


def generate_item(split: str, seed: int, index: int, style: str = "filled"):
    rng = item_rng(split, seed, index)
    scene = sample_scene(rng)
    image = render(scene, style)
    record = {"file": f"{split}-{index:06d}.png", "en": english_caption(scene, rng),
              "zh": chinese_caption(scene, rng), "labels": scene.labels()}
    if style != "filled":
        record["style"] = style
    return image, record


def png_bytes(image) -> bytes:
    """No metadata chunks, fixed zlib settings: the bytes depend on the pixels only."""
    encoded = io.BytesIO()
    image.save(encoded, format="PNG", optimize=False, compress_level=6)
    return encoded.getvalue()


def write_split(out: Path, split: str, count: int, seed: int, style: str = "filled") -> Path:
    folder = out / split
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "captions.jsonl", "w", encoding="utf-8", newline="\n") as captions:
        for index in range(count):
            image, record = generate_item(split, seed, index, style)
            (folder / record["file"]).write_bytes(png_bytes(image))
            captions.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    return folder


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--split", required=True, help="train, validation, test (any name works)")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--style", choices=STYLES, default="filled")
    args = parser.parse_args(argv)
    folder = write_split(args.out, args.split, args.count, args.seed, args.style)
    print(f"wrote {args.count} {args.style} images and captions.jsonl to {folder}")


if __name__ == "__main__":
    main()
