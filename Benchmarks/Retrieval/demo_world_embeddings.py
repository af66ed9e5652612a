"""Embeds the demo world with the demo CLIP: the real, clustered, anisotropic vectors the
retrieval benchmark calibrates its 1M generator on and measures recall with.

    python Benchmarks/Retrieval/demo_world_embeddings.py --images N --queries Q --out DIR

Images: items 0 ..< N of the world's "bench" split (rendered in memory, never written), through
CLIPImageProcessor and the vision tower. Queries: the English captions of the held-back items
N ..< N + Q (scenes the gallery does not contain), through the text tower — so queries sit on the
text side of the modality gap, as a user's text search does. Writes DIR/images.f32 and
DIR/queries.f32 (row-major little-endian float32, L2-normalised, as the store keeps them) and
DIR/embeddings.json (counts, dimension, seconds spent rendering and embedding).
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from training.world.generate import generate_item  # noqa: E402
from transformers import CLIPImageProcessor, CLIPModel, CLIPTokenizerFast  # noqa: E402

SPLIT, SEED, BATCH = "bench", 18, 256


def unit(rows: torch.Tensor) -> np.ndarray:
    return torch.nn.functional.normalize(rows, dim=-1).numpy().astype("<f4")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, required=True)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--model", type=Path, default=ROOT / "models/demo/clip")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    model = CLIPModel.from_pretrained(args.model, dtype=torch.float32).eval()
    processor = CLIPImageProcessor.from_pretrained(args.model)
    tokenizer = CLIPTokenizerFast.from_pretrained(args.model)
    render_s = embed_s = 0.0
    start = time.time()
    with open(args.out / "images.f32", "wb") as images, torch.no_grad():
        for first in range(0, args.images, BATCH):
            t0 = time.time()
            batch = [generate_item(SPLIT, SEED, i)[0] for i in range(first, min(first + BATCH, args.images))]
            t1 = time.time()
            pixels = processor(batch, return_tensors="pt")["pixel_values"]
            images.write(unit(model.get_image_features(pixel_values=pixels)).tobytes())
            t2 = time.time()
            render_s += t1 - t0
            embed_s += t2 - t1
            done = first + len(batch)
            if done % (BATCH * 40) == 0 or done == args.images:
                rate = done / (time.time() - start)
                print(f"{done}/{args.images} images, {rate:.0f}/s", flush=True)
        captions = [generate_item(SPLIT, SEED, i)[1]["en"] for i in range(args.images, args.images + args.queries)]
        tokens = tokenizer(captions, padding=True, return_tensors="pt")
        (args.out / "queries.f32").write_bytes(unit(model.get_text_features(**tokens)).tobytes())
    dimension = model.config.projection_dim
    (args.out / "embeddings.json").write_text(json.dumps({
        "images": args.images, "queries": args.queries, "dimension": dimension, "split": SPLIT, "seed": SEED,
        "render_seconds": round(render_s, 1), "embed_seconds": round(embed_s, 1)}, indent=1) + "\n")
    print(f"rendered in {render_s:.0f} s, embedded in {embed_s:.0f} s -> {args.out}")


if __name__ == "__main__":
    main()
