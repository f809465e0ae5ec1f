#!/usr/bin/env python3
"""Exactly once across a collector's restart (docs/live.md): three `lurk
send --stream ID --retry` senders stream large JSON lines files while the
collector is SIGKILLed at several points and restarted on the same profile
and port; each time the file passes `PRAGMA integrity_check`, and the
senders reconnect, are told how much of their stream the profile holds
(live_streams, written in each batch's transaction) and resume from there.
At the end every line is stored exactly once: per sender, the instants
equal the lines sent and are all distinct. Then a reconnecting stream that
is still connected is refused, and a finished stream resumed again sends
nothing twice. Usage: live_exactly_once.py LURK_BIN SOURCE_DIR"""
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

lurk, src = sys.argv[1:3]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, finish  # noqa: E402
from live_collector import free_port, log_lines, start_collector_at  # noqa: E402

tmp = tempfile.mkdtemp(prefix="lurk-live-once-")
# In the sanitizer tree (LURK_SANITIZED=1, tests/CMakeLists.txt) every line
# costs the collector several times more: a third of the lines keeps the run
# short while every kill still lands mid-stream (checked below).
LINES = 100_000 if os.environ.get("LURK_SANITIZED") == "1" else 300_000
SENDERS = 3
KILLS = [0.4, 0.7, 0.3, 1.0]




def start_collector(profile, port):
    return start_collector_at(lurk, profile, port, "--batch-ms", "30", "--batch-events", "20000",
                              "--no-analysis")


def integrity(profile):
    db = sqlite3.connect(profile)  # read-write: recovers a killed collector's WAL
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def stored(profile, name):
    db = sqlite3.connect(profile)
    try:
        return db.execute(
            "SELECT count(*), count(DISTINCT i.name) FROM instants i "
            "JOIN sources s ON s.id = i.source_id WHERE s.path = ? AND i.kind = 'log'",
            (name,)).fetchone()
    finally:
        db.close()


profile = os.path.join(tmp, "once.lurk")
port = free_port()
inputs = []
for n in range(SENDERS):
    path = os.path.join(tmp, "s%d.jsonl" % n)
    with open(path, "w") as f:
        f.write(log_lines(LINES, tag="s%d" % n))
    inputs.append(path)

collector = start_collector(profile, port)
senders = [subprocess.Popen([lurk, "send", path, "--to", "127.0.0.1:%d" % port, "--name", "s%d" % n,
                             "--stream", "test/s%d" % n, "--retry", "60"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
           for n, path in enumerate(inputs)]
killed_mid_stream = 0
for k, after in enumerate(KILLS):
    time.sleep(after)
    if all(s.poll() is not None for s in senders):
        break
    collector.send_signal(signal.SIGKILL)
    collector.wait()
    killed_mid_stream += 1
    check(integrity(profile) == "ok", "after kill %d the profile passes integrity_check" % k)
    collector = start_collector(profile, port)
check(killed_mid_stream >= 2, "the collector was killed mid-stream %d times" % killed_mid_stream)
results = [s.communicate(timeout=240) for s in senders]
for n, (s, (_, err)) in enumerate(zip(senders, results)):
    check(s.returncode == 0, "sender %d: every byte committed in the end: %s" % (n, err[-400:]))
check(any("resumed:" in err for _, err in results),
      "a sender resumed from the collector's committed offset")
collector.send_signal(signal.SIGINT)
collector.communicate(timeout=120)
check(collector.returncode == 0, "the last collector stops cleanly")
check(integrity(profile) == "ok", "the final profile passes integrity_check")
for n in range(SENDERS):
    count, distinct = stored(profile, "s%d" % n)
    check(count == LINES and distinct == LINES,
          "sender %d: stored %d lines (%d distinct) for %d sent" % (n, count, distinct, LINES))
db = sqlite3.connect(profile)
parts = db.execute("SELECT stream_id, count(*), max(committed_bytes) FROM live_streams "
                   "GROUP BY 1 ORDER BY 1").fetchall()
db.close()
check(len(parts) == SENDERS and all(p[1] >= 2 for p in parts),
      "live_streams: every stream stored in several parts: %s" % parts)
sizes = {"test/s%d" % n: os.path.getsize(p) for n, p in enumerate(inputs)}
check(all(p[2] > sizes[p[0]] for p in parts), "each stream's committed offset is past its input "
      "(hello included): %s vs %s" % (parts, sizes))

# A finished stream sent again: the collector says it holds all of it.
collector = start_collector(profile, port)
again = subprocess.run([lurk, "send", inputs[0], "--to", "127.0.0.1:%d" % port, "--name", "s0",
                        "--stream", "test/s0"], capture_output=True, text=True, timeout=120)
check(again.returncode == 0 and "resumed:" in again.stderr,
      "a finished stream sent again resumes at its end: %s" % again.stderr[-300:])
# Two connections of one stream at once: the second is refused.
first = socket.create_connection(("127.0.0.1", port))
first.sendall(b'{"lurk":"hello","version":1,"name":"x","stream":"dup"}\n')
time.sleep(0.3)
second = socket.create_connection(("127.0.0.1", port))
second.sendall(b'{"lurk":"hello","version":1,"name":"x","stream":"dup"}\n')
second.settimeout(10)
answer = b""
while b"refused" not in answer:
    chunk = second.recv(4096)
    if not chunk:
        break
    answer += chunk
check(b"stream already connected" in answer, "a second connection of one stream is refused: %r" % answer)
first.close()
second.close()
collector.send_signal(signal.SIGINT)
collector.communicate(timeout=120)
count, distinct = stored(profile, "s0")
check(count == LINES, "the finished stream sent again stored nothing twice: %d" % count)

# Shared anonymised, the stream ids (they may name a host) are replaced, one N per id.
shared = os.path.join(tmp, "shared.lurk")
r = subprocess.run([lurk, "export", profile, "-o", shared, "--anonymize"], capture_output=True, text=True)
check(r.returncode == 0, "lurk export --anonymize: %s" % r.stderr[-300:])
with open(shared, "rb") as f:
    raw = f.read()


def stream_parts(path):
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT stream_id, count(*) FROM live_streams GROUP BY 1 ORDER BY 1").fetchall()
    finally:
        db.close()


ids, original = stream_parts(shared), stream_parts(profile)
check(b"test/s0" not in raw and all(i.startswith("stream#") for i, _ in ids) and
      sorted(n for _, n in ids) == sorted(n for _, n in original),
      "anonymised: stream ids replaced, the same id the same N: %s (was %s)" % (ids, original))
finish()
