#!/usr/bin/env python3
"""Benchmark: pcap ingest with TCP analysis, lurk against tshark, side by side.

On each capture given, every repetition runs, one after the other:
  lurk ingest FILE -o TMP.lurk                 (with TCP analysis, once lurk has it)
  lurk ingest --no-analysis FILE -o TMP.lurk   (the floor, if lurk has the option)
  tshark -r FILE -q -z expert                  (tshark's TCP analysis)
  cat FILE > /dev/null                         (reading the bytes at all)
each under /usr/bin/time -v for wall time, CPU time (user+sys: lurk writes on a
second thread, so its wall time is below its CPU time on an idle machine) and
peak resident memory. Runs are
interleaved so a busy machine slows every tool alike; the median wall time of
the repetitions is reported, with packets/s, MB/s, peak RSS and the ratio of
tshark's time to each tool's. Prints a Markdown section; with --append FILE it
is also appended there (bench/RESULTS.md).
With --against OTHER_BIN (repeatable) each repetition also runs `lurk ingest`
of those binaries (e.g. main's), in the same rounds, for a side-by-side comparison.
Usage: pcap_ingest_bench.py --lurk BIN [--against OTHER_BIN]... [--reps N] [--append FILE] CAPTURE...
"""
import argparse
import datetime
import os
import platform
import re
import statistics
import struct
import subprocess
import sys
import tempfile
import time


def count_packets(path):
    """Records in a classic pcap file (the lab writes pcap)."""
    n = 0
    with open(path, "rb") as f:
        magic = f.read(24)[:4]
        endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        while True:
            hdr = f.read(16)
            if len(hdr) < 16:
                return n
            caplen = struct.unpack(endian + "IIII", hdr)[2]
            f.seek(caplen, 1)
            n += 1


def timed(cmd, stdout=subprocess.DEVNULL):
    """Runs cmd under /usr/bin/time -v: (wall s, CPU s (user+sys), peak RSS MB, exit code, stderr)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        start = time.perf_counter()  # finer than time's 10 ms wall clock
        res = subprocess.run(["/usr/bin/time", "-v", "-o", t.name] + cmd, stdout=stdout,
                             stderr=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - start
        report = t.read()
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
    if not rss:
        raise RuntimeError(f"no /usr/bin/time report for {cmd}: {res.stderr.strip()}")
    cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", report))
    return seconds, cpu, int(rss.group(1)) / 1024, res.returncode, res.stderr


def lurk_has_analysis(lurk):
    """lurk packets (the per-packet analysis flags) comes with the TCP analysis."""
    return subprocess.run([lurk, "packets", "--help"], capture_output=True).returncode == 0


def lurk_has_no_analysis(lurk):
    res = subprocess.run([lurk, "ingest", "--help"], capture_output=True, text=True)
    return "--no-analysis" in res.stdout


def tools(lurk, capture, workdir, no_analysis, against=()):
    profile = os.path.join(workdir, "bench.lurk")
    out = [("lurk ingest", [lurk, "ingest", capture, "-o", profile], profile)]
    for other in against:
        out.append((f"lurk ingest ({other})", [other, "ingest", capture, "-o", profile], profile))
    if no_analysis:
        out.append(("lurk ingest --no-analysis", [lurk, "ingest", "--no-analysis", capture, "-o", profile], profile))
    out.append(("tshark -q -z expert", ["tshark", "-r", capture, "-q", "-z", "expert"], None))
    out.append(("cat (read only)", ["cat", capture], None))
    return out


def bench_capture(args, capture, no_analysis):
    size_mb = os.path.getsize(capture) / 1e6
    packets = count_packets(capture)
    runs = {}
    with tempfile.TemporaryDirectory() as workdir:
        for rep in range(args.reps):
            for name, cmd, profile in tools(args.lurk, capture, workdir, no_analysis, args.against):
                if profile and os.path.exists(profile):
                    os.remove(profile)  # every ingest starts from nothing
                wall, cpu, rss, code, err = timed(cmd)
                if code not in (0, 3):
                    raise RuntimeError(f"{name} exited {code} on {capture}: {err.strip()[:300]}")
                runs.setdefault(name, []).append((wall, cpu, rss))
                print(f"  rep {rep + 1}: {name}: {wall:.3f} s, {cpu:.2f} s CPU, {rss:.0f} MB",
                      file=sys.stderr)
    rows = []
    tshark = runs["tshark -q -z expert"]
    tshark_s = statistics.median(w for w, _, _ in tshark)
    tshark_cpu = statistics.median(c for _, c, _ in tshark)
    for name, samples in runs.items():
        wall = statistics.median(w for w, _, _ in samples)
        cpu = statistics.median(c for _, c, _ in samples)
        rss = max(r for _, _, r in samples)
        cpu_ratio = tshark_cpu / cpu if cpu > 0 else float("inf")
        rows.append((name, wall, cpu, packets / wall, size_mb / wall, rss, tshark_s / wall,
                     cpu_ratio))
    return size_mb, packets, rows


def machine_line():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{platform.node()}, {cpu}, {os.cpu_count()} cores, Linux {platform.release()}"


def version_of(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0].strip()
    except (OSError, IndexError):
        return "unknown"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lurk", required=True)
    p.add_argument("--against", action="append", default=[],
                   help="another lurk binary to run in the same rounds (repeatable)")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--append")
    p.add_argument("captures", nargs="+")
    args = p.parse_args()
    no_analysis = lurk_has_no_analysis(args.lurk)
    src = os.path.dirname(os.path.abspath(__file__))
    commit = subprocess.run(["git", "-C", src, "log", "-1", "--format=%h %s"],
                            capture_output=True, text=True).stdout.strip()
    lines = [f"\n## pcap ingest vs tshark, {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}",
             "",
             f"- machine: {machine_line()}; load average at start {os.getloadavg()[0]:.1f}",
             f"- {version_of([args.lurk, '--version'])} source tree at `{commit}`; "
             f"{version_of(['tshark', '--version'])}",
             f"- median wall time of {args.reps} interleaved repetitions; peak RSS is the largest seen"]
    if not lurk_has_analysis(args.lurk):
        lines.append("- this lurk has no TCP analysis yet (no `lurk packets`): its row is a plain ingest")
    if not no_analysis:
        lines.append("- `lurk ingest --no-analysis` does not exist yet in this build: no floor row")
    for capture in args.captures:
        print(f"benchmarking {capture}", file=sys.stderr)
        size_mb, packets, rows = bench_capture(args, capture, no_analysis)
        lines += ["", f"`{os.path.basename(capture)}`: {size_mb:.1f} MB, {packets} packets", "",
                  "| tool | wall s | CPU s | packets/s | MB/s | peak RSS MB | tshark wall / this | tshark CPU / this |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for name, wall, cpu, pps, mbps, rss, ratio, cpu_ratio in rows:
            lines.append(f"| {name} | {wall:.3f} | {cpu:.2f} | {pps:,.0f} | {mbps:.1f} | {rss:.0f} "
                         f"| {ratio:.1f}x | {cpu_ratio:.1f}x |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.append:
        with open(args.append, "a") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
