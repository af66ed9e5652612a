"""The language-adaptation results on a labelled split, computed by the PyTorch pipeline.

    python -m training.evaluate_demo --bundle models/demo [--split DIR] [--json OUT]

The reference for `adaptclip eval` (Swift, through the Engine): the same split (captions.jsonl,
prompts.json and the images, default <bundle>/test), the same three text paths and the same
metric definitions, computed with transformers and the training-side adapter:

- `en`: English text through CLIP's text tower;
- `zh-raw`: the Chinese text through CLIP's own text tower (CLIP never learned Chinese: the floor);
- `zh`: the Chinese text through the Chinese BERT and the language adapter.

Zero-shot accuracy: the prompt with the highest cosine is the prediction; scenes without a single
answer for a task (label null) are skipped. Text→image recall@K: caption i's own image is the only
hit; its rank counts the images scoring strictly higher (ties favour the query); mR is the mean of
R@1, R@5 and R@10. The JSON it writes is what `adaptclip eval --compare FILE` holds the Swift
figures to (within 0.5 points; scripts/demo-check, make demo-results).
"""
import argparse
import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from PIL import Image
from transformers import BertModel, BertTokenizer, CLIPImageProcessor, CLIPModel, CLIPTokenizerFast

from training.adaptclip_training.language_checkpoint import load_language_checkpoint

PATHS = (("en", "en"), ("zh-raw", "zh"), ("zh", "zh"))  # path name, caption/prompt language


class DemoBundle:
    """The three models of a bundle directory (clip/, bert-zh/, zh-adapter/), frozen, float32."""

    def __init__(self, bundle: Path):
        self.clip = CLIPModel.from_pretrained(bundle / "clip", torch_dtype=torch.float32).eval()
        # The fast tokenizer is the reference the Swift one is tested against; the slow one, without
        # ftfy, splits CJK text into single characters first and tokenizes Chinese differently.
        self.clip_tokenizer = CLIPTokenizerFast.from_pretrained(bundle / "clip")
        self.processor = CLIPImageProcessor.from_pretrained(bundle / "clip")
        self.bert = BertModel.from_pretrained(bundle / "bert-zh", torch_dtype=torch.float32,
                                              add_pooling_layer=False).eval()
        self.bert_tokenizer = BertTokenizer(str(bundle / "bert-zh" / "vocab.txt"))
        self.adapter, _ = load_language_checkpoint(bundle / "zh-adapter")

    @torch.no_grad()
    def images(self, files: list[Path], batch: int = 256) -> torch.Tensor:
        out = []
        for i in range(0, len(files), batch):
            pixels = self.processor([Image.open(f).convert("RGB") for f in files[i:i + batch]],
                                    return_tensors="pt").pixel_values
            out.append(F.normalize(self.clip.get_image_features(pixel_values=pixels), dim=-1))
        return torch.cat(out)

    @torch.no_grad()
    def texts(self, texts: list[str], path: str, batch: int = 256) -> torch.Tensor:
        out = []
        for i in range(0, len(texts), batch):
            chunk = texts[i:i + batch]
            if path == "zh":
                e = self.bert_tokenizer(chunk, padding=True, truncation=True, return_tensors="pt",
                                        max_length=self.bert.config.max_position_embeddings)
                hidden = self.bert(input_ids=e.input_ids, attention_mask=e.attention_mask,
                                   token_type_ids=e.token_type_ids).last_hidden_state
                vectors = self.adapter(hidden, e.attention_mask)
            else:
                e = self.clip_tokenizer(chunk, padding=True, truncation=True, return_tensors="pt",
                                        max_length=self.clip.config.text_config.max_position_embeddings)
                vectors = self.clip.get_text_features(input_ids=e.input_ids, attention_mask=e.attention_mask)
            out.append(F.normalize(vectors, dim=-1))
        return torch.cat(out)


def zero_shot_accuracy(images: torch.Tensor, truth: list[int | None], prompts: torch.Tensor) -> float:
    keep = [i for i, t in enumerate(truth) if t is not None]
    predicted = (images[keep] @ prompts.T).argmax(dim=1)
    return float((predicted == torch.tensor([truth[i] for i in keep])).float().mean()) if keep else 0.0


def recalls(queries: torch.Tensor, gallery: torch.Tensor) -> dict[str, float]:
    similarity = queries @ gallery.T
    better = (similarity > similarity.diagonal().unsqueeze(1)).sum(dim=1)
    return {f"R@{k}": float((better < k).float().mean()) for k in (1, 5, 10)}


def evaluate(bundle: DemoBundle, split: Path) -> dict:
    records = [json.loads(line) for line in (split / "captions.jsonl").read_text(encoding="utf-8").splitlines()]
    tasks = json.loads((split / "prompts.json").read_text(encoding="utf-8"))["tasks"]
    images = bundle.images([split / r["file"] for r in records])
    result = {"images": len(records), "zero_shot": {}, "retrieval": {}}
    for path, language in PATHS:
        per_task = {}
        for task in sorted(tasks):
            labels = [str(label) for label in tasks[task]["labels"]]
            truth = [labels.index(str(r["labels"][task])) if r["labels"].get(task) is not None else None
                     for r in records]
            per_task[task] = zero_shot_accuracy(images, truth, bundle.texts(tasks[task][language], path))
        result["zero_shot"][path] = per_task
        result["retrieval"][path] = recalls(bundle.texts([r[language] for r in records], path), images)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", type=Path, default=Path("models/demo"))
    parser.add_argument("--split", type=Path, help="labelled split (default: <bundle>/test)")
    parser.add_argument("--json", type=Path, help="write the result here")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    result = evaluate(DemoBundle(args.bundle), args.split or args.bundle / "test")
    text = json.dumps(result, indent=1, sort_keys=True)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
