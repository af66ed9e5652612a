#!/usr/bin/env python3
"""Writes the seed corpora of the image fuzz targets (scripts/fuzz-images) into OUT/<target>/.

Seeds are made at run time, so that no binary seed is committed: the small image fixtures of
Tests/Fixtures/images, a few hand-made hostile files (the bombs the decoders must refuse
cheaply), and raw DEFLATE streams from zlib at every strategy. Each target's harness adds the
format's fixed prefix itself (PNG signature, JPEG SOI, RIFF/WEBP header), so the seeds here
leave it out. Standard library only.

    Fuzz/make_image_seeds.py OUT
"""
import os
import struct
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "images")
MAX_SEED = 24 * 1024


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_body(width, height, depth, colour, idat):
    """A PNG without its 8-byte signature."""
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


class Bits:
    """DEFLATE's (and VP8L's) LSB-first bit order."""

    def __init__(self):
        self.out, self.acc, self.n = bytearray(), 0, 0

    def put(self, value, bits):
        self.acc |= value << self.n
        self.n += bits
        while self.n >= 8:
            self.out.append(self.acc & 0xFF)
            self.acc >>= 8
            self.n -= 8

    def code(self, code, length):
        """A Huffman code: DEFLATE sends it most significant bit first."""
        for b in range(length - 1, -1, -1):
            self.put(code >> b & 1, 1)

    def bytes(self):
        return bytes(self.out) + (bytes([self.acc & 0xFF]) if self.n else b"")


def write(directory, name, data):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def main(out):
    fixtures = sorted(os.listdir(FIXTURES))
    for name in fixtures:
        path = os.path.join(FIXTURES, name)
        if not os.path.isfile(path) or os.path.getsize(path) > MAX_SEED:
            continue
        data = open(path, "rb").read()
        if name.endswith(".png"):
            write(os.path.join(out, "png"), name, data[8:])
            idat = b"".join(data[i + 8:i + 8 + struct.unpack(">I", data[i:i + 4])[0]]
                            for i in _chunk_offsets(data) if data[i + 4:i + 8] == b"IDAT")
            write(os.path.join(out, "inflate"), name, bytes([200, 16]) + idat[2:])
        elif name.endswith(".jpg"):
            write(os.path.join(out, "jpeg"), name, data[3:])
        elif name.endswith(".webp"):
            write(os.path.join(out, "webp"), name, data[12:])

    # DEFLATE from zlib at each strategy, over text, runs and noise.
    samples = [b"the quick brown fox " * 40, bytes(range(256)) * 4, b"\0" * 3000, os.urandom(300)]
    strategies = [zlib.Z_DEFAULT_STRATEGY, zlib.Z_FILTERED, zlib.Z_HUFFMAN_ONLY, zlib.Z_RLE, zlib.Z_FIXED]
    for i, sample in enumerate(samples):
        for strategy in strategies:
            for level in (0, 1, 9):
                c = zlib.compressobj(level, zlib.DEFLATED, -15, 8, strategy)
                stream = c.compress(sample) + c.flush()
                write(os.path.join(out, "inflate"), f"zlib-{i}-{strategy}-{level}", bytes([40, 33]) + stream)

    # Hostile: empty fixed blocks before the data; a header announcing 49 megapixels.
    bits = Bits()
    for _ in range(2000):
        bits.put(0, 1); bits.put(1, 2); bits.put(0, 7)
    bits.put(1, 1); bits.put(1, 2)
    bits.code(0x30 + 0, 8); bits.code(0x30 + 7, 8); bits.code(0, 7)  # literals 0 and 7, end of block
    empty_blocks = bits.bytes()
    write(os.path.join(out, "inflate"), "empty-fixed-blocks", bytes([0, 0]) + empty_blocks)
    write(os.path.join(out, "png"), "empty-fixed-blocks", png_body(1, 1, 8, 0, b"\x78\x01" + empty_blocks))
    write(os.path.join(out, "png"), "header-bomb", png_body(7000, 7000, 8, 2, b"\x78\x01" + bytes(10)))

    # Hostile WebP: lossless, one-symbol prefix codes, 7,000 x 7,000 pixels in 28 bytes.
    bits = Bits()
    bits.put(0x2F, 8); bits.put(6999, 14); bits.put(6999, 14); bits.put(0, 4); bits.put(0, 3)
    for _ in range(5):
        bits.put(1, 1); bits.put(0, 3)
    payload = bits.bytes()
    padding = b"\0" if len(payload) % 2 else b""
    write(os.path.join(out, "webp"), "solid-bomb", b"VP8L" + struct.pack("<I", len(payload)) + payload + padding)


def _chunk_offsets(png):
    i = 8
    while i + 12 <= len(png):
        yield i
        i += 12 + struct.unpack(">I", png[i:i + 4])[0]


if __name__ == "__main__":
    main(sys.argv[1])
