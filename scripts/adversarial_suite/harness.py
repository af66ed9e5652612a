"""Runs one attack against the right server, measures it, and judges it against the bars.

An attack runs in its own thread under a hard cap; one that outlives it is a failure, and the
server is restarted so the attacks after it still measure something. So is a server that is
still burning CPU after it answered (its work outlived the request)."""
import math
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .attack import HEALTH_BAR, Attack, Context, Outcome
from .monitor import Monitor

LOG_LINE_BAR = 16 << 10


@dataclass
class Row:
    name: str
    statuses: list[str]
    seconds: float | None
    elapsed: float | None = None  # the whole attack, shown when a request timed out
    timed_out: bool = False
    worst_health: float | None = None
    rss_growth: int | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def longest_line(path: str, offset: int) -> int:
    """The longest line written to the log after `offset`, read in blocks (a log line may be
    many megabytes: that is what this looks for)."""
    longest = current = 0
    with open(path, "rb") as f:
        f.seek(offset)
        while block := f.read(1 << 20):
            parts = block.split(b"\n")
            for part in parts[:-1]:
                longest = max(longest, current + len(part))
                current = 0
            current += len(parts[-1])
    return max(longest, current)


class Harness:
    """Owns the servers (one running at a time, all on one data directory)."""

    def __init__(self, servers: dict, repo: Path, work_dir: Path):
        self.servers = servers
        self.repo = repo
        self.work_dir = work_dir
        self.current = None

    def server(self, name: str):
        wanted = self.servers[name]
        if self.current is not wanted:
            if self.current is not None:
                self.current.stop()
            wanted.start()
            self.current = wanted
        elif not wanted.alive():
            wanted.start()
        return wanted

    def context(self, server, cap: float) -> Context:
        return Context(server, self.repo, self.work_dir, time.monotonic() + cap)

    def stop(self):
        for server in self.servers.values():
            server.kill()

    def run(self, attack: Attack) -> Row:
        server = self.server(attack.server)
        ctx = self.context(server, math.inf)
        prepared = attack.prepare(ctx)
        if not attack.uses_server:
            ctx.deadline = time.monotonic() + attack.cap
            outcome = attack.run(ctx, prepared)
            return self._judge(attack, outcome, Row(attack.name, outcome.statuses, outcome.seconds))
        if not server.settle():
            server.restart()
        baseline = server.rss_bytes()
        log_offset = os.path.getsize(server.log_path)
        result: list[Outcome] = []
        started = time.monotonic()
        ctx.deadline = started + attack.cap
        thread = threading.Thread(target=lambda: result.append(attack.run(ctx, prepared)), daemon=True)
        with Monitor(server) as monitor:
            thread.start()
            thread.join(attack.cap + 2)
        timed_out = thread.is_alive()
        outcome = result[0] if result else Outcome(statuses=["timeout"], seconds=attack.cap)
        row = Row(attack.name, outcome.statuses, outcome.seconds, time.monotonic() - started, timed_out,
                  monitor.worst_health, monitor.peak_rss - baseline)
        if monitor.health_failures:
            row.problems.append(f"/healthz failed {monitor.health_failures} of {monitor.health.probes} probes")
        if timed_out:
            row.problems.append(f"not done within its {attack.cap:.0f} s cap")
            server.restart()
            thread.join(3)
        elif not server.alive():
            row.problems.append(f"the server died (exit status {server.process.returncode})")
            server.restart()
        elif not server.healthy():
            row.problems.append("no /healthz answer within 2 s after the attack")
            server.restart()
        elif not server.settle(max_wait=2):
            row.notes.append("still busy 2 s after its answers: restarted")
            server.restart()
        elif attack.retained_rss_bar is not None:
            retained = server.rss_bytes() - baseline
            row.notes.append(f"retained {retained / 2**20:.0f} MB once quiet")
            if retained > attack.retained_rss_bar:
                row.problems.append(f"keeps {retained / 2**20:.0f} MB after the requests (bar {attack.retained_rss_bar >> 20} MB)")
        longest = longest_line(server.log_path, log_offset)
        if longest > LOG_LINE_BAR:
            row.problems.append(f"a server log line of {longest / 1024:.0f} KB (bar {LOG_LINE_BAR >> 10} KB)")
        return self._judge(attack, outcome, row)

    @staticmethod
    def _judge(attack: Attack, outcome: Outcome, row: Row) -> Row:
        row.problems[:0] = outcome.problems
        row.notes.extend(outcome.notes)
        timed_out = row.timed_out or "timeout" in row.statuses
        if attack.seconds_bar is not None and row.seconds is not None and row.seconds > attack.seconds_bar and not timed_out:
            row.problems.append(f"{row.seconds:.1f} s > {attack.seconds_bar:g} s")
        if row.worst_health is not None and row.worst_health > HEALTH_BAR:
            row.problems.append(f"/healthz took {row.worst_health * 1000:.0f} ms")
        if row.rss_growth is not None and row.rss_growth > attack.rss_bar:
            row.problems.append(f"RSS grew {row.rss_growth / 2**20:.0f} MB (bar {attack.rss_bar >> 20} MB)")
        row.problems = list(dict.fromkeys(row.problems))
        return row
