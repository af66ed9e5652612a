"""The one-shot CLI on the published-checkpoint formats, on the release build (demo-check runs it).

For each converted fixture under Tests/Fixtures/published (Taiyi-type, M-CLIP-type, Chinese-CLIP;
written by training/fixtures/make_published_fixtures.py from transformers 4.57.6):
- `adaptclip tokenize --model DIR` prints transformers' token ids for every golden text;
- `adaptclip embed --model DIR` prints the encoder's raw features (Taiyi-type, M-CLIP-type) or
  the whole model's normalised vectors (Chinese-CLIP), against transformers' features;
- `adaptclip embed --zh-encoder DIR` beside the demo CLIP, with `{"text": …, "lang": "zh"}` lines,
  prints the Chinese path's normalised vector.

Only the standard library: it runs before any venv exists.
"""
import argparse
import base64
import json
import math
import struct
import subprocess
import sys
from pathlib import Path

FIXTURES = Path("Tests/Fixtures/published")


def floats(b64):
    raw = base64.b64decode(b64)
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))


def unit(v):
    n = math.sqrt(sum(x * x for x in v))
    return [x / n for x in v] if n else v


def cosine(a, b):
    return sum(x * y for x, y in zip(unit(a), unit(b)))


def run(binary, args, lines):
    done = subprocess.run([binary, *args], input="".join(l + "\n" for l in lines).encode(), capture_output=True)
    return done.returncode, done.stdout.decode().splitlines(), done.stderr.decode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    a = parser.parse_args()
    failures = []
    for shape in ("taiyi-type", "mclip-type", "chinese-clip-type"):
        directory = FIXTURES / shape
        goldens = json.loads((directory / "goldens.json").read_text(encoding="utf-8"))
        texts = goldens["texts"]
        status, out, err = run(a.bin, ["tokenize", "--model", str(directory)], [json.dumps(t["text"]) for t in texts])
        same = sum(1 for t, line in zip(texts, out) if json.loads(line) == t["token_ids"]) if status == 0 else 0
        print(f"  tokenize --model {shape}: {same} of {len(texts)} texts with transformers' ids")
        if same != len(texts):
            failures.append(f"tokenize {shape}: exit {status}, {same}/{len(texts)} equal: {err[:300]}")

        lines = [json.dumps({"text": t["text"]}, ensure_ascii=False) for t in texts]
        status, out, err = run(a.bin, ["embed", "--model", str(directory)], lines)
        worst = min((cosine(json.loads(l)["embedding"], floats(t["features_f32"])) for t, l in zip(texts, out)), default=0)
        if status != 0 or len(out) != len(texts):
            worst = 0
        print(f"  embed --model {shape}: {len(out)} texts, worst cosine to transformers' features {worst:.7f}")
        if worst < 0.99999:
            failures.append(f"embed {shape}: exit {status}, worst cosine {worst}: {err[:300]}")

        if shape != "chinese-clip-type":
            lines = [json.dumps({"text": t["text"], "lang": "zh"}, ensure_ascii=False) for t in texts]
            status, out, err = run(a.bin, ["embed", "--zh-encoder", str(directory)], lines)
            vectors = [json.loads(l)["embedding"] for l in out] if status == 0 else []
            worst = min((cosine(v, floats(t["features_f32"])) for t, v in zip(texts, vectors)), default=0)
            norms = max((abs(math.sqrt(sum(x * x for x in v)) - 1) for v in vectors), default=1)
            print(f"  embed --zh-encoder {shape} (demo CLIP, lang zh): {len(vectors)} texts, worst cosine {worst:.7f}, "
                  f"unit length within {norms:.1g}")
            if len(vectors) != len(texts) or worst < 0.99999 or norms > 1e-5:
                failures.append(f"embed --zh-encoder {shape}: exit {status}, worst {worst}: {err[:300]}")
    for f in failures:
        print("  FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
