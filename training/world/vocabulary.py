"""The things a scene is made of, with their English and Chinese names.

Every name used by a caption or a prompt comes from here, so captions, labels and zero-shot
prompts can never disagree about what a word means.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    key: str          # label value
    en: str           # singular English noun
    en_plural: str
    zh: str           # canonical Chinese name (used by prompts and most captions)
    zh_short: str     # colloquial short form ("圆" for "圆形"), used by some caption templates


@dataclass(frozen=True)
class Colour:
    key: str
    en: str
    zh: str           # "红色"
    zh_short: str     # "红", as in "红圆"
    rgb: tuple[int, int, int]


@dataclass(frozen=True)
class Background:
    key: str
    en: str
    zh: str
    rgb: tuple[int, int, int]


SHAPES: tuple[Shape, ...] = (
    Shape("circle", "circle", "circles", "圆形", "圆"),
    Shape("square", "square", "squares", "正方形", "方块"),
    Shape("triangle", "triangle", "triangles", "三角形", "三角"),
    Shape("star", "star", "stars", "五角星", "星星"),
    Shape("ring", "ring", "rings", "圆环", "环"),
    Shape("cross", "cross", "crosses", "十字形", "十字"),
    Shape("heart", "heart", "hearts", "心形", "爱心"),
    Shape("diamond", "diamond", "diamonds", "菱形", "菱形"),
    Shape("ellipse", "ellipse", "ellipses", "椭圆形", "椭圆"),
    Shape("arrow", "arrow", "arrows", "箭头", "箭头"),
)

COLOURS: tuple[Colour, ...] = (
    Colour("red", "red", "红色", "红", (220, 30, 30)),
    Colour("blue", "blue", "蓝色", "蓝", (30, 70, 220)),
    Colour("green", "green", "绿色", "绿", (30, 160, 50)),
    Colour("yellow", "yellow", "黄色", "黄", (245, 210, 20)),
    Colour("purple", "purple", "紫色", "紫", (130, 40, 170)),
    Colour("orange", "orange", "橙色", "橙", (250, 130, 10)),
    Colour("black", "black", "黑色", "黑", (15, 15, 15)),
    Colour("white", "white", "白色", "白", (252, 252, 252)),
    Colour("pink", "pink", "粉色", "粉", (250, 140, 190)),
    Colour("grey", "grey", "灰色", "灰", (125, 125, 125)),
)

# Backgrounds are pale or dark so that most shape colours stand out; a shape colour too close to
# the background (see MIN_CONTRAST) is never drawn on it.
BACKGROUNDS: tuple[Background, ...] = (
    Background("white", "white", "白色", (255, 255, 255)),
    Background("grey", "grey", "灰色", (200, 200, 200)),
    Background("beige", "beige", "米色", (232, 220, 190)),
    Background("light_blue", "light blue", "浅蓝色", (195, 220, 245)),
    Background("navy", "navy", "深蓝色", (25, 35, 80)),
    Background("mint", "mint green", "薄荷绿色", (200, 240, 215)),
    Background("dark_green", "dark green", "深绿色", (20, 70, 40)),
)

# Light textures drawn over the background colour; captions never mention them (a nuisance factor).
TEXTURES: tuple[str, ...] = ("plain", "stripes", "dots", "grid", "noise")

SIZES: tuple[str, ...] = ("small", "large")
SIZE_EN = {"small": "small", "large": "large"}
SIZE_ZH = {"small": "小", "large": "大"}

POSITIONS: tuple[str, ...] = ("left", "right", "top", "bottom", "centre")
POSITION_EN = {
    "left": ("on the left", "at the left"),
    "right": ("on the right", "at the right"),
    "top": ("at the top", "near the top"),
    "bottom": ("at the bottom", "near the bottom"),
    "centre": ("in the centre", "in the middle"),
}
POSITION_ZH = {
    "left": ("左边", "左侧"),
    "right": ("右边", "右侧"),
    "top": ("上方", "上面"),
    "bottom": ("下方", "下面"),
    "centre": ("中间", "正中间"),
}

COUNTS: tuple[int, ...] = (1, 2, 3)
COUNT_EN = {1: "one", 2: "two", 3: "three"}
COUNT_ZH = {1: "一", 2: "两", 3: "三"}

# Minimum Euclidean RGB distance between a shape colour and its background.
MIN_CONTRAST = 110.0

SHAPE_BY_KEY = {s.key: s for s in SHAPES}
COLOUR_BY_KEY = {c.key: c for c in COLOURS}
BACKGROUND_BY_KEY = {b.key: b for b in BACKGROUNDS}


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    return sum((x - y) ** 2 for x, y in zip(a, b)) ** 0.5


def colours_allowed_on(background: Background) -> tuple[Colour, ...]:
    return tuple(c for c in COLOURS
                 if contrast(c.rgb, background.rgb) >= MIN_CONTRAST and c.en != background.en)
