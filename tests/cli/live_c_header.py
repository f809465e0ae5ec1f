#!/usr/bin/env python3
"""collector/client/lurk_trace.h, the C header a stack uses to emit lurk JSON
lines: the example built as C99 and as C++ writes the same bytes; lurk ingest
reads that file without an error into the rows the calls describe (escaped
text round-trips); sent to a lurk collect, the same rows land in the source
named by its hello.
Usage: live_c_header.py LURK_BIN EXAMPLE_C EXAMPLE_CXX SOURCE_DIR"""
import os
import sqlite3
import subprocess
import sys
import tempfile

lurk, example_c, example_cxx, src = sys.argv[1:5]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, finish, run  # noqa: E402
from live_collector import Collector  # noqa: E402

tmp = tempfile.mkdtemp(prefix="lurk-c-header-")
LOG_TEXT = 'GET /a "quoted"\tand\\slashed\nnewline \u00e9'


def rows_of(db, source):
    """What the scenario of lurk_trace_example.c should have made, as read back."""
    q = lambda sql: db.execute(sql, (source,)).fetchall()
    return {
        "thread": q("SELECT st.text, t.failed, ex.text FROM threads t JOIN strings st ON st.id = t.name "
                    "JOIN strings ex ON ex.id = t.exception WHERE t.source_id = ?"),
        "log": q("SELECT st.text FROM instants i JOIN strings st ON st.id = i.name "
                 "WHERE i.kind = 'log' AND i.source_id = ?"),
        "counter": q("SELECT st.text, c.value FROM counters c JOIN strings st ON st.id = c.name "
                     "WHERE c.source_id = ?"),
        "packets": q("SELECT dir, tcp_flags, seq, ack FROM packets WHERE source_id = ? ORDER BY ts_ns"),
        "spans": q("SELECT count(*) FROM spans s JOIN threads t ON t.id = s.thread_id WHERE t.source_id = ?"),
        "errors": q("SELECT kind, message FROM ingest_errors WHERE source_id = ?"),
    }


EXPECTED = {
    "thread": [("fetch", 1, "Connection reset")],
    "log": [(LOG_TEXT,)],
    "counter": [("queue depth", 42.5)],
    "packets": [(0, 2, 1000, 0), (1, 18, 5000, 1001)],
    "spans": [(1,)],
    "errors": [],
}

c_file, cxx_file = os.path.join(tmp, "c.jsonl"), os.path.join(tmp, "cxx.jsonl")
run([example_c, "file", c_file])
run([example_cxx, "file", cxx_file])
check(open(c_file, "rb").read() == open(cxx_file, "rb").read(), "C99 and C++ builds write the same bytes")
profile = os.path.join(tmp, "file.lurk")
run([lurk, "ingest", c_file, "-o", profile])
db = sqlite3.connect(profile)
got = rows_of(db, db.execute("SELECT id FROM sources").fetchone()[0])
for key, want in EXPECTED.items():
    check(got[key] == want, "file: %s: %r, expected %r" % (key, got[key], want))

live = os.path.join(tmp, "live.lurk")
c = Collector(lurk, live)
sent = subprocess.run([example_c, "connect", "127.0.0.1", str(c.port), "c-stack"], capture_output=True, text=True)
check(sent.returncode == 0, "the example connects and sends: %s" % sent.stderr)
rc, out, err = c.stop()
check(rc == 0 and out.startswith("c-stack\t"), "collect names the source by the hello: %r" % out)
db = sqlite3.connect(live)
sid = db.execute("SELECT id FROM sources WHERE path = 'c-stack'").fetchone()
got = rows_of(db, sid[0]) if sid else {}
for key, want in EXPECTED.items():
    check(got.get(key) == want, "live: %s: %r, expected %r" % (key, got.get(key), want))
import cli_checks  # noqa: E402
import shutil  # noqa: E402
if cli_checks.failed == 0:
    shutil.rmtree(tmp, ignore_errors=True)  # kept for a look when something failed
finish()
