#!/usr/bin/env python3
"""The never-resolved findings while `lurk collect` runs (docs/live.md,
"Analysis while the data arrives"): a CTF trace whose must-resolve promises
(`__should_resolve`) never resolve gets its 'never-resolved' marks when it
ends; the batch that commits that end writes one "Thread N never resolved"
finding per promise, read mid-collection while another sender is still
connected; the stop pass settles them (the rows `lurk ingest` of the same
trace makes); a collector started again on the profile keeps them in its
first batch (read at start) and after its stop. The expected promises are
the builder's (ctf_server_scenario.h: each connection's after-close promise,
ext id 100*(i+1)+5), and lurk ingest must name the same ones.
Usage: live_never_resolved.py LURK_BIN SOURCE_DIR MAKE_CTF_SERVER SHARED_DIR"""
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

lurk, src, make_ctf, shared = sys.argv[1:5]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, finish  # noqa: E402
from live_collector import HEADER, Collector, Sender, log_lines, wait_acked  # noqa: E402

tmp = tempfile.mkdtemp(prefix="lurk-live-never-resolved-")
METADATA = os.path.join(shared, "samples", "net.ctf.metadata")
PATTERN = "x.x.."
EXPECTED = sorted("Thread %d never resolved" % (100 * (i + 1) + 5) for i in range(len(PATTERN)))


def never_resolved(profile):
    """(title, thread ext_id) of the never-resolved findings, sorted."""
    db = sqlite3.connect("file:%s?mode=ro" % profile, uri=True)
    try:
        return sorted(db.execute(
            "SELECT f.title, t.ext_id FROM findings f JOIN threads t ON t.id = f.thread_id "
            "WHERE f.kind = 'never-resolved'").fetchall())
    finally:
        db.close()


def titles(rows):
    return sorted(r[0] for r in rows)


def wait_for(profile, want, timeout=15):
    deadline = time.time() + timeout
    got = None
    while time.time() < deadline:
        got = titles(never_resolved(profile))
        if got == want:
            break
        time.sleep(0.1)
    return got


trace = os.path.join(tmp, "server.ctf")
subprocess.run([make_ctf, trace, PATTERN, "20"], check=True)
ingested = os.path.join(tmp, "ingest.lurk")
r = subprocess.run([lurk, "ingest", trace, "-o", ingested], capture_output=True, text=True)
check(r.returncode == 0, "lurk ingest of the trace: %s" % r.stderr[-300:])
check(titles(never_resolved(ingested)) == EXPECTED,
      "lurk ingest names the after-close promises never resolved: %s"
      % titles(never_resolved(ingested)))

profile = os.path.join(tmp, "live.lurk")
c = Collector(lurk, profile, "--batch-ms", "50")
keep = Sender(c.port, name="still-connected")
keep.send(log_lines(10))
check(wait_acked(keep), "the JSON lines sender is acked")
check(titles(never_resolved(profile)) == [],
      "before the CTF trace ends, no never-resolved finding: %s" % never_resolved(profile))
r = subprocess.run([lurk, "send", trace, "--to", c.address, "--name", "unikernel",
                    "--metadata", METADATA], capture_output=True, text=True, timeout=60)
check(r.returncode == 0, "lurk send of the CTF trace: every byte committed: %s" % r.stderr)
got = wait_for(profile, EXPECTED)
check(got == EXPECTED, "mid-collection, another sender connected: the never-resolved findings "
      "of the ended trace: %s" % got)
live_rows = never_resolved(profile)
check(live_rows == never_resolved(ingested),
      "mid-collection: the same promises (ext ids) as lurk ingest's: %s vs %s"
      % (live_rows, never_resolved(ingested)))
keep.send(log_lines(5, start=10))
check(wait_acked(keep), "a later batch is acked")
check(titles(never_resolved(profile)) == EXPECTED,
      "a later batch keeps each never-resolved finding once: %s" % titles(never_resolved(profile)))
keep.finish()
code, _, err = c.stop()
check(code == 0, "the collector stops cleanly: %s" % err[-300:])
check(never_resolved(profile) == never_resolved(ingested),
      "settled at stop: the stop pass's never-resolved findings are lurk ingest's: %s"
      % never_resolved(profile))

# Started again on the same profile: the first batch replaces the findings
# table with the live ones, which must include the never-resolved read at start.
c = Collector(lurk, profile, "--batch-ms", "50")
again = Sender(c.port, name="after-restart")
again.send(log_lines(3, tag="r"))
check(wait_acked(again), "after the restart: acked")
got = titles(never_resolved(profile))
check(got == EXPECTED, "after the restart, mid-collection: the never-resolved findings the "
      "file held are kept: %s" % got)
again.finish()
code, _, err = c.stop()
check(code == 0, "the restarted collector stops cleanly: %s" % err[-300:])
check(never_resolved(profile) == never_resolved(ingested),
      "after the second stop: still lurk ingest's: %s" % never_resolved(profile))
finish()
