"""Shared by scripts/ingest-kill-check and scripts/bench-ingest (python3 stdlib only): a folder
of generated photos and a release `adaptclip serve` on a temporary data directory.

Photos: JPEGs are the fixture JPEGs (Tests/Fixtures/images, EXIF-rotated ones included) or a
given large JPEG, each made unique by a COM segment inserted after its APPn segments (so EXIF
stays where readers look for it); PNGs are generated (stdlib zlib). Every third name is
Chinese; folders and names carry spaces, '#' and '%'.
"""
import json
import os
import random
import signal
import socket
import struct
import subprocess
import time
import urllib.error
import urllib.request
import zlib

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "images")
BIN = os.path.join(ROOT, ".build", "release", "adaptclip")
TOKEN = "ingest-check-token"


def unique_jpeg(data, tag):
    """The JPEG with a COM segment holding `tag` inserted after its APPn segments."""
    assert data[:2] == b"\xff\xd8"
    at = 2
    while data[at] == 0xFF and 0xE0 <= data[at + 1] <= 0xEF:
        at += 2 + struct.unpack(">H", data[at + 2:at + 4])[0]
    body = tag.encode()
    return data[:at] + b"\xff\xfe" + struct.pack(">H", len(body) + 2) + body + data[at:]


def png(width, height, rng):
    raw = bytearray()
    base = [rng.randrange(256) for _ in range(3)]
    for y in range(height):
        raw.append(0)
        for x in range(width):
            raw += bytes(((base[0] + x * 3) & 255, (base[1] + y * 2) & 255, (base[2] + x * y) & 255))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(raw), 6)) + chunk(b"IEND", b"")


def name_of(i, ext):
    sub = "旅行 2024" if i % 2 else "家#人"
    stem = f"照片 {i}" if i % 3 == 0 else (f"img {i} 100%" if i % 3 == 1 else f"photo-{i}")
    return f"{sub}/{stem}.{ext}"


def write(folder, rel, data):
    os.makedirs(os.path.dirname(os.path.join(folder, rel)), exist_ok=True)
    with open(os.path.join(folder, rel), "wb") as f:
        f.write(data)


def make_photos(folder, count, seed=18, jpegs=None):
    """`count` files under `folder`; returns their relative paths. Without `jpegs`: half fixture
    JPEGs, half generated PNGs; with `jpegs` (paths): only those JPEGs, in turn."""
    rng = random.Random(seed)
    paths = jpegs or sorted(os.path.join(FIXTURES, f) for f in os.listdir(FIXTURES) if f.endswith(".jpg") and "cmyk" not in f)
    sources = [open(p, "rb").read() for p in paths]
    names = []
    for i in range(count):
        if jpegs or i % 2 == 0:
            data, ext = unique_jpeg(sources[i % len(sources)], f"adaptclip ingest check {i}"), "jpg"
        else:
            data, ext = png(rng.randrange(64, 257), rng.randrange(64, 257), rng), "png"
        rel = name_of(i, ext)
        write(folder, rel, data)
        names.append(rel)
    return names


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`adaptclip serve` (the release build) as a child process; `kill()` sends SIGKILL."""

    def __init__(self, data_dir, port, allowed_root, extra_env=None, log=None):
        self.port, self.base = port, f"http://127.0.0.1:{port}"
        env = dict(os.environ, ADAPTCLIP_ADMIN_TOKEN=TOKEN, ADAPTCLIP_INGEST_ALLOWED_ROOTS=json.dumps([allowed_root]),
                   ADAPTCLIP_GALLERY_SEED="false", ADAPTCLIP_LOGGING_LEVEL="warning")
        env.update(extra_env or {})
        self.process = subprocess.Popen([BIN, "serve", "--data-dir", data_dir, "--port", str(port)], env=env,
                                        stdout=log or subprocess.DEVNULL, stderr=log or subprocess.DEVNULL)
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                if self.request("GET", "/readyz")[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"adaptclip serve exited with {self.process.returncode}")
            time.sleep(0.05)
        raise RuntimeError("adaptclip serve did not become ready")

    def request(self, method, path, body=None, admin=False):
        data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if admin:
            req.add_header("Authorization", f"Bearer {TOKEN}")
        try:
            with urllib.request.urlopen(req, timeout=600) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def json(self, method, path, body=None, admin=False):
        status, data = self.request(method, path, body, admin)
        return status, json.loads(data) if data else {}

    def wait_job(self, job_id, poll=0.05):
        while True:
            _, job = self.json("GET", f"/admin/ingest/{job_id}", admin=True)
            if job["state"] not in ("queued", "listing", "running"):
                return job
            time.sleep(poll)

    def kill(self):
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def cpu_name():
    with open("/proc/cpuinfo") as f:
        text = f.read()
    model = next((l.split(":", 1)[1].strip() for l in text.splitlines() if l.startswith("model name")), "?")
    flags = next((l.split(":", 1)[1].split() for l in text.splitlines() if l.startswith("flags")), [])
    have = [f for f in ("avx512f", "avx512_bf16", "avx2") if f in flags]
    return f"{model}, {os.cpu_count()} cores visible, {' '.join(have)}"
