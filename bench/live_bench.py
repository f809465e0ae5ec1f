#!/usr/bin/env python3
"""Live collection benchmark (docs/live.md): `lurk collect` on loopback fed by
1, 4 and 16 `lurk send` processes at once, each streaming the same mix of
events as the JSONL ingest benchmark (span_begin, tcp, log, span_end);
sustained events/s from the first connect to the last final ack (everything
committed), the collector's peak RSS; and the latency from sending one event
to seeing it in a query (a separate SQLite reader), idle and under load, and
in the browser (`lurk view --follow`, bench/browser/follow_latency.mjs).
Appends a section to bench/RESULTS.md (machine, date, commit).
Usage: bench/live_bench.py [BUILD_DIR] [--events-per-sender N] [--latency-only] [--no-append]
       bench/live_bench.py [BUILD_DIR] --against OTHER_LURK [--pairs 5] [--senders 1,4,16]
(--against: the rates only, this build's lurk and another binary interleaved
pair by pair, new first then base alternating order, medians printed as a
Markdown table; nothing appended.)"""
import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(root, "tests", "lib"))
from live_collector import Collector, Sender  # noqa: E402


def make_jsonl(path, events, tag):
    with open(path, "w") as f:
        f.write('{"lurk":"jsonl","version":1}\n')
        # Unix time in nanoseconds, as a live stack writes it (the C header's
        # "clock":"unix-ns"): 19 digits per timestamp, not a small counter.
        ts, seq = 1_700_000_000_000_000_000, 1
        for t in range(8):
            f.write('{"t":"thread_start","ts":%d,"thread":%d,"name":"w%d"}\n' % (ts, t, t))
        for i in range(events // 4):
            t = i % 8
            ts += 1000
            f.write('{"t":"span_begin","ts":%d,"thread":%d,"name":"send"}\n' % (ts, t))
            f.write('{"t":"tcp","ts":%d,"laddr":"10.0.0.1","lport":%d,"raddr":"10.0.0.2","rport":80,'
                    '"dir":"tx","seq":%d,"ack":1,"len":100,"flags":["ACK"],"window":500}\n'
                    % (ts + 1, 40000 + t + 8 * tag, seq))
            seq = (seq + 100) % 2**32
            f.write('{"t":"log","ts":%d,"thread":%d,"level":"info","text":"sent %d"}\n' % (ts + 2, t, i % 100))
            f.write('{"t":"span_end","ts":%d,"thread":%d}\n' % (ts + 3, t))
    return 8 + (events // 4) * 4


# How the collector runs: `--no-analysis` by default (the rate of collection
# itself); --analysis runs the per-batch analysis (connections, joins,
# findings) as `lurk collect` does by default.
COLLECT_MODE = ["--no-analysis"]


def run_senders(lurk, work, senders, events_each, files):
    """One run: (events, seconds, collector peak RSS MB, collector CPU s, where), `where` saying
    where the machine's CPU went meanwhile: the collector's reading (main) thread and its other
    threads (the SQLite writer), the senders (user + system, kernel loopback work they did), and
    the cores' idle time (core-seconds)."""
    profile = os.path.join(work, "live-%d.lurk" % senders)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(profile + suffix):
            os.remove(profile + suffix)
    c = Collector(lurk, profile, *COLLECT_MODE)
    peak = [0.0]
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            peak[0] = max(peak[0], c.peak_rss_mb() or 0)
            time.sleep(0.05)
    watcher = threading.Thread(target=watch)
    watcher.start()
    idle_before = idle_core_seconds()
    threads_before = thread_cpu_seconds(c.proc.pid)
    start = time.time()
    procs = [subprocess.Popen([lurk, "send", files[i % len(files)][0], "--to", c.address, "--name", "s%d" % i],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for i in range(senders)]
    codes, senders_cpu = [], 0.0
    for p in procs:
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        codes.append(p.returncode)
        senders_cpu += usage.ru_utime + usage.ru_stime
    took = time.time() - start
    idle = idle_core_seconds() - idle_before
    peak[0] = max(peak[0], c.peak_rss_mb() or 0)
    cpu = cpu_seconds(c.proc.pid)  # parse + analysis + SQLite, both threads
    threads = thread_cpu_seconds(c.proc.pid)
    spent = {tid: threads[tid] - threads_before.get(tid, 0.0) for tid in threads}
    reader = sum(v for (tid, _), v in spent.items() if tid == c.proc.pid)
    checkpoints = sum(v for (_, name), v in spent.items() if name == "lurk-checkpoint")
    writer = sum(spent.values()) - reader - checkpoints  # the SQLite writer's thread
    where = {"reader": reader, "writer": writer, "checkpoints": checkpoints, "senders": senders_cpu,
             "idle": idle}
    stop.set()
    watcher.join()
    c.stop()
    events = sum(files[i % len(files)][1] for i in range(senders))
    db = sqlite3.connect(profile)
    stored = db.execute("SELECT sum(records) FROM sources").fetchone()[0]
    if codes != [0] * senders or stored != events:
        said = [p.stderr.read().decode() for p, code in zip(procs, codes) if code != 0]
        raise SystemExit("bench: senders exited %s, stored %s of %d events; %s" % (codes, stored, events, said))
    return events, took, peak[0], cpu, where


def cpu_seconds(pid):
    """User + system CPU time of a process so far (all its threads)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_cpu_seconds(pid):
    """User + system CPU time of each thread of a process so far, by (thread id, name)."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                text = f.read()
        except OSError:
            continue  # the thread ended meanwhile
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        out[(int(tid), name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def idle_core_seconds():
    """Idle (and I/O wait) time of all the machine's cores so far, core-seconds."""
    with open("/proc/stat") as f:
        fields = f.readline().split()[1:]
    return (int(fields[3]) + int(fields[4])) / os.sysconf("SC_CLK_TCK")


def where_text(where):
    return ("reader %.2f s, writer %.2f s, checkpoints %.2f s, senders %.2f s, idle %.2f core-s"
            % (where["reader"], where["writer"], where["checkpoints"], where["senders"], where["idle"]))


def latency(lurk, work, load_files, samples=20):
    """ms from sending one log line to a reader seeing it; idle, then with 4 senders streaming."""
    profile = os.path.join(work, "latency.lurk")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(profile + suffix):
            os.remove(profile + suffix)
    c = Collector(lurk, profile, *COLLECT_MODE)
    probe = Sender(c.port, name="probe")
    probe.send('{"lurk":"jsonl","version":1}\n')
    time.sleep(0.5)
    reader = sqlite3.connect("file:%s?mode=ro" % profile, uri=True)

    def measure(n, tag):
        out = []
        for i in range(n):
            text = "probe %s %d" % (tag, i)
            sent = time.time()
            probe.send('{"t":"log","ts":%d,"text":"%s"}\n' % (1700000000000000000 + i, text))
            while not reader.execute("SELECT 1 FROM strings WHERE text = ?", (text,)).fetchone():
                time.sleep(0.002)
            out.append((time.time() - sent) * 1000)
            time.sleep(0.05)
        return out
    idle = measure(samples, "idle")
    load = [subprocess.Popen([lurk, "send", load_files[i % len(load_files)][0], "--to", c.address,
                              "--name", "load%d" % i], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for i in range(4)]
    time.sleep(0.3)
    loaded = measure(samples, "load")
    for p in load:
        p.wait()
    probe.finish()
    c.stop()
    return idle, loaded


def ui_latency(build, samples=20):
    """ms from sending one event to the page's snapshot counting it: (idle, loaded, load rate)."""
    out = subprocess.run(["node", os.path.join(root, "bench", "browser", "follow_latency.mjs"),
                          "--build", build, "--samples", str(samples)],
                         cwd=root, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise SystemExit("bench: follow_latency.mjs failed: " + out.stderr[-2000:])
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result["idle"], result["load"], result["loadEventsPerSecond"]


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default=os.path.join(root, "build"))
    ap.add_argument("--events-per-sender", type=int, default=1_000_000)
    ap.add_argument("--no-append", action="store_true")
    ap.add_argument("--latency-only", action="store_true",
                    help="only the send-to-visible latencies (query and browser)")
    ap.add_argument("--against", help="another lurk binary: interleaved pairs, rates only")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--senders", default="1,4,16")
    ap.add_argument("--analysis", action="store_true",
                    help="collect with the per-batch analysis (lurk collect's default), not --no-analysis")
    args = ap.parse_args()
    if args.analysis:
        COLLECT_MODE.clear()
    lurk = os.path.join(args.build, "bin", "lurk")
    if args.latency_only:
        return latency_only(lurk, args)
    if args.against:
        return compare_pairs(lurk, args)
    work = tempfile.mkdtemp(prefix="lurk-live-bench-")
    files = []
    for tag in range(4):
        path = os.path.join(work, "trace-%d.jsonl" % tag)
        files.append((path, make_jsonl(path, args.events_per_sender, tag)))
    rows = []
    for senders in (1, 4, 16):
        per_sender = files if senders > 1 else files[:1]
        events, took, peak, cpu, where = run_senders(lurk, work, senders, args.events_per_sender, per_sender)
        rows.append((senders, events, took, events / took, peak, cpu))
        print("%2d senders: %d events in %.2f s = %.0f events/s, collector peak RSS %.0f MB, "
              "collector CPU %.2f s (%.0f events per CPU-second); %s"
              % (senders, events, took, events / took, peak, cpu, events / max(cpu, 0.01),
                 where_text(where)), flush=True)
    lat = query_latency_text(lurk, work)
    print(lat)
    ui_idle, ui_loaded, ui_rate = ui_latency(args.build)
    ui = ui_text(ui_idle, ui_loaded, ui_rate)
    print(ui)
    shutil.rmtree(work, ignore_errors=True)
    if args.no_append:
        return
    commit = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    load = open("/proc/loadavg").read().split()[0]
    with open(os.path.join(root, "bench", "RESULTS.md"), "a") as f:
        f.write("\n## Live collection (bench/live_bench.py)\n\n")
        f.write("- %s UTC, commit %s, %s, %d cores, load %s at start; `lurk collect %s`, "
                "default batches (250 ms / 100,000 events); each sender a `lurk send` of a file of "
                "the JSONL ingest mix (span_begin, tcp, log, span_end), %d events\n\n"
                % (time.strftime("%Y-%m-%d %H:%M", time.gmtime()), commit, cpu_model, os.cpu_count(), load,
                   " ".join(COLLECT_MODE) or "(analysis on)", args.events_per_sender))
        f.write("| senders | events | s (first connect to last final ack) | events/s | collector CPU s "
                "| events per collector CPU-second | collector peak RSS MB |\n")
        f.write("|---|---|---|---|---|---|---|\n")
        for senders, events, took, rate, peak, cpu in rows:
            f.write("| %d | %d | %.2f | %.0f | %.2f | %.0f | %.0f |\n"
                    % (senders, events, took, rate, cpu, events / max(cpu, 0.01), peak))
        f.write("\n- %s (a reader polling a separate SQLite connection; 20 samples each)\n" % lat)
        f.write("- %s\n" % ui)


def query_latency_text(lurk, work):
    """Send-to-visible in a query, idle and under 4 senders of 400,000-event files made in work."""
    small = []
    for tag in range(4):
        path = os.path.join(work, "load-%d.jsonl" % tag)
        small.append((path, make_jsonl(path, 400_000, tag)))
    idle, loaded = latency(lurk, work, small)
    return ("send-to-query latency ms: idle p50 %.0f p95 %.0f max %.0f; under 4 senders p50 %.0f "
            "p95 %.0f max %.0f" % (percentile(idle, 50), percentile(idle, 95), max(idle),
                                   percentile(loaded, 50), percentile(loaded, 95), max(loaded)))


def ui_text(idle, loaded, rate):
    return ("send-to-visible in the browser (`lurk view --follow`, the page's snapshot counting the "
            "event) ms: idle p50 %.0f p95 %.0f max %.0f; while a second sender streams %d events/s "
            "p50 %.0f p95 %.0f max %.0f (%d samples each)" % (
                percentile(idle, 50), percentile(idle, 95), max(idle), rate,
                percentile(loaded, 50), percentile(loaded, 95), max(loaded), len(idle)))


def compare_pairs(lurk, args):
    """This build against another binary: per sender count, `pairs` runs of each, interleaved
    (the order alternating per pair, so a drift in the machine's load hits both alike)."""
    work = tempfile.mkdtemp(prefix="lurk-live-pairs-")
    files = []
    for tag in range(4):
        path = os.path.join(work, "trace-%d.jsonl" % tag)
        files.append((path, make_jsonl(path, args.events_per_sender, tag)))
    print("load average at start: %s" % " ".join(open("/proc/loadavg").read().split()[:3]), flush=True)
    table, wheres = [], []
    for senders in [int(n) for n in args.senders.split(",")]:
        per_sender = files if senders > 1 else files[:1]
        runs = {"new": [], "base": []}
        for pair in range(args.pairs):
            order = [("new", lurk), ("base", args.against)]
            if pair % 2:
                order.reverse()
            for name, binary in order:
                events, took, peak, cpu, where = run_senders(binary, work, senders, args.events_per_sender,
                                                             per_sender)
                runs[name].append((events / took, cpu, peak, where))
                print("%2d senders, pair %d, %-4s: %.0f events/s, collector CPU %.2f s, peak RSS %.0f MB, "
                      "%s, load %s" % (senders, pair + 1, name, events / took, cpu, peak, where_text(where),
                                       open("/proc/loadavg").read().split()[0]), flush=True)
        row = [senders]
        for name in ("base", "new"):
            rates = [r[0] for r in runs[name]]
            row += [statistics.median(rates), min(rates), max(rates),
                    statistics.median(r[1] for r in runs[name]), max(r[2] for r in runs[name])]
        table.append(row)
        wheres.append((senders, runs))
    print("load average at end: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
    print("\n| senders | base events/s median (min-max) | new events/s median (min-max) | base / new "
          "collector CPU s (median) | base / new peak RSS MB (max) |\n|---|---:|---:|---:|---:|")
    for senders, bm, bl, bh, bc, bp, nm, nl, nh, nc, np in table:
        print("| %d | %.0f (%.0f-%.0f) | **%.0f** (%.0f-%.0f) | %.2f / %.2f | %.0f / %.0f |"
              % (senders, bm, bl, bh, nm, nl, nh, bc, nc, bp, np))
    print("\n| senders | binary | reader s | writer s | checkpoints s | senders s | idle core-s |\n"
          "|---|---|---:|---:|---:|---:|---:|")
    for senders, runs in wheres:
        for name in ("base", "new"):
            print("| %d | %s | %s |" % (senders, name, " | ".join(
                "%.2f" % statistics.median(r[3][k] for r in runs[name])
                for k in ("reader", "writer", "checkpoints", "senders", "idle"))))
    shutil.rmtree(work, ignore_errors=True)


def latency_only(lurk, args):
    """Send-to-visible, in a query and in the browser, without the throughput runs."""
    work = tempfile.mkdtemp(prefix="lurk-live-bench-")
    lat = query_latency_text(lurk, work)
    print(lat, flush=True)
    ui = ui_text(*ui_latency(args.build))
    print(ui, flush=True)
    shutil.rmtree(work, ignore_errors=True)
    if args.no_append:
        return
    commit = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    load = open("/proc/loadavg").read().split()[:3]
    with open(os.path.join(root, "bench", "RESULTS.md"), "a") as f:
        f.write("\n## Live: send to visible, in a query and in the browser (bench/live_bench.py --latency-only)\n\n")
        f.write("- %s UTC, commit %s, %d cores, load average %s at start; `lurk collect --no-analysis`, "
                "default batches (250 ms); the page polls every 100 ms\n"
                % (time.strftime("%Y-%m-%d %H:%M", time.gmtime()), commit, os.cpu_count(), " ".join(load)))
        f.write("- %s (20 samples each)\n- %s\n" % (lat, ui))


if __name__ == "__main__":
    main()
