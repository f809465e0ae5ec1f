#!/usr/bin/env python3
"""Benchmark: hostile inputs at growing sizes, to show that lurk's time grows
linearly with its input and its peak memory stays bounded (issue 13).

Each case writes its input at three sizes (1x, 3x, 9x of a base size), runs
`lurk ingest FILE -o TMP.lurk` under /usr/bin/time -v, and reports wall time,
peak RSS, exit code and what the profile holds. Cases:
  chrome-depth      Chrome JSON: one thread, B events nested N deep, then N E
  json-depth        Chrome JSON: one event whose args nest objects/arrays N deep
  jsonl-depth       lurk JSONL: one span_begin whose args nest N deep
  string-length     Chrome JSON: 4 events whose name and args are strings of N MB
  string-count      Chrome JSON: N events with 1 MB strings (memory must not grow with N)
  chrome-threads    Chrome JSON: N events, each on a thread (tid) of its own
  jsonl-threads     lurk JSONL: N threads started, each with one span
  chrome-ts-chaos   Chrome JSON: N X events in random time order, 1% at +-2^63 and 1e308
  jsonl-ts-chaos    lurk JSONL: N events in random time order, 1% at +-(2^63-1)
  tcp-seq-wrap      pcap: one connection of N 64 KB segments (headers only): seq wraps every 65,536
Linear: CPU time (user + system, of lurk) at 9x <= 9 x 1.6 x CPU time at 1x (above a 0.15 s
floor, process start and schema). CPU time rather than wall time: on a shared machine the wall
clock measures the load; system time still counts the page I/O SQLite does.
Memory, by what the case grows:
  flat   (nothing held grows: JSON depth, chaotic timestamps, sequence wrap, count of
          big events): peak RSS at 9x <= 1.5 x peak RSS at 1x + 64 MB
  state  (what must be held grows: open spans of B/E depth, threads): peak RSS
          grows at most linearly, <= 9 x 1.6 x (RSS at 1x); bytes per item are printed
  string (the longest event grows): peak RSS <= 10 x the largest event + 64 MB
Usage: hostile_input_bench.py --lurk BIN [--scale F] [--only CASE,...] [--append FILE]"""
import argparse
import datetime
import json
import os
import platform
import random
import re
import struct
import subprocess
import sys
import tempfile
import time

MB = 1 << 20
SIZES = (1, 3, 9)


def chrome_file(path, events):
    """Writes {"traceEvents": [...]} from an iterable of event texts."""
    with open(path, "w") as f:
        f.write('{"traceEvents": [\n')
        first = True
        for e in events:
            f.write(("" if first else ",\n") + e)
            first = False
        f.write("\n]}\n")


def jsonl_file(path, lines):
    with open(path, "w") as f:
        f.write('{"lurk":"jsonl","version":1,"clock":"unix-ns","producer":"hostile bench"}\n')
        for line in lines:
            f.write(line + "\n")


def chrome_depth(path, n):
    def events():
        for i in range(n):
            yield f'{{"name":"s{i % 97}","ph":"B","ts":{i},"pid":1,"tid":1}}'
        for i in range(n):
            yield f'{{"ph":"E","ts":{n + i},"pid":1,"tid":1}}'
    chrome_file(path, events())


def nested(n):
    """A JSON value nesting objects and arrays n deep."""
    return '{"a":[' * (n // 2) + "1" + "]}" * (n // 2)


def json_depth(path, n):
    chrome_file(path, [f'{{"name":"deep","ph":"i","s":"t","ts":1,"pid":1,"tid":1,"args":{{"v":{nested(n)}}}}}',
                       '{"name":"after","ph":"i","s":"t","ts":2,"pid":1,"tid":1}'])


def jsonl_depth(path, n):
    jsonl_file(path, ['{"t":"thread_start","ts":1,"thread":"a"}',
                      f'{{"t":"span_begin","ts":2,"thread":"a","name":"deep","args":{{"v":{nested(n)}}}}}',
                      '{"t":"span_end","ts":3,"thread":"a"}'])


def string_length(path, n_mb):
    text = "x" * (n_mb * MB)
    chrome_file(path, (f'{{"name":"{text}","ph":"X","ts":{i},"dur":1,"pid":1,"tid":1,'
                       f'"args":{{"s":"{text}"}}}}' for i in range(2)))


def string_count(path, n):
    text = "y" * MB
    chrome_file(path, (f'{{"name":"n{i}{text}","ph":"X","ts":{i},"dur":1,"pid":1,"tid":1}}'
                       for i in range(n)))


def chrome_threads(path, n):
    chrome_file(path, (f'{{"name":"e","ph":"X","ts":{i},"dur":1,"pid":1,"tid":{i + 2}}}'
                       for i in range(n)))


def jsonl_threads(path, n):
    def lines():
        for i in range(n):
            yield f'{{"t":"thread_start","ts":{1000 + i},"thread":"t{i}"}}'
            yield f'{{"t":"span_begin","ts":{1001 + i},"thread":"t{i}","name":"s"}}'
            yield f'{{"t":"span_end","ts":{1002 + i},"thread":"t{i}"}}'
    jsonl_file(path, lines())


EXTREME_US = ("9223372036854775807", "-9223372036854775808", "9.2e18", "-9.2e18", "1e308",
              "-1e308", "18446744073709551615")
EXTREME_NS = ("9223372036854775807", "-9223372036854775807", "-9223372036854775808")


def chrome_ts_chaos(path, n):
    rng = random.Random(13)
    def events():
        for i in range(n):
            ts = rng.choice(EXTREME_US) if i % 100 == 7 else str(rng.randrange(0, 10 * n))
            yield f'{{"name":"e","ph":"X","ts":{ts},"dur":{rng.randrange(1, 50)},"pid":1,"tid":{i % 8}}}'
    chrome_file(path, events())


def jsonl_ts_chaos(path, n):
    rng = random.Random(13)
    def lines():
        for i in range(8):
            yield f'{{"t":"thread_start","ts":1,"thread":"t{i}"}}'
        for i in range(n):
            ts = rng.choice(EXTREME_NS) if i % 100 == 7 else str(rng.randrange(0, 10 * n))
            yield f'{{"t":"label","ts":{ts},"thread":"t{i % 8}","name":"l"}}'
            yield f'{{"t":"counter","ts":{ts},"name":"c","value":{i}}}'
    jsonl_file(path, lines())


def tcp_seq_wrap(path, n):
    """One IPv4 TCP connection: SYN, SYN-ACK, then n data segments of 65,495
    bytes (captured headers only) each followed by its ACK; seq starts 1 MB
    below 2^32, so it wraps at once and then every 65,576 segments."""
    def frame(src, dst, sport, dport, seq, ack, flags, length):
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                          5 << 4, flags, 65535, 0, 0)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 20 + length, 0, 0x4000, 64, 6, 0,
                         bytes(src), bytes(dst))
        eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
        return eth + ip + tcp, 14 + 20 + 20 + length
    a, b = (10, 0, 0, 1), (10, 0, 0, 2)
    seg = 65495
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t = [0]
        def put(data, orig):
            t[0] += 10
            f.write(struct.pack("<IIII", 1_700_000_000 + t[0] // 1_000_000, t[0] % 1_000_000,
                                len(data), orig))
            f.write(data)
        isn_a, isn_b = (1 << 32) - MB, 5000
        put(*frame(a, b, 40000, 80, isn_a, 0, 0x02, 0))
        put(*frame(b, a, 80, 40000, isn_b, isn_a + 1, 0x12, 0))
        seq = isn_a + 1
        for _ in range(n):
            put(*frame(a, b, 40000, 80, seq, isn_b + 1, 0x10, seg))
            seq += seg
            put(*frame(b, a, 80, 40000, isn_b + 1, seq, 0x10, 0))


# name: (writer, base size, unit, what grows: "flat", "state" or "string"; see the header)
CASES = {
    "chrome-depth": (chrome_depth, 100_000, "depth", "state"),
    "json-depth": (json_depth, 100_000, "depth", "flat"),
    "jsonl-depth": (jsonl_depth, 100_000, "depth", "flat"),
    "string-length": (string_length, 4, "MB string", "string"),
    "string-count": (string_count, 8, "1 MB events", "flat"),
    "chrome-threads": (chrome_threads, 100_000, "threads", "state"),
    "jsonl-threads": (jsonl_threads, 100_000, "threads", "state"),
    "chrome-ts-chaos": (chrome_ts_chaos, 100_000, "events", "flat"),
    "jsonl-ts-chaos": (jsonl_ts_chaos, 100_000, "events", "flat"),
    "tcp-seq-wrap": (tcp_seq_wrap, 50_000, "segments", "flat"),
}


def timed_ingest(lurk, path, profile):
    """(wall s, CPU s, peak RSS MB, exit code, last stderr line) of lurk ingest PATH -o PROFILE."""
    if os.path.exists(profile):
        os.remove(profile)
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        start = time.perf_counter()
        res = subprocess.run(["/usr/bin/time", "-v", "-o", t.name, lurk, "ingest", path, "-o", profile],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             errors="replace")
        wall = time.perf_counter() - start
        report = t.read()
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
    cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", report))
    said = [l for l in res.stderr.splitlines() if l.strip()]
    return wall, cpu, int(rss.group(1)) / 1024 if rss else float("nan"), res.returncode, \
        (said[-1][:160] if said else "")


def profile_rows(lurk, profile):
    """Rows the ingest made: threads, spans, instants, packets, ingest_errors."""
    if not os.path.exists(profile):
        return "no profile"
    q = ("SELECT (SELECT count(*) FROM threads), (SELECT count(*) FROM spans), "
         "(SELECT count(*) FROM instants) + (SELECT count(*) FROM counters), "
         "(SELECT count(*) FROM packets), (SELECT count(*) FROM ingest_errors)")
    res = subprocess.run([lurk, "query", profile, q], capture_output=True, text=True)
    if res.returncode != 0:
        return "unreadable: " + res.stderr.strip()[:80]
    t, s, i, p, e = res.stdout.split()
    return f"{t} threads, {s} spans, {i} instants/counters, {p} packets, {e} errors"


def bench_case(lurk, name, scale, work):
    writer, base, unit, grows = CASES[name]
    results = []
    for k in SIZES:
        n = max(1, int(base * k * scale))
        path = os.path.join(work, f"{name}-{n}")
        writer(path, n)
        size_mb = os.path.getsize(path) / MB
        profile = os.path.join(work, "bench.lurk")
        wall, cpu, rss, code, said = timed_ingest(lurk, path, profile)
        rows = profile_rows(lurk, profile)
        os.remove(path)
        print(f"  {name} {n} {unit}: {size_mb:.1f} MB, {wall:.2f} s, CPU {cpu:.2f} s, {rss:.0f} MB, "
              f"exit {code}: {said}", file=sys.stderr)
        results.append((n, size_mb, wall, cpu, rss, code, rows, said))
    return unit, grows, results


def verdict(name, grows, results):
    """Whether time grew linearly and memory stayed bounded, in words."""
    (n1, _, _, w1, r1, *_), (n9, _, _, w9, r9, *_) = results[0], results[-1]
    growth = n9 / n1
    time_ok = w9 <= max(w1, 0.15) * growth * 1.6
    if grows == "string":  # the largest event (a name and an args string of n MB) grows
        event_mb = 2.0 * n9
        mem_ok = r9 <= 10 * event_mb + 64
        mem_text = f"peak RSS {r9:.0f} MB for a {event_mb:.0f} MB event (bound 10x + 64 MB)"
    elif grows == "state":
        mem_ok = r9 <= max(r1, 1) * growth * 1.6
        per_item = (r9 - r1) * MB / max(n9 - n1, 1)
        mem_text = (f"peak RSS {r1:.0f} -> {r9:.0f} MB for {growth:.0f}x the held items "
                    f"({per_item:.0f} B each; bound: linear)")
    else:
        mem_ok = r9 <= 1.5 * r1 + 64
        mem_text = f"peak RSS {r1:.0f} -> {r9:.0f} MB for {growth:.0f}x the input (bound 1.5x + 64 MB)"
    codes_ok = all(code in (0, 3, 4) for *_, code, _, _ in results)
    text = (f"CPU time {w1:.2f} -> {w9:.2f} s for {growth:.0f}x ({w9 / max(w1, 1e-9):.1f}x): "
            f"{'linear' if time_ok else 'NOT LINEAR'}; {mem_text}: "
            f"{'bounded' if mem_ok else 'NOT BOUNDED'}"
            f"{'' if codes_ok else '; a run crashed or failed'}")
    return time_ok and mem_ok and codes_ok, text


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lurk", required=True)
    p.add_argument("--scale", type=float, default=1.0, help="multiplies every base size")
    p.add_argument("--only", help="comma-separated case names")
    p.add_argument("--append")
    args = p.parse_args()
    names = args.only.split(",") if args.only else list(CASES)
    src = os.path.dirname(os.path.abspath(__file__))
    commit = subprocess.run(["git", "-C", src, "log", "-1", "--format=%h %s"],
                            capture_output=True, text=True).stdout.strip()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")),
               "unknown CPU")
    lines = [f"\n## Hostile input, {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}", "",
             f"- machine: {platform.node()}, {cpu}, {os.cpu_count()} cores, load average at start "
             f"{os.getloadavg()[0]:.1f}; source tree at `{commit}`; scale {args.scale}",
             "- one run per size (1x, 3x, 9x); `bench/hostile_input_bench.py`, cases in its header", "",
             "| case | size | file MB | wall s | CPU s | peak RSS MB | exit | profile holds |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    verdicts = []
    failed = 0
    with tempfile.TemporaryDirectory(prefix="lurk-hostile-") as work:
        for name in names:
            print(f"case {name}", file=sys.stderr)
            unit, grows, results = bench_case(args.lurk, name, args.scale, work)
            for n, size_mb, wall, cpu, rss, code, rows, _ in results:
                lines.append(f"| {name} | {n:,} {unit} | {size_mb:.1f} | {wall:.2f} | {cpu:.2f} | {rss:.0f} "
                             f"| {code} | {rows} |")
            ok, text = verdict(name, grows, results)
            failed += not ok
            verdicts.append(f"- {name}: {text}")
    text = "\n".join(lines + [""] + verdicts) + "\n"
    print(text)
    if args.append:
        with open(args.append, "a") as f:
            f.write(text)
    print(f"{len(names) - failed} cases linear and bounded, {failed} not", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
