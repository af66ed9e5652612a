"""Train the demo CLIP (the "frozen CLIP" of the embedded default) on the generated world.

    python -m training.train_demo_clip --world training/out/world \
        --clip-bpe training/out/downloads/bpe_simple_vocab_16e6.txt.gz --out training/out/demo/clip

A transformers CLIPModel from a random init (seeded): ViT with 8×8 patches on 64×64 images, a causal
text transformer over CLIP's real 49,408-token BPE vocabulary (vocab.json/merges.txt converted from
open_clip_torch==3.3.0's bpe_simple_vocab_16e6.txt.gz by training/world/clip_vocab.py), trained by
the symmetric contrastive loss on the English captions of <world>/train. Captions that are
identical strings count as positives of each other (soft targets), so the loss does not push apart
an image and a caption that describes it just as well.

Determinism: fixed seed, fixed step count (never time-based), torch.use_deterministic_algorithms,
a fixed thread count (--threads, default 2): the same command on the same machine/torch build gives
bit-identical weights. A different thread count or CPU may change float rounding, hence the bits.

Writes an HF directory: config.json, model.safetensors (F16), vocab.json, merges.txt, tokenizer
files, preprocessor_config.json (64/64, OpenAI CLIP mean/std), and training_log.json (losses,
timings, validation zero-shot accuracy per task with English prompts).
"""
import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPTokenizer

from training.world.clip_vocab import write_hf_vocab
from training.world.dataset import Split, load_split
from training.world.prompts import TASKS, prompts
from training.world.vocabulary import BACKGROUNDS, POSITIONS, SIZES

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


def make_config(args) -> CLIPConfig:
    return CLIPConfig(
        text_config=dict(vocab_size=49408, hidden_size=args.text_width, intermediate_size=4 * args.text_width,
                         num_hidden_layers=args.text_layers, num_attention_heads=args.text_width // 32,
                         max_position_embeddings=77, hidden_act="quick_gelu",
                         bos_token_id=49406, eos_token_id=49407, pad_token_id=1),
        vision_config=dict(hidden_size=args.vision_width, intermediate_size=4 * args.vision_width,
                           num_hidden_layers=args.vision_layers, num_attention_heads=args.vision_width // 32,
                           image_size=64, patch_size=8, num_channels=3, hidden_act="quick_gelu"),
        projection_dim=args.projection, logit_scale_init_value=2.6592)


def pixel_tensor(images: np.ndarray) -> torch.Tensor:
    """[N,64,64,3] uint8 → [N,3,64,64] float32, CLIP-normalised (what CLIPImageProcessor does at 64×64)."""
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255.0
    mean = torch.tensor(CLIP_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(CLIP_STD).view(1, 3, 1, 1)
    return (x - mean) / std


def tokenize(tokenizer: CLIPTokenizer, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    encoded = tokenizer(texts, padding="longest", truncation=True, max_length=77, return_tensors="pt")
    return encoded.input_ids, encoded.attention_mask


@torch.no_grad()
def embed_images(model: CLIPModel, pixels: torch.Tensor, batch: int = 256) -> torch.Tensor:
    out = [F.normalize(model.get_image_features(pixel_values=pixels[i:i + batch]), dim=-1)
           for i in range(0, len(pixels), batch)]
    return torch.cat(out)


@torch.no_grad()
def embed_texts(model: CLIPModel, tokenizer: CLIPTokenizer, texts: list[str], batch: int = 256) -> torch.Tensor:
    out = []
    for i in range(0, len(texts), batch):
        ids, mask = tokenize(tokenizer, texts[i:i + batch])
        out.append(F.normalize(model.get_text_features(input_ids=ids, attention_mask=mask), dim=-1))
    return torch.cat(out)


def zero_shot(model: CLIPModel, tokenizer: CLIPTokenizer, split: Split, pixels: torch.Tensor) -> dict:
    image_embeddings = embed_images(model, pixels)
    result = {}
    for task, classes in TASKS.items():
        text_embeddings = embed_texts(model, tokenizer, prompts(task, "en"))
        keep = [i for i, l in enumerate(split.labels) if l[task] is not None]
        truth = torch.tensor([classes.index(split.labels[i][task]) for i in keep])
        predicted = (image_embeddings[keep] @ text_embeddings.T).argmax(dim=1)
        result[task] = {"accuracy": float((predicted == truth).float().mean()), "n": len(keep)}
    return result


def retrieval(model: CLIPModel, tokenizer: CLIPTokenizer, split: Split, pixels: torch.Tensor) -> dict:
    """Text→image recall@K with each caption's own image as the only hit (duplicates count as misses)."""
    similarity = embed_texts(model, tokenizer, split.en) @ embed_images(model, pixels).T
    rank = (similarity > similarity.diagonal().unsqueeze(1)).sum(dim=1)
    recalls = {f"R@{k}": float((rank < k).float().mean()) for k in (1, 5, 10)}
    recalls["mR"] = sum(recalls.values()) / 3
    return recalls


def contrastive_loss(image: torch.Tensor, text: torch.Tensor, scale: torch.Tensor, captions: list[str]) -> torch.Tensor:
    logits = scale * image @ text.T
    same = torch.tensor([[a == b for b in captions] for a in captions], dtype=torch.float32)
    targets = same / same.sum(dim=1, keepdim=True)
    return 0.5 * (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets))


# Scene factors the image tower is also taught to read (auxiliary heads, see LabelHeads).
AUXILIARY_FACTORS: dict[str, tuple] = {
    **TASKS, "size": SIZES, "position": POSITIONS, "background": tuple(b.key for b in BACKGROUNDS)}


def label_targets(split: Split) -> dict[str, torch.Tensor]:
    """Per factor, the class index of every training image, -100 where the factor has no single value
    (mixed scenes have no one shape or colour; groups of objects have no position)."""
    return {factor: torch.tensor([classes.index(l[factor]) if l[factor] is not None else -100
                                  for l in split.labels])
            for factor, classes in AUXILIARY_FACTORS.items()}


class LabelHeads(torch.nn.Module):
    """Linear read-outs of scene factors from the image tower's pooled output, used only in training.

    Why: the contrastive loss alone, at batch 64 on two CPU cores, teaches the ViT colour (a mean-pixel
    feature) and almost nothing of shape or count — a fresh ViT needs far more image-text pairs than the
    budget allows before caption words for shapes become a useful signal. A dense per-image supervised
    signal makes the tower see shapes and counts first-hand, as a real CLIP's image tower is often
    initialised from a supervised backbone. The heads are thrown away at export: the saved model is a
    plain CLIPModel, and zero-shot classification still goes through text prompts, which the heads never see.
    """

    def __init__(self, width: int):
        super().__init__()
        self.heads = torch.nn.ModuleDict({f: torch.nn.Linear(width, len(c)) for f, c in AUXILIARY_FACTORS.items()})

    @torch.no_grad()
    def accuracy(self, pooled: torch.Tensor, targets: dict[str, torch.Tensor], factor: str) -> float:
        known = targets[factor] >= 0
        return float((self.heads[factor](pooled[known]).argmax(dim=1) == targets[factor][known]).float().mean())

    def loss(self, pooled: torch.Tensor, targets: dict[str, torch.Tensor]) -> torch.Tensor:
        return sum(F.cross_entropy(head(pooled), targets[f], ignore_index=-100) for f, head in self.heads.items()) \
            / len(self.heads)


class BatchSampler:
    """Batches drawn from a few colours at a time (hard negatives), or uniformly at random.

    Colour is what a fresh image tower picks up first (it is the mean pixel): once it has, a random
    batch of 64 is mostly solved by colour alone and shape and count get little gradient. Drawing
    each batch from k colours (batch/k examples of each, the colour of a mixed scene being its
    first object's) puts same-colour images side by side, so only shape, count, size and position
    tell their captions apart. Sampling within a colour is without replacement, epoch by epoch.
    """

    def __init__(self, split: Split, batch_size: int, colours_per_batch: int, generator: torch.Generator):
        self.batch_size, self.k, self.generator = batch_size, colours_per_batch, generator
        self.count = len(split.en)
        if self.k:
            if batch_size % self.k:
                raise SystemExit(f"--batch-size {batch_size} is not a multiple of --colours-per-batch {self.k}")
            keys = sorted({l["objects"][0]["colour"] for l in split.labels})
            self.pools = [torch.tensor([i for i, l in enumerate(split.labels) if l["objects"][0]["colour"] == key])
                          for key in keys]
            self.orders = [p[torch.randperm(len(p), generator=generator)] for p in self.pools]
            self.cursors = [0] * len(self.pools)
        else:
            self.order, self.cursor = torch.randperm(self.count, generator=generator), 0

    def _take(self, pool: int, n: int) -> torch.Tensor:
        if self.cursors[pool] + n > len(self.orders[pool]):
            p = self.pools[pool]
            self.orders[pool], self.cursors[pool] = p[torch.randperm(len(p), generator=self.generator)], 0
        start = self.cursors[pool]
        self.cursors[pool] += n
        return self.orders[pool][start:start + n]

    def next(self) -> torch.Tensor:
        if not self.k:
            if self.cursor + self.batch_size > self.count:
                self.order, self.cursor = torch.randperm(self.count, generator=self.generator), 0
            self.cursor += self.batch_size
            return self.order[self.cursor - self.batch_size:self.cursor]
        colours = torch.randperm(len(self.pools), generator=self.generator)[:self.k].tolist()
        return torch.cat([self._take(c, self.batch_size // self.k) for c in colours])


def learning_rate(step: int, args) -> float:
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = (step - args.warmup) / max(1, args.steps - args.warmup)
    return args.lr * 0.5 * (1.0 + math.cos(math.pi * progress))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--world", type=Path, default=Path("training/out/world"))
    parser.add_argument("--clip-bpe", type=Path, required=True, help="bpe_simple_vocab_16e6.txt.gz")
    parser.add_argument("--out", type=Path, default=Path("training/out/demo/clip"))
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=900)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--warmup", type=int, default=25)
    parser.add_argument("--weight-decay", type=float, default=0.05)
    parser.add_argument("--vision-width", type=int, default=128)
    parser.add_argument("--vision-layers", type=int, default=4)
    parser.add_argument("--text-width", type=int, default=128)
    parser.add_argument("--text-layers", type=int, default=4)
    parser.add_argument("--projection", type=int, default=128)
    parser.add_argument("--log-every", type=int, default=25)
    parser.add_argument("--colours-per-batch", type=int, default=0,
                        help="draw each batch from this many colours (0: uniformly at random)")
    parser.add_argument("--label-weight", type=float, default=0.0,
                        help="weight of the auxiliary scene-factor loss on the image tower (0: contrastive only)")
    parser.add_argument("--init", type=Path,
                        help="continue from this saved demo CLIP (a second stage) instead of a random init")
    parser.add_argument("--label-only-steps", type=int, default=0,
                        help="the first N of --steps train the image tower on the scene factors alone (no text)")
    parser.add_argument("--eval-every", type=int, default=0, help="zero-shot on 500 validation images every N steps")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)

    args.out.mkdir(parents=True, exist_ok=True)
    vocab_path, merges_path = write_hf_vocab(args.clip_bpe, args.out)
    tokenizer = CLIPTokenizer(str(vocab_path), str(merges_path))

    t0 = time.time()
    train, validation = load_split(args.world / "train"), load_split(args.world / "validation")
    train_pixels, validation_pixels = pixel_tensor(train.images), pixel_tensor(validation.images)
    train_ids, train_mask = tokenize(tokenizer, train.en)
    load_seconds = time.time() - t0
    print(f"loaded {len(train.en)} train / {len(validation.en)} validation in {load_seconds:.1f}s; "
          f"longest caption {train_ids.shape[1]} tokens", flush=True)

    model = (CLIPModel.from_pretrained(args.init, torch_dtype=torch.float32) if args.init
             else CLIPModel(make_config(args)))
    parameters = sum(p.numel() for p in model.parameters())
    print(f"CLIPModel with {parameters / 1e6:.2f}M parameters", flush=True)
    heads = LabelHeads(args.vision_width)
    targets = label_targets(train)
    trained = list(model.named_parameters()) + (list(heads.named_parameters()) if args.label_weight else [])
    decay = [p for n, p in trained if p.ndim >= 2 and "embedding" not in n]
    no_decay = [p for n, p in trained if not (p.ndim >= 2 and "embedding" not in n)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}],
                                  lr=args.lr, betas=(0.9, 0.98), eps=1e-6)
    generator = torch.Generator().manual_seed(args.seed)
    sampler = BatchSampler(train, args.batch_size, args.colours_per_batch, generator)
    losses = []
    t_train, cpu_train = time.time(), time.process_time()
    model.train()
    for step in range(args.steps):
        batch = sampler.next()
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, args)
        pooled = model.vision_model(pixel_values=train_pixels[batch]).pooler_output
        batch_targets = {f: t[batch] for f, t in targets.items()}
        loss = args.label_weight * heads.loss(pooled, batch_targets) if args.label_weight else torch.zeros(())
        if step >= args.label_only_steps:
            length = int(train_mask[batch].sum(dim=1).max())
            image = F.normalize(model.visual_projection(pooled), dim=-1)
            text = F.normalize(model.get_text_features(input_ids=train_ids[batch, :length],
                                                       attention_mask=train_mask[batch, :length]), dim=-1)
            loss = loss + contrastive_loss(image, text, model.logit_scale.exp(), [train.en[i] for i in batch.tolist()])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        losses.append(loss.item())
        if step % args.log_every == 0 or step == args.steps - 1:
            elapsed = time.time() - t_train
            heads_seen = (f"  batch head accuracy shape {heads.accuracy(pooled, batch_targets, 'shape'):.2f} "
                          f"count {heads.accuracy(pooled, batch_targets, 'count'):.2f}") if args.label_weight else ""
            print(f"step {step:5d}  loss {np.mean(losses[-args.log_every:]):.4f}  "
                  f"scale {model.logit_scale.exp().item():.1f}  {elapsed:.0f}s{heads_seen}", flush=True)
        if args.eval_every and (step + 1) % args.eval_every == 0:
            model.eval()
            subset = Split(validation.images[:500], validation.en[:500], validation.zh[:500],
                           validation.labels[:500], validation.files[:500])
            interim = zero_shot(model, tokenizer, subset, validation_pixels[:500])
            print(f"step {step + 1} zero-shot (500 validation images):",
                  {task: round(r["accuracy"], 3) for task, r in interim.items()}, flush=True)
            model.train()
    train_seconds, train_cpu_seconds = time.time() - t_train, time.process_time() - cpu_train

    model.eval()
    accuracy = zero_shot(model, tokenizer, validation, validation_pixels)
    recalls = retrieval(model, tokenizer, validation, validation_pixels)
    print("validation zero-shot accuracy (English prompts):",
          {task: round(r["accuracy"], 4) for task, r in accuracy.items()}, flush=True)
    print("validation text→image retrieval (English captions):", {k: round(v, 4) for k, v in recalls.items()})

    model.half().save_pretrained(args.out, safe_serialization=True)
    tokenizer.save_pretrained(args.out)
    CLIPImageProcessor(size={"shortest_edge": 64}, crop_size={"height": 64, "width": 64},
                       image_mean=list(CLIP_MEAN), image_std=list(CLIP_STD)).save_pretrained(args.out)
    log = {"script": "training/train_demo_clip.py", "args": {k: str(v) for k, v in vars(args).items()},
           "parameters": parameters, "train_examples": len(train.en), "load_seconds": load_seconds,
           "train_seconds": train_seconds, "train_cpu_seconds": train_cpu_seconds, "losses": losses,
           "validation_zero_shot_en": accuracy, "validation_retrieval_en": recalls,
           "versions": {"torch": torch.__version__, "transformers": __import__("transformers").__version__}}
    (args.out / "training_log.json").write_text(json.dumps(log, indent=1), encoding="utf-8")
    print(f"saved to {args.out} (train {train_seconds:.0f}s wall, {train_cpu_seconds:.0f}s CPU)")


if __name__ == "__main__":
    main()
