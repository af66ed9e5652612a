"""Drawing a scene into a 64×64 RGB image with Pillow (no anti-aliasing: exact, reproducible pixels).

Every shape is drawn from its centre (x, y) and radius r: it fits in the circle of radius r, so
the scene sampler can place objects without overlaps by comparing radii.

Two styles: "filled" (the demo world: solid shapes) and "outline" (the domain-adaptation target):
the border of each filled shape, `outline_width(r)` pixels deep, the interior left as background.
The outline is derived from the filled drawing (the filled shape minus its erosion), so it needs
no geometry of its own and follows any shape `_draw_object` learns; it draws no random numbers, so
an outline item shows exactly the scene of the filled item with the same (split, seed, index).
The filled style's Pillow calls are untouched, so the default world's bytes never change.
"""
import math
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from .scene import IMAGE_SIZE, DrawnObject, Scene
from .vocabulary import BACKGROUND_BY_KEY, COLOUR_BY_KEY

Point = tuple[float, float]


def _regular_polygon(x: float, y: float, r: float, sides: int, start_deg: float = -90.0) -> list[Point]:
    return [(x + r * math.cos(math.radians(start_deg + 360.0 * k / sides)),
             y + r * math.sin(math.radians(start_deg + 360.0 * k / sides))) for k in range(sides)]


def _star(x: float, y: float, r: float) -> list[Point]:
    points = []
    for k in range(10):
        radius = r if k % 2 == 0 else r * 0.42
        angle = math.radians(-90.0 + 36.0 * k)
        points.append((x + radius * math.cos(angle), y + radius * math.sin(angle)))
    return points


def _heart(x: float, y: float, r: float) -> list[Point]:
    # The classic parametric heart, x ∈ [-16, 16], y ∈ [-17, 12] before scaling.
    scale = r / 16.5
    points = []
    for k in range(48):
        t = 2.0 * math.pi * k / 48
        hx = 16.0 * math.sin(t) ** 3
        hy = 13.0 * math.cos(t) - 5.0 * math.cos(2 * t) - 2.0 * math.cos(3 * t) - math.cos(4 * t)
        points.append((x + hx * scale, y - (hy + 2.5) * scale))
    return points


def _draw_object(draw: ImageDraw.ImageDraw, o: DrawnObject) -> None:
    fill = COLOUR_BY_KEY[o.colour].rgb
    x, y, r = o.x, o.y, o.r
    if o.shape == "circle":
        draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)
    elif o.shape == "ellipse":
        draw.ellipse((x - r, y - r * 0.55, x + r, y + r * 0.55), fill=fill)
    elif o.shape == "square":
        h = r * 0.78
        draw.rectangle((x - h, y - h, x + h, y + h), fill=fill)
    elif o.shape == "diamond":
        draw.polygon([(x, y - r), (x + r * 0.68, y), (x, y + r), (x - r * 0.68, y)], fill=fill)
    elif o.shape == "triangle":
        draw.polygon(_regular_polygon(x, y + r * 0.15, r, 3), fill=fill)
    elif o.shape == "ring":
        # An outline only, so the textured background shows through the hole.
        draw.ellipse((x - r, y - r, x + r, y + r), outline=fill, width=max(3, round(r * 0.38)))
    elif o.shape == "arrow":
        shaft, head = r * 0.26, r * 0.62
        draw.polygon([(x - r, y - shaft), (x, y - shaft), (x, y - head), (x + r, y),
                      (x, y + head), (x, y + shaft), (x - r, y + shaft)], fill=fill)
    elif o.shape == "star":
        draw.polygon(_star(x, y, r), fill=fill)
    elif o.shape == "cross":
        arm = r * 0.32
        draw.rectangle((x - r, y - arm, x + r, y + arm), fill=fill)
        draw.rectangle((x - arm, y - r, x + arm, y + r), fill=fill)
    elif o.shape == "heart":
        draw.polygon(_heart(x, y, r), fill=fill)
    else:
        raise ValueError(f"unknown shape {o.shape!r}")


def _shade(rgb: tuple[int, int, int], delta: int) -> tuple[int, int, int]:
    return tuple(max(0, min(255, c + delta)) for c in rgb)  # type: ignore[return-value]


def _draw_texture(image: Image.Image, base: tuple[int, int, int], texture: str, seed: int) -> None:
    """Faint patterns: ±14 levels around the background colour, lighter on dark backgrounds."""
    rng = random.Random(seed)
    delta = 14 if sum(base) < 300 else -14
    draw = ImageDraw.Draw(image)
    tone = _shade(base, delta)
    if texture == "stripes":
        period, offset = rng.randint(5, 9), rng.randint(0, 8)
        for i in range(-IMAGE_SIZE, 2 * IMAGE_SIZE, period):
            draw.line((i + offset, 0, i + offset + IMAGE_SIZE, IMAGE_SIZE), fill=tone, width=2)
    elif texture == "dots":
        period = rng.randint(6, 9)
        for yy in range(rng.randint(0, 4), IMAGE_SIZE, period):
            for xx in range(rng.randint(0, 4), IMAGE_SIZE, period):
                draw.point((xx, yy), fill=tone)
    elif texture == "grid":
        period = rng.randint(8, 12)
        for i in range(rng.randint(0, 6), IMAGE_SIZE, period):
            draw.line((i, 0, i, IMAGE_SIZE), fill=tone)
            draw.line((0, i, IMAGE_SIZE, i), fill=tone)
    elif texture == "noise":
        pixels = image.load()
        for yy in range(IMAGE_SIZE):
            for xx in range(IMAGE_SIZE):
                d = rng.randint(-8, 8)
                pixels[xx, yy] = _shade(base, d)
    elif texture != "plain":
        raise ValueError(f"unknown texture {texture!r}")


STYLES = ("filled", "outline")


def outline_width(r: int) -> int:
    """Stroke depth of the outline style: 2 px for small objects, 3 px for large ones (r ≥ 14),
    thin enough that colour is a much weaker cue than in the filled style."""
    return 2 if r < 14 else 3


def _draw_outline(image: Image.Image, o: DrawnObject) -> None:
    """Paints the border of `o`'s filled shape: its pixels within outline_width(r) px (chessboard
    distance) of a pixel outside it."""
    colour = COLOUR_BY_KEY[o.colour].rgb
    scratch = Image.new("RGB", image.size, (255, 255, 255) if colour == (0, 0, 0) else (0, 0, 0))
    _draw_object(ImageDraw.Draw(scratch), o)
    # Pixels exactly of the object's colour → 255, everything else → 0.
    mask = ImageChops.difference(scratch, Image.new("RGB", image.size, colour)).convert("L").point(
        lambda v: 255 if v == 0 else 0)
    interior = mask.filter(ImageFilter.MinFilter(2 * outline_width(o.r) + 1))
    image.paste(colour, mask=ImageChops.subtract(mask, interior))


def render(scene: Scene, style: str = "filled") -> Image.Image:
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r} (one of {', '.join(STYLES)})")
    base = BACKGROUND_BY_KEY[scene.background].rgb
    image = Image.new("RGB", (IMAGE_SIZE, IMAGE_SIZE), base)
    _draw_texture(image, base, scene.texture, scene.texture_seed)
    draw = ImageDraw.Draw(image)
    for o in scene.objects:
        if style == "filled":
            _draw_object(draw, o)
        else:
            _draw_outline(image, o)
    return image
