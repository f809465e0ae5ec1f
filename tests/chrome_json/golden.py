#!/usr/bin/env python3
"""Golden tests of the Chrome trace JSON importer, in the manner of Perfetto's
diff tests: each case is one small trace (tests/data/chrome/golden/NAME.json)
that isolates one rule, and NAME.expected holds the rows lurk must make of it:
the source's status and counts, then threads, spans, instants, flows,
counters, ingest errors (kind, byte offset, line) and source counters, each
printed by a fixed query in a fixed order. Lines of NAME.expected that start
with '#' say which rule the case checks and where Perfetto defines it; they
are not compared. The expected rows were written by hand from Perfetto's
behaviour (docs/chrome-json.md), not recorded from lurk.

Usage: golden.py --lurk BIN CASE.json [CASE.json ...]   (exit 1 on any difference)
       golden.py --lurk BIN --print CASE.json           (the rows, to write a new case)
"""
import argparse
import difflib
import os
import sqlite3
import subprocess
import sys
import tempfile

QUERIES = [
    ("source", "SELECT status, records, skipped FROM sources"),
    ("threads",
     "SELECT t.ext_id, t.kind, coalesce(n.text, '-'), coalesce(p.ext_id, '-') FROM threads t "
     "LEFT JOIN strings n ON n.id = t.name LEFT JOIN threads p ON p.id = t.parent_id "
     "ORDER BY t.ext_id"),
    ("spans",
     "SELECT t.ext_id, s.start_ns, s.end_ns, s.depth, s.kind, coalesce(n.text, '-') FROM spans s "
     "JOIN threads t ON t.id = s.thread_id LEFT JOIN strings n ON n.id = s.name "
     "ORDER BY t.ext_id, s.start_ns, s.depth, s.end_ns"),
    ("instants",
     "SELECT coalesce(t.ext_id, '-'), i.ts_ns, coalesce(n.text, '-') FROM instants i "
     "LEFT JOIN threads t ON t.id = i.thread_id LEFT JOIN strings n ON n.id = i.name "
     "ORDER BY i.ts_ns, 1, 3"),
    ("flows",
     "SELECT a.ext_id, f.from_ns, b.ext_id, f.to_ns FROM flows f "
     "JOIN threads a ON a.id = f.from_thread JOIN threads b ON b.id = f.to_thread "
     "ORDER BY f.from_ns, f.to_ns, 1, 3"),
    ("counters",
     "SELECT t.ext_id, n.text, c.ts_ns, c.value FROM counters c "
     "JOIN threads t ON t.id = c.thread_id JOIN strings n ON n.id = c.name "
     "ORDER BY t.ext_id, n.text, c.ts_ns"),
    ("ingest_errors",
     "SELECT kind, byte_offset, line FROM ingest_errors ORDER BY byte_offset, kind"),
    ("source_counters", "SELECT name, value FROM source_counters ORDER BY name"),
]


def cell(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "-" if value is None else str(value)


def rows_of(lurk, case):
    with tempfile.TemporaryDirectory() as work:
        profile = os.path.join(work, "case.lurk")
        run = subprocess.run([lurk, "ingest", case, "-o", profile], capture_output=True, text=True)
        if run.returncode not in (0, 3):  # 3: partial, which several cases are
            raise SystemExit("%s: lurk ingest failed (%d): %s" % (case, run.returncode, run.stderr))
        db = sqlite3.connect(profile)
        out = []
        for title, query in QUERIES:
            out.append("[%s]" % title)
            for row in db.execute(query):
                out.append(" | ".join(cell(v) for v in row))
        db.close()
        return out


def expected_of(case):
    with open(os.path.splitext(case)[0] + ".expected") as f:
        return [line.rstrip("\n") for line in f if line.strip() and not line.startswith("#")]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lurk", required=True)
    p.add_argument("--print", action="store_true")
    p.add_argument("cases", nargs="+")
    args = p.parse_args()
    failed = 0
    for case in args.cases:
        got = rows_of(args.lurk, case)
        if args.print:
            print("\n".join(got))
            continue
        want = expected_of(case)
        if got != want:
            failed += 1
            print("FAIL %s" % case)
            sys.stdout.writelines(l + "\n" for l in difflib.unified_diff(
                want, got, "expected", "lurk", lineterm=""))
        else:
            print("ok   %s (%d rows)" % (case, len(got)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
