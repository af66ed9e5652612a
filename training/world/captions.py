"""English and Chinese captions of a scene, each from its own set of templates.

The two captions of a scene are written independently (different templates, different choices of
which attributes to mention), so the Chinese caption is never a word-for-word translation of the
English one. Every caption is true of its scene: attributes may be left out, never misstated.

Parallel text for the language adapter is the exception: a translation says the same things in
both languages, so `Mentions` lets one draw of "what to mention" drive both captions (templates and
word choices still differ). Without a plan each caption draws its own, exactly as before.
"""
import random
from dataclasses import dataclass

from .scene import Scene
from .vocabulary import (BACKGROUND_BY_KEY, COLOUR_BY_KEY, COUNT_EN, COUNT_ZH, POSITION_EN,
                         POSITION_ZH, SHAPE_BY_KEY, SIZE_EN, SIZE_ZH)

# Probabilities of leaving an attribute out of a caption (homogeneous scenes).
P_DROP_COLOUR = 0.12
P_GENERIC_SHAPE = 0.12   # "shape"/"图形" instead of the kind's name (never together with no colour)
P_DROP_SIZE = 0.45
P_DROP_POSITION = 0.35
P_DROP_BACKGROUND = 0.35


@dataclass(frozen=True)
class Mentions:
    """Which attributes a caption mentions (one draw shared by a translation pair)."""

    background: bool
    generic: bool     # "shape"/"图形" instead of the kind's name
    colour: bool
    size: bool
    position: bool

    @staticmethod
    def draw(rng: random.Random) -> "Mentions":
        generic = rng.random() < P_GENERIC_SHAPE
        return Mentions(background=rng.random() >= P_DROP_BACKGROUND, generic=generic,
                        colour=generic or rng.random() >= P_DROP_COLOUR, size=rng.random() >= P_DROP_SIZE,
                        position=rng.random() >= P_DROP_POSITION)


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


# ---------------------------------------------------------------- English

def _en_object(shape: str, colour: str | None, count: int, size: str | None, generic: bool,
               rng: random.Random) -> str:
    s = SHAPE_BY_KEY[shape]
    noun = ("shape" if count == 1 else "shapes") if generic else (s.en if count == 1 else s.en_plural)
    words = [w for w in (SIZE_EN[size] if size else None,
                         COLOUR_BY_KEY[colour].en if colour else None, noun) if w]
    phrase = " ".join(words)
    if count == 1:
        determiner = "one" if rng.random() < 0.2 else _article(phrase)
    else:
        determiner = COUNT_EN[count]
    return f"{determiner} {phrase}"


def english_caption(scene: Scene, rng: random.Random, plan: Mentions | None = None) -> str:
    background = BACKGROUND_BY_KEY[scene.background].en
    with_background = plan.background if plan else rng.random() >= P_DROP_BACKGROUND
    if scene.mixed:
        a, b = scene.objects
        subject = (f"{_en_object(a.shape, a.colour, 1, None, False, rng)} and "
                   f"{_en_object(b.shape, b.colour, 1, None, False, rng)}")
        position = ""
    else:
        o = scene.objects[0]
        generic = plan.generic if plan else rng.random() < P_GENERIC_SHAPE
        colour = o.colour if (plan.colour if plan else generic or rng.random() >= P_DROP_COLOUR) else None
        size = scene.size if (plan.size if plan else rng.random() >= P_DROP_SIZE) else None
        subject = _en_object(o.shape, colour, scene.count, size, generic, rng)
        position = ""
        if scene.position and (plan.position if plan else rng.random() >= P_DROP_POSITION):
            position = " " + rng.choice(POSITION_EN[scene.position])
    be = "is" if scene.count == 1 else "are"
    on_background = (" " + rng.choice(("on a", "against a")) + f" {background} background"
                     if with_background else "")
    templates = [
        f"{subject}{position}{on_background}",
        f"a picture of {subject}{position}{on_background}",
        f"a drawing of {subject}{position}{on_background}",
        f"an image showing {subject}{position}{on_background}",
        f"there {be} {subject}{position}{on_background}",
    ]
    if with_background:
        templates.append(f"{_article(background)} {background} background with {subject}{position}")
    return rng.choice(templates)


# ---------------------------------------------------------------- Chinese

def _zh_object(shape: str, colour: str | None, count: int, size: str | None, generic: bool,
               rng: random.Random) -> str:
    s = SHAPE_BY_KEY[shape]
    measure = f"{COUNT_ZH[count]}个"
    if generic:
        noun = "图形"
    else:
        noun = s.zh if rng.random() < 0.7 else s.zh_short
    if colour is None:
        adjective = f"{SIZE_ZH[size]}" if size else ""
        return f"{measure}{adjective}{noun}"
    c = COLOUR_BY_KEY[colour]
    style = rng.randrange(2 if generic else 3)  # "红图形" is not said: no short form for generic
    if style == 0:      # 一个大的红色圆形 / 一个红色的圆形
        size_part = f"{SIZE_ZH[size]}的" if size else ""
        return f"{measure}{size_part}{c.zh}的{noun}"
    if style == 1:      # 一个大红色圆形 / 一个红色圆形
        size_part = SIZE_ZH[size] if size else ""
        return f"{measure}{size_part}{c.zh}{noun}"
    # 一个小红圆: the colloquial short forms
    size_part = SIZE_ZH[size] if size else ""
    return f"{measure}{size_part}{c.zh_short}{s.zh_short}"


def chinese_caption(scene: Scene, rng: random.Random, plan: Mentions | None = None) -> str:
    background = BACKGROUND_BY_KEY[scene.background].zh
    with_background = plan.background if plan else rng.random() >= P_DROP_BACKGROUND
    if scene.mixed:
        a, b = scene.objects
        subject = (f"{_zh_object(a.shape, a.colour, 1, None, False, rng)}和"
                   f"{_zh_object(b.shape, b.colour, 1, None, False, rng)}")
        place = None
    else:
        o = scene.objects[0]
        generic = plan.generic if plan else rng.random() < P_GENERIC_SHAPE
        colour = o.colour if (plan.colour if plan else generic or rng.random() >= P_DROP_COLOUR) else None
        size = scene.size if (plan.size if plan else rng.random() >= P_DROP_SIZE) else None
        subject = _zh_object(o.shape, colour, scene.count, size, generic, rng)
        place = (rng.choice(POSITION_ZH[scene.position])
                 if scene.position and (plan.position if plan else rng.random() >= P_DROP_POSITION) else None)

    if place:
        templates = [f"画面{place}有{subject}", f"图的{place}画着{subject}", f"{subject}在画面{place}"]
        if with_background:
            # Only the templates that say the background: a caption that chose to mention it must,
            # or Chinese captions would name their background half as often as English ones.
            templates = [f"{background}背景的{place}有{subject}", f"在{background}背景上，{place}有{subject}"]
    else:
        templates = [f"一张图里画着{subject}", f"这张图片上有{subject}", f"图中是{subject}", subject]
        if with_background:
            templates = [f"{background}背景上有{subject}", f"{subject}，背景是{background}",
                          f"{background}的底色上画了{subject}",
                          f"这是一幅{background}底色的画，上面有{subject}"]
    return rng.choice(templates)
