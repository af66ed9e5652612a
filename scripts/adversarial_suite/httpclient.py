"""A minimal HTTP/1.1 client over a raw socket, to 127.0.0.1 only.

Not urllib or http.client: an attack needs to keep reading after the server refuses a body
half-way (a 413 sent before the body is read breaks the send with EPIPE or a reset, and the
answer is still there to read), and it needs every wait bounded by the attack's deadline.
"""
import socket
import time
from dataclasses import dataclass

LOOPBACK = "127.0.0.1"


@dataclass
class Response:
    status: int | None  # None: no answer (see error)
    body: bytes
    seconds: float
    error: str | None = None
    headers: dict | None = None

    @property
    def label(self) -> str:
        return str(self.status) if self.status is not None else (self.error or "no answer")

    def text(self, limit: int = 300) -> str:
        return self.body[:limit].decode("utf-8", "replace")


def _dechunk(body: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(body):
        end = body.find(b"\r\n", i)
        if end < 0:
            break
        size = int(body[i:end].split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += body[end + 2:end + 2 + size]
        i = end + 2 + size + 2
    return bytes(out)


def _parse(raw: bytes) -> tuple[int | None, dict, bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        return None, {}, raw
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = _dechunk(body)
    elif "content-length" in headers:
        body = body[:int(headers["content-length"])]
    return status, headers, body


def complete_response(raw: bytes) -> bool:
    """Whether `raw` holds a whole answer (so a server that keeps the connection open despite
    `Connection: close` does not make the client wait for its deadline)."""
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        return False
    head = raw[:end].lower()
    for line in head.split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return len(raw) - end - 4 >= int(line.split(b":")[1])
        if line.startswith(b"transfer-encoding:") and b"chunked" in line:
            return raw.endswith(b"0\r\n\r\n")
    return False


def request(port: int, method: str, path: str, body: bytes = b"", headers: dict | None = None,
            timeout: float = 10.0, max_response: int = 64 << 20) -> Response:
    """One request on its own connection (`Connection: close`), the whole exchange within
    `timeout` seconds; the answer is read until the server closes."""
    started = time.monotonic()
    deadline = started + max(0.05, timeout)
    head = [f"{method} {path} HTTP/1.1", f"Host: {LOOPBACK}:{port}", "Connection: close"]
    fields = {"Content-Type": "application/json"} if body else {}
    fields.update(headers or {})
    for name, value in fields.items():
        head.append(f"{name}: {value}")
    if body or method in ("POST", "PUT"):
        head.append(f"Content-Length: {len(body)}")
    data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
    raw = bytearray()
    error = None
    try:
        with socket.create_connection((LOOPBACK, port), timeout=max(0.05, deadline - time.monotonic())) as sock:
            try:
                view = memoryview(data)
                while view:
                    sock.settimeout(max(0.05, deadline - time.monotonic()))
                    sent = sock.send(view[:1 << 20])
                    view = view[sent:]
            except (BrokenPipeError, ConnectionResetError):
                pass  # refused part-way; the answer may already be waiting
            while len(raw) < max_response:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise socket.timeout()
                sock.settimeout(remaining)
                chunk = sock.recv(1 << 16)
                if not chunk:
                    break
                raw += chunk
                if complete_response(raw):
                    break
    except socket.timeout:
        error = "timeout"
    except ConnectionResetError:
        error = None if raw else "reset"
    except OSError as e:
        error = f"error: {e.strerror or e}"
    seconds = time.monotonic() - started
    if not raw:
        return Response(None, b"", seconds, error or "closed without an answer")
    status, response_headers, response_body = _parse(bytes(raw))
    if status is None:
        return Response(None, bytes(raw), seconds, "unparseable answer")
    # An answer cut short by the deadline still has its status; the attack decides what it means.
    return Response(status, response_body, seconds, error, response_headers)
