"""scripts/adversarial's Python side: `python -m adversarial_suite --bin BINARY [--soak SECONDS]`.

Starts the release server on 127.0.0.1 with an empty data directory (it seeds the demo gallery
once, so searches and filters run against a real collection), runs every attack, prints the
Markdown table and exits 1 if any bar fails. With --soak, mixed legitimate load with the attacks
interleaved instead.
"""
import argparse
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import (admin_attacks, control, fetch_attacks, image_attacks, process_attacks, report, request_attacks,
               selfcheck, text_attacks)
from .harness import Harness, Row
from .server import REPO, ServerProcess, config_keys

# The main server: the defaults, plus image_url allowed for 127.0.0.1 (where the suite's own
# target server listens) and the admin API on.
MAIN_SETTINGS = {"image_url.allowed_hosts": "127.0.0.1"}

ATTACKS = (control.ATTACKS + text_attacks.ATTACKS + image_attacks.ATTACKS + request_attacks.ATTACKS + fetch_attacks.ATTACKS
           + admin_attacks.ATTACKS + process_attacks.ATTACKS)


def make_harness(binary: str, work_dir: Path) -> Harness:
    data_dir, log_path = str(work_dir / "data"), str(work_dir / "server.log")
    token = secrets.token_hex(16)
    slow = dict(MAIN_SETTINGS, **request_attacks.slow_body_settings(config_keys(binary)))
    servers = {
        "main": ServerProcess(binary, data_dir, log_path, MAIN_SETTINGS, admin_token=token),
        "slow-bodies": ServerProcess(binary, data_dir, log_path, slow, admin_token=token),
    }
    return Harness(servers, REPO, work_dir)


def run_attacks(harness: Harness, selected) -> list[Row]:
    rows = []
    for attack in selected:
        started = time.monotonic()
        try:
            row = harness.run(attack)
        except Exception as error:  # a harness failure is reported in the row, not a traceback
            row = Row(attack.name, ["harness error"], None, problems=[f"{type(error).__name__}: {error}"])
        rows.append(row)
        print(f"  {attack.name}: {'pass' if row.passed else 'FAIL'} ({time.monotonic() - started:.1f} s)", file=sys.stderr, flush=True)
    return rows


def sigterm_row(harness: Harness, rows: list[Row], selected) -> Row:
    """SIGTERM while the slowest attack on the main server runs again."""
    candidates = [(r.seconds or 0, a) for r, a in zip(rows, selected) if a.server == "main" and a.uses_server]
    worst = max(candidates, key=lambda c: c[0])[1] if candidates else image_attacks.ATTACKS[0]
    server = harness.server("main")
    if not server.settle():
        server.restart()
    outcome = process_attacks.sigterm_during(worst, lambda cap: harness.context(server, cap), server)
    row = Row("sigterm-during-worst-attack", outcome.statuses, outcome.seconds, problems=outcome.problems,
              notes=outcome.notes)
    return row


def keep_log(work_dir: Path):
    """The server log goes to .build/ for a failed run's post-mortem (its last 20 MB)."""
    source = work_dir / "server.log"
    if not source.exists():
        return
    target = REPO / ".build" / "adversarial-server.log"
    target.parent.mkdir(exist_ok=True)
    with open(source, "rb") as f:
        f.seek(max(0, source.stat().st_size - (20 << 20)))
        target.write_bytes(f.read())
    print(f"server log: {target}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(prog="scripts/adversarial")
    parser.add_argument("--bin", default=str(REPO / ".build/release/adaptclip"))
    parser.add_argument("--soak", type=float, metavar="SECONDS", help="mixed legitimate load with the attacks interleaved")
    parser.add_argument("--only", help="comma-separated substrings of attack names")
    parser.add_argument("--report", help="also write the Markdown to this file")
    parser.add_argument("--list", action="store_true", help="list the attacks and exit")
    args = parser.parse_args()
    selected = ATTACKS
    if args.only:
        wanted = [w.strip() for w in args.only.split(",") if w.strip()]
        selected = [a for a in ATTACKS if any(w in a.name for w in wanted)]
    if args.list:
        print("\n".join(a.name for a in ATTACKS) + "\nsigterm-during-worst-attack")
        return 0

    problems = selfcheck.check()
    if problems:
        print("adversarial: the payloads are not what they claim:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 2

    work_dir = Path(tempfile.mkdtemp(prefix="adaptclip-adversarial-"))
    harness = make_harness(args.bin, work_dir)
    started = time.monotonic()
    try:
        print(f"adversarial: starting {args.bin} (seeds the demo gallery once)", file=sys.stderr, flush=True)
        harness.server("main")
        if args.soak:
            from . import soak
            markdown, passed = soak.run(harness, [a for a in selected if a.in_soak], args.soak, args.bin)
        else:
            rows = run_attacks(harness, selected)
            if not args.only or "sigterm" in args.only:
                rows.append(sigterm_row(harness, rows, selected))
            markdown = report.header(args.bin, "Adversarial suite") + "\n" + report.table(rows)
            passed = all(r.passed for r in rows)
        markdown += f"\n\nSuite time {time.monotonic() - started:.0f} s.\n"
        print(markdown)
        if args.report:
            Path(args.report).write_text(markdown)
        if not passed:
            keep_log(work_dir)
        return 0 if passed else 1
    finally:
        harness.stop()
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
