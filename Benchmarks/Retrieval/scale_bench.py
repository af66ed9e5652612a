"""The retrieval scale benchmark (run through scripts/scale-bench): the store's indexes (through
the FAISS shim and its SIMD scan, built by scale_benchmark.cpp) beside faiss-cpu from PyPI (a SIMD
build) on the same CLIP-like vectors, in the same run, their search rounds alternating.

    python scale_bench.py --real DIR --n N [--queries 1000] [--rounds 3] --binary PATH --out DIR

--real: the demo-world embeddings (demo_world_embeddings.py). When N exceeds the real images, the
vectors come from the generator calibrated on them (clip_like.py) and the calibration figures are
written to --figures. Recall@10 is against exact float32 search on the same vectors (faiss-cpu's
IndexFlatIP, checked against the shim's flat search). Prints one Markdown table and writes
results.json.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import clip_like  # noqa: E402
from svg_plot import line_plot  # noqa: E402

K = 10
TARGET_RECALL = 0.95


class Ours:
    """scale_benchmark.cpp, one process per index, driven over stdin/stdout."""

    def __init__(self, binary, files, d, factory):
        self.process = subprocess.Popen([binary, *files, str(d), factory], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        words = self.process.stdout.readline().split()
        self.build_s, self.bytes_per_vector = float(words[words.index("build_s") + 1]), float(words[words.index("bytes_per_vector") + 1])

    def ask(self, line):
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().split()

    def search(self, name, value, limit):
        if name:
            self.ask(f"param {name} {value}")
        words = self.ask(f"search {limit}")
        return float(words[1]), float(words[3]), float(words[5])

    def kernels(self):
        self.process.stdin.write("kernels\n")
        self.process.stdin.flush()
        lines = []
        while (line := self.process.stdout.readline().strip()) != "done":
            lines.append(line)
        return lines

    def close(self):
        self.process.stdin.close()
        self.process.wait()


class Peer:
    """faiss-cpu on the same vectors, single-query calls as the store makes them."""

    def __init__(self, base, queries, truth, factory, training):
        self.queries, self.truth = queries, truth
        start = time.perf_counter()
        self.index = faiss.index_factory(base.shape[1], factory, faiss.METRIC_INNER_PRODUCT)
        if "IVF" in factory and "SQfp16" in factory:
            # As the store's shim builds it: half-precision rows, not residuals (same bytes scanned).
            faiss.extract_index_ivf(self.index).by_residual = False
        if not self.index.is_trained:
            self.index.train(training)
        self.index.add(base)
        self.build_s = time.perf_counter() - start
        self.bytes_per_vector = len(faiss.serialize_index(self.index)) / len(base)

    def search(self, name, value, limit):
        if name == "nprobe":
            faiss.extract_index_ivf(self.index).nprobe = int(value)
        elif name == "efSearch":
            self.index.hnsw.efSearch = int(value)
        times, hits = [], 0
        for q in range(limit):
            start = time.perf_counter()
            _, labels = self.index.search(self.queries[q:q + 1], K)
            times.append(time.perf_counter() - start)
            hits += len(set(labels[0]) & set(self.truth[q]))
        return hits / (limit * K), float(np.median(times)) * 1e3, len(times) / sum(times)


def vectors(args):
    d = json.loads((args.real / "embeddings.json").read_text())["dimension"]
    real = np.fromfile(args.real / "images.f32", dtype="<f4").reshape(-1, d)
    real_queries = np.fromfile(args.real / "queries.f32", dtype="<f4").reshape(-1, d)[: args.queries]
    if args.n <= len(real):
        return real[: args.n], real_queries, f"demo world: {args.n} images embedded by the demo CLIP, held-back captions as queries"
    start = time.perf_counter()
    model = clip_like.calibrate(real, real_queries)
    base, queries = clip_like.generate(model, args.n, args.queries)
    print(f"calibrated and generated in {time.perf_counter() - start:.0f} s", flush=True)
    if args.figures:
        figures(real, real_queries, model, args.figures)
    return base, queries, f"generated: {args.n} vectors from the generator calibrated on {len(real)} demo-world embeddings"


def figures(real, real_queries, model, folder):
    folder.mkdir(parents=True, exist_ok=True)
    # Nearest-neighbour distances depend on the set size: the figures compare the real set with a
    # generated set of the same size (the benchmark's larger set has proportionally more clusters).
    same, same_queries = clip_like.generate(model, len(real), len(real_queries), seed=3)
    a, b = clip_like.describe(real, real_queries), clip_like.describe(same, same_queries)
    ranks = np.arange(1, 41)
    line_plot(folder / "clip-like-spectrum.svg", "Eigen-spectrum (share of variance per principal direction)",
              "principal direction", "share of variance",
              {"demo CLIP images": (ranks, a["spectrum"][:40]), "generated": (ranks, b["spectrum"][:40])})
    quantiles = lambda v: (np.linspace(0, 1, len(v)), v)  # noqa: E731
    line_plot(folder / "clip-like-nearest-neighbour.svg", f"Nearest-neighbour cosine among {len(real)} images (CDF)",
              "cosine to the nearest other image", "fraction of images",
              {"demo CLIP images": quantiles(a["nn_cos"])[::-1], "generated": quantiles(b["nn_cos"])[::-1]})
    line_plot(folder / "clip-like-query-image-cosine.svg", "Query–image cosine: best and 100th best image per query (CDF)",
              "cosine", "fraction of queries",
              {"demo CLIP, best": quantiles(a["query_top1"])[::-1], "generated, best": quantiles(b["query_top1"])[::-1],
               "demo CLIP, 100th": quantiles(a["query_top100"])[::-1], "generated, 100th": quantiles(b["query_top100"])[::-1]})
    summary = {name: {key: [round(float(x), 3) for x in np.percentile(stats[key], [5, 50, 95])]
                      for key in ("nn_cos", "query_top1", "query_top100")} | {"variance_90pct_dims": int(np.searchsorted(np.cumsum(stats["spectrum"]), 0.9)) + 1}
               for name, stats in (("real", a), ("generated", b))}
    (folder / "clip-like-calibration.json").write_text(json.dumps(summary, indent=1) + "\n")
    print("calibration (p5, p50, p95):", json.dumps(summary), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--real", type=Path, required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--figures", type=Path)
    parser.add_argument("--hnsw", action="store_true", help="also build faiss-cpu's HNSW32 (slow to build)")
    parser.add_argument("--vectors-only", action="store_true",
                        help="write base.f32 and queries.f32 into --out and stop (input for retrieval-writes)")
    args = parser.parse_args()
    faiss.omp_set_num_threads(2)
    args.out.mkdir(parents=True, exist_ok=True)
    base, queries, source = vectors(args)
    n, d = base.shape
    if args.vectors_only:
        base.astype("<f4").tofile(args.out / "base.f32")
        queries.astype("<f4").tofile(args.out / "queries.f32")
        print(f"{source}: {n} × {d} into {args.out}")
        return
    exact = faiss.IndexFlatIP(d)
    exact.add(base)
    truth = exact.search(queries, K)[1]
    files = [str(args.out / name) for name in ("base.f32", "queries.f32", "truth.i64")]
    base.astype("<f4").tofile(files[0])
    queries.astype("<f4").tofile(files[1])
    truth.astype("<i8").tofile(files[2])
    training = base[:: max(1, -(-n // 200_000))]
    sweep = [4, 8, 16, 32, 64, 128]
    # IVF1024 is the store's default (trainable from 40k vectors, so it can take over at the flat
    # limit), with float32 or half-precision rows; at 1M, IVF4096 shows what more, smaller lists buy.
    plans = [("Flat", None, [0]), ("IVF1024,Flat", "nprobe", sweep), ("IVF1024,SQfp16", "nprobe", sweep)]
    if n > 300_000:
        plans.append(("IVF4096,Flat", "nprobe", [8, 16, 32, 64, 128]))
    rows, kernel_lines = [], []
    for factory, name, values in plans:
        ours = Ours(args.binary, files, d, factory)
        peer = Peer(base, queries, truth, factory, training)
        # An exact scan at 1M costs faiss-cpu ~0.4 s a query: 100 queries are enough for its p50.
        limit = min(len(queries), 100) if factory == "Flat" else len(queries)
        if factory == "Flat":
            kernel_lines = ours.kernels()
        for value in values:
            measured = {"ours": [], "faiss-cpu": []}
            for round_ in range(args.rounds):
                order = [("ours", ours), ("faiss-cpu", peer)]
                for label, side in order if round_ % 2 == 0 else order[::-1]:
                    measured[label].append(side.search(name, value, limit))
            for label, side in (("ours", ours), ("faiss-cpu", peer)):
                m = np.median(np.array(measured[label]), axis=0)
                rows.append({"side": label, "index": factory, "param": f"{name}={value}" if name else "exact",
                             "recall": float(m[0]), "p50_ms": float(m[1]), "qps": float(m[2]),
                             "build_s": side.build_s, "bytes_per_vector": side.bytes_per_vector})
                print(rows[-1], flush=True)
        ours.close()
    if args.hnsw:
        peer = Peer(base, queries, truth, "HNSW32,Flat", training)
        for ef in [16, 32, 64, 128]:
            m = np.median(np.array([peer.search("efSearch", ef, len(queries)) for _ in range(args.rounds)]), axis=0)
            rows.append({"side": "faiss-cpu", "index": "HNSW32", "param": f"efSearch={ef}", "recall": float(m[0]),
                         "p50_ms": float(m[1]), "qps": float(m[2]), "build_s": peer.build_s, "bytes_per_vector": peer.bytes_per_vector})
            print(rows[-1], flush=True)
    best = {side: max((r for r in rows if r["side"] == side and r["recall"] >= TARGET_RECALL), key=lambda r: r["qps"], default=None)
            for side in ("ours", "faiss-cpu")}
    cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    flags = set(next(line for line in open("/proc/cpuinfo") if line.startswith("flags")).split())
    result = {"source": source, "n": n, "d": d, "queries": len(queries), "rounds": args.rounds, "cpu": cpu,
              "flags": sorted(flags & {"avx2", "avx512f", "avx512_bf16", "amx_tile", "f16c"}), "cores": os.cpu_count(),
              "faiss_cpu": faiss.__version__, "rows": rows, "kernels": kernel_lines, "best_at_target": best}
    if best["ours"] and best["faiss-cpu"]:
        result["qps_ratio_at_target"] = best["ours"]["qps"] / best["faiss-cpu"]["qps"]
    (args.out / "results.json").write_text(json.dumps(result, indent=1) + "\n")
    print(f"\n{source}; {cpu} ({', '.join(result['flags'])}), {os.cpu_count()} cores, faiss-cpu {faiss.__version__}, "
          f"{len(queries)} queries × {args.rounds} alternating rounds, medians\n")
    print("| side | index | setting | recall@10 | p50 ms | QPS | build s | bytes/vector |\n|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['side']} | {r['index']} | {r['param']} | {r['recall']:.3f} | {r['p50_ms']:.2f} | {r['qps']:.0f} | {r['build_s']:.1f} | {r['bytes_per_vector']:.0f} |")
    print("\nexact scans, one thread (kernel 0 scalar, 1 AVX2, 2 AVX-512):\n" + "\n".join(kernel_lines))
    if "qps_ratio_at_target" in result:
        print(f"\nQPS at recall@10 ≥ {TARGET_RECALL}: ours {best['ours']['index']} {best['ours']['param']} / faiss-cpu "
              f"{best['faiss-cpu']['index']} {best['faiss-cpu']['param']} = {result['qps_ratio_at_target']:.2f}")


if __name__ == "__main__":
    main()
