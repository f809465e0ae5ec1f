#!/usr/bin/env python3
"""Copies of a changing profile (collector/server/snapshot_keeper.cpp,
docs/server.md, "Snapshots of a changing profile"): on a ~100 MB profile
that changed, a /trace.lurk request waits for the fresh copy (and gets the
new state) while the copy is made off the server's loop: requests sent
meanwhile are answered before it, not after. Slow readers each pinning the
copy current when they asked hold at most 3 copies (unlinked temporary
files the server keeps open), however many there are, and the current one
is served meanwhile. Usage: server_snapshots.py LURK_BIN SOURCE_DIR"""
import os
import shutil
import socket
import sqlite3
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from cli_checks import check, finish  # noqa: E402
from http_probe import get, parse_response, port_of, start_view, stop  # noqa: E402

lurk, src = sys.argv[1:3]
work = tempfile.mkdtemp(prefix="lurk-server-snapshots-")
MAX_COPIES = 3  # SnapshotKeeper's default (collector/server/snapshot_keeper.h)


def change(profile, n):
    db = sqlite3.connect(profile)
    db.execute("INSERT INTO comments(source_id, scope, frame, text) VALUES (1, 'frame', %d, 'change %d')" % (n, n))
    db.commit()
    db.close()


def comments_in(body):
    path = os.path.join(work, "served-%d.lurk" % time.monotonic_ns())
    with open(path, "wb") as f:
        f.write(body)
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT count(*) FROM comments WHERE text LIKE 'change %'").fetchone()[0]
    finally:
        db.close()


def copies_held(pid, tmp):
    """The deleted temporary files under `tmp` the server holds open."""
    held = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if target.startswith(tmp) and target.endswith("(deleted)"):
            held.add(target)
    return len(held)


def slow_reader(port):
    """Asks for /trace.lurk and reads only the head: the copy stays pinned."""
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(("GET /trace.lurk HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % port).encode())
    s.recv(256)
    return s


profile = os.path.join(work, "big.lurk")
shutil.copy(os.path.join(src, "samples", "demo.lurk"), profile)
db = sqlite3.connect(profile)
db.execute("PRAGMA journal_mode = DELETE")
# Bulk in the file (a table the schema audit does not see is refused: use comments).
db.executemany("INSERT INTO comments(source_id, scope, frame, text) VALUES (1, 'frame', ?, ?)",
               [(i, os.urandom(2000).hex()) for i in range(25000)])
db.commit()
db.close()
tmp = os.path.join(work, "tmp")
os.makedirs(tmp)
proc, url = start_view(lurk, [profile], env=dict(os.environ, TMPDIR=tmp))
try:
    port = port_of(url)
    check(comments_in(get(port, "/trace.lurk", timeout=60).body) == 0, "the first copy is served")

    # A changed profile: the request waits for the fresh copy, others do not.
    change(profile, 1)
    time.sleep(0.6)  # past the keeper's look interval
    done = {}

    def fetch_trace():
        """/trace.lurk, noting when its first byte came (the head goes out once the copy is made)."""
        with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
            s.sendall(("GET /trace.lurk HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n"
                       % port).encode())
            chunks = [s.recv(1 << 16)]
            first_byte = time.monotonic()
            while chunks[-1]:
                chunks.append(s.recv(1 << 16))
        done["trace"] = (first_byte, parse_response(b"".join(chunks)))

    t = threading.Thread(target=fetch_trace)
    t.start()
    time.sleep(0.05)
    answered = []
    while "trace" not in done and len(answered) < 20:
        r = get(port, "/", timeout=30)
        answered.append((time.monotonic(), r.status))
    t.join(120)
    trace_at, trace = done["trace"]
    check(trace.status == 200 and comments_in(trace.body) == 1,
          "the request after the change gets the new state (%s)" % trace)
    before = [a for a in answered if a[0] < trace_at and a[1] == 200]
    check(len(before) >= 1, "requests sent while the copy was made were answered before the "
          "/trace.lurk waiting for it (%d of %d)" % (len(before), len(answered)))

    # Slow readers, each after a change: at most MAX_COPIES copies held.
    readers = []
    for n in range(2, 8):
        change(profile, n)
        time.sleep(0.6)
        readers.append(slow_reader(port))
        time.sleep(0.3)
    held = copies_held(proc.pid, tmp)
    check(0 < held <= MAX_COPIES, "6 slow readers of 6 states pin %d copies (at most %d)"
          % (held, MAX_COPIES))
    r = get(port, "/trace.lurk", timeout=60)
    check(r.status == 200 and comments_in(r.body) >= 1,
          "with the copies all pinned, a copy is still served (%s)" % r)
    for s in readers:
        s.close()
    time.sleep(0.6)
    r = get(port, "/trace.lurk", timeout=60)
    time.sleep(0.6)
    r = get(port, "/trace.lurk", timeout=60)
    check(r.status == 200 and comments_in(r.body) == 7,
          "once the readers let go, the newest state is copied and served (%s)" % r)
finally:
    stop(proc)
shutil.rmtree(work, ignore_errors=True)
finish()
