#!/usr/bin/env python3
"""Benchmark: does pcap ingest stay flat in memory and linear in time up to 1 GB and beyond?

Makes (once, in --data) lab captures of long bulk transfers with loss, reordering
and duplication (tests/netlab/netlab.sh, scenario bulk; needs root and
lurk-impair), each about twice the one before (by default ~0.33, ~0.66 and
~1.3 GB; the lab client's 120 s limit bounds the largest), then runs
`lurk ingest FILE -o TMP.lurk` on them under /usr/bin/time -v, the sizes
interleaved in each repetition so a busy machine slows them alike. Reports the
median wall and CPU time (user+sys), MB/s, peak RSS, and the time per GB of
each size against the smallest's (linear: within 1.25x) and the peak RSS
against the goal (<= 64 MB, issue 15). Prints Markdown; --append FILE adds it
there (bench/RESULTS.md). The captures are large: they stay in --data, never
in the repository.
Usage: large_capture_bench.py --lurk BIN --impair BIN --data DIR [--reps N] [--append FILE]
"""
import argparse
import datetime
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcap_ingest_bench import count_packets, timed  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Bytes the lab's bulk client sends (down; a quarter of it up) -> capture size
# with headers: ~1.35x. Names say the size the capture comes out at.
SIZES = [("330MB", 244_000_000), ("660MB", 488_000_000), ("1300MB", 1_000_000_000)]
RSS_GOAL_MB = 64
LINEAR = 1.25


def make_capture(impair, path, payload_bytes):
    subprocess.run([os.path.join(ROOT, "tests", "netlab", "netlab.sh"), "--impair", impair,
                    "--out", path, "--scenario", "bulk", "--bytes", str(payload_bytes),
                    "--loss", "0.005", "--reorder", "0.005", "--duplicate", "0.002",
                    "--delay-ms", "1", "--seed", "7"], check=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lurk", required=True)
    p.add_argument("--impair", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--append")
    a = p.parse_args()
    os.makedirs(a.data, exist_ok=True)
    files = []
    for name, payload in SIZES:
        path = os.path.join(a.data, "netlab-bulk-%s.pcap" % name)
        if not os.path.exists(path):
            make_capture(a.impair, path, payload)
        files.append(path)
    runs = {f: [] for f in files}
    out = os.path.join(a.data, "large-bench.lurk")
    load = os.getloadavg()[0]
    for _ in range(a.reps):
        for f in files:
            if os.path.exists(out):
                os.remove(out)
            wall, cpu, rss, code, err = timed([a.lurk, "ingest", f, "-o", out])
            if code != 0:
                raise SystemExit("bench: lurk ingest %s failed (%d): %s" % (f, code, err))
            runs[f].append((wall, cpu, rss))
    commit = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h %s"],
                            capture_output=True, text=True).stdout.strip()
    lines = ["", "## Large captures, %s" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "",
             "- %d cores, load average at start %.1f (shared machine); lurk source tree at `%s`"
             % (os.cpu_count(), load, commit),
             "- lab captures (bulk, loss 0.5%%, reorder 0.5%%, duplicate 0.2%%); medians of %d runs,"
             " sizes interleaved" % a.reps, "",
             "| file | MB | packets | wall s | CPU s | MB/s (wall) | CPU s per GB | vs smallest | peak RSS MB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    base = None
    verdicts = []
    for f in files:
        mb = os.path.getsize(f) / 1e6
        wall = statistics.median(r[0] for r in runs[f])
        cpu = statistics.median(r[1] for r in runs[f])
        rss = max(r[2] for r in runs[f])
        per_gb = cpu / (mb / 1000)
        base = base or per_gb
        lines.append("| %s | %.0f | %d | %.2f | %.2f | %.0f | %.2f | %.2fx | %.0f |" % (
            os.path.basename(f), mb, count_packets(f), wall, cpu, mb / wall, per_gb, per_gb / base, rss))
        verdicts.append((os.path.basename(f), per_gb / base <= LINEAR, rss <= RSS_GOAL_MB))
    lines.append("")
    for name, linear, flat in verdicts:
        lines.append("- %s: CPU time per GB %s; peak RSS %s the %d MB goal" % (
            name, "linear" if linear else "NOT LINEAR", "within" if flat else "OVER", RSS_GOAL_MB))
    text = "\n".join(lines)
    print(text)
    if a.append:
        with open(a.append, "a") as out_file:
            out_file.write(text + "\n")


if __name__ == "__main__":
    main()
