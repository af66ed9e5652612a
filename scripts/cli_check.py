"""The one-shot CLI against the server, on the release build (scripts/cli-check runs this).

Over N mixed input lines (English and Chinese captions, gallery images; the demo bundle):
- `adaptclip embed` prints one vector per line, equal to what `POST /v1/embeddings` answers for
  the same inputs (counted bit for bit, bounded by max abs difference);
- `adaptclip tokenize` gives as many tokens per text as the server counts (`usage.prompt_tokens`,
  one text per request): CLIP's BPE for English, the Chinese WordPiece for Chinese;
- `adaptclip classify` over many images ranks the labels as `POST /v1/classify` does.
A malformed line answers an error in its place without shifting the lines after it.

Only the standard library: it runs before any venv exists.
"""
import argparse
import base64
import json
import math
import subprocess
import sys
import urllib.request
from pathlib import Path


def post(port, path, body):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def run(binary, args, lines):
    done = subprocess.run([binary, *args], input="".join(l + "\n" for l in lines).encode(), capture_output=True)
    return done.returncode, done.stdout.decode().splitlines(), done.stderr.decode()


def mixed_inputs(test_dir, count):
    """(kind, value) in a fixed interleaving: English text, Chinese text, image."""
    records = [json.loads(l) for l in (test_dir / "captions.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    inputs = []
    i = 0
    while len(inputs) < count:
        r = records[i % len(records)]
        kind = ("en", "zh", "image")[i % 3]
        inputs.append((kind, str(test_dir / r["file"]) if kind == "image" else r[kind]))
        i += 1
    return inputs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--test-dir", default="models/demo/test")
    a = parser.parse_args()
    test_dir = Path(a.test_dir)
    inputs = mixed_inputs(test_dir, a.lines)
    failures = []

    # embed: one malformed line in the middle must not shift the others.
    lines = [json.dumps({"image": v} if k == "image" else {"text": v}, ensure_ascii=False) for k, v in inputs]
    bad_at = len(lines) // 2
    status, out, err = run(a.bin, ["embed"], lines[:bad_at] + ['{"txet": "typo"}'] + lines[bad_at:])
    if status != 1 or len(out) != len(lines) + 1 or "error" not in json.loads(out[bad_at]) or f"line {bad_at + 1}:" not in err:
        failures.append(f"embed: exit {status}, {len(out)} lines for {len(lines) + 1}, stderr {err[:300]!r}")
    cli_vectors = [json.loads(l).get("embedding") for l in out[:bad_at] + out[bad_at + 1:]]

    server_vectors = []
    for start in range(0, len(inputs), 32):
        batch = inputs[start:start + 32]
        # One request per modality run, in order (a request is all text or all images).
        groups = []
        for kind, value in batch:
            modality = "image" if kind == "image" else "text"
            if not groups or groups[-1][0] != modality:
                groups.append((modality, []))
            groups[-1][1].append(value)
        for modality, values in groups:
            if modality == "image":
                payload = ["data:image/png;base64," + base64.b64encode(Path(v).read_bytes()).decode() for v in values]
            else:
                payload = values
            answer = post(a.port, "/v1/embeddings", {"input": payload, "modality": modality})
            server_vectors += [d["embedding"] for d in sorted(answer["data"], key=lambda d: d["index"])]

    exact, worst, worst_line = 0, 0.0, -1
    for n, (c, s) in enumerate(zip(cli_vectors, server_vectors)):
        if c is None or len(c) != len(s):
            failures.append(f"embed line {n + 1}: no vector or wrong width")
            continue
        d = max(abs(x - y) for x, y in zip(c, s))
        exact += c == s
        if d > worst:
            worst, worst_line = d, n + 1
    kinds = {k: sum(1 for kk, _ in inputs if kk == k) for k in ("en", "zh", "image")}
    print(f"  embed: {len(cli_vectors)} lines ({kinds['en']} English, {kinds['zh']} Chinese, {kinds['image']} images) "
          f"+ 1 malformed line answered in place; equal to /v1/embeddings bit for bit on {exact}, "
          f"worst max abs {worst:.3g}" + (f" (line {worst_line})" if worst_line > 0 else ""))
    if len(server_vectors) != len(cli_vectors) or worst > 1e-6:
        failures.append(f"embed differs from the server: {len(server_vectors)} vs {len(cli_vectors)} vectors, worst {worst}")

    # tokenize: token counts against the server's, English through CLIP's BPE, Chinese through WordPiece.
    for kind, model, lang in (("en", [], "en"), ("zh", ["--model", "models/demo/bert-zh"], "zh")):
        texts = [v for k, v in inputs if k == kind]
        status, out, err = run(a.bin, ["tokenize", *model], [json.dumps(t, ensure_ascii=False) for t in texts])
        if status != 0 or len(out) != len(texts):
            failures.append(f"tokenize {kind}: exit {status}, {len(out)} lines for {len(texts)}: {err[:300]}")
            continue
        mismatched = 0
        for text, ids in zip(texts, out):
            counted = post(a.port, "/v1/embeddings", {"input": text, "lang": lang})["usage"]["prompt_tokens"]
            mismatched += len(json.loads(ids)) != counted
        print(f"  tokenize {kind}: {len(texts)} lines, token counts equal to the server's on {len(texts) - mismatched}")
        if mismatched:
            failures.append(f"tokenize {kind}: {mismatched} token counts differ from the server's")

    # classify: many images in one call against /v1/classify, label by label.
    images = [v for k, v in inputs if k == "image"][:60]
    labels, template = ["circle", "square", "triangle", "heart", "star"], "a drawing of a {}"
    status, out, err = run(a.bin, ["classify", "--template", template, "--labels", *labels, "--", *images], [])
    if status != 0 or len(out) != len(images):
        failures.append(f"classify: exit {status}, {len(out)} lines for {len(images)}: {err[:300]}")
    else:
        worst = 0.0
        for line, path in zip(out, images):
            cli = {l["label"]: l["probability"] for l in json.loads(line)["labels"]}
            image = "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode()
            server = post(a.port, "/v1/classify", {"image": image, "labels": labels, "template": template})
            for l in server["labels"]:
                worst = max(worst, abs(l["probability"] - cli[l["label"]]))
        print(f"  classify: {len(images)} images × {len(labels)} labels, worst probability difference to /v1/classify {worst:.3g}")
        if not worst <= 1e-5:
            failures.append(f"classify differs from the server by {worst}")

    for f in failures:
        print("  FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
