"""CLIP's real BPE vocabulary as Hugging Face files (vocab.json + merges.txt).

Source: `bpe_simple_vocab_16e6.txt.gz` from the PyPI package open_clip_torch==3.3.0 (the file
OpenAI's CLIP ships). The conversion follows OpenAI's simple_tokenizer.SimpleTokenizer.__init__:
merges are lines 1 … 48894 of the file (line 0 is a version header); the vocabulary is the 256
byte-level symbols (in bytes_to_unicode order), the same 256 with "</w>", one token per merge,
then <|startoftext|> (49406) and <|endoftext|> (49407): 49,408 ids, as in openai/clip-vit-*.

Get the file without installing the package (training/make_demo.sh does this and checks its SHA-256):
    pip download --no-deps open_clip_torch==3.3.0 -d training/out/downloads && unzip -j \
        training/out/downloads/open_clip_torch-3.3.0-py3-none-any.whl open_clip/bpe_simple_vocab_16e6.txt.gz \
        -d training/out/downloads
"""
import gzip
import json
from pathlib import Path

MERGE_COUNT = 49152 - 256 - 2  # 48894, as simple_tokenizer slices them
START_OF_TEXT = "<|startoftext|>"
END_OF_TEXT = "<|endoftext|>"


def bytes_to_unicode() -> dict[int, str]:
    """Byte → printable unicode character map of GPT-2/CLIP byte-level BPE."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def read_merges(bpe_gz: Path) -> list[tuple[str, str]]:
    return parse_merges(Path(bpe_gz).read_bytes(), source=str(bpe_gz))


def parse_merges(bpe_gz: bytes, source: str = "bpe_simple_vocab_16e6.txt.gz") -> list[tuple[str, str]]:
    """The merges of the gzipped BPE file's bytes (as read from a file or a wheel)."""
    lines = gzip.decompress(bpe_gz).decode("utf-8").split("\n")
    merges = [tuple(line.split()) for line in lines[1:MERGE_COUNT + 1]]
    if len(merges) != MERGE_COUNT or any(len(m) != 2 for m in merges):
        raise ValueError(f"{source}: expected {MERGE_COUNT} merges of two symbols")
    return merges  # type: ignore[return-value]


def clip_vocabulary(merges: list[tuple[str, str]]) -> dict[str, int]:
    symbols = list(bytes_to_unicode().values())
    tokens = symbols + [s + "</w>" for s in symbols] + ["".join(m) for m in merges] + [START_OF_TEXT, END_OF_TEXT]
    vocab = {token: i for i, token in enumerate(tokens)}
    if len(vocab) != 49408:
        raise ValueError(f"expected 49408 distinct tokens, got {len(vocab)}")
    return vocab


def write_hf_vocab(bpe_gz: Path, out_dir: Path) -> tuple[Path, Path]:
    """Write vocab.json and merges.txt (with HF's '#version: 0.2' header) into out_dir."""
    merges = read_merges(bpe_gz)
    vocab = clip_vocabulary(merges)
    out_dir.mkdir(parents=True, exist_ok=True)
    vocab_path, merges_path = out_dir / "vocab.json", out_dir / "merges.txt"
    vocab_path.write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    merges_path.write_text("#version: 0.2\n" + "\n".join(f"{a} {b}" for a, b in merges) + "\n", encoding="utf-8")
    return vocab_path, merges_path
