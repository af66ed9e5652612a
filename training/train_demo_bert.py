"""Pre-train the demo Chinese BERT by masked language modelling on the world's Chinese text only.

    python -m training.train_demo_bert --text training/out/world --vocab training/out/downloads/vocab.txt \
        --out training/out/demo/bert

A transformers BertForMaskedLM from a random init (seeded) over the real 21,128-token Chinese
vocabulary (clip/vocab.txt of the PyPI package cn_clip==1.6.0, the bert-base-chinese vocabulary),
trained on <text>/train/zh.txt (and the Chinese side of <text>/train/captions.jsonl); the masked-LM
loss and accuracy are measured on <text>/validation/zh.txt. Masking as in BERT: 15% of the
non-special tokens, of which 80% → [MASK], 10% → a random token, 10% unchanged. The vocabulary
projection runs on masked positions only (the loss is the same, the compute much smaller).

Determinism: fixed seed, fixed step count, torch.use_deterministic_algorithms, one thread by
default (--threads): the same command on the same machine/torch build gives bit-identical weights.

Writes an HF BertModel directory: config.json, model.safetensors (F16), vocab.txt,
tokenizer_config.json, special_tokens_map.json, training_log.json. The pooler (unused by MLM) is
saved with its seeded random init so a BertModel loads without missing weights; the language
adapter reads token states, not the pooler.
"""
import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from transformers import BertConfig, BertForMaskedLM, BertModel, BertTokenizer


def read_chinese(folder: Path) -> list[str]:
    lines = [l for l in (folder / "zh.txt").read_text(encoding="utf-8").splitlines() if l]
    captions = folder / "captions.jsonl"
    if captions.exists():
        lines += [json.loads(l)["zh"] for l in captions.read_text(encoding="utf-8").splitlines()]
    return lines


def encode(tokenizer: BertTokenizer, texts: list[str], max_length: int) -> tuple[torch.Tensor, torch.Tensor]:
    encoded = tokenizer(texts, padding="longest", truncation=True, max_length=max_length, return_tensors="pt")
    return encoded.input_ids, encoded.attention_mask


def mask_tokens(ids: torch.Tensor, attention: torch.Tensor, tokenizer: BertTokenizer,
                generator: torch.Generator, probability: float = 0.15):
    """BERT's 80/10/10 masking. Returns (inputs, positions [M,2], targets [M])."""
    special = torch.zeros_like(ids, dtype=torch.bool)
    for token_id in tokenizer.all_special_ids:
        special |= ids == token_id
    candidates = (attention == 1) & ~special
    chosen = (torch.rand(ids.shape, generator=generator) < probability) & candidates
    # At least one target per sequence keeps every row contributing to the loss.
    first_candidate = candidates.float().argmax(dim=1)
    none = ~chosen.any(dim=1)
    chosen[none, first_candidate[none]] = True
    inputs = ids.clone()
    roll = torch.rand(ids.shape, generator=generator)
    inputs[chosen & (roll < 0.8)] = tokenizer.mask_token_id
    random_tokens = torch.randint(len(tokenizer), ids.shape, generator=generator)
    swap = chosen & (roll >= 0.8) & (roll < 0.9)
    inputs[swap] = random_tokens[swap]
    positions = chosen.nonzero()
    return inputs, positions, ids[chosen]


def mlm_loss(model: BertForMaskedLM, inputs, attention, positions, targets) -> tuple[torch.Tensor, torch.Tensor]:
    hidden = model.bert(input_ids=inputs, attention_mask=attention).last_hidden_state
    logits = model.cls(hidden[positions[:, 0], positions[:, 1]])
    return F.cross_entropy(logits, targets), (logits.argmax(dim=1) == targets).float().mean()


@torch.no_grad()
def evaluate(model, tokenizer, texts, max_length, seed, batch=256) -> dict:
    generator = torch.Generator().manual_seed(seed)
    total_loss, total_correct, total = 0.0, 0.0, 0
    for i in range(0, len(texts), batch):
        ids, attention = encode(tokenizer, texts[i:i + batch], max_length)
        inputs, positions, targets = mask_tokens(ids, attention, tokenizer, generator)
        loss, accuracy = mlm_loss(model, inputs, attention, positions, targets)
        total_loss += float(loss) * len(targets)
        total_correct += float(accuracy) * len(targets)
        total += len(targets)
    return {"mlm_loss": total_loss / total, "masked_accuracy": total_correct / total, "masked_tokens": total}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--text", type=Path, default=Path("training/out/world"))
    parser.add_argument("--vocab", type=Path, required=True, help="cn_clip's clip/vocab.txt (21,128 tokens)")
    parser.add_argument("--out", type=Path, default=Path("training/out/demo/bert"))
    parser.add_argument("--seed", type=int, default=4321)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=550)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--max-length", type=int, default=64)
    parser.add_argument("--log-every", type=int, default=25)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)

    tokenizer = BertTokenizer(str(args.vocab), do_lower_case=True)
    if len(tokenizer) != 21128:
        raise SystemExit(f"{args.vocab}: expected the 21,128-token Chinese vocabulary, got {len(tokenizer)}")
    train_texts = read_chinese(args.text / "train")
    validation_texts = read_chinese(args.text / "validation")
    print(f"{len(train_texts)} train / {len(validation_texts)} validation Chinese sentences", flush=True)

    config = BertConfig(vocab_size=len(tokenizer), hidden_size=args.hidden, num_hidden_layers=args.layers,
                        num_attention_heads=args.hidden // 32, intermediate_size=4 * args.hidden,
                        max_position_embeddings=128, type_vocab_size=2, pad_token_id=tokenizer.pad_token_id)
    model = BertForMaskedLM(config)
    parameters = sum(p.numel() for p in model.parameters())
    print(f"BertForMaskedLM with {parameters / 1e6:.2f}M parameters", flush=True)
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "embeddings" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.ndim >= 2 and "embeddings" not in n)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.98), eps=1e-6)

    before = evaluate(model.eval(), tokenizer, validation_texts, args.max_length, args.seed + 1)
    print(f"validation before training: {before}", flush=True)
    generator = torch.Generator().manual_seed(args.seed)
    order, cursor, losses = torch.randperm(len(train_texts), generator=generator), 0, []
    model.train()
    t_train, cpu_train = time.time(), time.process_time()
    for step in range(args.steps):
        if cursor + args.batch_size > len(order):
            order, cursor = torch.randperm(len(train_texts), generator=generator), 0
        batch = [train_texts[i] for i in order[cursor:cursor + args.batch_size].tolist()]
        cursor += args.batch_size
        lr = args.lr * min(1.0, (step + 1) / args.warmup)
        if step >= args.warmup:
            lr = args.lr * 0.5 * (1 + math.cos(math.pi * (step - args.warmup) / max(1, args.steps - args.warmup)))
        for group in optimizer.param_groups:
            group["lr"] = lr
        ids, attention = encode(tokenizer, batch, args.max_length)
        inputs, positions, targets = mask_tokens(ids, attention, tokenizer, generator)
        loss, _ = mlm_loss(model, inputs, attention, positions, targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if step % args.log_every == 0 or step == args.steps - 1:
            print(f"step {step:5d}  loss {np.mean(losses[-args.log_every:]):.4f}  {time.time() - t_train:.0f}s", flush=True)
    train_seconds, train_cpu_seconds = time.time() - t_train, time.process_time() - cpu_train

    after = evaluate(model.eval(), tokenizer, validation_texts, args.max_length, args.seed + 1)
    print(f"validation after training: {after}", flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    encoder = BertModel(config, add_pooling_layer=True)
    missing, unexpected = encoder.load_state_dict(model.bert.state_dict(), strict=False)
    if unexpected or any(not k.startswith("pooler.") for k in missing):
        raise SystemExit(f"state dict mismatch: missing {missing}, unexpected {unexpected}")
    encoder.half().save_pretrained(args.out, safe_serialization=True)
    tokenizer.save_pretrained(args.out)
    log = {"script": "training/train_demo_bert.py", "args": {k: str(v) for k, v in vars(args).items()},
           "parameters_mlm": parameters, "train_sentences": len(train_texts), "train_seconds": train_seconds, "train_cpu_seconds": train_cpu_seconds,
           "losses": losses, "validation_before": before, "validation_after": after,
           "versions": {"torch": torch.__version__, "transformers": __import__("transformers").__version__}}
    (args.out / "training_log.json").write_text(json.dumps(log, indent=1), encoding="utf-8")
    print(f"saved to {args.out} (train {train_seconds:.0f}s wall, {train_cpu_seconds:.0f}s CPU)")


if __name__ == "__main__":
    main()
