"""The Markdown table the suite prints (and CI keeps in its log)."""
import datetime
import os
import platform
from collections import Counter

from .attack import HEALTH_BAR, RSS_GROWTH_BAR, SECONDS_BAR, SIGTERM_BAR, TINY_FILE_RSS_BAR


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def header(binary: str, title: str) -> str:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"## {title}\n\n"
            f"{now} · {cpu_model()} · {os.cpu_count()} cores · `{binary}`\n\n"
            f"Bars: status 4xx (2xx where the work is legitimate), ≤ {SECONDS_BAR:.0f} s, "
            f"/healthz ≤ {HEALTH_BAR * 1000:.0f} ms, RSS growth ≤ {RSS_GROWTH_BAR >> 20} MB "
            f"({TINY_FILE_RSS_BAR >> 20} MB for a file of a few dozen bytes), "
            f"SIGTERM exit ≤ {SIGTERM_BAR:.0f} s; no server log line over 16 KB.\n")


def statuses(labels: list[str]) -> str:
    counts = Counter(labels)
    return ", ".join(label if n == 1 else f"{label} ×{n}" for label, n in counts.items()) or "–"


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(rows) -> str:
    lines = ["| attack | status | seconds | worst /healthz ms | RSS growth MB | verdict |",
             "|---|---|---:|---:|---:|---|"]
    for row in rows:
        timed_out = row.timed_out or "timeout" in row.statuses
        if row.seconds is None:
            seconds = "–"
        elif timed_out:
            seconds = f"≥ {max(row.seconds, row.elapsed or 0):.1f}"
        else:
            seconds = f"{row.seconds:.2f}"
        health = "–" if row.worst_health is None else f"{row.worst_health * 1000:.0f}"
        growth = "–" if row.rss_growth is None else f"{row.rss_growth / 2**20:.0f}"
        verdict = "pass" if row.passed else "**FAIL**: " + "; ".join(row.problems)
        if row.notes:
            verdict += " (" + "; ".join(row.notes) + ")"
        lines.append(f"| {cell(row.name)} | {cell(statuses(row.statuses))} | {seconds} | {health} | {growth} | {cell(verdict)} |")
    failed = sum(not r.passed for r in rows)
    lines.append("")
    lines.append(f"{len(rows) - failed} of {len(rows)} passed" + (f", **{failed} failed**" if failed else ""))
    return "\n".join(lines)
