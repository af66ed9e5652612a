"""Requests that are expensive before any model runs: a 16 MB JSON tree, search filters the store
cannot take, and bodies that arrive one byte at a time."""
import select
import socket
import threading
import time

from .attack import FOUR_XX, Attack, Outcome
from . import httpclient, payloads

DEFAULT_MAX_BODY = 16 << 20

# Slow bodies: the drippers hold every connection slot the server has (the probe's keep-alive
# connection is the one more, see SLOW_BODY_SETTINGS); a legitimate client must still be served.
DRIPPERS = 20
DRIP_PERIOD = 1.0     # one body byte per second: never a pause long enough for the per-byte timeout
SLOW_WINDOW = 10.0    # how long the drippers keep dripping at most
SLOW_TIMEOUT = "3"    # every limits.*timeout_seconds but the idle one, for this attack's server
SLOW_BODY_SETTINGS = {"server.max_connections": str(DRIPPERS + 1)}


def slow_body_settings(known_keys: set[str]) -> dict[str, str]:
    """The slow-body server: 21 connections, every request-phase timeout 3 s. A total
    request-read deadline under whatever key this build has is set too; where none exists the
    request deadline (`limits.request_timeout_seconds`, "from arrival to answer") must cut them."""
    settings = dict(SLOW_BODY_SETTINGS)
    for key in known_keys:
        if key.startswith("limits.") and key.endswith("timeout_seconds") and key != "limits.idle_timeout_seconds":
            settings[key] = SLOW_TIMEOUT
    return settings


def post_body(path: str, accept: str, copies: int = 1):
    def run(ctx, body) -> Outcome:
        outcome = Outcome()
        for response in ctx.concurrently([lambda: ctx.post(path, body)] * copies):
            outcome.add(response, accept)
        return outcome
    return run


def filter_body(filter_object) -> bytes:
    return payloads.json_body({"query": "a red circle", "k": 5, "filter": filter_object})


def _drip(port: int, start: float, stop: threading.Event, cut_at: list, i: int):
    head = (f"POST /v1/embeddings HTTP/1.1\r\nHost: {httpclient.LOOPBACK}:{port}\r\n"
            "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n").encode()
    try:
        sock = socket.create_connection((httpclient.LOOPBACK, port), timeout=2)
    except OSError:
        cut_at[i] = time.monotonic() - start
        return
    try:
        sock.sendall(head)
        while not stop.is_set():
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:  # an answer (408, 503...) or the close: either way the slot is freed
                sock.recv(4096)
                cut_at[i] = time.monotonic() - start
                return
            sock.send(b" ")
            stop.wait(DRIP_PERIOD)
    except OSError:
        cut_at[i] = time.monotonic() - start
    finally:
        sock.close()


def slow_bodies(ctx, _) -> Outcome:
    outcome = Outcome()
    start = time.monotonic()
    stop = threading.Event()
    cut_at: list[float | None] = [None] * DRIPPERS
    drippers = [threading.Thread(target=_drip, args=(ctx.port, start, stop, cut_at, i), daemon=True)
                for i in range(DRIPPERS)]
    for t in drippers:
        t.start()
    time.sleep(0.5)
    legit_start = time.monotonic()
    served_after = None
    last = None
    body = payloads.json_body({"input": "a photo of a cat"})
    while time.monotonic() - start < SLOW_WINDOW:
        last = httpclient.request(ctx.port, "POST", "/v1/embeddings", body,
                                  timeout=min(2.0, SLOW_WINDOW - (time.monotonic() - start) + 0.1))
        if last.status == 200:
            served_after = time.monotonic() - legit_start
            break
        time.sleep(0.2)
    # Give the drippers the rest of the window to be cut, then stop the ones still dripping.
    while time.monotonic() - start < SLOW_WINDOW and any(c is None for c in cut_at):
        time.sleep(0.1)
    stop.set()
    for t in drippers:
        t.join(3)
    cut = [c for c in cut_at if c is not None]
    last_label = last.label if last else "none"
    outcome.statuses.append(f"legit {200 if served_after is not None else last_label}")
    outcome.statuses.append(f"cut {len(cut)}/{DRIPPERS}")
    outcome.seconds = served_after if served_after is not None else SLOW_WINDOW
    if served_after is None:
        outcome.problems.append(f"the legitimate client was not served within {SLOW_WINDOW:.0f} s (last: {last_label})")
    if len(cut) < DRIPPERS:
        outcome.problems.append(f"{DRIPPERS - len(cut)} of {DRIPPERS} drippers still held a connection after {SLOW_WINDOW:.0f} s")
    elif cut:
        outcome.notes.append(f"last dripper cut at {max(cut):.1f} s")
    return outcome


ATTACKS = [
    Attack("json-16MB-array-of-empty-objects", post_body("/v1/embeddings", FOUR_XX),
           prepare=lambda ctx: payloads.empty_objects_array(DEFAULT_MAX_BODY)),
    Attack("json-16MB-array-x2-concurrent", post_body("/v1/embeddings", FOUR_XX, copies=2),
           prepare=lambda ctx: payloads.empty_objects_array(DEFAULT_MAX_BODY)),
    Attack("search-filter-key-with-NUL", post_body("/v1/search", FOUR_XX),
           prepare=lambda ctx: filter_body({"shape\u0000": "circle"})),
    Attack("search-filter-1000-keys", post_body("/v1/search", FOUR_XX),
           prepare=lambda ctx: filter_body({f"key{i}": "value" for i in range(1000)})),
    Attack("slow-bodies-20-drippers-1B-per-s", slow_bodies, cap=SLOW_WINDOW + 6, server="slow-bodies",
           in_soak=False),
]
