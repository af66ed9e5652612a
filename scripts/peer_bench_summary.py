"""Summarises scripts/peer-bench's rounds: per workload, each engine's median throughput and
the ratios of the Swift engines' medians to each peer's, as a Markdown table. fp32 Swift is
compared with fp32 peers; bf16 Swift with every peer (bf16 PyTorch and fp32 ONNX Runtime).

Reads the figure lines that Benchmarks/CLIPBench and scripts/peer_bench.py print on stdin."""
import re
import statistics
import sys
from collections import defaultdict

LINE = re.compile(r"^(\S+)\s+(images|texts)\s+(batch|length)\s+(\d+)\s+([\d.]+) ")
ENGINES = [("swift", "Swift"), ("swift-bf16", "Swift bf16"), ("pytorch", "PyTorch"),
           ("pytorch-autocast", "PyTorch bf16 autocast"), ("pytorch-bf16", "PyTorch bf16 weights"),
           ("onnxruntime", "ONNX Runtime")]
# (Swift engine, peer): fp32 Swift against fp32 peers only.
RATIOS = [("swift", "pytorch"), ("swift", "onnxruntime"), ("swift-bf16", "pytorch-autocast"),
          ("swift-bf16", "pytorch-bf16"), ("swift-bf16", "onnxruntime")]


def main() -> int:
    figures = defaultdict(list)  # (engine, kind, n) -> [throughput per round]
    for line in sys.stdin:
        match = LINE.match(line)
        if match:
            engine, kind, _, n, rate = match.groups()
            figures[(engine, kind, int(n))].append(float(rate))
    workloads = sorted({(kind, n) for (_, kind, n) in figures}, key=lambda w: (w[0] != "images", w[1]))
    if not workloads:
        print("peer-bench summary: no figures were printed", file=sys.stderr)
        return 1
    rounds = max(len(v) for v in figures.values())
    present = {engine for (engine, _, _) in figures}
    engines = [(e, title) for e, title in ENGINES if e in present]
    titles = dict(ENGINES)
    ratios = [(s, p) for s, p in RATIOS if s in present and p in present]
    print(f"\nmedian of {rounds} round(s)\n")
    print("| workload | " + " | ".join(title for _, title in engines) + " | "
          + " | ".join(f"{titles[s]} ÷ {titles[p]}" for s, p in ratios) + " |")
    print("|---|" + "---:|" * (len(engines) + len(ratios)))
    for kind, n in workloads:
        medians = {e: statistics.median(figures[(e, kind, n)]) if figures[(e, kind, n)] else None for e, _ in engines}
        label = f"images, batch {n}" if kind == "images" else f"texts, length {n} (batch 32)"
        cells = [f"{medians[e]:.2f}" if medians[e] else "–" for e, _ in engines]
        quotients = [f"{medians[s] / medians[p]:.2f}" if medians[s] and medians[p] else "–" for s, p in ratios]
        print(f"| {label} | " + " | ".join(cells + quotients) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
