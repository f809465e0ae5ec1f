#!/usr/bin/env python3
"""The cost of `lurk collect`'s per-batch analysis (joins, findings) follows
the batch, not the file (docs/live.md, "Analysis while the data arrives"):
60 batches of the same shape (new connections, threads naming them, some
failing, segments naming their threads) are collected one by one into a
profile that holds a capture of the same connections (so each batch also
merges its connections with the capture's and draws its segments' flows to
the captured frames, docs/live.md); `--analysis-stats` reports the SQLite
virtual-machine steps each batch's analysis took (a count, not a time, so
the machine's load does not matter). The late batches, with a file 50 times
larger, must not cost more than the early ones (a query that scanned a
table would grow with it). Usage: live_batch_cost.py LURK_BIN SOURCE_DIR"""
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile

lurk, src = sys.argv[1:3]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, finish  # noqa: E402
from live_collector import HEADER, Collector, Sender, wait_acked  # noqa: E402
from live_joined_traces import app_lines, capture, net_lines  # noqa: E402

tmp = tempfile.mkdtemp(prefix="lurk-live-cost-")
profile, stats = os.path.join(tmp, "live.lurk"), os.path.join(tmp, "stats.jsonl")
ROUNDS, PER_ROUND = 60, 8
pcap = os.path.join(tmp, "run.pcap")
with open(pcap, "wb") as f:
    f.write(capture(0, ROUNDS * PER_ROUND))
r = subprocess.run([lurk, "ingest", pcap, "-o", profile], capture_output=True, text=True)
check(r.returncode == 0, "the capture ingested first: %s" % r.stderr[-300:])
c = Collector(lurk, profile, "--batch-ms", "20", "--analysis-stats", stats)
s = Sender(c.port, name="both")
s.send(HEADER)
for r in range(ROUNDS):
    first = r * PER_ROUND
    # One sender, threads then connections: one batch per round.
    s.send(app_lines(first, PER_ROUND) + net_lines(first, PER_ROUND, thread="w%d"))
    if not wait_acked(s):
        check(False, "round %d acked" % r)
        break
db = sqlite3.connect("file:%s?mode=ro" % profile, uri=True)
merged, to_frames = db.execute(
    "SELECT (SELECT count(*) FROM connections WHERE same_as IS NOT NULL), (SELECT count(*) FROM "
    "flows f JOIN packets p ON p.id = f.packet_id JOIN sources s ON s.id = p.source_id "
    "WHERE s.format = 'pcap')").fetchone()
db.close()
check(merged == ROUNDS * PER_ROUND and to_frames == 4 * ROUNDS * PER_ROUND,
      "before the stop, every connection merged with the capture's (%d) and every segment's "
      "flow at its captured frame (%d)" % (merged, to_frames))
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
