"""Images whose decoding costs far more than their bytes: a progressive JPEG of empty scans, a
DEFLATE stream of empty blocks, headers that declare millions of pixels the file does not hold,
and a multipart request of sixteen 50-megapixel images."""
from .attack import FOUR_XX, TINY_FILE_RSS_BAR, TWO_XX_OR_FOUR_XX, Attack, Outcome
from . import payloads

FIFTY_MP_SIDE = 7071  # 7071^2 = 49,999,041 pixels: just under the default limits.max_image_pixels


def image_embedding_body(image: bytes, mime: str) -> bytes:
    return payloads.json_body({"modality": "image", "input": [payloads.data_uri(image, mime)]})


def post_image(accept):
    def run(ctx, body) -> Outcome:
        outcome = Outcome()
        outcome.add(ctx.post("/v1/embeddings", body), accept)
        return outcome
    return run


def multipart_prepare(ctx):
    image = payloads.solid_png(FIFTY_MP_SIDE, FIFTY_MP_SIDE, colour_type=6)
    return payloads.multipart([("file", f"solid-{i}.png", image, "image/png") for i in range(16)])


def post_multipart(ctx, prepared) -> Outcome:
    body, content_type = prepared
    outcome = Outcome()
    outcome.add(ctx.post("/v1/embeddings", body, {"Content-Type": content_type}), TWO_XX_OR_FOUR_XX)
    outcome.notes.append(f"{len(body) / 1e6:.1f} MB body")
    return outcome


ATTACKS = [
    # Valid, without a single decoder warning (Pillow decodes it in about 25 s): the guard is a
    # bound on the work (scans x blocks), which a bound on the scan count alone is not, since
    # 500 scans of a 7000 x 7000 image still cost seconds.
    Attack("jpeg-progressive-7000x7000-883-legal-scans", post_image(TWO_XX_OR_FOUR_XX),
           prepare=lambda ctx: image_embedding_body(payloads.legal_progressive_jpeg(), "image/jpeg")),
    # Thousands of scans with no data (each a warning to libjpeg, which carries on): Pillow
    # decodes it, in minutes.
    Attack("jpeg-progressive-7000x7000-16800-empty-scans", post_image(TWO_XX_OR_FOUR_XX),
           prepare=lambda ctx: image_embedding_body(payloads.progressive_jpeg_scan_bomb(), "image/jpeg")),
    # Valid; the fixed Huffman tables need building once, not once per block. A 1 MB PNG
    # decodes in milliseconds when they are: a second is already generous.
    Attack("png-deflate-1MB-of-empty-fixed-blocks", post_image(TWO_XX_OR_FOUR_XX), seconds_bar=1.0,
           prepare=lambda ctx: image_embedding_body(payloads.deflate_bomb_png(), "image/png")),
    # Truncated: one row of 7000; nothing may be allocated for the rest before it arrives.
    Attack("png-66B-declaring-7000x7000", post_image(FOUR_XX), rss_bar=TINY_FILE_RSS_BAR,
           prepare=lambda ctx: image_embedding_body(payloads.png_declaring_huge_size(), "image/png")),
    # 28 bytes for 49 Mpx of one colour: refuse the ratio or decode it in bounded memory.
    Attack("webp-vp8l-28B-declaring-7000x7000", post_image(TWO_XX_OR_FOUR_XX), rss_bar=TINY_FILE_RSS_BAR,
           prepare=lambda ctx: image_embedding_body(payloads.webp_lossless_declaring_huge_size(), "image/webp")),
    Attack("png-16x50MP-solid-one-multipart", post_multipart, prepare=multipart_prepare),
]
