#!/usr/bin/env python3
"""A CTF trace's promise-tree connections while `lurk collect` runs
(docs/live.md, "Analysis while the data arrives"): a connection whose
subtree has ended is recognised in the batch that ends it. A builder trace
of many packets (lurk-make-ctf-server with scheduling: every promise of a
connection ends) is sent packet by packet; after each part, the sender
still connected, the profile read mid-collection has exactly the
connections whose promises all ended in what was sent (which ones is
computed from `lurk ingest` of the whole trace, not written here), each
row equal to ingest's (times, close, state, root) with its threads linked as
ingest links them; none whose subtree has not ended. After the stop every
table equals `lurk ingest`'s, row for row. The same for the real sample
net.ctf, sent a packet at a time.
Usage: live_ctf_connections.py LURK_BIN SOURCE_DIR MAKE_CTF_SERVER SHARED_DIR"""
import json
import os
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time

lurk, src, make_ctf, shared = sys.argv[1:5]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, check_same_rows, finish  # noqa: E402
from live_collector import Collector, Sender, ctf_packets as packets, wait_acked  # noqa: E402

tmp = tempfile.mkdtemp(prefix="lurk-live-ctf-connections-")
NET = os.path.join(shared, "samples", "net.ctf")
METADATA = open(NET + ".metadata", "rb").read()
AFTER_CLOSE_NS = 500_000_000  # kAfterCloseNs (trace/promise_connections.h)
TABLES = ["strings", "threads", "spans", "instants", "flows", "counters", "source_counters",
          "periods", "connections", "findings", "ingest_errors"]
# A connection row but its id: (root ext_id, first_ns, last_ns, state, close_ns, addresses).
CONNECTION = ("SELECT r.ext_id, c.first_ns, c.last_ns, c.state, c.close_ns, c.addr_a, c.port_a, "
              "c.addr_b, c.port_b FROM connections c JOIN threads r ON r.id = c.root_thread_id")
# Its members: (root ext_id, member ext_id, link_how).
MEMBERS = ("SELECT r.ext_id, t.ext_id, t.link_how FROM threads t "
           "JOIN connections c ON c.id = t.connection_id JOIN threads r ON r.id = c.root_thread_id")


def query(profile, sql, *args):
    db = sqlite3.connect("file:%s?mode=ro" % profile, uri=True)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()




def ended_by(ingested, t):
    """The roots (ext ids) of ingest's connections known by time t: closed, and every member
    ended, or t past the close by more than a close can still cause (500 ms, docs/live.md)."""
    rows = query(ingested,
                 "SELECT r.ext_id, max(coalesce(t.end_ns, 1 << 62)), c.close_ns FROM connections c "
                 "JOIN threads r ON r.id = c.root_thread_id JOIN threads t ON t.connection_id = c.id "
                 "GROUP BY c.id")
    return sorted(root for root, end, close in rows
                  if close is not None and (end <= t or t > close + AFTER_CLOSE_NS))


def seen_until(profile):
    """The latest time the live profile holds of the CTF trace."""
    return query(profile, "SELECT max(m) FROM (SELECT max(coalesce(end_ns, start_ns)) m FROM threads "
                          "UNION ALL SELECT max(ts_ns) FROM instants "
                          "UNION ALL SELECT max(from_ns) FROM flows)")[0][0] or 0


def collect_in_parts(path, name, cuts):
    """Sends the trace packet by packet, reading the profile after each part
    up to packet `cut`; after the stop, every table is compared with ingest's.
    Returns [(cut, live roots)]."""
    data = open(path, "rb").read()
    parts = packets(data)
    ingested = os.path.join(tmp, "ingest-%s.lurk" % name)
    r = subprocess.run([lurk, "ingest", path, "-o", ingested], capture_output=True, text=True)
    check(r.returncode == 0, "%s: lurk ingest: %s" % (name, r.stderr[-300:]))
    profile = os.path.join(tmp, "live-%s.lurk" % name)
    c = Collector(lurk, profile, "--batch-ms", "40")
    hello = {"lurk": "hello", "version": 1, "name": "unikernel", "format": "ctf",
             "metadata_bytes": len(METADATA)}
    ctf = Sender(c.port, hello=False)
    ctf.send(json.dumps(hello).encode() + b"\n" + METADATA)
    sent = 0
    progress = []
    ingest_rows = dict((row[0], row) for row in query(ingested, CONNECTION))
    for cut in cuts:
        for p in parts[sent:cut]:
            ctf.send(p)
        sent = cut
        check(wait_acked(ctf), "%s: part up to packet %d acked" % (name, cut))
        time.sleep(0.1)  # the ack follows the batch's commit; the analysis is in the same one
        live = sorted(r[0] for r in query(profile, CONNECTION))
        expected = ended_by(ingested, seen_until(profile))
        progress.append((cut, live))
        check(live == expected, "%s after packet %d (of %d), mid-collection: the connections "
              "whose subtree ended (%s), got %s" % (name, cut, len(parts), expected, live))
        for row in query(profile, CONNECTION):
            check(row == ingest_rows.get(row[0]),
                  "%s after packet %d: connection %s equals ingest's: %s vs %s"
                  % (name, cut, row[0], row, ingest_rows.get(row[0])))
        live_members = sorted(query(profile, MEMBERS))
        ingest_members = sorted(m for m in query(ingested, MEMBERS) if m[0] in live)
        check(live_members == ingest_members,
              "%s after packet %d: the threads linked to them are ingest's (%d vs %d links)"
              % (name, cut, len(live_members), len(ingest_members)))
    for p in parts[sent:]:
        ctf.send(p)
    final = ctf.finish()
    check(final is not None and final.get("final"), "%s: the final ack: %s" % (name, final))
    code, _, err = c.stop()
    check(code == 0, "%s: the collector stops cleanly: %s" % (name, err[-300:]))
    for table in TABLES:
        a = query(profile, "SELECT * FROM %s ORDER BY 1" % table)
        b = query(ingested, "SELECT * FROM %s ORDER BY 1" % table)
        check_same_rows(a, b, "%s after the stop: table %s equals lurk ingest's" % (name, table))
    return progress, sorted(ingest_rows)


builder = os.path.join(tmp, "server.ctf")
subprocess.run([make_ctf, builder, "x..x.x..x.x.", "15"], check=True)
count = len(packets(open(builder, "rb").read()))
check(count >= 15, "the builder trace has many packets: %d" % count)
progress, all_roots = collect_in_parts(builder, "builder", [count // 4, count // 2, 3 * count // 4])
check(len(all_roots) == 12, "lurk ingest recognises the 12 connections: %s" % all_roots)
check(0 < len(progress[0][1]) < len(progress[-1][1]) < len(all_roots),
      "connections appear part by part, before the stop: %s"
      % [(cut, len(live)) for cut, live in progress])
# The real sample: 4 packets, one connection (1,313 promises), recognised before the trace ends.
progress, all_roots = collect_in_parts(NET, "net.ctf", [1, 2, 3, 4])
check(len(all_roots) == 1 and progress[-1][1] == all_roots,
      "net.ctf: its connection is in the profile while the sender is still connected: %s"
      % progress)
finish()
check(final is not None and final.get("final"), "the CTF sender's final ack: %s" % final)
code, _, err = c.stop()
check(code == 0, "the collector stops cleanly: %s" % err[-300:])
for table in TABLES:
    a = query(profile, "SELECT * FROM %s ORDER BY 1" % table)
    b = query(ingested, "SELECT * FROM %s ORDER BY 1" % table)
    check_same_rows(a, b, "after the stop: table %s equals lurk ingest's" % table)
finish()
