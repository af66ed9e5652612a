"""Convert a downloaded published checkpoint into the directory the service reads.

    python -m training.convert_checkpoint SRC DST [--name N] [--languages zh,en] [--base-config FILE]
                                                  [--format taiyi-clip|m-clip|chinese-clip] [--attention-heads H]

SRC is a directory as the Hugging Face hub ships it: config.json, pytorch_model.bin (or
model.safetensors) and the tokenizer / preprocessor files. Three formats are known, detected from
config.json (or forced with --format):

  taiyi-clip    IDEA-CCNL/Taiyi-CLIP-*: model_type "bert", architectures [BertForSequenceClassification];
                the text feature is the classification logits (id2label has one label per CLIP dimension).
  m-clip        M-CLIP/XLM-Roberta-*: model_type "M-CLIP" with transformerDimensions / numDims; an
                XLM-R "transformer.*" and a "LinearTransformation". The published config.json names the
                XLM-R only by modelBase, so the XLM-R config comes from --base-config (that model's
                config.json) or is inferred from the tensor shapes (xlm-roberta defaults; heads =
                hidden / 64 unless --attention-heads).
  chinese-clip  OFA-Sys/chinese-clip-*: model_type "chinese_clip", the ChineseCLIPModel state dict.

DST receives model.safetensors (float32, the source's tensor names; non-persistent buffers such as
*.position_ids and, for chinese-clip, the unused text pooler dropped), config.json (the source
config, or for m-clip the XLMRobertaConfig, plus an "adaptclip" block: format, name, languages,
projection_dim) and the tokenizer / preprocessor files the format needs. Every tensor is checked
against what the config implies: an unknown or missing tensor, a wrong shape, a non-float dtype or
a NaN / Inf is refused with a message naming it, and so is a file that is not a readable checkpoint.
DST is built in a temporary directory beside it and renamed at the end, so a refusal leaves nothing.
Exit status 0, or 2 with one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from transformers import (BertConfig, BertForSequenceClassification, ChineseCLIPConfig, ChineseCLIPModel,
                          XLMRobertaConfig, XLMRobertaModel)

FORMATS = ("taiyi-clip", "m-clip", "chinese-clip")

# The languages each checkpoint family was trained for. M-CLIP: the language tags of the published
# XLM-R model cards, which are the target languages of its caption translation
# (Multilingual-CLIP translation/data/fine_tune_languages.csv; zh covers Simplified and Traditional).
MCLIP_LANGUAGES = ("af", "sq", "am", "ar", "az", "bn", "bs", "bg", "ca", "zh", "hr", "cs", "da", "nl", "en", "et",
                   "fr", "de", "el", "hi", "hu", "is", "id", "it", "ja", "mk", "ml", "mr", "pl", "pt", "ro", "ru",
                   "sr", "sl", "es", "sw", "sv", "tl", "te", "tr", "tk", "uk", "ur", "ug", "uz", "vi", "xh")
DEFAULT_LANGUAGES = {"taiyi-clip": ("zh",), "m-clip": MCLIP_LANGUAGES, "chinese-clip": ("zh", "en")}

TOKENIZER_FILES = {
    "taiyi-clip": ("vocab.txt", "tokenizer_config.json", "special_tokens_map.json"),
    "m-clip": ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"),
    "chinese-clip": ("vocab.txt", "tokenizer_config.json", "preprocessor_config.json"),
}
OPTIONAL_FILES = {"taiyi-clip": (), "m-clip": (), "chinese-clip": ("special_tokens_map.json",)}

# Buffers older transformers versions saved with the weights; recomputed at load, never read.
DROPPED_BUFFERS = re.compile(r"(^|\.)(position_ids|token_type_ids)$")
# Keys a source may carry that its format never uses: ChineseCLIPModel builds its text tower
# without a pooler, so a converted checkpoint's pooler would be dead weight.
DROPPED_UNUSED = {"chinese-clip": re.compile(r"^text_model\.pooler\.")}
# Keys a format's model has but a source may lack: M-CLIP mean-pools and never runs the pooler.
OPTIONAL_KEYS = {"m-clip": re.compile(r"^transformer\.pooler\.")}

FLOAT_DTYPES = (torch.float32, torch.float16, torch.bfloat16, torch.float64)
LISTED_NAMES = 6  # names quoted in one refusal message before "and N more"


class ConversionError(Exception):
    """A refusal: the message names the file, key or shape at fault."""


@dataclass(frozen=True)
class Converted:
    directory: Path
    format: str
    name: str
    languages: tuple[str, ...]
    projection_dim: int
    tensors: int


def listed(names) -> str:
    names = sorted(names)
    shown = ", ".join(names[:LISTED_NAMES])
    return shown + (f" and {len(names) - LISTED_NAMES} more" if len(names) > LISTED_NAMES else "")


def read_json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConversionError(f"{path} is missing") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConversionError(f"{path} is not valid JSON ({error})") from None
    if not isinstance(value, dict):
        raise ConversionError(f"{path} is not a JSON object")
    return value


def detect_format(config: dict, path: Path) -> str:
    model_type = config.get("model_type")
    if model_type == "bert":
        architectures = config.get("architectures") or []
        if "BertForSequenceClassification" not in architectures:
            raise ConversionError(f"{path}: a BERT checkpoint with architectures {architectures}, not "
                                  "BertForSequenceClassification: not a Taiyi-CLIP text encoder")
        return "taiyi-clip"
    if model_type == "M-CLIP":
        return "m-clip"
    if model_type == "chinese_clip":
        return "chinese-clip"
    raise ConversionError(f"{path}: model_type {model_type!r} is not a supported published checkpoint "
                          "(bert with BertForSequenceClassification = Taiyi-CLIP, M-CLIP, chinese_clip)")


def read_state_dict(src: Path) -> tuple[dict[str, torch.Tensor], Path]:
    safetensors_path, bin_path = src / "model.safetensors", src / "pytorch_model.bin"
    if safetensors_path.exists():
        try:
            return load_file(str(safetensors_path)), safetensors_path
        except (SafetensorError, OSError, ValueError) as error:
            raise ConversionError(f"{safetensors_path} is not a readable safetensors file ({error})") from None
    if not bin_path.exists():
        raise ConversionError(f"{src} holds neither pytorch_model.bin nor model.safetensors")
    try:
        # weights_only: the file is unpickled with tensors and containers only, never arbitrary objects.
        state = torch.load(str(bin_path), map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises RuntimeError, UnpicklingError, EOFError, ... for damaged files
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ConversionError(f"{bin_path} is not a readable PyTorch checkpoint (truncated or corrupted?): "
                              f"{first_line}") from None
    if not isinstance(state, dict) or not all(isinstance(k, str) and isinstance(v, torch.Tensor)
                                              for k, v in state.items()):
        raise ConversionError(f"{bin_path} is not a flat state dict of named tensors "
                              f"(top-level keys: {listed(map(str, state)) if isinstance(state, dict) else type(state).__name__})")
    return state, bin_path


def infer_xlm_roberta_config(state: dict[str, torch.Tensor], attention_heads: int | None) -> XLMRobertaConfig:
    def shape(key: str) -> tuple[int, ...]:
        if key not in state:
            raise ConversionError(f"cannot infer the XLM-R config: tensor {key} is missing (give --base-config)")
        return tuple(state[key].shape)

    vocab, hidden = shape("transformer.embeddings.word_embeddings.weight")
    positions = shape("transformer.embeddings.position_embeddings.weight")[0]
    token_types = shape("transformer.embeddings.token_type_embeddings.weight")[0]
    intermediate = shape("transformer.encoder.layer.0.intermediate.dense.weight")[0]
    layers = 1 + max(int(m.group(1)) for k in state if (m := re.match(r"transformer\.encoder\.layer\.(\d+)\.", k)))
    if attention_heads is None:
        if hidden % 64:
            raise ConversionError(f"hidden size {hidden} is not a multiple of 64: give --attention-heads or --base-config")
        attention_heads = hidden // 64
    if hidden % attention_heads:
        raise ConversionError(f"hidden size {hidden} is not divisible by {attention_heads} attention heads")
    return XLMRobertaConfig(vocab_size=vocab, hidden_size=hidden, num_hidden_layers=layers,
                            num_attention_heads=attention_heads, intermediate_size=intermediate,
                            max_position_embeddings=positions, type_vocab_size=token_types, layer_norm_eps=1e-5,
                            hidden_act="gelu", pad_token_id=1, bos_token_id=0, eos_token_id=2)


def mclip_dimensions(config: dict, path: Path) -> tuple[int, int]:
    missing = [k for k in ("transformerDimensions", "numDims") if not isinstance(config.get(k), int)]
    if missing:
        raise ConversionError(f"{path}: an M-CLIP config needs integer {listed(missing)}")
    return config["transformerDimensions"], config["numDims"]


def expected_shapes(fmt: str, config: dict, xlmr: XLMRobertaConfig | None) -> tuple[dict[str, tuple], int]:
    """Every tensor the format's model holds, with its shape, from the config alone (no memory: meta device)."""
    with torch.device("meta"):
        if fmt == "taiyi-clip":
            model = BertForSequenceClassification(BertConfig.from_dict(config))
            projection = model.config.num_labels
            shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
        elif fmt == "m-clip":
            hidden, projection = mclip_dimensions(config, Path("config.json"))
            if hidden != xlmr.hidden_size:
                raise ConversionError(f"config.json transformerDimensions {hidden} differs from the XLM-R hidden "
                                      f"size {xlmr.hidden_size}")
            shapes = {"transformer." + k: tuple(v.shape) for k, v in XLMRobertaModel(xlmr).state_dict().items()}
            shapes["LinearTransformation.weight"] = (projection, hidden)
            shapes["LinearTransformation.bias"] = (projection,)
        else:
            model = ChineseCLIPModel(ChineseCLIPConfig.from_dict(config))
            projection = model.config.projection_dim
            shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    return shapes, projection


def checked_tensors(fmt: str, state: dict[str, torch.Tensor], shapes: dict[str, tuple], source: Path
                    ) -> dict[str, torch.Tensor]:
    unused = DROPPED_UNUSED.get(fmt)
    kept = {k: v for k, v in state.items()
            if not DROPPED_BUFFERS.search(k) and not (unused and unused.match(k))}
    # Older BERT checkpoints name LayerNorm parameters gamma / beta; transformers maps them at load.
    def canonical(key: str) -> str:
        return re.sub(r"LayerNorm\.gamma$", "LayerNorm.weight", re.sub(r"LayerNorm\.beta$", "LayerNorm.bias", key))

    by_canonical = {canonical(k): k for k in kept}
    unknown = [k for k in kept if canonical(k) not in shapes]
    if unknown:
        raise ConversionError(f"{source}: {len(unknown)} tensor(s) unknown to the {fmt} format: {listed(unknown)}")
    optional = OPTIONAL_KEYS.get(fmt)
    missing = [k for k in shapes if k not in by_canonical and not (optional and optional.match(k))]
    if missing:
        raise ConversionError(f"{source}: {len(missing)} tensor(s) of the {fmt} format missing: {listed(missing)}")
    wrong = [f"{k} {list(kept[k].shape)} (expected {list(shapes[canonical(k)])})"
             for k in sorted(kept) if tuple(kept[k].shape) != shapes[canonical(k)]]
    if wrong:
        raise ConversionError(f"{source}: wrong shape: {listed(wrong)}")
    not_float = [f"{k} ({str(v.dtype).replace('torch.', '')})" for k, v in kept.items() if v.dtype not in FLOAT_DTYPES]
    if not_float:
        raise ConversionError(f"{source}: non-float tensor(s): {listed(not_float)}")
    non_finite = [k for k, v in kept.items() if not bool(torch.isfinite(v).all())]
    if non_finite:
        raise ConversionError(f"{source}: NaN or Inf in {listed(non_finite)}")
    return {k: v.to(torch.float32).contiguous() for k, v in kept.items()}


def declared_name(src: Path, config: dict, name: str | None) -> str:
    if name:
        return name
    origin = str(config.get("_name_or_path") or "").rstrip("/")
    return origin.rsplit("/", 1)[-1] if origin else src.resolve().name


def convert(src: Path, dst: Path, *, name: str | None = None, languages: list[str] | None = None,
            base_config: Path | None = None, fmt: str | None = None, attention_heads: int | None = None) -> Converted:
    src, dst = Path(src), Path(dst)
    if not src.is_dir():
        raise ConversionError(f"{src} is not a directory")
    if dst.exists():
        raise ConversionError(f"{dst} already exists; give a new directory")
    if not dst.parent.is_dir():
        raise ConversionError(f"{dst.parent} does not exist")
    config = read_json(src / "config.json")
    fmt = fmt or detect_format(config, src / "config.json")
    if fmt not in FORMATS:
        raise ConversionError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    files = TOKENIZER_FILES[fmt]
    missing_files = [f for f in files if not (src / f).is_file()]
    if missing_files:
        raise ConversionError(f"{src}: the {fmt} format needs {listed(missing_files)}, missing")
    state, source = read_state_dict(src)

    xlmr = None
    out_config = dict(config)
    if fmt == "m-clip":
        mclip_dimensions(config, src / "config.json")
        if base_config is not None:
            base = read_json(Path(base_config))
            if base.get("model_type") != "xlm-roberta":
                raise ConversionError(f"{base_config}: model_type {base.get('model_type')!r}, expected 'xlm-roberta'")
            xlmr = XLMRobertaConfig.from_dict(base)
            if attention_heads is not None:
                xlmr.num_attention_heads = attention_heads
        else:
            xlmr = infer_xlm_roberta_config(state, attention_heads)
        out_config = xlmr.to_dict()
        out_config["architectures"] = ["XLMRobertaModel"]
        out_config["_name_or_path"] = config.get("_name_or_path", "")
        out_config.pop("transformers_version", None)
    try:
        shapes, projection = expected_shapes(fmt, config, xlmr)
    except (ValueError, TypeError, KeyError) as error:
        raise ConversionError(f"{src / 'config.json'}: not a usable {fmt} config ({error})") from None
    tensors = checked_tensors(fmt, state, shapes, source)

    info = Converted(dst, fmt, declared_name(src, config, name),
                     tuple(languages) if languages else DEFAULT_LANGUAGES[fmt], projection, len(tensors))
    out_config["adaptclip"] = {"format": fmt, "name": info.name, "languages": list(info.languages),
                               "projection_dim": projection}
    staging = Path(tempfile.mkdtemp(prefix=f".{dst.name}.", dir=dst.parent))
    try:
        save_file(tensors, str(staging / "model.safetensors"), metadata={"format": "pt"})
        (staging / "config.json").write_text(json.dumps(out_config, indent=2, sort_keys=True, ensure_ascii=False)
                                             + "\n", encoding="utf-8")
        for f in files + tuple(f for f in OPTIONAL_FILES[fmt] if (src / f).is_file()):
            shutil.copyfile(src / f, staging / f)
        # mkdtemp made the directory private; the result gets the modes of any new directory.
        umask = os.umask(0)
        os.umask(umask)
        for path in staging.iterdir():
            path.chmod(0o666 & ~umask)
        staging.chmod(0o777 & ~umask)
        if dst.exists():
            raise ConversionError(f"{dst} appeared during the conversion; left as it is")
        os.rename(staging, dst)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", type=Path, help="the downloaded checkpoint directory")
    parser.add_argument("dst", type=Path, help="the directory to create (must not exist)")
    parser.add_argument("--name", help="declared name (default: config _name_or_path's last part, else SRC's name)")
    parser.add_argument("--languages", help="comma-separated language codes (default: the format's own)")
    parser.add_argument("--base-config", type=Path, help="m-clip: the XLM-R config.json of the model's modelBase")
    parser.add_argument("--format", choices=FORMATS, help="skip detection from config.json")
    parser.add_argument("--attention-heads", type=int, help="m-clip without --base-config: heads (default hidden/64)")
    args = parser.parse_args(argv)
    languages = [code.strip() for code in args.languages.split(",") if code.strip()] if args.languages else None
    try:
        info = convert(args.src, args.dst, name=args.name, languages=languages, base_config=args.base_config,
                       fmt=args.format, attention_heads=args.attention_heads)
    except ConversionError as error:
        print(f"convert_checkpoint: refused: {error}", file=sys.stderr)
        return 2
    print(f"{info.directory}: {info.format} '{info.name}', {info.tensors} tensors, projection {info.projection_dim}, "
          f"languages {','.join(info.languages)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
