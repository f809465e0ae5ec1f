#!/usr/bin/env python3
"""Do two `lurk` binaries store the same rows for the same live streams?
Runs `lurk collect --no-analysis` (or with the analysis: --analysis) of each
binary fed by N `lurk send` of the live benchmark's files (bench/live_bench.py's
mix: span_begin, tcp, log, span_end, Unix-ns times), then digests every table
of both profiles and compares them, table by table.

Senders interleave, so row ids differ from run to run (which sender's batch
got the next id): each row is compared by what it says, its references
replaced by what they name (a thread by its source's name and ext_id, a
string by its text, a connection by its source and 4-tuple and first time,
a packet by its source and frame), its own id left out; a table's digest is
over its rows so written, sorted. Left out as well: when a source was
ingested (`sources.ingested_at`) and the live source tag, which holds the
collector's start time (`sources.content_hash`, `live:<start>:<n>`).
Usage: bench/live_same_rows.py NEW_LURK BASE_LURK [--senders 4] [--events-per-sender N]"""
import argparse
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(root, "tests", "lib"))
sys.path.insert(0, os.path.join(root, "bench"))
from live_collector import Collector  # noqa: E402
from live_bench import make_jsonl  # noqa: E402

# Columns that say when or in which run, not what was stored.
NOT_COMPARED = {("sources", "ingested_at"), ("sources", "content_hash")}


def identities(db):
    """For each referenced table, a row id -> what the row is, independent of ids."""
    source = {i: p for i, p in db.execute("SELECT id, path FROM sources")}
    ident = {
        "sources": source,
        "strings": {i: t for i, t in db.execute("SELECT id, text FROM strings")},
        "threads": {i: (source.get(s), e) for i, s, e in db.execute("SELECT id, source_id, ext_id FROM threads")},
        "connections": {i: (source.get(s), a, pa, b, pb, f) for i, s, a, pa, b, pb, f in db.execute(
            "SELECT id, source_id, addr_a, port_a, addr_b, port_b, first_ns FROM connections")},
        "packets": {i: (source.get(s), f) for i, s, f in db.execute("SELECT id, source_id, frame FROM packets")},
    }
    return ident


def table_digests(path):
    db = sqlite3.connect(path)
    ident = identities(db)
    out = {}
    tables = [t for (t,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    for table in tables:
        columns = [c[1] for c in db.execute("PRAGMA table_info(%s)" % table)]
        refs = {fk[3]: fk[2] for fk in db.execute("PRAGMA foreign_key_list(%s)" % table)}
        keep = [c for c in columns if c != "id" and (table, c) not in NOT_COMPARED]
        rows = []
        for values in db.execute("SELECT %s FROM %s" % (", ".join(columns), table)):
            row = dict(zip(columns, values))
            canonical = []
            for c in keep:
                v = row[c]
                if c in refs and v is not None and refs[c] in ident:
                    v = ("ref", refs[c], ident[refs[c]].get(v, ("missing", v)))
                canonical.append(repr(v))
            rows.append("\x1f".join(canonical))
        rows.sort()
        digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]
        out[table] = (len(rows), digest)
    db.close()
    return out


def collect(lurk, work, name, files, senders, analysis):
    profile = os.path.join(work, name + ".lurk")
    c = Collector(lurk, profile, *([] if analysis else ["--no-analysis"]))
    procs = [subprocess.Popen([lurk, "send", files[i % len(files)], "--to", c.address, "--name", "s%d" % i],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for i in range(senders)]
    codes = [p.wait() for p in procs]
    code, _, err = c.stop()
    if codes != [0] * senders or code != 0:
        raise SystemExit("%s: senders exited %s, collector %s: %s" % (lurk, codes, code, err[-2000:]))
    return profile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("new")
    ap.add_argument("base")
    ap.add_argument("--senders", type=int, default=4)
    ap.add_argument("--events-per-sender", type=int, default=200_000)
    ap.add_argument("--analysis", action="store_true", help="collect with the per-batch analysis")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="lurk-live-rows-")
    try:
        files = []
        for tag in range(min(args.senders, 4)):
            path = os.path.join(work, "trace-%d.jsonl" % tag)
            make_jsonl(path, args.events_per_sender, tag)
            files.append(path)
        new = table_digests(collect(args.new, work, "new", files, args.senders, args.analysis))
        base = table_digests(collect(args.base, work, "base", files, args.senders, args.analysis))
        differ = [t for t in sorted(set(new) | set(base)) if new.get(t) != base.get(t)]
        for t in sorted(set(new) | set(base)):
            print("%-18s %-28s %-28s %s" % (t, base.get(t), new.get(t), "DIFFERS" if t in differ else "same"))
        if differ:
            raise SystemExit("tables differ: " + ", ".join(differ))
        print("every table the same (%d senders, %d events each)" % (args.senders, args.events_per_sender))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
