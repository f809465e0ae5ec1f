#!/usr/bin/env python3
"""A stream's last line, torn or not (docs/live.md, "Exactly once across a
collector's restart"). A `--stream` connection that ends inside a line (its
sender killed mid-write: the kernel still sends FIN) commits the stream only
up to its last newline: the torn tail is not read as a bad line, the resume
point is the start of that line, and the line, sent again whole on resume,
is stored once. (The collector once read the torn tail as a line, reported
it as bad JSON and moved the resume point into the middle of the line: the
resent rest was a second bad line and the event was lost.) And a file whose
last line has no newline at all is stored once when `lurk send` reaches its
end (the end of the input says the line is whole), and not again when the
same stream is sent again.
Usage: live_torn_tail.py LURK_BIN SOURCE_DIR"""
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile

lurk, src = sys.argv[1:3]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, finish  # noqa: E402
from live_collector import HEADER, Collector, log_lines, open_stream, read_line  # noqa: E402

tmp = tempfile.mkdtemp(prefix="lurk-live-torn-")
profile = os.path.join(tmp, "torn.lurk")
HELLO = b'{"lurk":"hello","version":1,"name":"torn","stream":"torn/a"}\n'
LINES = 30


def last_ack(sock):
    """Reads the collector's lines until it closes; the last ack."""
    last = None
    while True:
        line = read_line(sock, 60)
        if not line:
            break
        msg = json.loads(line)
        if msg.get("lurk") == "ack":
            last = msg
    sock.close()
    return last


def rows(db, path):
    """(log rows, distinct texts) of the source(s) named `path`."""
    return db.execute(
        "SELECT count(*), count(DISTINCT i.name) FROM instants i JOIN sources s ON s.id = i.source_id "
        "WHERE s.path = ? AND i.kind = 'log'", (path,)).fetchone()


def errors(db, path):
    return db.execute("SELECT e.kind, e.byte_offset FROM ingest_errors e JOIN sources s ON s.id = e.source_id "
                      "WHERE s.path = ? ORDER BY e.id", (path,)).fetchall()


collector = Collector(lurk, profile, "--batch-ms", "30", "--no-analysis")
stream = log_lines(LINES, tag="torn").encode()  # header + LINES lines
whole_lines = stream.split(b"\n")
cut_line = 20  # the connection ends inside log line 20 (line 21 of the trace)
torn_at = len(b"\n".join(whole_lines[:cut_line + 1])) + 1  # where that line starts
torn_stream = stream[:torn_at + 12]

# 1. A connection whose sender died inside a line: FIN after half a line.
sock, resume = open_stream(collector.port, HELLO)
check(resume == 0, "a new stream starts at 0: %d" % resume)
sock.sendall(torn_stream)
sock.shutdown(socket.SHUT_WR)
ack = last_ack(sock)
committed = len(HELLO) + torn_at
check(ack is not None and ack.get("final") and ack["bytes"] == committed,
      "the final ack stops at the last newline, byte %d, not at the %d bytes received: %s"
      % (committed, len(HELLO) + len(torn_stream), ack))

# 2. The next connection resumes at the torn line's start and sends it whole.
sock, resume = open_stream(collector.port, HELLO)
check(resume == committed, "the stream resumes at the torn line's start: %d (expected %d)" % (resume, committed))
rest = stream[resume - len(HELLO):] if resume >= len(HELLO) else stream
sock.sendall(HEADER.encode() + rest)
sock.shutdown(socket.SHUT_WR)
ack = last_ack(sock)
check(ack is not None and ack.get("final"), "the rest is acked to its end: %s" % ack)

# 3. lurk send of a file whose last line has no newline, on a stream: once.
unterminated = os.path.join(tmp, "unterminated.jsonl")
with open(unterminated, "wb") as f:
    f.write(log_lines(10, tag="end").encode().rstrip(b"\n"))
send = [lurk, "send", unterminated, "--to", collector.address, "--name", "end", "--stream", "torn/end"]
first = subprocess.run(send, capture_output=True, text=True, timeout=60)
check(first.returncode == 0, "lurk send of a file without a final newline exits 0: %s" % first.stderr)
again = subprocess.run(send, capture_output=True, text=True, timeout=60)
check(again.returncode == 0 and "resumed" in again.stderr,
      "the same stream sent again exits 0 and says it resumed: %d %s" % (again.returncode, again.stderr))

code, _, err = collector.stop()
check(code == 0, "the collector stops cleanly: %s" % err[-300:])
db = sqlite3.connect(profile)
count, distinct = rows(db, "torn")
check(count == LINES and distinct == LINES,
      "every line of the torn stream stored once: %d rows, %d distinct, for %d lines" % (count, distinct, LINES))
errs = errors(db, "torn")
check(not [e for e in errs if e[0] == "bad-json"], "no torn half stored as a bad line: %s" % errs)
check(errs == [("stream-cut", committed)],
      "the torn connection says where it was cut: one stream-cut at byte %d: %s" % (committed, errs))
count, distinct = rows(db, "end")
check(count == 10 and distinct == 10,
      "the unterminated last line stored once, across two sends: %d rows, %d distinct" % (count, distinct))
check(errors(db, "end") == [], "and no error for it: %s" % errors(db, "end"))
last = db.execute("SELECT count(*) FROM instants i JOIN strings n ON n.id = i.name "
                  "WHERE n.text = 'end 9'").fetchone()[0]
check(last == 1, "the line without a newline is there, whole: %d" % last)
db.close()
finish()
