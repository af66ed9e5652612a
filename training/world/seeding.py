"""Per-item random streams: item i of (split, seed) always draws the same numbers.

Each item gets its own `random.Random`, seeded from a SHA-256 of (split, seed, index), so an item
does not depend on how many items were generated before it, on the Python hash seed, or on the
platform. Different splits use different names in the hash, so their streams never coincide.
"""
import hashlib
import random


def item_seed(split: str, seed: int, index: int) -> int:
    digest = hashlib.sha256(f"adaptclip-world/{split}/{seed}/{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def item_rng(split: str, seed: int, index: int) -> random.Random:
    return random.Random(item_seed(split, seed, index))
