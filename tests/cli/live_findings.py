#!/usr/bin/env python3
"""Findings while `lurk collect` runs (docs/live.md, "Analysis while the data
arrives"): a profile read after a few batches, the senders still connected,
already has the findings of the data so far (failed threads grouped by
message), updated as more arrive, and they are the ones the whole-profile
pass makes when the collector stops; a collector started again on the same
profile keeps counting what it held before.
Usage: live_findings.py LURK_BIN SOURCE_DIR"""
import os
import sqlite3
import sys
import tempfile
import time

lurk, src = sys.argv[1:3]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, finish  # noqa: E402
from live_collector import HEADER, T0, Collector, Sender, wait_acked  # noqa: E402

tmp = tempfile.mkdtemp(prefix="lurk-live-findings-")


def failing_threads(first, count, message):
    lines = []
    for i in range(first, first + count):
        ts = T0 + i * 10**6
        lines.append('{"t":"thread_start","ts":%d,"thread":"w%d","name":"worker"}\n' % (ts, i))
        lines.append('{"t":"thread_end","ts":%d,"thread":"w%d","error":"%s"}\n' % (ts + 500, i, message))
    return "".join(lines)


def findings(profile):
    db = sqlite3.connect("file:%s?mode=ro" % profile, uri=True)
    try:
        return sorted(r[0] for r in db.execute("SELECT title FROM findings WHERE kind = 'exception'"))
    finally:
        db.close()


def wait_for(profile, expected, timeout=10):
    deadline = time.time() + timeout
    got = None
    while time.time() < deadline:
        got = findings(profile)
        if got == expected:
            return got
        time.sleep(0.1)
    return got



profile = os.path.join(tmp, "live.lurk")
c = Collector(lurk, profile)
a, b = Sender(c.port, name="a"), Sender(c.port, name="b")
a.send(HEADER + failing_threads(0, 3, "Boom"))
b.send(HEADER + failing_threads(100, 1, "Other"))
check(wait_acked(a) and wait_acked(b), "both senders acked")
got = wait_for(profile, ["1 thread failed with Other", "3 threads failed with Boom"])
check(got == ["1 thread failed with Other", "3 threads failed with Boom"],
      "mid-collection, senders connected: the findings of the data so far: %s" % got)
b.send(failing_threads(200, 4, "Boom"))
check(wait_acked(b), "second part acked")
got = wait_for(profile, ["1 thread failed with Other", "7 threads failed with Boom"])
check(got == ["1 thread failed with Other", "7 threads failed with Boom"],
      "a later batch updates the group across senders: %s" % got)
a.finish()
b.finish()
code, _, err = c.stop()
check(code == 0, "the collector stops cleanly: %s" % err[-300:])
check(findings(profile) == ["1 thread failed with Other", "7 threads failed with Boom"],
      "the whole-profile pass at stop finds the same: %s" % findings(profile))

# A collector started again on the same profile (as after a kill, docs/live.md
# "Exactly once"): mid-collection the findings still count what the file held
# before, not only what arrived since (the first batch once dropped them).
c = Collector(lurk, profile)
d = Sender(c.port, name="d")
d.send(HEADER + failing_threads(300, 2, "Boom"))
check(wait_acked(d), "after the restart: acked")
want = ["1 thread failed with Other", "9 threads failed with Boom"]
got = wait_for(profile, want)
check(got == want, "after the restart, mid-collection: the findings of the whole file: %s" % got)
d.finish()
code, _, err = c.stop()
check(code == 0, "the restarted collector stops cleanly: %s" % err[-300:])
check(findings(profile) == want, "the whole-profile pass at its stop finds the same: %s" % findings(profile))
finish()
