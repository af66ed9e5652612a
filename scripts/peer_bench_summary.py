"""Summarises scripts/peer-bench's rounds: per workload, each engine's median throughput and
the ratios Swift ÷ PyTorch and Swift ÷ ONNX Runtime of those medians, as a Markdown table.

Reads the figure lines that Benchmarks/CLIPBench and scripts/peer_bench.py print on stdin."""
import re
import statistics
import sys
from collections import defaultdict

LINE = re.compile(r"^(\S+)\s+(images|texts)\s+(batch|length)\s+(\d+)\s+([\d.]+) ")
ENGINES = [("swift", "Swift"), ("pytorch", "PyTorch"), ("onnxruntime", "ONNX Runtime")]


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
    print(f"\nmedian of {rounds} round(s)\n")
    print("| workload | " + " | ".join(title for _, title in ENGINES) + " | Swift ÷ PyTorch | Swift ÷ ORT |")
    print("|---|" + "---:|" * (len(ENGINES) + 2))
    for kind, n in workloads:
        medians = {e: statistics.median(figures[(e, kind, n)]) if figures[(e, kind, n)] else None for e, _ in ENGINES}
        label = f"images, batch {n}" if kind == "images" else f"texts, length {n} (batch 32)"
        cells = [f"{medians[e]:.2f}" if medians[e] else "–" for e, _ in ENGINES]

        def ratio(peer):
            return f"{medians['swift'] / medians[peer]:.2f}" if medians["swift"] and medians[peer] else "–"

        print(f"| {label} | " + " | ".join(cells) + f" | {ratio('pytorch')} | {ratio('onnxruntime')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
