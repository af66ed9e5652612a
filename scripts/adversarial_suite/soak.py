"""Soak: a few clients of legitimate traffic (text and image embeddings, search, classify) for the
whole run, with the attacks interleaved after a warm-up. Every legitimate request must succeed
(no 5xx, no timeout), and RSS at the end must be within 10% of RSS after the warm-up, both read
while the legitimate load runs."""
import json
import random
import threading
import time
from collections import Counter

from . import httpclient, payloads, report
from .attack import Context
from .monitor import Monitor

CLIENTS = 3
LEGIT_TIMEOUT = 10.0
RSS_DRIFT_BAR = 0.10
COOL_DOWN = 5.0
PAUSE_BETWEEN_ATTACKS = 0.5
# Each attack gets the bar's time at most here, so more kinds fit between the legitimate requests.
SOAK_ATTACK_CAP = 5.0


class LegitLoad:
    """CLIENTS threads, each cycling through the request kinds on fresh connections."""

    def __init__(self, port: int, repo):
        records = [json.loads(l) for l in (repo / "models/demo/test/captions.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
        images = [payloads.data_uri((repo / "models/demo/test" / r["file"]).read_bytes(), "image/png") for r in records[:40]]
        self.port = port
        self.kinds = {
            "text-en": lambda i: ("/v1/embeddings", {"input": records[i % len(records)]["en"]}),
            "text-zh": lambda i: ("/v1/embeddings", {"input": records[i % len(records)]["zh"], "lang": "zh"}),
            "image": lambda i: ("/v1/embeddings", {"modality": "image", "input": [images[i % len(images)]]}),
            "search": lambda i: ("/v1/search", {"query": records[i % len(records)]["en" if i % 2 else "zh"], "k": 5}),
            "classify": lambda i: ("/v1/classify", {"image": images[i % len(images)],
                                                    "labels": ["a red circle", "a blue square", "a green triangle", "a star"]}),
        }
        self.lock = threading.Lock()
        self.sent = Counter()
        self.failures = Counter()   # "5xx", "timeout", "other"
        self.examples: list[str] = []
        self.latencies: list[float] = []
        self._halt = threading.Event()
        self.threads = [threading.Thread(target=self._client, args=(c,), daemon=True) for c in range(CLIENTS)]

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self._halt.set()
        for t in self.threads:
            t.join(LEGIT_TIMEOUT + 2)

    def _client(self, client: int):
        names = list(self.kinds)
        i = client
        while not self._halt.is_set():
            kind = names[i % len(names)]
            path, body = self.kinds[kind](i)
            response = httpclient.request(self.port, "POST", path, payloads.json_body(body), timeout=LEGIT_TIMEOUT)
            with self.lock:
                self.sent[kind] += 1
                self.latencies.append(response.seconds)
                failure = None
                if response.status is None:
                    failure = "timeout" if response.error == "timeout" else "other"
                elif response.status >= 500:
                    failure = "5xx"
                elif response.status >= 300:
                    failure = "other"
                if failure:
                    self.failures[failure] += 1
                    if len(self.examples) < 5:
                        self.examples.append(f"{kind} {response.label} after {response.seconds:.1f} s")
            i += 1


class Attacker(threading.Thread):
    """Cycles through the attacks (payloads built beforehand) until `until`, each bounded by
    SOAK_ATTACK_CAP and the time left."""

    def __init__(self, harness, server, attacks, prepared: dict, until: float):
        super().__init__(daemon=True)
        self.harness, self.server, self.attacks, self.prepared, self.until = harness, server, attacks, prepared, until
        self.runs: Counter = Counter()
        self.statuses: dict[str, Counter] = {}

    def run(self):
        i = 0
        while time.monotonic() < self.until - 1:
            attack = self.attacks[i % len(self.attacks)]
            i += 1
            ctx = Context(self.server, self.harness.repo, self.harness.work_dir,
                          min(time.monotonic() + min(attack.cap, SOAK_ATTACK_CAP), self.until))
            try:
                outcome = attack.run(ctx, self.prepared[attack.name])
                labels = outcome.statuses
            except Exception as error:
                labels = [f"error {type(error).__name__}"]
            self.runs[attack.name] += 1
            self.statuses.setdefault(attack.name, Counter()).update(labels)
            time.sleep(PAUSE_BETWEEN_ATTACKS)


def run(harness, attacks, seconds: float, binary: str):
    server = harness.server("main")
    # A fixed shuffle, so a short soak still meets every kind of attack, not only the first module's.
    attacks = list(attacks)
    random.Random(20261206).shuffle(attacks)
    setup = Context(server, harness.repo, harness.work_dir, time.monotonic() + 3600)
    prepared = {a.name: a.prepare(setup) for a in attacks}
    warm_up = min(20.0, max(5.0, seconds / 6))
    load = LegitLoad(server.port, harness.repo)
    started = time.monotonic()
    load.start()
    time.sleep(warm_up)
    rss_warm = server.rss_bytes()
    attack_until = started + seconds - COOL_DOWN
    attacker = Attacker(harness, server, attacks, prepared, attack_until)
    with Monitor(server) as monitor:
        attacker.start()
        attacker.join(max(0.0, attack_until - time.monotonic()) + 60)
        # The legitimate load alone again, so the end reading compares like with like.
        time.sleep(max(COOL_DOWN, started + seconds - time.monotonic()))
        rss_end = server.rss_bytes()
    load.stop()
    alive = server.alive()

    drift = (rss_end - rss_warm) / rss_warm if rss_warm else float("inf")
    total = sum(load.sent.values())
    latencies = sorted(load.latencies) or [0.0]
    checks = [
        ("legitimate requests", f"{total} ({', '.join(f'{k} {n}' for k, n in load.sent.items())})", "–", True),
        ("legitimate 5xx", str(load.failures["5xx"]), "0", load.failures["5xx"] == 0),
        ("legitimate timeouts (> 10 s)", str(load.failures["timeout"]), "0", load.failures["timeout"] == 0),
        ("legitimate other non-2xx", str(load.failures["other"]), "0", load.failures["other"] == 0),
        ("legitimate latency p50 / p99 / max s",
         f"{latencies[len(latencies) // 2]:.2f} / {latencies[int(len(latencies) * 0.99)]:.2f} / {latencies[-1]:.2f}", "–", True),
        ("worst /healthz ms", f"{monitor.worst_health * 1000:.0f} ({monitor.health_failures} failed)", "–", True),
        ("RSS after warm-up → end MB", f"{rss_warm / 2**20:.0f} → {rss_end / 2**20:.0f} ({drift * 100:+.1f}%)",
         f"±{RSS_DRIFT_BAR * 100:.0f}%", abs(drift) <= RSS_DRIFT_BAR),
        ("server alive at the end", "yes" if alive else "no", "yes", alive),
    ]
    lines = [report.header(binary, f"Adversarial soak, {seconds:.0f} s ({CLIENTS} legitimate clients, "
                                   f"{warm_up:.0f} s warm-up, attacks interleaved)"),
             "| measure | value | bar | verdict |", "|---|---|---|---|"]
    for name, value, bar, ok in checks:
        lines.append(f"| {name} | {report.cell(value)} | {bar} | {'pass' if ok else '**FAIL**'} |")
    if load.examples:
        lines.append("\nFirst legitimate failures: " + "; ".join(load.examples))
    lines.append("\nAttacks interleaved (runs: statuses):\n")
    for name, n in attacker.runs.items():
        lines.append(f"- {name}: {n} × ({report.statuses(list(attacker.statuses[name].elements()))})")
    passed = all(ok for _, _, _, ok in checks)
    return "\n".join(lines), passed
