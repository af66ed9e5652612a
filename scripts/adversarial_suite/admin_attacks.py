"""The admin API's answers about files it was pointed at: a refusal names the field, never the
file's contents; and a manifest reached through a symlink is refused."""
import json
import os
import random
import shutil
import string

from .attack import FOUR_XX, Attack, Outcome

HOSTILE_BYTES = 1 << 20


def hostile_value(seed: int) -> str:
    """1 MB of random letters: any echo of it, even cut short, is recognisable."""
    letters = string.ascii_letters.encode()
    table = bytes(letters[i % len(letters)] for i in range(256))
    return random.Random(seed).randbytes(HOSTILE_BYTES).translate(table).decode()


def echoes(body: bytes, secret: str) -> bool:
    """Whether `body` holds any 64-character window of the secret's first or last 8 KB (an
    echo of 128 characters or more from either end contains one)."""
    data = secret.encode()
    edges = list(range(0, 8192, 64)) + list(range(len(data) - 8192, len(data) - 64, 64))
    return any(data[i:i + 64] in body for i in edges)


def authorization(ctx) -> dict:
    return {"Authorization": f"Bearer {ctx.server.admin_token}"}


def hostile_manifests_prepare(ctx):
    cases = []
    for field in ("kind", "name", "format_version"):
        directory = ctx.work_dir / f"hostile-{field}"
        directory.mkdir(exist_ok=True)
        manifest = {"format_version": 1, "kind": "language", "name": "hostile", "version": "1"}
        manifest[field] = hostile_value(len(cases))
        (directory / "adapter.json").write_text(json.dumps(manifest))
        cases.append((field, str(directory), manifest[field]))
    return cases


def hostile_manifests(ctx, cases) -> Outcome:
    outcome = Outcome()
    for field, directory, secret in cases:
        response = outcome.add(ctx.post("/admin/adapters", {"path": directory}, authorization(ctx)), FOUR_XX)
        if echoes(response.body, secret):
            outcome.problems.append(f"the answer echoes the 1 MB '{field}' ({len(response.body)} bytes)")
    return outcome


def symlinked_manifests_prepare(ctx):
    """Two directories whose adapter.json is a symlink: one to a valid manifest (the demo
    adapter's, under a new version, so loading it would succeed), one to a file of secrets."""
    elsewhere = ctx.work_dir / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    bundle = ctx.repo / "models/demo/zh-adapter"
    manifest = json.loads((bundle / "adapter.json").read_text())
    manifest["version"] = "symlinked-1"
    (elsewhere / "valid.json").write_text(json.dumps(manifest))
    secret = hostile_value(99)
    (elsewhere / "secret.json").write_text(json.dumps({"format_version": 1, "kind": secret}))
    cases = []
    for name, target in (("valid", "valid.json"), ("secret", "secret.json")):
        directory = ctx.work_dir / f"symlinked-{name}"
        directory.mkdir(exist_ok=True)
        link = directory / "adapter.json"
        if link.is_symlink() or link.exists():
            link.unlink()
        os.symlink(elsewhere / target, link)
        shutil.copyfile(bundle / "adapter.safetensors", directory / "adapter.safetensors")
        cases.append((name, str(directory), secret if name == "secret" else None))
    return cases


def symlinked_manifests(ctx, cases) -> Outcome:
    outcome = Outcome()
    for name, directory, secret in cases:
        response = outcome.add(ctx.post("/admin/adapters", {"path": directory}, authorization(ctx)), FOUR_XX)
        if secret is not None and echoes(response.body, secret):
            outcome.problems.append("the answer echoes the symlink target's contents")
    return outcome


ATTACKS = [
    Attack("admin-manifest-1MB-hostile-strings", hostile_manifests, prepare=hostile_manifests_prepare),
    Attack("admin-manifest-symlinked", symlinked_manifests, prepare=symlinked_manifests_prepare),
]
