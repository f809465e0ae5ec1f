#!/usr/bin/env python3
"""The committed demo (samples/demo.pcap, demo-client.jsonl, demo-server.jsonl,
made by samples/make-demo.sh) ingests into exactly the findings below, and the
committed samples/demo.lurk (what `lurk view` opens with no input) holds the
same findings, threads and links as a fresh ingest of those inputs. The
capture's own flags are checked against tshark, an oracle independent of lurk.
Usage: demo_sample.py LURK_BIN SOURCE_DIR"""
import json
import os
import re
import sqlite3
import sys
import tempfile
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from cli_checks import check, finish, output as run  # noqa: E402

lurk, src = sys.argv[1:3]
samples = os.path.join(src, "samples")
inputs = [os.path.join(samples, f) for f in ("demo.pcap", "demo-client.jsonl", "demo-server.jsonl")]

# Exact findings of the committed inputs: kind -> rows. One row per switch of
# the demo stack, plus one exception group per message (the reset connection's
# server thread fails in write, the others at close).
EXPECTED = {
    "connection-end-exception": 2,
    "exception": 2,
    "rst-established": 1,
    "rto-stall": 1,
    "zero-window-stall": 1,
    "dup-ack-after-fin": 1,
}
CLOSE_MESSAGE = 'Invalid_argument("Lwt.wakeup_result")'


def findings(profile):
    return json.loads(run([lurk, "findings", profile, "--format", "json"]))


def query(profile, sql):
    with sqlite3.connect(f"file:{profile}?mode=ro", uri=True) as db:
        return db.execute(sql).fetchall()


def tshark_count(capture, display_filter):
    out = run(["tshark", "-r", capture, "-Y", display_filter, "-T", "fields", "-e", "frame.number"])
    return len(out.split())


with tempfile.TemporaryDirectory() as work:
    fresh = os.path.join(work, "demo.lurk")
    run([lurk, "ingest", *inputs, "-o", fresh])
    rows = findings(fresh)
    kinds = Counter(r["kind"] for r in rows)
    check(dict(kinds) == EXPECTED, f"findings by kind {dict(kinds)}, expected {EXPECTED}")

    # The first row is the one the findings panel leads with.
    connections = query(fresh, "SELECT count(DISTINCT coalesce(same_as, id)) FROM connections")[0][0]
    check(connections == 10, f"{connections} connections, expected 10 (6 plain fetches + 4 switches)")
    first = rows[0]["title"] if rows else ""
    check(first == f"9 of {connections} connections end with an exception: {CLOSE_MESSAGE}",
          f"first finding: {first!r}")
    # Whether the RST finds the server in write or in its final read depends on the run.
    reset = re.compile(r"1 of 10 connections end with an exception: (read|write): Connection reset by peer$")
    check(any(reset.match(r["title"]) for r in rows), "the reset connection's server thread fails")

    # Every thread of both traces sits on a capture connection (20: a client
    # and a server thread per connection), and every `tcp` event of a trace
    # became a packet of a trace connection that is the same as a captured one.
    threads, linked = query(fresh, "SELECT count(*), count(connection_id) FROM threads")[0]
    check(threads == 20 and linked == 20, f"{linked} of {threads} threads linked, expected 20 of 20")
    on_capture = query(fresh, "SELECT count(*) FROM threads t JOIN connections c ON c.id = t.connection_id "
                              "WHERE c.same_as IS NULL")[0][0]
    check(on_capture == 20, f"{on_capture} threads on capture connections, expected 20")
    unjoined = query(fresh, "SELECT count(*) FROM connections c JOIN sources s ON s.id = c.source_id "
                            "WHERE s.format = 'lurk-jsonl' AND c.same_as IS NULL")[0][0]
    check(unjoined == 0, f"{unjoined} trace connections not joined to the capture")

    # The capture's flags, as tshark sees them: what the findings rest on.
    capture = inputs[0]
    check(tshark_count(capture, "tcp.analysis.duplicate_ack") == 2, "tshark: 2 duplicate ACKs (the injected ones)")
    check(tshark_count(capture, "tcp.analysis.retransmission and tcp.srcport == 40444") == 2,
          "tshark: the lost request is retransmitted twice")
    check(tshark_count(capture, "tcp.analysis.spurious_retransmission or tcp.analysis.fast_retransmission") == 0,
          "tshark: no spurious or fast retransmission (they would vary from run to run)")
    check(tshark_count(capture, "tcp.analysis.zero_window") > 0, "tshark: zero-window segments")

    # The committed profile is what its inputs make now.
    committed = os.path.join(samples, "demo.lurk")
    key = lambda rs: sorted((r["kind"], r["title"], r["severity"]) for r in rs)
    check(key(findings(committed)) == key(rows), "samples/demo.lurk differs from a fresh ingest of its inputs "
          "(re-run samples/make-demo.sh or re-ingest)")
    count_sql = "SELECT (SELECT count(*) FROM packets), (SELECT count(*) FROM threads), (SELECT count(*) FROM instants)"
    check(query(committed, count_sql) == query(fresh, count_sql), "samples/demo.lurk: packet/thread/instant counts")
    # Written at the schema this lurk writes (the lane facts of version 5 and
    # on are what `lurk view` opens from; an older committed sample would test
    # only the old path): re-ingest when the version moves.
    for name in ("demo.lurk", "mirage-net.lurk"):
        version = query(os.path.join(samples, name), "PRAGMA user_version")[0][0]
        check(version == query(fresh, "PRAGMA user_version")[0][0],
              f"samples/{name} is at schema version {version}, a fresh ingest at another: re-ingest it")
    connections_sql = "SELECT id, state, rst_seen, packets_ab, packets_ba FROM connections ORDER BY id"
    check(query(committed, connections_sql) == query(fresh, connections_sql),
          "samples/demo.lurk: connection rows differ from a fresh ingest")

finish()
