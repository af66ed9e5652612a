"""What an attack is, what it sees of the server, and what it reports."""
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import httpclient, payloads

# The bars.
SECONDS_BAR = 5.0
HEALTH_BAR = 0.100
RSS_GROWTH_BAR = 300 << 20
# A file of a few dozen bytes is no evidence for megabytes of pixels: memory a decoder takes for
# one before reading its data is what "allocated before evidence" means.
TINY_FILE_RSS_BAR = 64 << 20
SIGTERM_BAR = 10.0

TWO_XX_OR_FOUR_XX = "2xx or 4xx"
FOUR_XX = "4xx"


def status_ok(status: int | None, accept: str) -> bool:
    if status is None:
        return False
    if accept == FOUR_XX:
        return 400 <= status < 500
    if accept == TWO_XX_OR_FOUR_XX:
        return 200 <= status < 300 or 400 <= status < 500
    return str(status) in accept.split("/")


@dataclass
class Outcome:
    """What one run of an attack saw. `statuses`: one label per request; `seconds`: the slowest
    request (or the figure the attack names); `problems`: attack-specific failed checks."""
    statuses: list[str] = field(default_factory=list)
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, response: httpclient.Response, accept: str) -> httpclient.Response:
        self.statuses.append(response.label)
        self.seconds = max(self.seconds, response.seconds)
        if response.status is None:
            self.problems.append(f"no answer ({response.label})")
        elif not status_ok(response.status, accept):
            self.problems.append(f"status {response.label}, expected {accept}")
        return response


@dataclass
class Attack:
    name: str
    run: Callable[["Context", object], Outcome]
    prepare: Callable[["Context"], object] = lambda ctx: None
    cap: float = 8.0              # hard limit of the whole attack, seconds (the bar plus a margin)
    seconds_bar: float | None = SECONDS_BAR
    rss_bar: int = RSS_GROWTH_BAR
    server: str = "main"          # which server configuration it needs (see __main__.SERVER_SETTINGS)
    uses_server: bool = True      # False: no probes, no RSS (the CLI)
    in_soak: bool = True          # interleaved with the soak's legitimate load
    retained_rss_bar: int | None = None  # RSS still held once the server is quiet again


class Context:
    """The server and the deadline an attack runs against; every request is bounded by it."""

    def __init__(self, server, repo: Path, work_dir: Path, deadline: float):
        self.server = server
        self.repo = repo
        self.work_dir = work_dir
        self.deadline = deadline

    @property
    def port(self) -> int:
        return self.server.port

    def remaining(self) -> float:
        return max(0.05, self.deadline - time.monotonic())

    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> httpclient.Response:
        return httpclient.request(self.port, method, path, body, headers, timeout=self.remaining())

    def post(self, path: str, body, headers: dict | None = None) -> httpclient.Response:
        data = body if isinstance(body, bytes) else payloads.json_body(body)
        return self.request("POST", path, data, headers)

    def concurrently(self, calls: list[Callable[[], httpclient.Response]]) -> list[httpclient.Response]:
        """Runs the calls at once; each is bounded by the deadline, so the joins are too."""
        results: list[httpclient.Response | None] = [None] * len(calls)

        def run(i):
            results[i] = calls[i]()

        threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(calls))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(self.remaining() + 1)
        return [r or httpclient.Response(None, b"", self.remaining(), "timeout") for r in results]

    def demo_image(self, index: int = 0) -> bytes:
        files = sorted((self.repo / "models/demo/test").glob("*.png"))
        return files[index % len(files)].read_bytes()

    def demo_image_uri(self, index: int = 0) -> str:
        return payloads.data_uri(self.demo_image(index), "image/png")
