"""image_url against the server's own network: a listed host that redirects to the server's own
/metrics (same address, other port), and a listed host that answers bytes that are no image.
Either way the answer is a 4xx that carries none of the fetched bytes."""
import http.server
import threading

from .attack import FOUR_XX, Attack, Outcome
from . import httpclient

NOT_AN_IMAGE = b"ADVERSARIAL-SUITE-NOT-AN-IMAGE " + bytes(range(32, 127)) * 40


class _Target(http.server.BaseHTTPRequestHandler):
    """127.0.0.1 on a port of its own. `server.adaptclip_port` is the server under attack."""

    def do_GET(self):
        self.server.hits += 1
        if self.path == "/redirect-to-metrics":
            self.send_response(302)
            self.send_header("Location", f"http://{httpclient.LOOPBACK}:{self.server.adaptclip_port}/metrics")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/not-an-image.png":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")  # it lies: the bytes are text
            self.send_header("Content-Length", str(len(NOT_AN_IMAGE)))
            self.end_headers()
            self.wfile.write(NOT_AN_IMAGE)
        else:
            self.send_error(404)

    def log_message(self, *args):
        pass


class LocalTarget:
    def __init__(self, adaptclip_port: int):
        self.httpd = http.server.ThreadingHTTPServer((httpclient.LOOPBACK, 0), _Target)
        self.httpd.adaptclip_port = adaptclip_port
        self.httpd.hits = 0
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    def url(self, path: str) -> str:
        return f"http://{httpclient.LOOPBACK}:{self.httpd.server_address[1]}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        return False


def metrics_markers(ctx) -> list[bytes]:
    """Lines of the server's own /metrics that would give its bytes away in an answer."""
    body = ctx.request("GET", "/metrics").body
    lines = [line for line in body.split(b"\n") if line.startswith(b"# HELP") or line.startswith(b"# TYPE")]
    return lines[:20] or [b"# HELP", b"# TYPE"]


def own_metrics_served(ctx) -> int | None:
    """How many GET /metrics the server has answered (its own request counter), None if this
    build does not count them."""
    body = ctx.request("GET", "/metrics").body.decode("utf-8", "replace")
    counts = [float(line.rsplit(" ", 1)[1]) for line in body.splitlines()
              if line.startswith('adaptclip_http_requests_total{route="/metrics"')]
    return int(sum(counts)) if counts else None


def _requests(ctx, url: str):
    return [
        ("/v1/classify", {"image_url": url, "labels": ["a circle", "a square"]}),
        ("/v1/embeddings", {"modality": "image", "input": [url]}),
    ]


def redirect_to_metrics(ctx, _) -> Outcome:
    outcome = Outcome()
    markers = metrics_markers(ctx)
    served_before = own_metrics_served(ctx)
    with LocalTarget(ctx.port) as target:
        for path, body in _requests(ctx, target.url("/redirect-to-metrics")):
            response = outcome.add(ctx.post(path, body), FOUR_XX)
            if any(m in response.body for m in markers):
                outcome.problems.append(f"{path}: the answer carries the server's own /metrics")
        outcome.notes.append(f"target fetched {target.httpd.hits} times")
    served_after = own_metrics_served(ctx)
    if served_before is None or served_after is None:
        outcome.notes.append("no /metrics request counter: whether the redirect was followed is unknown")
    elif served_after - served_before > 1:  # the one request is our own reading
        outcome.problems.append(f"followed the redirect: the server fetched its own /metrics "
                                f"{served_after - served_before - 1} times")
    return outcome


def not_an_image(ctx, _) -> Outcome:
    outcome = Outcome()
    pieces = [NOT_AN_IMAGE[i:i + 32] for i in range(0, len(NOT_AN_IMAGE) - 32, 32)]
    with LocalTarget(ctx.port) as target:
        for path, body in _requests(ctx, target.url("/not-an-image.png")):
            response = outcome.add(ctx.post(path, body), "415/422")
            if any(p in response.body for p in pieces):
                outcome.problems.append(f"{path}: the answer echoes the fetched bytes")
        outcome.notes.append(f"target fetched {target.httpd.hits} times")
    return outcome


ATTACKS = [
    Attack("image_url-redirect-to-own-metrics", redirect_to_metrics),
    Attack("image_url-non-image-bytes", not_an_image),
]
