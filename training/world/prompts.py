"""Zero-shot classification prompts, per task and language.

The tasks are the scene labels: shape (10 classes), colour (10), count (3). A prompt names one class
and nothing else, in words the captions also use ("a drawing of a red shape", "一个红色的图形"),
so a model trained on the captions can score an image against every class of a task.
"""
from .vocabulary import COLOUR_BY_KEY, COLOURS, COUNT_EN, COUNT_ZH, COUNTS, SHAPE_BY_KEY, SHAPES

TASKS: dict[str, tuple] = {
    "shape": tuple(s.key for s in SHAPES),
    "colour": tuple(c.key for c in COLOURS),
    "count": COUNTS,
}


def _an(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def prompt(task: str, label, language: str) -> str:
    if task == "shape":
        s = SHAPE_BY_KEY[label]
        return f"a drawing of {_an(s.en)} {s.en}" if language == "en" else f"一个{s.zh}"
    if task == "colour":
        c = COLOUR_BY_KEY[label]
        return f"a drawing of {_an(c.en)} {c.en} shape" if language == "en" else f"一个{c.zh}的图形"
    if task == "count":
        if language == "en":
            return "a drawing of one shape" if label == 1 else f"a drawing of {COUNT_EN[label]} shapes"
        return f"{COUNT_ZH[label]}个图形"
    raise ValueError(f"unknown task {task!r}")


def prompts(task: str, language: str) -> list[str]:
    return [prompt(task, label, language) for label in TASKS[task]]
