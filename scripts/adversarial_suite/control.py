"""The control: ordinary requests through the same harness. If this row fails, the machine (or
the harness) is in no state to judge the attacks."""
from .attack import Attack, Outcome

TWO_XX = "200/201"


def legitimate_mix(ctx, _) -> Outcome:
    outcome = Outcome()
    image = ctx.demo_image_uri()
    for path, body in (
        ("/v1/embeddings", {"input": ["a photo of a cat", "a red car"]}),
        ("/v1/embeddings", {"input": "两个红色的圆形", "lang": "zh"}),
        ("/v1/embeddings", {"modality": "image", "input": [image]}),
        ("/v1/search", {"query": "two red circles", "k": 5, "filter": {"shape": "circle"}}),
        ("/v1/classify", {"image": image, "labels": ["a circle", "a square", "a triangle"]}),
    ):
        outcome.add(ctx.post(path, body), TWO_XX)
    return outcome


ATTACKS = [Attack("control-legitimate-requests", legitimate_mix, in_soak=False)]
