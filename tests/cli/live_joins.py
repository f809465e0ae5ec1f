#!/usr/bin/env python3
"""Joins and findings while `lurk collect` runs (docs/live.md, "Analysis
while the data arrives"): a profile read after some batches, the senders
still connected, has the joins (threads under the connections their events
name) and the findings ("N threads failed with", "N of M connections end
with an exception", the TCP findings of the traces' segments, e.g. an RST on
an established connection) of the data so far, equal to what `lurk ingest` of
the same data makes; later batches (a thread naming an earlier batch's
connection, more connections) update them; the stop pass agrees.
Usage: live_joins.py LURK_BIN SOURCE_DIR"""
import os
import sqlite3
import subprocess
import sys
import tempfile

lurk, src = sys.argv[1:3]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, finish  # noqa: E402
from live_collector import HEADER, Collector, Sender, wait_acked  # noqa: E402
from live_joined_traces import app_lines, joins, net_lines, all_findings  # noqa: E402

tmp = tempfile.mkdtemp(prefix="lurk-live-joins-")


def read(profile):
    db = sqlite3.connect("file:%s?mode=ro" % profile, uri=True)
    try:
        return joins(db), all_findings(db)
    finally:
        db.close()


def ingested(net_text, app_text, tag):
    """What `lurk ingest` makes of the same data: (joins, findings)."""
    paths = []
    for name, text in (("net", net_text), ("app", app_text)):
        path = os.path.join(tmp, "%s-%s.jsonl" % (name, tag))
        with open(path, "w") as f:
            f.write(text)
        paths.append(path)
    out = os.path.join(tmp, "ingested-%s.lurk" % tag)
    r = subprocess.run([lurk, "ingest", *paths, "-o", out], capture_output=True, text=True)
    check(r.returncode == 0, "lurk ingest of the same data (%s): %s" % (tag, r.stderr[-300:]))
    return read(out)


profile = os.path.join(tmp, "live.lurk")
c = Collector(lurk, profile, "--batch-ms", "50")
net, app = Sender(c.port, name="net"), Sender(c.port, name="app")
net_text, app_text = HEADER, HEADER
for part, (first, count) in enumerate([(0, 12), (12, 12), (24, 6)]):
    net_part, app_part = net_lines(first, count), app_lines(first, count)
    # Part 1 sends the threads before the connections they name.
    order = [(app, app_part), (net, net_part)] if part == 1 else [(net, net_part), (app, app_part)]
    for sender, text in order:
        sender.send(text if part else HEADER + text)
        check(wait_acked(sender), "part %d acked" % part)
    net_text += net_part
    app_text += app_part
    live = read(profile)
    want = ingested(net_text, app_text, "part%d" % part)
    linked = sum(1 for v in live[0].values() if v)
    check(linked >= first + count - 1, "part %d: threads linked while collecting: %d of %d"
          % (part, linked, len(live[0])))
    check(live[0] == want[0], "part %d: the live joins are lurk ingest's: %s"
          % (part, sorted(set(live[0].items()) ^ set(want[0].items()))[:6]))
    check(live[1] == want[1], "part %d: the live findings are lurk ingest's:\n  live %s\n  want %s"
          % (part, live[1], want[1]))
    kinds = {k for k, _ in live[1]}
    check({"connection-end-exception", "exception", "rst-established"} <= kinds,
          "part %d: N of M, failed threads and the segments' RST findings while collecting: %s"
          % (part, sorted(kinds)))
net.finish()
app.finish()
code, _, err = c.stop()
check(code == 0, "the collector stops cleanly: %s" % err[-300:])
final = read(profile)
want = ingested(net_text, app_text, "final")
check(final == want, "after the stop pass, the same joins and findings as lurk ingest: %s / %s"
      % (final[1], want[1]))
finish()
