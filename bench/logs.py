#!/usr/bin/env python3
"""Benchmark `loanlint check` on a generated collection log, and check its counts.

Generates the log with ../shared/bench/gen.py if it is missing, writes the column mapping
(loanlint.yaml) beside it, then runs

    loanlint check --format json --no-builtin --rules bench/reference-log.rules LOG

(the generator's rules R1-R3 in the rule language) with RAYON_NUM_THREADS=1 and 2, several
times each, under /usr/bin/time -v. Prints the median wall time, events/s and peak RSS per
thread count, and compares loanlint's finding counts per rule with the generator's truth.json:
any difference is an error (exit 1).

Standard library only. Not part of `cargo test`; build first with `cargo build --release`.

  python3 bench/logs.py                          # 1M events, JSONL, 3 runs at 1 and 2 threads
  python3 bench/logs.py --events 2000000 --format csv --reps 5
  python3 bench/logs.py --builtin                # also time the built-in packs on the same log
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES = os.path.join(ROOT, "bench", "reference-log.rules")
MAPPING = """\
log:
  columns: {debtor: debtor_id, time: ts, kind: channel, id: event_id}
  values:
    party: {third_party: other_third_party}
"""
# Reference rule -> the truth.json count it must reproduce.
TRUTH_KEYS = {
    "BENCH-R1": "time_of_day_violations",
    "BENCH-R2": "seven_in_seven_violating_call_events",
    "BENCH-R3": "third_party_mention_violations",
}


def find_gen(explicit):
    candidates = [explicit] if explicit else [
        os.path.join(ROOT, "..", "shared", "bench", "gen.py"),
        os.path.join(ROOT, "..", "..", "shared", "bench", "gen.py"),
    ]
    for c in candidates:
        if c and os.path.isfile(c):
            return c
    sys.exit("gen.py not found: pass --gen PATH (../shared/bench/gen.py)")


def ensure_log(a):
    os.makedirs(a.data, exist_ok=True)
    ext = "csv" if a.format == "csv" else "jsonl"
    log = os.path.join(a.data, "log-%d-%d-s%d.%s" % (a.events, a.debtors, a.seed, ext))
    if not (os.path.isfile(log) and os.path.isfile(log + ".truth.json")):
        cmd = [sys.executable, find_gen(a.gen), "log", "--out", log, "--format", a.format,
               "--events", str(a.events), "--debtors", str(a.debtors), "--seed", str(a.seed)]
        print("generating:", " ".join(cmd), file=sys.stderr)
        subprocess.run(cmd, check=True)
    config = os.path.join(a.data, "loanlint.yaml")
    with open(config, "w", encoding="utf-8") as f:
        f.write(MAPPING)
    return log, config


def check_rule_regex(truth):
    """The rule file must carry the generator's regex verbatim (as printed in truth.json)."""
    with open(RULES, encoding="utf-8") as f:
        rules = f.read()
    if "/" + truth["debt_regex"] + "/i" not in rules:
        sys.exit("bench/reference-log.rules: R3's regex is not truth.json's debt_regex")


def run_once(a, log, config, threads, builtin, out_path):
    cmd = ["/usr/bin/time", "-v", a.bin, "check", "--format", "json", "--config", config]
    if not builtin:
        cmd += ["--no-builtin", "--rules", RULES]
    cmd.append(log)
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    with open(out_path, "wb") as out:
        start = time.perf_counter()
        p = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, env=env)
        wall = time.perf_counter() - start
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode not in (0, 1):  # 1: findings
        sys.exit("loanlint failed (exit %d):\n%s" % (p.returncode, err[-2000:]))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", err).group(1))
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", err).group(1))
    return wall, user + system, rss_kb


def counts_by_rule(out_path):
    with open(out_path, encoding="utf-8") as f:
        report = json.load(f)
    counts = {}
    for finding in report["findings"]:
        counts[finding["rule"]] = counts.get(finding["rule"], 0) + 1
    return counts, report["summary"]


def measure(a, log, config, events, builtin, label):
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out_path = os.path.join(tmp, "report.json")
        summary = counts = None
        for threads in a.threads:
            runs = [run_once(a, log, config, threads, builtin, out_path) for _ in range(a.reps)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            rss = max(r[2] for r in runs)
            rows.append((label, threads, wall, cpu, events / wall, rss / 1024))
            if counts is None:
                counts, summary = counts_by_rule(out_path)
    return rows, counts, summary


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", type=int, default=1_000_000)
    p.add_argument("--debtors", type=int, default=None, help="default: events / 20")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--threads", default="1,2", help="comma-separated RAYON_NUM_THREADS values")
    p.add_argument("--data", default=os.path.join(ROOT, "target", "bench-logs"))
    p.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "loanlint"))
    p.add_argument("--gen", default=os.environ.get("LOANLINT_GEN"), help="path to gen.py")
    p.add_argument("--builtin", action="store_true", help="also time the built-in packs")
    a = p.parse_args()
    a.debtors = a.debtors or max(1, a.events // 20)
    a.threads = [int(t) for t in a.threads.split(",")]
    if not os.path.isfile(a.bin):
        sys.exit("%s not found: run `cargo build --release` first" % a.bin)

    log, config = ensure_log(a)
    with open(log + ".truth.json", encoding="utf-8") as f:
        truth = json.load(f)
    check_rule_regex(truth)
    events = truth["events"]
    size_mb = os.path.getsize(log) / 1e6

    rows, counts, summary = measure(a, log, config, events, False, "reference R1-R3")
    if a.builtin:
        rows += measure(a, log, config, events, True, "built-in packs")[0]

    print("log: %s (%d events, %.1f MB, %s)" % (log, events, size_mb, a.format))
    print("%-18s %7s %9s %9s %12s %10s" % ("rules", "threads", "wall s", "cpu s", "events/s", "peak MiB"))
    for label, threads, wall, cpu, eps, rss in rows:
        print("%-18s %7d %9.2f %9.2f %12.0f %10.0f" % (label, threads, wall, cpu, eps, rss))
    print("(median of %d runs; peak RSS is the largest of them)" % a.reps)

    ok = summary["records_read"] == events and summary["records_rejected"] == 0
    print("\nrecords read %d, checked %d, rejected %d" % (
        summary["records_read"], summary["records_checked"], summary["records_rejected"]))
    print("%-10s %-38s %10s %10s" % ("rule", "truth.json", "truth", "loanlint"))
    for rule, key in TRUTH_KEYS.items():
        got, want = counts.get(rule, 0), truth[key]
        ok &= got == want
        print("%-10s %-38s %10d %10d %s" % (rule, key, want, got, "ok" if got == want else "DIFFERS"))
    if not ok:
        sys.exit("counts differ from truth.json")


if __name__ == "__main__":
    main()
