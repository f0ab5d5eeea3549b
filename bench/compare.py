#!/usr/bin/env python3
"""loanlint side by side with the tools its users would otherwise reach for.

  contracts  `loanlint check` (all built-in packs, JSON report to a file) over a generated
             corpus vs `rg -f patterns.txt` over the same corpus, where patterns.txt holds every
             regex and lexicon word of the packs (`loanlint rules patterns`), at 1 and 2 threads
             (RAYON_NUM_THREADS / rg -j). MB/s; target: loanlint >= 0.5x ripgrep.
  startup    `loanlint check` on one small contract (hyperfine, with warm-up); target < 30 ms.
  logs       `loanlint check` on a generated collection log (JSONL and CSV, mapped through a
             loanlint.yaml; rules R1-R3 from bench/reference-log.rules) vs DuckDB running R1-R3
             as SQL on the same file (`SET threads=N`), at 1 and 2 threads. Events/s and peak
             RSS; both sides' counts must equal the generator's truth.json (exit 1 otherwise).
  scaling    (--scaling) contracts: cost vs corpus size, rule count and findings density;
             logs: loanlint's events/s and peak RSS at 1M and 10M events.

Data comes from ../shared/bench/gen.py into bench/data/ (reused when present). Peers are
installed when missing: ripgrep and hyperfine from Debian packages (apt-get), DuckDB from PyPI
into bench/.deps. Every figure is the median of --reps runs (loanlint and its peer alternate,
so that load from other processes hits both alike); CPU is user+sys, peak RSS the largest of
the runs (from /usr/bin/time -v). Standard library only; not part of `cargo test`.

  python3 bench/compare.py                              # 50 MB / 2000 files, 2M events
  python3 bench/compare.py --quick                      # a small run (minutes)
  python3 bench/compare.py --only contracts --reps 7
  python3 bench/compare.py --only logs --events 2000000
  python3 bench/compare.py --scaling                    # adds the scaling tables
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
DATA = os.path.join(BENCH, "data")
DEPS = os.path.join(BENCH, ".deps")
LOG_RULES = os.path.join(BENCH, "reference-log.rules")
SMALL_CONTRACT = os.path.join(ROOT, "fixtures", "contracts", "compliant-consumer-loan.txt")
# The log's column mapping and the truth.json count each reference rule must reproduce: one
# definition, shared with bench/logs.py (this folder is on the import path when run as a script).
from logs import MAPPING as LOG_MAPPING, TRUTH_KEYS, counts_by_rule  # noqa: E402


# ---------------------------------------------------------------------------------------
# Set-up: peers, binary, data


def say(*parts):
    print(*parts, file=sys.stderr, flush=True)


def ensure_debian_tools(tools):
    missing = [pkg for exe, pkg in tools if shutil.which(exe) is None]
    if not missing:
        return
    say("installing", " ".join(missing), "(apt-get)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    install = sudo + ["apt-get", "install", "-y"] + missing
    if subprocess.run(install, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(sudo + ["apt-get", "update"], stdout=subprocess.DEVNULL, check=True)
        subprocess.run(install, stdout=subprocess.DEVNULL, check=True)


def ensure_duckdb():
    probe = [sys.executable, "-c", "import duckdb"]
    env = python_env()
    if subprocess.run(probe, env=env, stderr=subprocess.DEVNULL).returncode == 0:
        return
    say("installing duckdb into", DEPS, "(pip)")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", DEPS, "duckdb"],
                   check=True)


def python_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = DEPS + os.pathsep + env.get("PYTHONPATH", "")
    return env


def build(a):
    if a.no_build:
        return
    say("cargo build --release")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)


def find_gen(explicit):
    for c in [explicit, os.path.join(ROOT, "..", "shared", "bench", "gen.py"),
              os.path.join(ROOT, "..", "..", "shared", "bench", "gen.py")]:
        if c and os.path.isfile(c):
            return c
    sys.exit("gen.py not found: pass --gen PATH (../shared/bench/gen.py)")


def corpus(a, files, mb, forbid_rate=None):
    """The generated contract corpus (a folder), made once per size and density."""
    tag = "contracts-%df-%gmb-s%d" % (files, mb, a.seed)
    if forbid_rate is not None:
        tag += "-forbid%g" % forbid_rate
    out = os.path.join(DATA, tag)
    done = out + ".done"
    if not os.path.isfile(done):
        shutil.rmtree(out, ignore_errors=True)
        cmd = [sys.executable, find_gen(a.gen), "contracts", "--out", out, "--files", str(files),
               "--mb", str(mb), "--seed", str(a.seed)]
        if forbid_rate is not None:
            cmd += ["--forbid-rate", str(forbid_rate)]
        say("generating:", " ".join(cmd))
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        open(done, "w").close()
    return out


def event_log(a, events, fmt):
    """The generated collection log and its truth.json."""
    debtors = max(1, events // 20)
    log = os.path.join(DATA, "log-%d-%d-s%d.%s" % (events, debtors, a.seed, fmt))
    if not (os.path.isfile(log) and os.path.isfile(log + ".truth.json")):
        cmd = [sys.executable, find_gen(a.gen), "log", "--out", log, "--format", fmt,
               "--events", str(events), "--debtors", str(debtors), "--seed", str(a.seed)]
        say("generating:", " ".join(cmd))
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(log + ".truth.json", encoding="utf-8") as f:
        return log, json.load(f)


def tree_bytes(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


# ---------------------------------------------------------------------------------------
# Measuring


class Run:
    def __init__(self, wall, cpu, rss_mib):
        self.wall, self.cpu, self.rss = wall, cpu, rss_mib


def timed(cmd, env=None, stdout_path=os.devnull, ok=(0,)):
    """Run `cmd` under /usr/bin/time -v: wall (s), CPU user+sys (s), peak RSS (MiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t, open(stdout_path, "wb") as out:
        start = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-v", "-o", t.name] + cmd, stdout=out,
                           stderr=subprocess.PIPE, env=env)
        wall = time.perf_counter() - start
        report = t.read()
    if p.returncode not in ok:
        sys.exit("failed (exit %d): %s\n%s" % (p.returncode, " ".join(cmd),
                                               p.stderr.decode("utf-8", "replace")[-2000:]))
    field = lambda name: float(re.search(re.escape(name) + r": ([\d.]+)", report).group(1))
    cpu = field("User time (seconds)") + field("System time (seconds)")
    return Run(wall, cpu, field("Maximum resident set size (kbytes)") / 1024)


def alternate(reps, *jobs):
    """Run each job `reps` times, interleaved; per job: (median wall, median CPU, max RSS)."""
    runs = [[] for _ in jobs]
    for _ in range(reps):
        for i, job in enumerate(jobs):
            runs[i].append(job())
    return [(statistics.median(r.wall for r in rs), statistics.median(r.cpu for r in rs),
             max(r.rss for r in rs)) for rs in runs]


def with_threads(threads, extra=None):
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    env.update(extra or {})
    return env


# ---------------------------------------------------------------------------------------
# Contracts


def rg_patterns(a, path):
    """`loanlint rules patterns`, made line-oriented for ripgrep (which never matches across
    a line end, and rejects `\\n` in a regex): `[^\\n]` becomes `.`, `\\n` leaves negated
    classes (where it changes nothing line by line), and a trailing `\\n` becomes `$`."""
    text = subprocess.run([a.bin, "rules", "patterns"], check=True, capture_output=True,
                          text=True).stdout

    def negated(m):
        body = m.group(1)
        return "." if body == "\\n" else "[^" + body.replace("\\n", "") + "]"

    lines = []
    for line in text.splitlines():
        line = re.sub(r"\[\^((?:\\.|[^\]\\])*)\]", negated, line)
        lines.append(line.replace("\\n", "$"))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return len(lines)


def loanlint_check(a, target, threads, out, extra=()):
    cmd = [a.bin, "check", "--format", "json", "--output", out] + list(extra) + [target]
    return lambda: timed(cmd, env=with_threads(threads), ok=(0, 1))


def ripgrep(patterns, target, threads, out):
    cmd = ["rg", "--no-config", "-j", str(threads), "-f", patterns, target]
    return lambda: timed(cmd, stdout_path=out, ok=(0, 1))


def contracts(a, tmp):
    target = corpus(a, a.files, a.mb)
    size = tree_bytes(target) / 1e6
    patterns = os.path.join(tmp, "patterns.txt")
    count = rg_patterns(a, patterns)
    report = os.path.join(tmp, "report.json")
    rows = []
    for threads in a.threads:
        (lw, lc, lr), (rw, rc, rr) = alternate(
            a.reps, loanlint_check(a, target, threads, report),
            ripgrep(patterns, target, threads, os.path.join(tmp, "rg.out")))
        rows.append((threads, size / lw, lw, lc, lr, size / rw, rw, rc, rr))
    with open(report, encoding="utf-8") as f:
        findings = len(json.load(f)["findings"])
    print("\n## Contracts: %s (%.1f MB, %d files), %d patterns, %d findings"
          % (os.path.relpath(target, ROOT), size, a.files, count, findings))
    print("| threads | loanlint MB/s | wall s | CPU s | RSS MiB | rg MB/s | wall s | CPU s "
          "| RSS MiB | ratio (wall) | ratio (CPU) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for t, lmbs, lw, lc, lr, rmbs, rw, rc, rr in rows:
        print("| %d | %.1f | %.2f | %.2f | %.0f | %.1f | %.2f | %.2f | %.0f | %.2fx | %.2fx |"
              % (t, lmbs, lw, lc, lr, rmbs, rw, rc, rr, rw / lw, rc / lc))
    print("ratio: loanlint's throughput / ripgrep's (target >= 0.5x); medians of %d runs"
          % a.reps)


def startup(a, tmp):
    patterns = os.path.join(tmp, "patterns.txt")
    rg_patterns(a, patterns)
    export = os.path.join(tmp, "hyperfine.json")
    runs = max(20, a.reps * 4)
    # The rule cache in a folder of this run's own: warm after hyperfine's warm-up runs (as on
    # a workstation or a CI job that keeps ~/.cache/loanlint); `--no-cache` is a first run.
    env = dict(os.environ, LOANLINT_CACHE_DIR=os.path.join(tmp, "rule-cache"))
    cmd = ["hyperfine", "-N", "--warmup", "5", "--runs", str(runs), "-i", "--export-json", export,
           "%s check %s --format json" % (a.bin, SMALL_CONTRACT),
           "%s check %s --format json --no-cache" % (a.bin, SMALL_CONTRACT),
           "rg --no-config -f %s %s" % (patterns, SMALL_CONTRACT)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    with open(export, encoding="utf-8") as f:
        results = json.load(f)["results"]
    print("\n## Startup plus one small contract (%s, %d bytes)"
          % (os.path.relpath(SMALL_CONTRACT, ROOT), os.path.getsize(SMALL_CONTRACT)))
    print("| command | median ms | mean ms | user ms | sys ms |")
    print("|---|---:|---:|---:|---:|")
    names = ["loanlint check --format json (rule cache warm)",
             "loanlint check --format json --no-cache (a first run)", "rg -f patterns.txt"]
    for name, r in zip(names, results):
        print("| %s | %.1f | %.1f | %.1f | %.1f |" % (name, r["median"] * 1e3, r["mean"] * 1e3,
                                                   r["user"] * 1e3, r["system"] * 1e3))
    print("hyperfine -N, 5 warm-up runs, %d runs; target: loanlint < 30 ms" % runs)


# ---------------------------------------------------------------------------------------
# Logs

DUCKDB_SCRIPT = r"""
import json, resource, sys, time
import duckdb
path, fmt, threads, debt_regex = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
t0 = time.perf_counter(); r0 = resource.getrusage(resource.RUSAGE_SELF)
con = duckdb.connect()
con.execute("SET threads=%d" % threads)
reader = ("read_json('%s', format='newline_delimited', columns={event_id:'VARCHAR', "
          "debtor_id:'VARCHAR', ts:'VARCHAR', tz:'VARCHAR', channel:'VARCHAR', party:'VARCHAR', "
          "text:'VARCHAR'})" if fmt == "jsonl" else
          "read_csv('%s', header=true, all_varchar=true)") % path.replace("'", "''")
con.execute("CREATE TABLE ev AS SELECT *, CAST(ts AS TIMESTAMPTZ) AS t FROM " + reader)
# R1: wall-clock time in the debtor's zone before 08:00:00 or after 21:00:00.
r1 = con.execute("SELECT count(*) FROM (SELECT CAST(timezone(tz, t) AS TIME) AS lt FROM ev) "
                 "WHERE lt < TIME '08:00:00' OR lt > TIME '21:00:00'").fetchone()[0]
# R2: a call with more than 7 calls of the same debtor in (ts - 168 h, ts] (peers included).
r2 = con.execute("SELECT count(*) FROM (SELECT count(*) OVER (PARTITION BY debtor_id "
                 "ORDER BY epoch_ms(t) RANGE BETWEEN 604799999 PRECEDING AND CURRENT ROW) AS n "
                 "FROM ev WHERE channel = 'call') WHERE n > 7").fetchone()[0]
# R3: a third party contacted with a debt word in the text.
r3 = con.execute("SELECT count(*) FROM ev WHERE party = 'third_party' "
                 "AND regexp_matches(text, ?)", ["(?i)" + debt_regex]).fetchone()[0]
wall = time.perf_counter() - t0; r1u = resource.getrusage(resource.RUSAGE_SELF)
cpu = (r1u.ru_utime - r0.ru_utime) + (r1u.ru_stime - r0.ru_stime)
print(json.dumps({"wall": wall, "cpu": cpu, "counts": [r1, r2, r3]}))
"""


def duckdb_run(log, fmt, threads, truth, out):
    """DuckDB loading the log and running R1-R3, timed inside the process (without the
    Python start-up and `import duckdb`); peak RSS from /usr/bin/time for the process."""
    script = os.path.join(os.path.dirname(out), "duckdb_r123.py")
    with open(script, "w", encoding="utf-8") as f:
        f.write(DUCKDB_SCRIPT)
    cmd = [sys.executable, script, log, fmt, str(threads), truth["debt_regex"]]

    def job():
        outer = timed(cmd, env=python_env(), stdout_path=out)
        with open(out, encoding="utf-8") as f:
            inner = json.load(f)
        job.counts = inner["counts"]
        return Run(inner["wall"], inner["cpu"], outer.rss)
    return job


def loanlint_log_counts(report_path):
    counts, summary = counts_by_rule(report_path)
    return [counts.get(rule, 0) for rule in TRUTH_KEYS], summary


def log_args(config):
    return ["--config", config, "--no-builtin", "--rules", LOG_RULES]


def logs(a, tmp):
    config = os.path.join(tmp, "loanlint.yaml")
    with open(config, "w", encoding="utf-8") as f:
        f.write(LOG_MAPPING)
    ok = True
    print("\n## Logs: %d events, rules R1-R3" % a.events)
    print("| format | threads | loanlint events/s | wall s | CPU s | RSS MiB | DuckDB events/s "
          "| wall s | CPU s | RSS MiB | ratio (wall) | ratio (CPU) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    checks = []
    for fmt in ("jsonl", "csv"):
        log, truth = event_log(a, a.events, fmt)
        want = [truth[k] for k in TRUTH_KEYS.values()]
        n = truth["events"]
        for threads in a.threads:
            report = os.path.join(tmp, "log-report.json")
            duck = duckdb_run(log, fmt, threads, truth, os.path.join(tmp, "duck.json"))
            (lw, lc, lr), (dw, dc, dr) = alternate(
                a.reps, loanlint_check(a, log, threads, report, log_args(config)), duck)
            got, summary = loanlint_log_counts(report)
            checks.append((fmt, threads, want, got, duck.counts, summary))
            print("| %s | %d | %.0f | %.2f | %.2f | %.0f | %.0f | %.2f | %.2f | %.0f | %.2fx "
                  "| %.2fx |" % (fmt, threads, n / lw, lw, lc, lr, n / dw, dw, dc, dr,
                                 dw / lw, dc / lc))
    print("ratio: loanlint's events/s / DuckDB's (target >= 1x, then 2x); medians of %d runs;"
          " DuckDB timed inside its process (load + 3 queries), RSS of the whole process"
          % a.reps)
    print("\n| format | threads | truth R1 R2 R3 | loanlint | DuckDB | records read/checked/"
          "rejected |")
    print("|---|---:|---|---|---|---|")
    for fmt, threads, want, got, duck, s in checks:
        same = "ok" if got == want else "DIFFERS"
        dsame = "ok" if duck == want else "DIFFERS"
        ok &= got == want and s["records_rejected"] == 0
        print("| %s | %d | %s | %s %s | %s %s | %d/%d/%d |" % (
            fmt, threads, want, got, same, duck, dsame, s["records_read"],
            s["records_checked"], s["records_rejected"]))
    return ok


# ---------------------------------------------------------------------------------------
# Scaling


def duplicated_packs(tmp):
    """A copy of the built-in Chinese pack under another pack name and rule ids: twice the rules
    that apply to a Chinese contract."""
    out = os.path.join(tmp, "dup-rules")
    os.makedirs(out, exist_ok=True)
    src = os.path.join(ROOT, "rules", "cn")
    for name in os.listdir(src):
        if not name.endswith(".rules"):
            continue
        with open(os.path.join(src, name), encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r"^pack (\S+)", r"pack \1-dup", text, flags=re.M)
        text = re.sub(r"^rule (\S+)", r"rule \1-DUP", text, flags=re.M)
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write(text)
    return out


def only_interest_rules(tmp):
    """A loanlint.yaml that turns off every rule of the Chinese pack but the 14 CN-INT ones."""
    path = os.path.join(tmp, "only-int.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write("disable: [CN-COL-*, CN-CON-*, CN-CRD-*, CN-DIS-*, CN-FMT-*, CN-PEN-*, CN-PRD-*,"
                " CN-PRI-*]\n")
    return path


def scaling(a, tmp):
    report = os.path.join(tmp, "scaling.json")
    rows = []

    def measure(label, target, extra=()):
        size = tree_bytes(target) / 1e6
        for threads in a.threads:
            (w, c, r), = alternate(a.reps, loanlint_check(a, target, threads, report, extra))
            with open(report, encoding="utf-8") as f:
                findings = len(json.load(f)["findings"])
            rows.append((label, threads, size, findings, w, c, r))

    base_mb = a.mb / 5
    for frac in (0.2, 0.5, 1.0):
        mb = a.mb * frac
        measure("size %g MB" % mb, corpus(a, max(1, int(a.files * frac)), mb))
    small = corpus(a, max(1, int(a.files / 5)), base_mb)
    measure("rules: CN-INT-* only", small, ["--config", only_interest_rules(tmp)])
    measure("rules: built-in packs", small)
    measure("rules: cn pack twice", small, ["--rules", duplicated_packs(tmp)])
    for rate in (0.0, 0.03, 0.3, 1.0):
        measure("findings: forbid-rate %g" % rate,
                corpus(a, max(1, int(a.files / 5)), base_mb, forbid_rate=rate))
    print("\n## Scaling: contracts")
    print("| run | threads | MB | findings | wall s | CPU s | MB/s (wall) | CPU s/MB | RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, t, size, findings, w, c, r in rows:
        print("| %s | %d | %.1f | %d | %.2f | %.2f | %.1f | %.3f | %.0f |"
              % (label, t, size, findings, w, c, size / w, c / size, r))

    config = os.path.join(tmp, "loanlint.yaml")
    with open(config, "w", encoding="utf-8") as f:
        f.write(LOG_MAPPING)
    print("\n## Scaling: logs (loanlint, JSONL, R1-R3)")
    print("| events | threads | wall s | CPU s | events/s | peak RSS MiB | counts = truth |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    for events in a.scaling_events:
        log, truth = event_log(a, events, "jsonl")
        want = [truth[k] for k in TRUTH_KEYS.values()]
        for threads in a.threads:
            out = os.path.join(tmp, "log-report.json")
            (w, c, r), = alternate(max(1, a.reps // 2 if events > 2_000_000 else a.reps),
                                   loanlint_check(a, log, threads, out, log_args(config)))
            got, _ = loanlint_log_counts(out)
            print("| %d | %d | %.2f | %.2f | %.0f | %.0f | %s |" % (
                truth["events"], threads, w, c, truth["events"] / w, r,
                "ok" if got == want else "DIFFERS %s vs %s" % (got, want)))


# ---------------------------------------------------------------------------------------


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mb", type=float, default=50, help="contract corpus size (MB)")
    p.add_argument("--files", type=int, default=2000, help="contract corpus files")
    p.add_argument("--events", type=int, default=2_000_000, help="log events")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--reps", type=int, default=5, help="runs per measurement (median)")
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    p.add_argument("--only", choices=["contracts", "logs", "startup"], action="append",
                   help="run only these comparisons (repeatable)")
    p.add_argument("--scaling", action="store_true",
                   help="also the scaling tables (contracts by size, rules, findings; logs at "
                        "1M and 10M events)")
    p.add_argument("--scaling-events", default="1000000,10000000")
    p.add_argument("--quick", action="store_true",
                   help="small sizes: 5 MB / 200 files, 200k events, 3 runs")
    p.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "loanlint"))
    p.add_argument("--no-build", action="store_true", help="use --bin as it is")
    p.add_argument("--gen", default=os.environ.get("LOANLINT_GEN"), help="path to gen.py")
    a = p.parse_args()
    if a.quick:
        a.mb, a.files, a.events, a.reps = 5, 200, 200_000, 3
        a.scaling_events = "100000,1000000"
    a.threads = [int(t) for t in a.threads.split(",")]
    a.scaling_events = [int(n) for n in a.scaling_events.split(",")]
    only = set(a.only or ["contracts", "startup", "logs"])

    os.makedirs(DATA, exist_ok=True)
    ensure_debian_tools([("rg", "ripgrep"), ("hyperfine", "hyperfine")])
    if "logs" in only:
        ensure_duckdb()
    build(a)
    if not os.path.isfile(a.bin):
        sys.exit("%s not found" % a.bin)
    rg_version = subprocess.run(["rg", "--version"], capture_output=True, text=True).stdout
    print("# loanlint vs peers (%s; %d cores; %s)" % (
        time.strftime("%Y-%m-%d %H:%M"), os.cpu_count(), rg_version.splitlines()[0]))
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        if "contracts" in only:
            contracts(a, tmp)
        if "startup" in only:
            startup(a, tmp)
        if "logs" in only:
            ok &= logs(a, tmp)
        if a.scaling:
            scaling(a, tmp)
    if not ok:
        sys.exit("counts differ from truth.json")


if __name__ == "__main__":
    main()
