"""The binary itself: the one-shot `embed` over stdin, and SIGTERM while the worst attack runs."""
import json
import subprocess
import threading
import time

from .attack import SIGTERM_BAR, Attack, Outcome


def embed_lines(ctx) -> list[str]:
    image = sorted((ctx.repo / "models/demo/test").glob("*.png"))[0]
    return [json.dumps(line, ensure_ascii=False) for line in (
        {"text": "a photo of a cat"},
        {"text": "两个红色的圆形", "lang": "zh"},
        {"text": "a red car"},
        {"image": str(image)},
    )]


def _is_vector(line: str) -> bool:
    try:
        return isinstance(json.loads(line).get("embedding"), list)
    except (ValueError, AttributeError):
        return False


def cli_embed(ctx, lines) -> Outcome:
    outcome = Outcome()
    started = time.monotonic()
    try:
        done = subprocess.run([ctx.server.binary, "embed"], input="".join(l + "\n" for l in lines).encode(),
                              capture_output=True, timeout=ctx.remaining(), cwd=ctx.repo)
    except subprocess.TimeoutExpired:
        outcome.statuses.append("timeout")
        outcome.seconds = time.monotonic() - started
        outcome.problems.append("adaptclip embed did not finish")
        return outcome
    outcome.seconds = time.monotonic() - started
    out = done.stdout.decode(errors="replace").splitlines()
    vectors = sum(1 for l in out if _is_vector(l))
    outcome.statuses.append(f"exit {done.returncode}, {vectors}/{len(lines)} lines")
    if done.returncode != 0 or len(out) != len(lines) or vectors != len(lines):
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
        outcome.problems.append(f"expected exit 0 and {len(lines)} vectors; stderr: {tail[0][:200]}")
    return outcome


def sigterm_during(attack, make_context, server) -> Outcome:
    """Starts `attack` again, sends SIGTERM one second in, and times the exit."""
    outcome = Outcome()
    prepared = attack.prepare(make_context(3600))
    ctx = make_context(attack.cap)
    thread = threading.Thread(target=lambda: attack.run(ctx, prepared), daemon=True)
    thread.start()
    time.sleep(1.0)
    exited_after = server.terminate(limit=SIGTERM_BAR + 5)
    thread.join(5)
    if exited_after is None:
        outcome.statuses.append("killed")
        outcome.seconds = SIGTERM_BAR + 5
        outcome.problems.append(f"still running {SIGTERM_BAR + 5:.0f} s after SIGTERM (killed)")
    else:
        outcome.statuses.append(f"exit {server.process.returncode}")
        outcome.seconds = exited_after
        if exited_after > SIGTERM_BAR:
            outcome.problems.append(f"exited {exited_after:.1f} s after SIGTERM (bar {SIGTERM_BAR:.0f} s)")
    outcome.notes.append(f"during {attack.name}")
    return outcome


ATTACKS = [
    Attack("cli-embed-stdin-4-lines", cli_embed, prepare=embed_lines, cap=60.0, seconds_bar=None,
           uses_server=False, in_soak=False),
]
