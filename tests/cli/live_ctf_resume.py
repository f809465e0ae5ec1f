#!/usr/bin/env python3
"""Exactly once for mirage-profile CTF streams across a collector's SIGKILL
and restart (docs/live.md, "Exactly once ... CTF streams"): a sender that
names its stream (`"stream":ID` in the hello line) sends the metadata and
packets; the collector commits whole packets only, and live_streams holds,
in each batch's transaction, the byte after the last whole packet committed
and the CTF reader's state there. The collector is SIGKILLed at several
points (whole packets read but not committed, half a packet in flight, right
after a reconnection) and restarted on the same file: each time the file
passes integrity_check, the resume answer is a packet boundary and what
live_streams says, the stream goes on in the same source, and in the end
(finished by `lurk send --stream`, which resumes from the collector's answer)
every table equals `lurk ingest` of the same trace, row for row: a builder
trace of many packets whose promises, running periods, counters and
must-resolve marks run across packets, and the real sample net.ctf. A
finished stream sent again stores nothing. A collector stopped (SIGINT) mid-
stream leaves the stream open, and the next one continues it.
Usage: live_ctf_resume.py LURK_BIN SOURCE_DIR MAKE_CTF_SERVER SHARED_DIR"""
import json
import os
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time

lurk, src, make_ctf, shared = sys.argv[1:5]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, check_same_rows, finish  # noqa: E402
from live_collector import ctf_packets as packets, free_port, open_stream as connect, start_collector_at  # noqa: E402

tmp = tempfile.mkdtemp(prefix="lurk-live-ctf-resume-")
NET = os.path.join(shared, "samples", "net.ctf")
METADATA = open(NET + ".metadata", "rb").read()
# Every table a trace makes, compared row for row (ids included) with lurk
# ingest's; `sources` differs by design (path, hash, time): its counts are.
TABLES = ["strings", "threads", "spans", "instants", "flows", "counters", "source_counters",
          "periods", "connections", "findings", "ingest_errors"]




def start_collector(profile, port):
    return start_collector_at(lurk, profile, port, "--batch-ms", "30")


def query(profile, sql, *args):
    db = sqlite3.connect(profile)  # read-write: recovers a killed collector's WAL
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def ledger(profile, stream):
    r = query(profile, "SELECT max(committed_bytes) FROM live_streams WHERE stream_id = ?", stream)
    return r[0][0] or 0




def hello(stream, name="unikernel"):
    """The hello line `lurk send --stream` sends (nlohmann's dump: keys sorted,
    no spaces), so that a raw connection and lurk send count the same bytes."""
    h = {"lurk": "hello", "version": 1, "name": name, "format": "ctf",
         "metadata_bytes": len(METADATA), "stream": stream}
    return json.dumps(h, sort_keys=True, separators=(",", ":")).encode() + b"\n" + METADATA


def wait_ledger(profile, stream, at_least, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if ledger(profile, stream) >= at_least:
            return True
        time.sleep(0.03)
    return False


def ingest(path):
    profile = os.path.join(tmp, "ingest-" + os.path.basename(path) + ".lurk")
    r = subprocess.run([lurk, "ingest", path, "-o", profile], capture_output=True, text=True)
    check(r.returncode == 0, "lurk ingest %s: %s" % (path, r.stderr[-300:]))
    return profile


def rows(profile, table):
    return query(profile, "SELECT * FROM %s ORDER BY 1" % table)


def same_rows(name, live, ingested):
    for table in TABLES:
        a, b = rows(live, table), rows(ingested, table)
        check_same_rows(a, b, "%s: table %s equals lurk ingest's" % (name, table))
    counts = "SELECT records, skipped, errors, status FROM sources"
    check(query(live, counts) == query(ingested, counts),
          "%s: records/skipped/errors/status %s vs ingest %s"
          % (name, query(live, counts), query(ingested, counts)))


def killed_and_restarted(proc, profile, port, name):
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    check(query(profile, "PRAGMA integrity_check") == [("ok",)],
          "%s: the profile passes integrity_check after the kill" % name)
    return start_collector(profile, port)


def resume_checked(port, opening, profile, stream, boundaries, name):
    """Reconnects; the resume point is what live_streams says, at a packet boundary."""
    sock, resume = connect(port, opening)
    check(resume == ledger(profile, stream),
          "%s: the resume answer (%d) is live_streams' committed end (%d)"
          % (name, resume, ledger(profile, stream)))
    check(resume in boundaries, "%s: the resume point %d is a whole packet's end" % (name, resume))
    return sock, resume


def send_from(sock, data, opening_len, resume, upto):
    """The packets from the stream offset `resume` to `upto` (stream offsets)."""
    sock.sendall(data[resume - opening_len:upto - opening_len])


def kill_points_then_lurk_send(path, stream, kills):
    """Raw connections killed at `kills` (packet counts), then lurk send --stream finishes."""
    name = os.path.basename(path)
    data = open(path, "rb").read()
    sizes = [len(p) for p in packets(data)]
    opening = hello(stream)
    boundaries = {0}
    at = len(opening)
    for size in sizes:
        at += size
        boundaries.add(at)
    profile = os.path.join(tmp, name + "-" + stream.replace("/", "-") + ".lurk")
    port = free_port()
    proc = start_collector(profile, port)
    sock, resume = connect(port, opening)
    check(resume == 0, "%s: a new stream resumes at 0, got %d" % (name, resume))
    resume = len(opening)
    for k, count in enumerate(kills):
        end = len(opening) + sum(sizes[:count])
        # Whole packets up to `end`, committed (the ledger says so) ...
        send_from(sock, data, len(opening), resume, end)
        check(wait_ledger(profile, stream, end),
              "%s kill %d: live_streams reaches byte %d (%d packets)" % (name, k, end, count))
        # ... then a packet and a half more, read but not committed whole.
        start = max(resume, end) - len(opening)
        more = min(len(data), end - len(opening) + sizes[count] + sizes[count] // 2)
        sock.sendall(data[start:max(start, more)])
        proc = killed_and_restarted(proc, profile, port, "%s kill %d" % (name, k))
        sock.close()
        sock, resume = resume_checked(port, opening, profile, stream, boundaries,
                                      "%s after kill %d" % (name, k))
        check(resume >= end, "%s after kill %d: nothing committed is lost (%d >= %d)"
              % (name, k, resume, end))
        sources = query(profile, "SELECT count(*) FROM sources")[0][0]
        check(sources == 1, "%s after kill %d: the stream is one source, got %d"
              % (name, k, sources))
    # Killed right after the reconnection, before any packet of it.
    proc = killed_and_restarted(proc, profile, port, "%s kill on reconnect" % name)
    sock.close()
    before = ledger(profile, stream)
    r = subprocess.run([lurk, "send", path, "--to", "127.0.0.1:%d" % port, "--name", "unikernel",
                        "--metadata", NET + ".metadata", "--stream", stream, "--retry", "30"],
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, "%s: lurk send --stream finishes the stream: %s" % (name, r.stderr))
    check("resumed: %d bytes" % (before - len(opening)) in r.stderr,
          "%s: lurk send resumed after the %d bytes committed: %s"
          % (name, before - len(opening), r.stderr))
    return proc, profile, port


def stop(proc, name):
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    check(proc.returncode == 0, "%s: the collector stops cleanly: %s" % (name, err[-400:]))


def test_builder_trace():
    path = os.path.join(tmp, "server.ctf")
    subprocess.run([make_ctf, path, "x..x." * 40, "25"], check=True)
    count = len(packets(open(path, "rb").read()))
    check(count >= 50, "the builder trace has many packets: %d" % count)
    proc, profile, port = kill_points_then_lurk_send(path, "test/builder", [3, 17, 30])
    stop(proc, "builder")
    same_rows("builder trace, 3 kills", profile, ingest(path))
    # A finished stream sent again: its end is the answer, nothing is stored twice.
    proc = start_collector(profile, port)
    r = subprocess.run([lurk, "send", path, "--to", "127.0.0.1:%d" % port, "--name", "unikernel",
                        "--metadata", NET + ".metadata", "--stream", "test/builder"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "a finished CTF stream sent again: exit 0: %s" % r.stderr)
    stop(proc, "builder, sent again")
    events = query(profile, "SELECT sum(records) FROM sources")[0][0]
    ingested = query(ingest(path), "SELECT sum(records) FROM sources")[0][0]
    check(events == ingested, "sent again: %s events stored, as ingest's %s" % (events, ingested))
    for table in ("spans", "instants", "flows", "counters", "threads"):
        n = query(profile, "SELECT count(*) FROM %s" % table)[0][0]
        m = query(ingest(path), "SELECT count(*) FROM %s" % table)[0][0]
        check(n == m, "sent again: %s holds %d rows, as ingest's %d" % (table, n, m))


def test_net_ctf():
    proc, profile, port = kill_points_then_lurk_send(NET, "test/net", [1, 2])
    stop(proc, "net.ctf")
    same_rows("net.ctf, 2 kills", profile, ingest(NET))


def test_stopped_then_resumed():
    """A collector stopped (SIGINT) while the stream is connected cuts it at its last whole
    packet and leaves it open (its source partial, no end-of-trace rows); the next collector
    continues it, and its stop decides the whole trace: ingest's rows, but for the cut."""
    path = os.path.join(tmp, "server-stopped.ctf")
    subprocess.run([make_ctf, path, "..x." * 10, "20"], check=True)
    data = open(path, "rb").read()
    sizes = [len(p) for p in packets(data)]
    stream = "test/stopped"
    opening = hello(stream)
    profile = os.path.join(tmp, "stopped.lurk")
    port = free_port()
    proc = start_collector(profile, port)
    sock, _ = connect(port, opening)
    end = len(opening) + sum(sizes[:10])
    sock.sendall(data[:end - len(opening)] + data[end - len(opening):end - len(opening) + 100])
    check(wait_ledger(profile, stream, end), "stopped: live_streams reaches 10 packets")
    stop(proc, "stopped mid-stream")
    sock.close()
    status = query(profile, "SELECT status FROM sources")
    cut = query(profile, "SELECT byte_offset FROM ingest_errors WHERE kind = 'stream-cut'")
    check(status == [("partial",)] and cut == [(end,)],
          "stopped: the source is partial, cut at the last whole packet: %s %s" % (status, cut))
    counts = query(profile, "SELECT count(*) FROM source_counters WHERE name LIKE 'event.%'")[0][0]
    check(counts == 0, "stopped: the trace is not ended (no per-type counts yet): %d" % counts)
    proc = start_collector(profile, port)
    r = subprocess.run([lurk, "send", path, "--to", "127.0.0.1:%d" % port, "--name", "unikernel",
                        "--metadata", NET + ".metadata", "--stream", stream],
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 0 and "resumed:" in r.stderr,
          "stopped: lurk send --stream resumes and finishes: %s" % r.stderr)
    stop(proc, "stopped, then resumed")
    ingested = ingest(path)
    for table in TABLES:
        if table == "ingest_errors":
            continue  # the cut is recorded, as it should be
        a, b = rows(profile, table), rows(ingested, table)
        check_same_rows(a, b, "stopped then resumed: table %s equals lurk ingest's" % table)
    records = "SELECT records, skipped FROM sources"
    check(query(profile, records) == query(ingested, records),
          "stopped then resumed: records %s vs ingest %s"
          % (query(profile, records), query(ingested, records)))


test_builder_trace()
test_net_ctf()
test_stopped_then_resumed()
finish()
