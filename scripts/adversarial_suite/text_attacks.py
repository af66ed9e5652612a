"""Text that costs more than its bytes: BPE over one giant word, templates that multiply labels,
and long distinct texts that a query cache would keep."""
from .attack import TWO_XX_OR_FOUR_XX, Attack, Outcome
from . import payloads

LABELS_FOR_IMAGE = ["dog", "car"]
RETAINED_RSS_BAR = 100 << 20  # 80 x 2.1 MB kept by a cache would be 168 MB


def bpe_embeddings(ctx, body) -> Outcome:
    outcome = Outcome()
    outcome.add(ctx.post("/v1/embeddings", body), TWO_XX_OR_FOUR_XX)
    return outcome


def bpe_concurrent(ctx, body) -> Outcome:
    outcome = Outcome()
    for response in ctx.concurrently([lambda: ctx.post("/v1/embeddings", body)] * 2):
        outcome.add(response, TWO_XX_OR_FOUR_XX)
    return outcome


def classify(ctx, body) -> Outcome:
    outcome = Outcome()
    outcome.add(ctx.post("/v1/classify", body), TWO_XX_OR_FOUR_XX)
    return outcome


def classify_body(ctx, labels, template=None) -> bytes:
    request = {"image": ctx.demo_image_uri(), "labels": labels}
    if template is not None:
        request["template"] = template
    return payloads.json_body(request)


def cache_bloat_prepare(ctx):
    return [payloads.json_body({"input": text}) for text in payloads.distinct_long_texts(80, 2_100_000)]


def cache_bloat(ctx, bodies) -> Outcome:
    """80 distinct 2.1 MB texts, one per request; what the server keeps afterwards is judged by
    the harness (retained RSS, measured once the server is quiet again)."""
    outcome = Outcome()
    for body in bodies:
        if ctx.expired():
            outcome.problems.append("did not finish all 80 requests in time")
            break
        outcome.add(ctx.post("/v1/embeddings", body), TWO_XX_OR_FOUR_XX)
    return outcome


ATTACKS = [
    Attack("bpe-32KB-word-embeddings", bpe_embeddings,
           prepare=lambda ctx: payloads.json_body({"input": "a" * 32768})),
    Attack("bpe-48KB-word-x2-concurrent", bpe_concurrent,
           prepare=lambda ctx: payloads.json_body({"input": "a" * 49152})),
    Attack("bpe-146KB-word-classify-label", classify,
           prepare=lambda ctx: classify_body(ctx, ["a" * (146 << 10), "dog"])),
    Attack("template-2000x{}-two-10KB-labels", classify,
           prepare=lambda ctx: classify_body(ctx, ["cat " * 2560, "dog " * 2560], template="{}" * 2000)),
    Attack("template-2000x{}-146KB-label", classify,
           prepare=lambda ctx: classify_body(ctx, ["cat " * (146 << 8), "dog"], template="{}" * 2000)),
    Attack("cache-80-distinct-2.1MB-texts", cache_bloat, prepare=cache_bloat_prepare, cap=20.0,
           retained_rss_bar=RETAINED_RSS_BAR),
]
