#!/usr/bin/env python3
"""Exactly once when a resumed sender itself breaks off (docs/live.md,
"Exactly once across a collector's restart"): a stream resumed with its
header line sent again, whose connection ends inside that header line, has
added no byte of the stream past its resume point, so the next connection of
the stream is told the same resume point, and the stream ends up stored
whole with every line once. (The ledger once counted the torn header's bytes
as stream bytes: the next sender skipped that many bytes of real lines.)
Usage: live_resume_faults.py LURK_BIN SOURCE_DIR"""
import json
import os
import socket
import sqlite3
import sys
import tempfile
import time

lurk, src = sys.argv[1:3]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, finish  # noqa: E402
from live_collector import HEADER, Collector, log_lines, open_stream, read_line  # noqa: E402

tmp = tempfile.mkdtemp(prefix="lurk-live-resume-")
profile = os.path.join(tmp, "resume.lurk")
HELLO = b'{"lurk":"hello","version":1,"name":"r","stream":"faults/r"}\n'
FIRST, SECOND = 100, 50


def send_all_acked(sock, data):
    """Sends, closes our side, waits for the final ack; its bytes."""
    sock.sendall(data)
    sock.shutdown(socket.SHUT_WR)
    last = None
    while True:
        line = read_line(sock, 60)
        if not line:
            break
        msg = json.loads(line)
        if msg.get("lurk") == "ack":
            last = msg
            if msg.get("final"):
                break
    sock.close()
    return last


collector = Collector(lurk, profile, "--batch-ms", "30", "--no-analysis")
stream = (log_lines(FIRST, tag="r") + log_lines(SECOND, tag="r", start=FIRST)).encode()
first_part = log_lines(FIRST, tag="r").encode()

# 1. The stream's first part, whole lines, committed.
sock, resume = open_stream(collector.port, HELLO)
check(resume == 0, "a new stream starts at 0: %d" % resume)
ack = send_all_acked(sock, first_part)
committed = len(HELLO) + len(first_part)
check(ack is not None and ack.get("final"), "the first part is acked to its end: %s" % ack)

# 2. A resumed connection that breaks off inside the header line it resends.
sock, resume = open_stream(collector.port, HELLO)
check(resume == committed, "the stream resumes after its first part: %d (expected %d)" % (resume, committed))
sock.sendall(HEADER.encode()[:20])
time.sleep(0.2)  # one batch (30 ms) or more holds the torn header
sock.close()

# 3. The next connection: still the same resume point, and the rest of the
# stream from there stores every line once.
sock, resume = open_stream(collector.port, HELLO)
check(resume == committed,
      "a connection that ended inside the resent header moved the resume point: %d (expected %d)"
      % (resume, committed))
rest = stream[resume - len(HELLO):] if resume >= len(HELLO) else stream
send_all_acked(sock, HEADER.encode() + rest)
code, _, err = collector.stop()
check(code == 0, "the collector stops cleanly: %s" % err[-300:])

db = sqlite3.connect(profile)
count, distinct = db.execute(
    "SELECT count(*), count(DISTINCT i.name) FROM instants i JOIN sources s ON s.id = i.source_id "
    "WHERE s.path = 'r' AND i.kind = 'log'").fetchone()
db.close()
check(count == FIRST + SECOND and distinct == FIRST + SECOND,
      "every line of the stream stored once: %d rows, %d distinct, for %d lines"
      % (count, distinct, FIRST + SECOND))
finish()
