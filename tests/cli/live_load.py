#!/usr/bin/env python3
"""lurk collect under load, bounded and on loopback (docs/live.md):
16 `lurk send` at once: every one exits 0 and stored count equals sent count;
a flood from 8 senders: the collector's peak memory stays under the bound
docs/live.md states (backpressure, not a queue); SIGKILL of the collector
mid-stream: the file opens, passes integrity_check, and holds every batch a
sender was acked before the kill; lurk send resumes from where it was acked
into a new collector, and every line is stored exactly once.
Usage: live_load.py LURK_BIN SOURCE_DIR"""
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

lurk, src = sys.argv[1:3]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, finish  # noqa: E402
from live_collector import HEADER, T0, Collector, Sender, log_lines  # noqa: E402

# The bound docs/live.md states for a flood (MB of peak RSS).
FLOOD_RSS_BOUND_MB = 48
# The -wal file's bound while collecting (docs/live.md, "Rate"): the writer
# starts it over past ~32 MiB (collector/live/wal_checkpointer.cpp), plus the
# batch that took it past that and the one written while the restart waits
# (a 100,000-event batch is ~16 MB of pages: 64.4 MB was seen in a clean CI
# run). Three times the restart threshold: far under what the flood writes
# (~200 MB), which an unbounded WAL would reach.
WAL_BOUND_MB = 96
tmp = tempfile.mkdtemp(prefix="lurk-live-load-")


def test_sixteen_senders():
    profile = os.path.join(tmp, "sixteen.lurk")
    c = Collector(lurk, profile)
    counts = {}
    procs = []
    for i in range(16):
        n = 20000 + 1000 * i  # each its own count, so a mix-up shows
        path = os.path.join(tmp, "s%d.jsonl" % i)
        with open(path, "w") as f:
            f.write(log_lines(n, "s%d" % i))
        counts["s%d" % i] = n
        procs.append(subprocess.Popen([lurk, "send", path, "--to", c.address, "--name", "s%d" % i],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    codes = [p.wait(timeout=300) for p in procs]
    check(codes == [0] * 16, "16 lurk send exit 0 (everything acknowledged): %s" % codes)
    rc, out, err = c.stop()
    check(rc == 0, "collect exit 0: %s" % err)
    db = sqlite3.connect(profile)
    stored = dict(db.execute(
        "SELECT s.path, count(*) FROM instants i JOIN sources s ON s.id = i.source_id "
        "WHERE i.kind = 'log' GROUP BY s.path"))
    records = dict(db.execute("SELECT path, records FROM sources"))
    check(stored == counts, "stored log rows equal sent, per sender (%d senders stored)" % len(stored))
    check(records == counts, "sources.records equal sent, per sender")


def flood(port, name, payload, until, result):
    s = Sender(port, name=name)
    s.send(HEADER)
    while time.time() < until:
        s.send(payload)
        s.read_acks(0)
    result.append(s.finish())


def test_flood_memory():
    profile = os.path.join(tmp, "flood.lurk")
    c = Collector(lurk, profile)
    # 1000 distinct texts: the bound is for a trace whose strings repeat
    # (every distinct string is interned once, docs/live.md).
    payload = "".join('{"t":"log","ts":%d,"level":"info","text":"flood %d"}\n' % (T0 + i, i % 1000)
                      for i in range(50000)).encode()
    until = time.time() + 6
    results, threads = [], []
    for i in range(8):
        t = threading.Thread(target=flood, args=(c.port, "f%d" % i, payload, until, results))
        t.start()
        threads.append(t)
    peak, wal_peak = 0.0, 0.0
    while any(t.is_alive() for t in threads):
        peak = max(peak, c.peak_rss_mb() or 0)
        wal_peak = max(wal_peak, wal_mb(profile))
        time.sleep(0.2)
    peak = max(peak, c.peak_rss_mb() or 0)
    total = sum(r["events"] for r in results if r)
    rc, out, err = c.stop()
    check(len(results) == 8 and all(r and r.get("final") for r in results), "8 flooders fully acked")
    check(total > 200000, "the flood was a flood: %d events in 6 s" % total)
    check(peak < FLOOD_RSS_BOUND_MB, "peak RSS %.1f MB under the %d MB bound" % (peak, FLOOD_RSS_BOUND_MB))
    print("flood: %d events from 8 senders, collector peak RSS %.1f MB" % (total, peak))
    db = sqlite3.connect(profile)
    stored = db.execute("SELECT count(*) FROM instants WHERE kind = 'log'").fetchone()[0]
    check(stored == total, "flood: stored %d = acked %d" % (stored, total))
    # The WAL is checkpointed beside the writer and started over: it stays
    # bounded however much is written (tellable when more than the bound was).
    written = os.path.getsize(profile) / 2**20
    if written > WAL_BOUND_MB:
        check(wal_peak < WAL_BOUND_MB, "the -wal file peaked at %.1f MB (under %d MB) while %.0f MB were "
              "written" % (wal_peak, WAL_BOUND_MB, written))
        print("flood: the -wal file peaked at %.1f MB while %.0f MB were written" % (wal_peak, written))
    else:
        print("flood: %.0f MB written, too little to tell the WAL's bound (%d MB)" % (written, WAL_BOUND_MB))


def wal_mb(profile):
    try:
        return os.path.getsize(profile + "-wal") / 2**20
    except OSError:
        return 0.0


def stream_until_killed(port, name, acked):
    s = Sender(port, name=name)
    s.send(HEADER)
    i = 0
    try:
        while True:
            s.send(log_lines(2000, name, start=1 + i))
            i += 2000
            s.read_acks(0)
            if s.acks:
                acked[name] = s.acks[-1]["events"]
    except OSError:
        pass  # the collector is gone
    while True:  # acks already in our socket buffer
        try:
            if not s.read_acks(0.05):
                break
        except (OSError, ValueError):
            break
        if s.acks:
            acked[name] = s.acks[-1]["events"]
    return


def test_sigkill_keeps_committed():
    profile = os.path.join(tmp, "killed.lurk")
    c = Collector(lurk, profile, "--batch-ms", "100")
    acked, threads = {}, []
    for i in range(4):
        t = threading.Thread(target=stream_until_killed, args=(c.port, "k%d" % i, acked))
        t.start()
        threads.append(t)
    time.sleep(2.5)
    c.proc.send_signal(signal.SIGKILL)
    c.proc.wait()
    for t in threads:
        t.join(timeout=30)
    check(len(acked) == 4 and all(v > 0 for v in acked.values()), "each sender was acked before the kill: %s" % acked)
    q = subprocess.run([lurk, "query", profile, "SELECT count(*) FROM sources"], capture_output=True, text=True)
    check(q.returncode == 0 and q.stdout.strip() == "4", "lurk query reads the killed profile: %r %r" % (q.stdout, q.stderr))
    db = sqlite3.connect(profile)
    check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "killed profile passes integrity_check")
    stored = dict(db.execute(
        "SELECT s.path, count(*) FROM instants i JOIN sources s ON s.id = i.source_id "
        "WHERE i.kind = 'log' GROUP BY s.path"))
    records = dict(db.execute("SELECT path, records FROM sources"))
    for name, events in sorted(acked.items()):
        check(stored.get(name, 0) >= events, "%s: %d acked events all stored (%d)" % (name, events, stored.get(name, 0)))
        check(stored.get(name) == records.get(name), "%s: sources.records matches the rows of its committed batches" % name)


def feed_slowly(proc, content, chunk_lines=5000, pause=0.05):
    """Writes `content` to proc's stdin a chunk at a time; stops when the pipe breaks."""
    lines = content.splitlines(keepends=True)
    try:
        for i in range(0, len(lines), chunk_lines):
            proc.stdin.write("".join(lines[i:i + chunk_lines]).encode())
            proc.stdin.flush()
            time.sleep(pause)
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass


def test_resume_after_kill():
    """lurk send to a collector killed mid-stream says where to resume; resumed into a new
    collector on the same profile, every line is stored exactly once."""
    profile = os.path.join(tmp, "resume.lurk")
    content = log_lines(200000, "r")
    a = Collector(lurk, profile, "--batch-ms", "100")
    first = subprocess.Popen([lurk, "send", "-", "--to", a.address, "--name", "r"],
                             stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    feeder = threading.Thread(target=feed_slowly, args=(first, content))
    feeder.start()
    time.sleep(1.0)
    a.proc.send_signal(signal.SIGKILL)
    a.proc.wait()
    feeder.join()
    err = first.stderr.read().decode()
    first.wait(timeout=60)
    m = re.search(r"--resume-after (\d+)", err)
    check(first.returncode == 1 and m, "lurk send to a killed collector: exit 1 and a resume point: %r" % err)
    if not m:
        return
    b = Collector(lurk, profile)
    second = subprocess.run([lurk, "send", "-", "--to", b.address, "--name", "r", "--resume-after", m.group(1)],
                            input=content.encode(), capture_output=True, timeout=120)
    check(second.returncode == 0, "the resumed send is fully committed: %r" % second.stderr.decode())
    b.stop()
    db = sqlite3.connect(profile)
    total, distinct = db.execute(
        "SELECT count(*), count(DISTINCT i.name) FROM instants i JOIN sources s ON s.id = i.source_id "
        "WHERE s.path = 'r' AND i.kind = 'log'").fetchone()
    sources = db.execute("SELECT count(*) FROM sources WHERE path = 'r'").fetchone()[0]
    check(sources == 2, "the resumed stream is a second source named r (%d)" % sources)
    check(total == 200000 and distinct == 200000,
          "every line stored exactly once across the kill: %d rows, %d distinct of 200000" % (total, distinct))


for test in (test_sixteen_senders, test_flood_memory, test_sigkill_keeps_committed, test_resume_after_kill):
    try:
        test()
    except Exception as e:
        check(False, "%s raised %r" % (test.__name__, e))
import cli_checks  # noqa: E402
import shutil  # noqa: E402
if cli_checks.failed == 0:
    shutil.rmtree(tmp, ignore_errors=True)  # kept for a look when something failed
finish()
