#!/usr/bin/env python3
"""A program other than lurk holding the profile's write lock when `lurk
collect` starts (docs/live.md, "One collector, and no ingest, while
collecting"): the collector says at once that it waits and for what, starts
once the program lets go, and gives up after 10 s with a message saying what
to do, leaving the profile as it was. (lurk's own writers are refused at once,
by name: cli_live_capture_joins.)
Usage: live_other_writer.py LURK_BIN SOURCE_DIR"""
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

lurk, src = sys.argv[1:3]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, finish  # noqa: E402
from live_collector import Sender, log_lines, wait_acked  # noqa: E402

tmp = tempfile.mkdtemp(prefix="lurk-live-other-writer-")
profile = os.path.join(tmp, "run.lurk")
r = subprocess.run([lurk, "ingest", os.path.join(src, "samples", "loopback-http.pcap"), "-o", profile],
                   capture_output=True, text=True)
check(r.returncode == 0, "the capture ingested: %s" % r.stderr[-300:])
WAITS = "another program holds the profile's write lock"


def hold_write_lock(seconds):
    """A sqlite3 connection in a write transaction for `seconds` (a shell's
    BEGIN), on a thread; returns once the lock is held, with the thread."""
    held = threading.Event()

    def hold():
        db = sqlite3.connect(profile, isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        db.execute("ROLLBACK")
        db.close()
    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    return holder


def rows(path):
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return [db.execute("SELECT count(*) FROM %s" % t).fetchone()[0] for t in ("packets", "connections")]
    finally:
        db.close()


# Held for 2 s: said at once, then the collector starts and collects.
holder = hold_write_lock(2.0)
started = time.monotonic()
proc = subprocess.Popen([lurk, "collect", "--listen", "127.0.0.1:0", "-o", profile],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
first = proc.stderr.readline()
said_after = time.monotonic() - started
listening = proc.stderr.readline()
listening_after = time.monotonic() - started
check(WAITS in first and "waiting up to 10 s" in first and said_after < 1.5,
      "a foreign writer holding the lock: said at once (%.2f s): %r" % (said_after, first))
check("listening on" in listening and listening_after >= 1.5,
      "the collector starts once it lets go (%.2f s): %r" % (listening_after, listening))
holder.join()
port = int(listening.split("listening on 127.0.0.1:")[1].split(",")[0])
sender = Sender(port, name="after")
sender.send(log_lines(100))
check(wait_acked(sender), "the collector collects once it started")
sender.finish()
proc.send_signal(2)
out, err = proc.communicate(timeout=60)
check(proc.returncode == 0, "it stops cleanly: %d %s" % (proc.returncode, err[-300:]))

# Held past 10 s: the collector gives up, saying what to do, the profile as it was.
before = rows(profile)
holder = hold_write_lock(13.0)
started = time.monotonic()
r = subprocess.run([lurk, "collect", "--listen", "127.0.0.1:0", "-o", profile], capture_output=True,
                   text=True, timeout=60)
took = time.monotonic() - started
holder.join()
check(r.returncode == 1 and WAITS in r.stderr and "held the profile's write lock for 10 s" in r.stderr and
      "start lurk collect again" in r.stderr and "listening" not in r.stderr and 9.5 < took < 12.5,
      "held past 10 s: exit 1 after %.1f s, saying what to do: %d %r" % (took, r.returncode, r.stderr))
db = sqlite3.connect("file:%s?mode=ro" % profile, uri=True)
check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok" and rows(profile) == before,
      "the profile is as it was: %s" % rows(profile))
db.close()
finish()
