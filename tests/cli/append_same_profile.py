#!/usr/bin/env python3
"""An ingest into a fresh profile and appends to a profile that already has rows (the lane
indexes kept in the file and inserted into row by row) must give the same profile: the demo's
capture and two JSON lines traces ingested in one run, and in two runs split where the second
run appends packets (and, in the other split, spans and instants too). Checked: every table's
rows with their ids, each lane index's entries in index order, the indexes' SQL as the schema
declares it, PRAGMA integrity_check, and that the lane queries use the index (EXPLAIN QUERY
PLAN). (Written for building the lane indexes after a fresh profile's rows, measured and not
kept: bench/RESULTS.md, writer13; it guards any such change to how rows and indexes are written.)
Usage: append_same_profile.py LURK_BIN SOURCE_DIR"""
import hashlib
import os
import re
import sqlite3
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from cli_checks import check, finish, run  # noqa: E402

lurk, src = sys.argv[1:3]
samples = os.path.join(src, "samples")
capture, client, server = (os.path.join(samples, f)
                           for f in ("demo.pcap", "demo-client.jsonl", "demo-server.jsonl"))

# Each lane index, its table, and a query that must read through it.
LANE_INDEXES = {
    "packets_by_lane": ("packets", "SELECT ts_ns FROM packets WHERE connection_id = 1 ORDER BY ts_ns"),
    "spans_by_lane": ("spans", "SELECT start_ns FROM spans WHERE thread_id = 1 ORDER BY start_ns"),
    "instants_by_lane": ("instants", "SELECT ts_ns FROM instants WHERE thread_id = 1 ORDER BY ts_ns"),
    "counters_by_lane": ("counters", "SELECT ts_ns FROM counters WHERE name = 1 AND thread_id = 1 "
                                     "ORDER BY ts_ns"),
}


def schema_index_sql():
    with open(os.path.join(src, "schema", "lurk_v1.sql")) as f:
        text = f.read()
    return {m.group(1): m.group(0).rstrip(";")
            for m in re.finditer(r"CREATE INDEX (\w+) ON [^;]*;", text)}


def contents(profile):
    """Every table's rows (ids included, when a source was ingested aside) and every lane
    index's entries in the index's own order, as digests."""
    db = sqlite3.connect(f"file:{profile}?mode=ro", uri=True)
    out = {}
    tables = [t for (t,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    for t in tables:
        cols = [r[1] for r in db.execute(f"PRAGMA table_info({t})") if r[1] != "ingested_at"]
        listed = ", ".join(cols)
        # A WITHOUT ROWID table (lane_facts) is in its primary key's order.
        rowid = not db.execute("SELECT 1 FROM sqlite_master WHERE name = ? AND sql LIKE "
                               "'%WITHOUT ROWID%'", (t,)).fetchone()
        order = f"SELECT rowid, {listed} FROM {t} ORDER BY rowid" if rowid else \
            f"SELECT {listed} FROM {t} ORDER BY {listed}"
        rows = db.execute(order).fetchall()
        out[t] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    for index, (table, _) in LANE_INDEXES.items():
        cols = [r[2] for r in db.execute(f"PRAGMA index_info({index})")]
        rows = db.execute(f"SELECT {', '.join(cols)}, rowid FROM {table} INDEXED BY {index} "
                          f"ORDER BY {', '.join(cols)}, rowid").fetchall()
        out[index] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


def check_indexes(profile, name):
    db = sqlite3.connect(f"file:{profile}?mode=ro", uri=True)
    check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", f"{name}: integrity_check")
    stored = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
    expected = schema_index_sql()
    for index, (_, query) in LANE_INDEXES.items():
        check(stored.get(index) == expected[index],
              f"{name}: {index} is {stored.get(index)!r}, the schema says {expected[index]!r}")
        plan = " ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + query))
        check(index in plan, f"{name}: {query!r} does not use {index}: {plan}")


with tempfile.TemporaryDirectory() as work:
    ways = {
        "one run": [[capture, client, server]],
        "packets appended": [[capture], [client, server]],
        "packets, spans and instants appended": [[capture, client], [server]],
    }
    profiles = {}
    for name, runs in ways.items():
        profile = os.path.join(work, name.replace(" ", "_").replace(",", "") + ".lurk")
        for inputs in runs:
            run([lurk, "ingest", *inputs, "-o", profile], ok=(0, 3))
        check_indexes(profile, name)
        profiles[name] = contents(profile)
    fresh = profiles["one run"]
    check(fresh["packets"][0] > 0 and fresh["spans"][0] > 0 and fresh["instants"][0] > 0,
          f"the demo's rows: {fresh['packets'][0]} packets, {fresh['spans'][0]} spans, "
          f"{fresh['instants'][0]} instants")
    for name, got in profiles.items():
        for what in sorted(set(fresh) | set(got)):
            check(got.get(what) == fresh.get(what),
                  f"{name}: {what} differs from one run's: {got.get(what)} vs {fresh.get(what)}")

finish()
