"""Tests of the world generator: determinism, captions agree with labels, splits are disjoint.

    python -m pytest training/tests/test_world.py -q

(run from the repository root).
"""
import gzip
import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest

from training.world.generate import generate_item, write_split
from training.world.render import render
from training.world.scene import sample_scene
from training.world.seeding import item_rng
from training.world.prompts import TASKS, prompts
from training.world.scene import IMAGE_SIZE
from training.world.seeding import item_seed
from training.world.text import write_text
from training.world.vocabulary import (BACKGROUND_BY_KEY, COLOURS, COUNT_EN, SHAPE_BY_KEY, SHAPES,
                                       colours_allowed_on)

from .conftest import ROOT

ITEMS = 400  # enough to hit every template and attribute many times


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# ---------------------------------------------------------------- determinism

def test_same_seed_gives_byte_identical_split(tmp_path):
    a = write_split(tmp_path / "a", "train", 40, seed=7)
    b = write_split(tmp_path / "b", "train", 40, seed=7)
    files_a, files_b = _files(a), _files(b)
    assert len(files_a) == 41  # 40 PNGs + captions.jsonl
    assert files_a == files_b


def test_item_does_not_depend_on_how_many_were_generated(tmp_path):
    short = _files(write_split(tmp_path / "short", "train", 5, seed=7))
    long = _files(write_split(tmp_path / "long", "train", 12, seed=7))
    for name, data in short.items():
        if name.endswith(".png"):
            assert long[name] == data, name


def test_different_seed_gives_different_images(tmp_path):
    a = _files(write_split(tmp_path / "a", "train", 20, seed=1))
    b = _files(write_split(tmp_path / "b", "train", 20, seed=2))
    same = [n for n in a if n.endswith(".png") and a[n] == b[n]]
    assert len(same) <= 1, same


def test_text_corpora_are_deterministic(tmp_path):
    a = write_text(tmp_path / "a", "train", 50, 60, seed=3)
    b = write_text(tmp_path / "b", "train", 50, 60, seed=3)
    assert _files(a) == _files(b)
    assert len((a / "zh.txt").read_text(encoding="utf-8").splitlines()) == 60


# ---------------------------------------------------------------- captions agree with labels

def _english_words(caption: str, background_en: str) -> list[str]:
    # The background phrase may contain a colour word ("light blue background"): drop it first.
    return caption.replace(f"{background_en} background", " ").split()


def _english_shapes(words: list[str]) -> set[str]:
    return {s.key for s in SHAPES for w in words if w in (s.en, s.en_plural)}


def _english_colours(words: list[str]) -> set[str]:
    return {c.key for c in COLOURS for w in words if w == c.en}


ZH_SHAPE_ALIASES = sorted(((name, s.key) for s in SHAPES for name in {s.zh, s.zh_short}),
                          key=lambda pair: -len(pair[0]))


def _chinese_without_background(caption: str, background_zh: str) -> str:
    return caption.replace(background_zh, "，")


def _chinese_shapes(text: str) -> set[str]:
    found = set()
    for name, key in ZH_SHAPE_ALIASES:  # longest first: 椭圆 before 圆
        if name in text:
            found.add(key)
            text = text.replace(name, "|")
    return found


def _chinese_colours(text: str) -> set[str]:
    return {c.key for c in COLOURS if c.zh_short in text}


@pytest.fixture(scope="module")
def records():
    return [generate_item("train", 11, i)[1] for i in range(ITEMS)]


def test_labels_are_well_formed(records):
    for r in records:
        labels = r["labels"]
        assert labels["count"] == len(labels["objects"]) in (1, 2, 3)
        background = BACKGROUND_BY_KEY[labels["background"]]
        for o in labels["objects"]:
            assert o["colour"] in {c.key for c in colours_allowed_on(background)}, r
            assert o["r"] <= o["x"] < IMAGE_SIZE - o["r"] and o["r"] <= o["y"] < IMAGE_SIZE - o["r"], r
        if labels["mixed"]:
            assert labels["shape"] is None and labels["colour"] is None and labels["count"] == 2
            a, b = labels["objects"]
            assert (a["shape"], a["colour"]) != (b["shape"], b["colour"])
        else:
            assert all(o["shape"] == labels["shape"] and o["colour"] == labels["colour"] for o in labels["objects"])
            assert (labels["position"] is not None) == (labels["count"] == 1)
    assert any(r["labels"]["mixed"] for r in records) and not all(r["labels"]["mixed"] for r in records)


def test_english_captions_state_only_true_attributes(records):
    for r in records:
        labels = r["labels"]
        words = _english_words(r["en"], BACKGROUND_BY_KEY[labels["background"]].en)
        shapes, colours = _english_shapes(words), _english_colours(words)
        true_shapes = {o["shape"] for o in labels["objects"]}
        true_colours = {o["colour"] for o in labels["objects"]}
        assert shapes <= true_shapes and colours <= true_colours, r
        assert shapes or colours, r
        if labels["mixed"]:
            assert shapes == true_shapes and colours == true_colours, r
            continue
        numbers = {n for n, w in COUNT_EN.items() if w in words}
        if labels["count"] == 1:
            assert numbers <= {1}, r
            assert not any(w == SHAPE_BY_KEY[labels["shape"]].en_plural or w == "shapes" for w in words), r
        else:
            assert numbers == {labels["count"]}, r
        if "small" in words or "large" in words:
            assert labels["size"] in words, r


def test_chinese_captions_state_only_true_attributes(records):
    for r in records:
        labels = r["labels"]
        text = _chinese_without_background(r["zh"], BACKGROUND_BY_KEY[labels["background"]].zh)
        shapes, colours = _chinese_shapes(text), _chinese_colours(text)
        true_shapes = {o["shape"] for o in labels["objects"]}
        true_colours = {o["colour"] for o in labels["objects"]}
        assert shapes <= true_shapes and colours <= true_colours, r
        assert shapes or colours, r
        counts = re.findall(r"([一两三])个", text)
        if labels["mixed"]:
            assert shapes == true_shapes and colours == true_colours and counts == ["一", "一"], r
        else:
            assert counts == [{1: "一", 2: "两", 3: "三"}[labels["count"]]], r


def test_captions_vary_and_are_not_word_for_word(records):
    english_openings = {" ".join(r["en"].split()[:2]) for r in records}
    chinese_openings = {r["zh"][:2] for r in records}
    assert len(english_openings) >= 10 and len(chinese_openings) >= 10
    assert len({r["en"] for r in records}) > 0.8 * len(records)


def test_every_class_of_every_task_occurs(records):
    for task, classes in TASKS.items():
        seen = {r["labels"][task] for r in records if r["labels"][task] is not None}
        assert seen == set(classes), (task, set(classes) - seen)


def test_prompts_name_each_class_once():
    for task in TASKS:
        for language in ("en", "zh"):
            texts = prompts(task, language)
            assert len(set(texts)) == len(texts) == len(TASKS[task])


# ---------------------------------------------------------------- splits

def test_splits_are_disjoint(tmp_path):
    digests = {}
    for split, seed in (("train", 1), ("validation", 2), ("test", 3)):
        folder = write_split(tmp_path, split, 60, seed)
        digests[split] = {hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.png")}
        assert len(digests[split]) >= 58  # within a split, near-duplicates are possible, not common
    assert not digests["train"] & digests["validation"]
    assert not digests["train"] & digests["test"]
    assert not digests["validation"] & digests["test"]


def test_item_streams_differ_across_splits_and_seeds():
    seeds = [item_seed(split, seed, i) for split in ("train", "validation", "test") for seed in (1, 2, 3)
             for i in range(500)]
    assert len(set(seeds)) == len(seeds)


# ---------------------------------------------------------------- styles

# SHA-256 over test-000000.png … test-000019.png and the first 20 lines of captions.jsonl of
# `generate --split test --count 20 --seed 3`: the demo world v2's training/out/world/test, as written
# by the generator without styles. Adding a style must never change the default world; a deliberate
# change of the filled world updates this digest.
FILLED_TEST_DIGEST = "c2854f9ca482aa76d7ad04534dfa599edd08f1753302248c401241a8b391894a"


def test_default_style_bytes_are_those_of_the_demo_world(tmp_path):
    folder = write_split(tmp_path, "test", 20, seed=3)
    digest = hashlib.sha256()
    for i in range(20):
        digest.update((folder / f"test-{i:06d}.png").read_bytes())
    digest.update((folder / "captions.jsonl").read_bytes())
    assert digest.hexdigest() == FILLED_TEST_DIGEST


def test_outline_split_is_byte_identical_across_runs(tmp_path):
    a = _files(write_split(tmp_path / "a", "train", 30, seed=7, style="outline"))
    b = _files(write_split(tmp_path / "b", "train", 30, seed=7, style="outline"))
    assert len(a) == 31 and a == b


def test_outline_item_is_the_filled_scene_with_the_same_captions():
    for i in range(60):
        filled_image, filled = generate_item("test", 3, i)
        outline_image, outline = generate_item("test", 3, i, style="outline")
        assert outline.pop("style") == "outline" and "style" not in filled
        assert outline == filled
        # A ring's band is no thicker than two strokes: it is its own outline.
        if any(o["shape"] != "ring" for o in filled["labels"]["objects"]):
            assert outline_image.tobytes() != filled_image.tobytes()


def _object_pixels(image, colour_rgb) -> int:
    return int((np.asarray(image) == np.array(colour_rgb, dtype=np.uint8)).all(axis=-1).sum())


def test_outlines_keep_a_minority_of_the_filled_pixels():
    from training.world.vocabulary import COLOUR_BY_KEY
    shapes, filled_total, outline_total = set(), 0, 0
    for i in range(300):
        scene = sample_scene(item_rng("train", 5, i))
        if scene.mixed or scene.texture != "plain":
            continue
        rgb = COLOUR_BY_KEY[scene.objects[0].colour].rgb
        filled, outline = _object_pixels(render(scene), rgb), _object_pixels(render(scene, "outline"), rgb)
        # A small star is nearly all stroke and a ring's band is its own outline; the rest lose pixels.
        assert 0 < outline <= filled and (outline < filled or scene.objects[0].shape == "ring"), \
            (scene.objects, outline, filled)
        shapes.add(scene.objects[0].shape)
        filled_total, outline_total = filled_total + filled, outline_total + outline
    assert shapes == {s.key for s in SHAPES}
    assert outline_total < 0.7 * filled_total, (outline_total, filled_total)


def test_unknown_style_is_refused():
    with pytest.raises(ValueError, match="unknown style 'sketch'"):
        render(sample_scene(item_rng("train", 1, 0)), "sketch")


# ---------------------------------------------------------------- CLIP vocabulary

def test_clip_vocabulary_matches_openai_ids(tmp_path):
    from transformers import CLIPTokenizer

    from training.world.clip_vocab import write_hf_vocab
    # CLIP's BPE file rebuilt from the committed conversion of it (Tests/Fixtures/tokenizers/clip,
    # the merges it holds are exactly the ones the conversion reads): the test needs no download,
    # and make_demo.sh pins the real file by its SHA-256.
    committed = ROOT / "Tests" / "Fixtures" / "tokenizers" / "clip"
    merge_lines = (committed / "merges.txt").read_text(encoding="utf-8").splitlines()[1:]
    bpe = tmp_path / "bpe_simple_vocab_16e6.txt.gz"
    bpe.write_bytes(gzip.compress(("bpe_simple_vocab_16e6.txt#version: 0.2\n" + "\n".join(merge_lines) + "\n").encode()))
    vocab, merges = write_hf_vocab(bpe, tmp_path / "hf")
    assert json.loads(vocab.read_text(encoding="utf-8")) == json.loads((committed / "vocab.json").read_text(encoding="utf-8"))
    assert merges.read_text(encoding="utf-8").splitlines() == ["#version: 0.2"] + merge_lines
    tokenizer = CLIPTokenizer(str(vocab), str(merges))
    assert len(tokenizer) == 49408
    # Ids of openai/clip-vit-base-patch32's tokenizer for "a photo of a cat".
    assert tokenizer("a photo of a cat").input_ids == [49406, 320, 1125, 539, 320, 2368, 49407]


def test_gallery_holds_every_cell_exactly_per_cell_times_and_is_deterministic(tmp_path):
    from training.world.gallery import write_gallery
    first, kept = write_gallery(tmp_path / "a", per_cell=1, mixed=5, seed=4)
    second, _ = write_gallery(tmp_path / "b", per_cell=1, mixed=5, seed=4)
    assert _files(first) == _files(second)
    rows = [json.loads(line) for line in (first / "captions.jsonl").read_text(encoding="utf-8").splitlines()]
    cells = [(r["labels"]["shape"], r["labels"]["colour"], r["labels"]["count"]) for r in rows if not r["labels"]["mixed"]]
    assert len(cells) == len(set(cells)) == len(SHAPES) * len(COLOURS) * 3
    assert sum(r["labels"]["mixed"] for r in rows) == 5 and kept == len(rows)
    # An item of the gallery is the scene generate.py writes for that index of split "gallery".
    index = int(rows[0]["file"].split("-")[1].split(".")[0])
    image, record = generate_item("gallery", 4, index)
    assert record == rows[0]


def test_translation_pairs_mention_the_same_attributes(tmp_path):
    from training.world.captions import Mentions, chinese_caption, english_caption
    from training.world.scene import sample_scene
    from training.world.seeding import item_rng
    for i in range(300):
        rng = item_rng("translation-test", 0, i)
        scene = sample_scene(rng)
        plan = Mentions.draw(rng)
        en, zh = english_caption(scene, rng, plan), chinese_caption(scene, rng, plan)
        background = BACKGROUND_BY_KEY[scene.background]
        assert (background.en + " background" in en) == plan.background, en
        assert (background.zh in zh) == plan.background, zh
