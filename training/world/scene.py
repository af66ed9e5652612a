"""A scene: what is drawn where, sampled from one random stream.

A scene holds 1–3 objects. Most scenes are homogeneous (every object the same kind and colour),
which is what the shape / colour / count labels describe. A minority are "mixed": two objects that
differ in kind or colour; their shape and colour labels are None (no single right answer), their
count label is 2.
"""
import random
from dataclasses import dataclass, field

from .vocabulary import (BACKGROUNDS, COLOURS, COUNTS, POSITIONS, SHAPES, SIZES, TEXTURES,
                         Background, colours_allowed_on)

IMAGE_SIZE = 64
MIXED_FRACTION = 0.12

# Radius ranges in pixels (the shape fits in a circle of this radius).
SINGLE_RADIUS = {"small": (11, 13), "large": (19, 23)}
GROUP_RADIUS = (10, 12)  # every object of a 2- or 3-object scene is small


@dataclass(frozen=True)
class DrawnObject:
    shape: str
    colour: str
    x: int
    y: int
    r: int


@dataclass(frozen=True)
class Scene:
    objects: tuple[DrawnObject, ...]
    size: str                 # "small" | "large" (2–3 object scenes are always "small")
    position: str | None      # set for single-object scenes only
    background: str
    texture: str
    texture_seed: int
    mixed: bool = field(default=False)

    @property
    def count(self) -> int:
        return len(self.objects)

    def labels(self) -> dict:
        first = self.objects[0]
        return {
            "shape": None if self.mixed else first.shape,
            "colour": None if self.mixed else first.colour,
            "count": self.count,
            "size": self.size,
            "position": self.position,
            "background": self.background,
            "texture": self.texture,
            "mixed": self.mixed,
            "objects": [{"shape": o.shape, "colour": o.colour, "x": o.x, "y": o.y, "r": o.r}
                        for o in self.objects],
        }


def _single_centre(position: str, r: int, rng: random.Random) -> tuple[int, int]:
    margin = 3
    lo, hi = margin + r, IMAGE_SIZE - 1 - margin - r
    mid = IMAGE_SIZE // 2
    jitter = lambda: rng.randint(-2, 2)  # noqa: E731 — a tiny local helper
    if position == "left":
        return lo + rng.randint(0, 2), mid + jitter()
    if position == "right":
        return hi - rng.randint(0, 2), mid + jitter()
    if position == "top":
        return mid + jitter(), lo + rng.randint(0, 2)
    if position == "bottom":
        return mid + jitter(), hi - rng.randint(0, 2)
    return mid + jitter(), mid + jitter()


def _group_centres(count: int, rng: random.Random) -> list[tuple[int, int, int]]:
    """Non-overlapping small objects anywhere in the image (rejection sampling)."""
    while True:
        placed: list[tuple[int, int, int]] = []
        for _ in range(count):
            for _attempt in range(200):
                r = rng.randint(*GROUP_RADIUS)
                x = rng.randint(r + 2, IMAGE_SIZE - 3 - r)
                y = rng.randint(r + 2, IMAGE_SIZE - 3 - r)
                if all((x - px) ** 2 + (y - py) ** 2 > (r + pr + 3) ** 2 for px, py, pr in placed):
                    placed.append((x, y, r))
                    break
        if len(placed) == count:
            return placed


def _fitting_backgrounds(colour_keys: list[str]) -> list[Background]:
    return [b for b in BACKGROUNDS
            if all(k in {c.key for c in colours_allowed_on(b)} for k in colour_keys)]


def _background_for(colour_keys: list[str], rng: random.Random) -> Background:
    return rng.choice(_fitting_backgrounds(colour_keys))


def sample_scene(rng: random.Random) -> Scene:
    texture = rng.choice(TEXTURES)
    texture_seed = rng.getrandbits(32)
    if rng.random() < MIXED_FRACTION:
        a_shape, b_shape = rng.choice(SHAPES).key, rng.choice(SHAPES).key
        a_colour, b_colour = rng.choice(COLOURS).key, rng.choice(COLOURS).key
        # Redraw the second colour until the pair differs and some background suits both colours
        # (white and black, for instance, share none).
        while (a_shape, a_colour) == (b_shape, b_colour) or not _fitting_backgrounds([a_colour, b_colour]):
            b_colour = rng.choice(COLOURS).key
        background = _background_for([a_colour, b_colour], rng)
        spots = _group_centres(2, rng)
        objects = (DrawnObject(a_shape, a_colour, *spots[0]), DrawnObject(b_shape, b_colour, *spots[1]))
        return Scene(objects, "small", None, background.key, texture, texture_seed, mixed=True)

    shape = rng.choice(SHAPES).key
    colour = rng.choice(COLOURS).key
    count = rng.choice(COUNTS)
    background = _background_for([colour], rng)
    if count == 1:
        size = rng.choice(SIZES)
        position = rng.choice(POSITIONS)
        r = rng.randint(*SINGLE_RADIUS[size])
        x, y = _single_centre(position, r, rng)
        return Scene((DrawnObject(shape, colour, x, y, r),), size, position, background.key,
                     texture, texture_seed)
    spots = _group_centres(count, rng)
    objects = tuple(DrawnObject(shape, colour, x, y, r) for x, y, r in spots)
    return Scene(objects, "small", None, background.key, texture, texture_seed)
