#!/usr/bin/env python3
"""The live findings write what a batch changed, not the session's findings
again (docs/live.md, "Analysis while the data arrives"): 40 batches, each
with a thread failing with a message of its own (a new "exception" finding
per batch), connections whose threads fail at their end (one "N of M"
finding whose counts change every batch) and threads failing with a message
seen before (an existing finding's count grows). `--analysis-stats` reports
per batch the rows of `findings` its analysis inserted, updated or deleted
(counted by SQLite's update hook, not timed): the late batches, with 40
findings in the table, must write as many as the early ones. (The findings
were once all deleted and inserted again on every batch that changed one:
the rows written grew with the session.) The findings mid-collection are
still those of the data so far.
Usage: live_findings_cost.py LURK_BIN SOURCE_DIR"""
import json
import os
import sqlite3
import statistics
import sys
import tempfile

lurk, src = sys.argv[1:3]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, finish  # noqa: E402
from live_collector import HEADER, Collector, Sender, T0, wait_acked  # noqa: E402
from live_joined_traces import app_lines, net_lines  # noqa: E402

tmp = tempfile.mkdtemp(prefix="lurk-live-findcost-")
profile, stats = os.path.join(tmp, "live.lurk"), os.path.join(tmp, "stats.jsonl")
ROUNDS, PER_ROUND = 40, 4


def failing_threads(r):
    """A thread failing with a message of its own, one failing as the first round's did."""
    out = []
    for name, message in (("own%d" % r, "Error %d" % r), ("again%d" % r, "Timeout")):
        t = T0 + 900_000_000_000 + r * 1_000_000
        out.append('{"t":"thread_start","ts":%d,"thread":"%s","name":"job"}\n' % (t, name))
        out.append('{"t":"exception","ts":%d,"thread":"%s","message":"%s","uncaught":true}\n'
                   % (t + 1000, name, message))
        out.append('{"t":"thread_end","ts":%d,"thread":"%s"}\n' % (t + 2000, name))
    return "".join(out)


def exception_titles():
    db = sqlite3.connect(profile)
    try:
        return sorted(r[0] for r in db.execute("SELECT title FROM findings WHERE kind = 'exception'"))
    finally:
        db.close()


c = Collector(lurk, profile, "--batch-ms", "20", "--analysis-stats", stats)
s = Sender(c.port, name="both")
s.send(HEADER)
for r in range(ROUNDS):
    first = r * PER_ROUND
    s.send(net_lines(first, PER_ROUND) + app_lines(first, PER_ROUND) + failing_threads(r))
    if not wait_acked(s):
        check(False, "round %d acked" % r)
        break
titles = exception_titles()
want = sorted(["1 thread failed with Error %d" % r for r in range(ROUNDS)] +
              ["%d threads failed with Timeout" % ROUNDS] +
              ["%d threads failed with Connection reset" % (ROUNDS * PER_ROUND // 4)])
check(titles == want, "mid-collection, the findings of the data so far: %s" % titles[:5])
s.finish()
code, _, err = c.stop()
check(code == 0, "the collector stops cleanly: %s" % err[-300:])
with open(stats) as f:
    batches = [json.loads(line) for line in f]
check(all("findings_rows" in b for b in batches), "every batch says the findings rows it wrote")
full = [b for b in batches if PER_ROUND <= b["threads"] <= 3 * PER_ROUND + 4]
check(len(full) >= ROUNDS - 5, "a batch per round: %d batches with rows (%d in all)" % (len(full), len(batches)))
if len(full) >= 20 and all("findings_rows" in b for b in full):
    early = statistics.median(b["findings_rows"] for b in full[1:6])
    late = statistics.median(b["findings_rows"] for b in full[-5:])
    print("findings rows written per batch: early %d, late %d" % (early, late))
    check(early > 0, "the findings rows are counted: %d" % early)
    check(late <= early, "the late batches write as many findings rows as the early ones: "
          "early %d, late %d" % (early, late))
finish()
