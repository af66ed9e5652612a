"""What an attack does to everyone else: /healthz latency on its own keep-alive connection and the
server's resident memory, both sampled every ~20 ms while the attack runs."""
import socket
import threading
import time

from . import httpclient

PERIOD = 0.02


class HealthProbe(threading.Thread):
    """GET /healthz every PERIOD seconds over one keep-alive connection (reopened after a failure);
    a probe that gets no answer within `timeout` counts as `timeout` seconds of latency."""

    def __init__(self, port: int, timeout: float = 2.0):
        super().__init__(daemon=True)
        self.port = port
        self.timeout = timeout
        self.worst = 0.0
        self.probes = 0
        self.failures = 0
        self._halt = threading.Event()
        self._sock: socket.socket | None = None
        self.connected = threading.Event()

    def _connect(self):
        self._sock = socket.create_connection((httpclient.LOOPBACK, self.port), timeout=self.timeout)

    def _probe(self) -> bool:
        if self._sock is None:
            self._connect()
        self._sock.settimeout(self.timeout)
        self._sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {httpclient.LOOPBACK}:{self.port}\r\n\r\n".encode())
        raw = b""
        deadline = time.monotonic() + self.timeout
        while not httpclient.complete_response(raw):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise socket.timeout()
            self._sock.settimeout(remaining)
            chunk = self._sock.recv(4096)
            if not chunk:
                raise ConnectionResetError("closed")
            raw += chunk
        if b"connection: close" in raw.lower().split(b"\r\n\r\n")[0]:
            self._close()
        return raw.startswith(b"HTTP/1.1 200") or raw.startswith(b"HTTP/1.0 200")

    def _close(self):
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
        self._sock = None

    def run(self):
        try:
            self._connect()
        except OSError:
            self._sock = None
        self.connected.set()
        while not self._halt.is_set():
            started = time.monotonic()
            try:
                ok = self._probe()
            except OSError:
                ok = False
                self._close()
            elapsed = time.monotonic() - started
            self.probes += 1
            if not ok:
                self.failures += 1
                elapsed = max(elapsed, self.timeout)
            self.worst = max(self.worst, elapsed)
            self._halt.wait(max(0.0, PERIOD - (time.monotonic() - started)))
        self._close()

    def stop(self):
        self._halt.set()
        self.join(self.timeout + 1)


class RSSSampler(threading.Thread):
    def __init__(self, read_rss):
        super().__init__(daemon=True)
        self.read_rss = read_rss
        self.peak = read_rss()
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            self.peak = max(self.peak, self.read_rss())
            self._halt.wait(PERIOD)

    def stop(self):
        self._halt.set()
        self.join(1)


class Monitor:
    """Both samplers around one attack: `with Monitor(server) as m: ...`, then m.worst_health,
    m.health_failures, m.peak_rss."""

    def __init__(self, server, health_timeout: float = 2.0):
        self.server = server
        self.health = HealthProbe(server.port, health_timeout)
        self.rss = RSSSampler(server.rss_bytes)

    def __enter__(self):
        self.rss.start()
        self.health.start()
        self.health.connected.wait(2)
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def stop(self):
        self.health.stop()
        self.rss.stop()

    @property
    def worst_health(self) -> float:
        return self.health.worst

    @property
    def health_failures(self) -> int:
        return self.health.failures

    @property
    def peak_rss(self) -> int:
        return self.rss.peak
