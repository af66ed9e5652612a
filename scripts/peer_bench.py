#!/usr/bin/env python3
"""Throughput of PyTorch and ONNX Runtime on a ViT-B/32-shaped CLIP with random weights,
printed in the same format as the Swift benchmark (Benchmarks/CLIPBench), so that the three
can be compared in one run on one machine. Run it through scripts/peer-bench.

Figures: images/s at batch 1, 8, 32 (get_image_features) and texts/s at lengths 8, 16, 77
(get_text_features, batch 32). Threads default to the machine's cores, as in clip-bench.

With --precision bf16 PyTorch is also measured in bf16, both ways users run it: autocast over
the fp32 model ("pytorch-autocast") and the model cast to bf16 weights ("pytorch-bf16"); each
prints its worst cosine to the fp32 features first, so a fast figure that lost the answer shows.
"""

import argparse
import contextlib
import copy
import os
import tempfile
import time
import warnings

import numpy as np
import torch
from transformers import CLIPConfig, CLIPModel

IMAGE_BATCHES = (1, 8, 32)
TEXT_LENGTHS = (8, 16, 77)
TEXT_BATCH = 32


def vit_b32() -> CLIPModel:
    torch.manual_seed(0)
    config = CLIPConfig(
        text_config=dict(vocab_size=49408, hidden_size=512, intermediate_size=2048, num_hidden_layers=12,
                         num_attention_heads=8, max_position_embeddings=77, hidden_act="quick_gelu",
                         bos_token_id=49406, eos_token_id=49407),
        vision_config=dict(image_size=224, patch_size=32, hidden_size=768, intermediate_size=3072,
                           num_hidden_layers=12, num_attention_heads=12, hidden_act="quick_gelu"),
        projection_dim=512)
    return CLIPModel(config).eval()


def timed(work, minimum_seconds: float):
    """Wall and process-CPU seconds per call (CPU time shows the work done when other
    processes share the machine; as in clip-bench it includes spinning worker threads)."""
    work()  # warm-up
    runs, start, cpu_start = 0, time.perf_counter(), time.process_time()
    while True:
        work()
        runs += 1
        elapsed = time.perf_counter() - start
        if elapsed >= minimum_seconds:
            return elapsed / runs, (time.process_time() - cpu_start) / runs


def rates(count, seconds):
    return count / seconds[0], count / seconds[1]


def inputs():
    rng = np.random.default_rng(0)
    images = {b: rng.standard_normal((b, 3, 224, 224), dtype=np.float32) for b in IMAGE_BATCHES}
    texts = {}
    for n in TEXT_LENGTHS:
        ids = rng.integers(0, 49000, (TEXT_BATCH, n))
        ids[:, 0], ids[:, -1] = 49406, 49407
        texts[n] = ids.astype(np.int64)
    return images, texts


def report(name, images_s, texts_s):
    for b in IMAGE_BATCHES:
        wall, cpu = images_s[b]
        print(f"{name:<15} images  batch {b:2d}  {wall:8.2f} images/s   ({cpu:.2f} per CPU-second)", flush=True)
    for n in TEXT_LENGTHS:
        wall, cpu = texts_s[n]
        print(f"{name:<15} texts   length {n:2d}  {wall:8.2f} texts/s (batch {TEXT_BATCH})   ({cpu:.2f} per CPU-second)",
              flush=True)


def bench_torch(model, images, texts, seconds, dtype=torch.float32, autocast=False):
    """fp32; bf16 weights (`model` already cast, pixels cast to match); or fp32 under bf16 autocast."""
    images_s, texts_s = {}, {}
    context = torch.autocast("cpu", dtype=torch.bfloat16) if autocast else contextlib.nullcontext()
    with torch.inference_mode(), context:
        for b, x in images.items():
            t = torch.from_numpy(x).to(dtype)
            images_s[b] = rates(b, timed(lambda: model.get_image_features(pixel_values=t), seconds))
        for n, ids in texts.items():
            t = torch.from_numpy(ids)
            texts_s[n] = rates(TEXT_BATCH, timed(lambda: model.get_text_features(input_ids=t), seconds))
    return images_s, texts_s


def worst_cosine(model, reference, images, texts, dtype=torch.float32, autocast=False):
    """Worst cosine of image and text features to the fp32 model's, over the benchmark inputs."""
    context = torch.autocast("cpu", dtype=torch.bfloat16) if autocast else contextlib.nullcontext()
    worst = 1.0
    with torch.inference_mode():
        for x, ids in ((images[8], texts[16]), (images[1], texts[77])):
            expected = (reference.get_image_features(pixel_values=torch.from_numpy(x)),
                        reference.get_text_features(input_ids=torch.from_numpy(ids)))
            with context:
                got = (model.get_image_features(pixel_values=torch.from_numpy(x).to(dtype)),
                       model.get_text_features(input_ids=torch.from_numpy(ids)))
            for e, g in zip(expected, got):
                worst = min(worst, torch.nn.functional.cosine_similarity(e, g.float(), dim=-1).min().item())
    return worst


class ImageTower(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, pixel_values):
        return self.model.get_image_features(pixel_values=pixel_values)


class TextTower(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids):
        return self.model.get_text_features(input_ids=input_ids)


def bench_onnxruntime(model, images, texts, seconds, threads):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    with tempfile.TemporaryDirectory() as directory:
        vision_path, text_path = os.path.join(directory, "vision.onnx"), os.path.join(directory, "text.onnx")
        with torch.inference_mode():
            torch.onnx.export(ImageTower(model), (torch.from_numpy(images[1]),), vision_path, dynamo=False,
                              input_names=["pixel_values"], output_names=["image_embeds"],
                              dynamic_axes={"pixel_values": {0: "batch"}}, opset_version=17)
            torch.onnx.export(TextTower(model), (torch.from_numpy(texts[8]),), text_path, dynamo=False,
                              input_names=["input_ids"], output_names=["text_embeds"],
                              dynamic_axes={"input_ids": {0: "batch", 1: "length"}}, opset_version=17)
        vision = ort.InferenceSession(vision_path, options, providers=["CPUExecutionProvider"])
        text = ort.InferenceSession(text_path, options, providers=["CPUExecutionProvider"])
    # Sanity: the exported graphs compute the same embeddings as PyTorch.
    with torch.inference_mode():
        expected = model.get_image_features(pixel_values=torch.from_numpy(images[1])).numpy()
    got = vision.run(None, {"pixel_values": images[1]})[0]
    assert np.abs(got - expected).max() < 1e-3, "ONNX export disagrees with PyTorch"
    images_s = {b: rates(b, timed(lambda: vision.run(None, {"pixel_values": x}), seconds)) for b, x in images.items()}
    texts_s = {n: rates(TEXT_BATCH, timed(lambda: text.run(None, {"input_ids": ids}), seconds))
               for n, ids in texts.items()}
    return images_s, texts_s


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--seconds", type=float, default=3.0, help="minimum measuring time per figure")
    parser.add_argument("--skip-torch", action="store_true")
    parser.add_argument("--skip-onnxruntime", action="store_true")
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                        help="bf16 adds PyTorch in bf16 (autocast and bf16 weights); ONNX Runtime stays fp32")
    args = parser.parse_args()

    warnings.filterwarnings("ignore")  # the exporter's tracer warnings are noise here
    torch.set_num_threads(args.threads)
    model = vit_b32()
    images, texts = inputs()
    if not args.skip_torch:
        print(f"pytorch         threads={args.threads}  torch {torch.__version__}", flush=True)
        report("pytorch", *bench_torch(model, images, texts, args.seconds))
        if args.precision == "bf16":
            cosine = worst_cosine(model, model, images, texts, autocast=True)
            print(f"pytorch-autocast bf16 autocast vs fp32: worst cosine {cosine:.6f}", flush=True)
            report("pytorch-autocast", *bench_torch(model, images, texts, args.seconds, autocast=True))
            bf16 = copy.deepcopy(model).to(torch.bfloat16)
            cosine = worst_cosine(bf16, model, images, texts, dtype=torch.bfloat16)
            print(f"pytorch-bf16    bf16 weights vs fp32: worst cosine {cosine:.6f}", flush=True)
            report("pytorch-bf16", *bench_torch(bf16, images, texts, args.seconds, dtype=torch.bfloat16))
            del bf16
    if not args.skip_onnxruntime:
        import onnxruntime
        print(f"onnxruntime     threads={args.threads}  onnxruntime {onnxruntime.__version__}", flush=True)
        report("onnxruntime", *bench_onnxruntime(model, images, texts, args.seconds, args.threads))


if __name__ == "__main__":
    main()
