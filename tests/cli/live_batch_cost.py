#!/usr/bin/env python3
"""The cost of `lurk collect`'s per-batch analysis (joins, findings) follows
the batch, not the file (docs/live.md, "Analysis while the data arrives"):
60 batches of the same shape (new connections, threads naming them, some
failing) are collected one by one; `--analysis-stats` reports the SQLite
virtual-machine steps each batch's analysis took (a count, not a time, so
the machine's load does not matter). The late batches, with a file 50 times
larger, must not cost more than the early ones (a query that scanned a
table would grow with it). Usage: live_batch_cost.py LURK_BIN SOURCE_DIR"""
import json
import os
import statistics
import sys
import tempfile

lurk, src = sys.argv[1:3]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, finish  # noqa: E402
from live_collector import HEADER, Collector, Sender, wait_acked  # noqa: E402
from live_joined_traces import app_lines, net_lines  # noqa: E402

tmp = tempfile.mkdtemp(prefix="lurk-live-cost-")
profile, stats = os.path.join(tmp, "live.lurk"), os.path.join(tmp, "stats.jsonl")
c = Collector(lurk, profile, "--batch-ms", "20", "--analysis-stats", stats)
s = Sender(c.port, name="both")
s.send(HEADER)
ROUNDS, PER_ROUND = 60, 8
for r in range(ROUNDS):
    first = r * PER_ROUND
    # One sender, connections then threads: one batch per round.
    s.send(net_lines(first, PER_ROUND) + app_lines(first, PER_ROUND))
    if not wait_acked(s):
        check(False, "round %d acked" % r)
        break
s.finish()
code, _, err = c.stop()
check(code == 0, "the collector stops cleanly: %s" % err[-300:])
with open(stats) as f:
    batches = [json.loads(line) for line in f]
# The rounds' batches; not the one where the stream ends (the trackers then
# write every connection and thread row once more) nor the stop's.
full = [b for b in batches if PER_ROUND <= b["threads"] <= 2 * PER_ROUND]
check(len(full) >= ROUNDS - 5, "a batch per round: %d batches with rows (%d in all)"
      % (len(full), len(batches)))
if len(full) >= 20:
    early = statistics.median(b["vm_steps"] for b in full[1:6])
    late = statistics.median(b["vm_steps"] for b in full[-5:])
    print("analysis steps per batch: early %d, late %d (rows per batch %s)"
          % (early, late, {k: full[-1][k] for k in ("threads", "connections", "instants", "packets")}))
    check(early > 0, "the analysis is counted: %d steps" % early)
    check(late <= early * 1.25 + 200, "the late batches cost what the early ones did: "
          "early %d steps, late %d" % (early, late))
finish()
