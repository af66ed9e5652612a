"""Checks, with Pillow, that each hand-built image is what its attack claims, so a "refused"
answer means the server refused an attack and not a file that was never an image at all."""
import io
import zlib

from PIL import Image

from . import payloads


def check() -> list[str]:
    """Problems found (empty when every payload is as described)."""
    problems = []

    def expect(condition: bool, message: str):
        if not condition:
            problems.append(message)

    bomb = payloads.progressive_jpeg_scan_bomb()
    with Image.open(io.BytesIO(bomb)) as image:
        expect(image.format == "JPEG" and image.size == (7000, 7000) and image.info.get("progressive"),
               f"the scan bomb is not a 7000x7000 progressive JPEG: {image.format} {image.size} {image.info}")
    expect(140_000 <= len(bomb) <= 200_000, f"the scan bomb is {len(bomb)} bytes, not about 168 KB")
    # The same structure small enough to decode whole: libjpeg accepts every one of the scans.
    with Image.open(io.BytesIO(payloads.progressive_jpeg_scan_bomb(size=64, scans=16800))) as small:
        small.load()
        low, high = small.getextrema()
        expect(small.size == (64, 64) and low == high, "the small scan bomb does not decode to one grey")

    legal = payloads.legal_progressive_jpeg()
    with Image.open(io.BytesIO(legal)) as image:
        expect(image.format == "JPEG" and image.size == (7000, 7000) and image.info.get("progressive"),
               f"the legal progression is not a 7000x7000 progressive JPEG: {image.format} {image.size}")
    expect(len(legal) <= 200_000, f"the legal progression is {len(legal)} bytes")
    with Image.open(io.BytesIO(payloads.legal_progressive_jpeg(size=64))) as small:
        small.load()
        expect(small.getextrema() == (128, 128), f"the small legal progression decodes to {small.getextrema()}, not mid-grey")

    deflate = payloads.deflate_bomb_png()
    with Image.open(io.BytesIO(deflate)) as image:
        image.load()
        expect(image.size == (1, 1) and image.getpixel((0, 0)) == (0x10, 0x20, 0x30), "the DEFLATE bomb does not decode to its pixel")
    expect(len(deflate) > 1_000_000, "the DEFLATE bomb is not 1 MB of blocks")

    truncated = payloads.png_declaring_huge_size()
    with Image.open(io.BytesIO(truncated)) as image:
        expect(image.size == (7000, 7000), f"the truncated PNG declares {image.size}")
        try:
            image.load()
            problems.append("the truncated PNG decodes whole")
        except (OSError, zlib.error):
            pass
    expect(len(truncated) <= 70, f"the truncated PNG is {len(truncated)} bytes")

    webp = payloads.webp_lossless_declaring_huge_size()
    with Image.open(io.BytesIO(webp)) as image:
        expect(image.format == "WEBP" and image.size == (7000, 7000), f"the WebP declares {image.format} {image.size}")
    expect(len(webp) <= 32, f"the WebP is {len(webp)} bytes")

    solid = payloads.solid_png(64, 64, colour_type=6)
    with Image.open(io.BytesIO(solid)) as image:
        image.load()
        expect(image.mode == "RGBA" and image.getextrema() == ((0, 0),) * 4, "the solid PNG is not one colour")
    return problems
