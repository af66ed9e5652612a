"""Write the demo gallery: a balanced set of scenes for the service to index on first start.

    python -m training.world.gallery --out DIR --per-cell 3 --mixed 60 --seed 4

A random sample of a few hundred scenes holds each (shape, colour, count) combination about once
(there are 300 of them), so a user's first query — "两个红色的圆形", two red circles — would have
one right answer at best. The gallery instead walks the items of its own stream (split name
"gallery", item i seeded exactly as generate.py seeds it) and keeps a one-object-kind scene only
while its (shape, colour, count) cell holds fewer than --per-cell scenes, plus the first --mixed
mixed scenes, until every cell is full. Same arguments, same bytes.

DIR/gallery/gallery-<item>.png and DIR/gallery/captions.jsonl, in generate.py's format.
"""
import argparse
import json
from pathlib import Path

from .captions import chinese_caption, english_caption
from .render import render
from .scene import sample_scene
from .seeding import item_rng
from .vocabulary import COLOURS, COUNTS, SHAPES

SPLIT = "gallery"


def write_gallery(out: Path, per_cell: int, mixed: int, seed: int, max_items: int = 200_000) -> tuple[Path, int]:
    folder = out / SPLIT
    folder.mkdir(parents=True, exist_ok=True)
    cells = {(s.key, c.key, n): 0 for s in SHAPES for c in COLOURS for n in COUNTS}
    open_cells, mixed_kept, kept = len(cells), 0, 0
    with open(folder / "captions.jsonl", "w", encoding="utf-8", newline="\n") as captions:
        for index in range(max_items):
            if open_cells == 0 and mixed_kept >= mixed:
                break
            # The same draws in the same order as generate.generate_item, so an item of this
            # stream is the scene generate.py would write as item `index` of split "gallery".
            rng = item_rng(SPLIT, seed, index)
            scene = sample_scene(rng)
            labels = scene.labels()
            if labels["mixed"]:
                if mixed_kept >= mixed:
                    continue
                mixed_kept += 1
            else:
                cell = (labels["shape"], labels["colour"], labels["count"])
                if cells[cell] >= per_cell:
                    continue
                cells[cell] += 1
                open_cells -= cells[cell] == per_cell
            record = {"file": f"{SPLIT}-{index:06d}.png", "en": english_caption(scene, rng),
                      "zh": chinese_caption(scene, rng), "labels": labels}
            render(scene).save(folder / record["file"], format="PNG", optimize=False, compress_level=6)
            captions.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            kept += 1
    if open_cells:
        raise SystemExit(f"{open_cells} cells still open after {max_items} items")
    return folder, kept


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--per-cell", type=int, default=3, help="scenes per (shape, colour, count)")
    parser.add_argument("--mixed", type=int, default=60, help="mixed scenes (two kinds or colours)")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args(argv)
    folder, kept = write_gallery(args.out, args.per_cell, args.mixed, args.seed)
    print(f"wrote {kept} images and captions.jsonl to {folder}")


if __name__ == "__main__":
    main()
