"""The release server under attack: one `adaptclip serve` process on 127.0.0.1, its output in a
log file, its memory and CPU read from /proc."""
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from . import httpclient

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((httpclient.LOOPBACK, 0))
        return s.getsockname()[1]


def config_keys(binary: str) -> set[str]:
    """The configuration keys this build knows (`serve --print-config`), so an attack can set a
    key that may not exist yet without stopping start-up (an unknown ADAPTCLIP_* is fatal)."""
    out = subprocess.run([binary, "serve", "--print-config"], capture_output=True, text=True, timeout=60).stdout
    return {line.split(" = ")[0].strip() for line in out.splitlines() if " = " in line}


def env_name(key: str) -> str:
    return "ADAPTCLIP_" + key.upper().replace(".", "_")


class ServerProcess:
    def __init__(self, binary: str, data_dir: str, log_path: str, settings: dict[str, str] | None = None,
                 admin_token: str | None = None):
        self.binary = binary
        self.data_dir = data_dir
        self.log_path = log_path
        self.settings = dict(settings or {})
        self.admin_token = admin_token
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.starts = 0

    @property
    def pid(self) -> int:
        return self.process.pid if self.process else 0

    def start(self, timeout: float = 300.0):
        """Starts the server and waits for /readyz (the first start also seeds the demo gallery)."""
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("ADAPTCLIP_")}
        env.update({env_name(k): v for k, v in self.settings.items()})
        if self.admin_token:
            env["ADAPTCLIP_ADMIN_TOKEN"] = self.admin_token
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [self.binary, "serve", "--data-dir", self.data_dir, "--port", str(self.port)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=REPO)
        log.close()
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode} during start-up; see {self.log_path}")
            if httpclient.request(self.port, "GET", "/readyz", timeout=2).status == 200:
                return
            time.sleep(0.25)
        self.kill()
        raise RuntimeError(f"the server was not ready within {timeout:.0f} s; see {self.log_path}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def healthy(self, timeout: float = 2.0) -> bool:
        return self.alive() and httpclient.request(self.port, "GET", "/healthz", timeout=timeout).status == 200

    def rss_bytes(self) -> int:
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
        return 0

    def cpu_seconds(self) -> float:
        try:
            with open(f"/proc/{self.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            return 0.0

    def has_runnable_thread(self) -> bool:
        """Whether any thread of the process is running or waiting for a core (state R)."""
        try:
            tasks = os.listdir(f"/proc/{self.pid}/task")
        except FileNotFoundError:
            return False
        for task in tasks:
            try:
                with open(f"/proc/{self.pid}/task/{task}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] == "R":
                        return True
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
        return False

    def settle(self, quiet_fraction: float = 0.15, max_wait: float = 4.0) -> bool:
        """Waits until the process is quiet over a 0.3 s window: under `quiet_fraction` of a core
        and a runnable thread in fewer than half of 10 samples (on a loaded machine a busy
        process may get little CPU, but its threads stay runnable). False if it is still busy
        after `max_wait` seconds (work that outlived its request)."""
        deadline = time.monotonic() + max_wait
        while time.monotonic() < deadline:
            before = self.cpu_seconds()
            runnable = 0
            for _ in range(10):
                runnable += self.has_runnable_thread()
                time.sleep(0.03)
            if self.cpu_seconds() - before < quiet_fraction * 0.3 and runnable < 5:
                return True
        return False

    def terminate(self, limit: float) -> float | None:
        """SIGTERM; seconds until the process exited, or None if it was still running after `limit`
        seconds (then it is killed)."""
        if not self.alive():
            return 0.0
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=limit)
            return time.monotonic() - started
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.alive():
            self.process.kill()
            self.process.wait()

    def stop(self):
        if self.terminate(limit=15.0) is None:
            self.kill()

    def restart(self):
        self.kill()
        self.start()
