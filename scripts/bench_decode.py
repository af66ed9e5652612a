"""Helper of scripts/bench-decode: draws the photo-like JPEGs, times Pillow + transformers'
CLIPImageProcessor on them (full decode and Pillow's DCT-scaled draft mode), and summarises
every engine's timings as medians and ratios.

    python bench_decode.py generate OUTDIR
    python bench_decode.py time --preprocessor CONFIG.json [--iterations N] FILE...
    python bench_decode.py summary TIMINGS.jsonl
"""
import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

# (name, stored width, stored height, EXIF orientation or None): 2 to 12 megapixels, landscape
# and portrait, three of them turned by EXIF as phones write them.
PHOTOS = [
    ("photo_2mp.jpg", 1632, 1224, None),
    ("photo_3mp_rot180.jpg", 2048, 1536, 3),
    ("photo_5mp_portrait.jpg", 1944, 2592, None),
    ("photo_6mp_rot90.jpg", 3008, 2000, 8),
    ("photo_8mp.jpg", 3264, 2448, None),
    ("photo_12mp.jpg", 4032, 3024, None),
    ("photo_12mp_rot270.jpg", 4032, 3024, 6),
    ("photo_12mp_wide.jpg", 4624, 2600, None),
]


def photo_like(width, height, seed):
    """Smooth light, value-noise texture from a tenth of the picture down to 3-pixel grain,
    hard-edged discs and rectangles, and per-pixel sensor noise: what
    Tests/TestSupport/PhotoLikePicture.swift draws."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    fx, fy = xs / width, ys / height
    base = rng.uniform(60, 190, 3)
    ramp_x, ramp_y = rng.uniform(-50, 50, 3), rng.uniform(-60, 60, 3)
    f1, f2, phase, amp = rng.uniform(0.5, 2.5), rng.uniform(0.5, 2.5), rng.uniform(0, 6.28), rng.uniform(10, 30)
    light = amp * np.cos(2 * np.pi * (f1 * fx + f2 * fy) + phase)
    texture = np.zeros((height, width), np.float32)
    for spacing, amplitude in [(max(width, height) // 10, 28), (48, 14), (12, 8), (3, 6)]:
        lattice = rng.uniform(-amplitude, amplitude, (height // spacing + 2, width // spacing + 2)).astype(np.float32)
        layer = Image.fromarray(lattice).resize(
            ((width // spacing + 2) * spacing, (height // spacing + 2) * spacing), Image.Resampling.BILINEAR)
        texture += np.asarray(layer)[:height, :width]
    tint = rng.uniform(0.8, 1.2, 3)
    offsets = np.zeros((height, width, 3), np.float32)
    for _ in range(14):
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        radius = rng.uniform(0.03, 0.18) * min(width, height)
        is_disc = rng.uniform() < 0.5
        offset = rng.uniform(-70, 70, 3)
        inside = ((xs - cx) ** 2 + (ys - cy) ** 2 <= radius ** 2) if is_disc else (
            (np.abs(xs - cx) <= radius) & (np.abs(ys - cy) <= radius * 0.6))
        offsets[inside] = offset
    # Sensor noise: what makes a phone's 12 MP JPEG 3-5 MB rather than 1, and its entropy
    # decoding (which DCT scaling does not skip) the larger part of the work.
    noise = rng.normal(0, 5, (height, width, 1)).astype(np.float32) + rng.normal(0, 2, (height, width, 3)).astype(np.float32)
    rgb = base + ramp_x * fx[..., None] + ramp_y * fy[..., None] + light[..., None] + texture[..., None] * tint + offsets + noise
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def generate(out_dir):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for seed, (name, width, height, orientation) in enumerate(PHOTOS):
        path = out / name
        if path.exists():
            continue
        image = Image.fromarray(photo_like(width, height, seed))
        exif = Image.Exif()
        if orientation:
            exif[0x0112] = orientation
        image.save(path, quality=90, exif=exif.tobytes() if orientation else b"")
        print(f"{name}: {width}x{height}" + (f", EXIF orientation {orientation}" if orientation else ""), file=sys.stderr)
    # CLIP's own preprocessing (ViT-B/32 and most CLIPs): shortest edge 224, centre crop 224.
    from transformers import CLIPImageProcessor
    CLIPImageProcessor().to_json_file(str(out / "clip224_preprocessor_config.json"))


def time_pillow(config_path, iterations, files):
    from transformers import CLIPImageProcessor
    config = json.loads(Path(config_path).read_text())
    processor = CLIPImageProcessor(**{k: v for k, v in config.items() if k != "image_processor_type"})
    size = processor.size.get("shortest_edge") or max(processor.size["height"], processor.size["width"])

    def run(data, draft):
        image = Image.open(io.BytesIO(data))
        if draft:
            # Pillow picks the smallest DCT scale keeping both sides at least `size`.
            image.draft("RGB", (size, size))
        # transformers' load_image: EXIF orientation, then RGB.
        image = ImageOps.exif_transpose(image).convert("RGB")
        return processor(images=image, return_tensors="np")["pixel_values"]

    for file in files:
        data = Path(file).read_bytes()
        for name, draft in [("pil-draft", True), ("pil-full", False)]:
            run(data, draft)
            wall, cpu = [], []
            for _ in range(iterations):
                start, cpu_start = time.perf_counter(), time.thread_time()
                run(data, draft)
                wall.append((time.perf_counter() - start) * 1000)
                cpu.append((time.thread_time() - cpu_start) * 1000)
            print(json.dumps({"file": Path(file).name, "path": name, "ms": [round(t, 3) for t in wall],
                              "cpu_ms": [round(t, 3) for t in cpu]}))


def summary(path):
    records = [json.loads(line) for line in Path(path).read_text().splitlines() if line.startswith("{")]
    paths = ["swift-scaled", "swift-full", "pil-draft", "pil-full"]
    for field, title in [("ms", "wall clock"), ("cpu_ms", "CPU time of the decoding thread")]:
        samples = {}
        for record in records:
            key = (record["config"], record["file"])
            samples.setdefault(key, {}).setdefault(record["path"], []).extend(record[field])
        print(f"\n{title}, ms (median):\n")
        print("| preprocessing | file | " + " | ".join(paths)
              + " | pil-draft / swift-scaled | pil-full / swift-scaled | swift-full / swift-scaled |")
        print("|" + "---|" * (len(paths) + 5))
        for (config, file), by_path in sorted(samples.items()):
            medians = {p: statistics.median(by_path[p]) for p in paths if p in by_path}
            scaled = medians.get("swift-scaled")
            ratios = [f"{medians[p] / scaled:.1f}x" if scaled and p in medians else "-" for p in ["pil-draft", "pil-full", "swift-full"]]
            cells = [f"{medians[p]:.1f}" if p in medians else "-" for p in paths]
            print(f"| {config} | {file} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
        counts = {len(v) for by_path in samples.values() for v in by_path.values()}
    print(f"\n(medians of {', '.join(map(str, sorted(counts)))} timings each, rounds alternating between engines)")


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("out_dir")
    t = sub.add_parser("time")
    t.add_argument("--preprocessor", required=True)
    t.add_argument("--iterations", type=int, default=5)
    t.add_argument("files", nargs="+")
    s = sub.add_parser("summary")
    s.add_argument("timings")
    args = parser.parse_args()
    if args.command == "generate":
        generate(args.out_dir)
    elif args.command == "time":
        time_pillow(args.preprocessor, args.iterations, args.files)
    else:
        summary(args.timings)


if __name__ == "__main__":
    main()
