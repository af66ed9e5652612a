"""Text without images: parallel English–Chinese sentence pairs and Chinese-only sentences.

The pairs feed the language adapter's distillation (English side → frozen CLIP text tower, Chinese
side → Chinese BERT + adapter); the Chinese-only sentences feed BERT's masked-language-model
pre-training. Both are drawn from the same world as the images: scene captions (two independent
captions of one sampled scene), the zero-shot prompts, and short statements about shapes, colours,
counts, positions and backgrounds.
"""
import random

from .captions import Mentions, chinese_caption, english_caption
from .prompts import TASKS, prompt
from .scene import sample_scene
from .vocabulary import (BACKGROUNDS, COLOURS, COUNT_EN, COUNT_ZH, POSITION_EN, POSITION_ZH,
                         POSITIONS, SHAPES)


def _an(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _statement(rng: random.Random) -> tuple[str, str]:
    s, c = rng.choice(SHAPES), rng.choice(COLOURS)
    kind = rng.randrange(6)
    if kind == 0:
        return (f"the {s.en} is {c.en}", rng.choice((f"这个{s.zh}是{c.zh}的", f"那个{s.zh}是{c.zh}")))
    if kind == 1:
        n = rng.choice((1, 2, 3))
        noun = s.en if n == 1 else s.en_plural
        en = f"there is one {noun} in the picture" if n == 1 else f"there are {COUNT_EN[n]} {noun} in the picture"
        return en, rng.choice((f"图里有{COUNT_ZH[n]}个{s.zh}", f"画面上一共有{COUNT_ZH[n]}个{s.zh}"))
    if kind == 2:
        p = rng.choice(POSITIONS)
        return (f"the {c.en} {s.en} is {POSITION_EN[p][0]}",
                rng.choice((f"{c.zh}的{s.zh}在{POSITION_ZH[p][0]}", f"{POSITION_ZH[p][1]}是一个{c.zh}的{s.zh}")))
    if kind == 3:
        b = rng.choice(BACKGROUNDS)
        return (f"the background is {b.en}", rng.choice((f"背景是{b.zh}的", f"背景颜色是{b.zh}")))
    if kind == 4:
        return (f"{c.en} is a colour", rng.choice((f"{c.zh}是一种颜色", f"{c.zh}是常见的颜色")))
    return (f"{_an(s.en)} {s.en} is a shape", rng.choice((f"{s.zh}是一种图形", f"{s.zh}是一种几何形状")))


def sentence_pair(rng: random.Random, translations: bool = True) -> tuple[str, str, str]:
    """(en, zh, kind) with kind ∈ {translation, caption, prompt, statement}.

    60% describe a sampled scene: with `translations`, 35 of those 60 points are translation
    pairs (both captions mention the same attributes, see captions.Mentions) and 25 are two
    independent captions; without, all 60 are independent captions (the Chinese-only corpus,
    whose draws stay what they were before translation pairs existed)."""
    roll = rng.random()
    if roll < 0.6:
        scene = sample_scene(rng)
        if translations and roll < 0.35:
            plan = Mentions.draw(rng)
            return english_caption(scene, rng, plan), chinese_caption(scene, rng, plan), "translation"
        return english_caption(scene, rng), chinese_caption(scene, rng), "caption"
    if roll < 0.75:
        task = rng.choice(tuple(TASKS))
        label = rng.choice(TASKS[task])
        return prompt(task, label, "en"), prompt(task, label, "zh"), "prompt"
    en, zh = _statement(rng)
    return en, zh, "statement"


def chinese_sentence(rng: random.Random) -> str:
    return sentence_pair(rng, translations=False)[1]
