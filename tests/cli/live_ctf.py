#!/usr/bin/env python3
"""mirage-profile CTF over TCP into `lurk collect` (docs/live.md): the real
trace ../shared/samples/net.ctf and traces written with the unit tests' CTF
builder (lurk-make-ctf-server), sent with `lurk send` (format detected, the
metadata beside the file sent first) or by a raw socket in small pieces,
give the same rows as `lurk ingest` of the same file (compared table by
table with sqlite3); a torn last packet and garbage between packets are in
ingest_errors with the offsets ingest reports; a JSON lines sender alongside
is undisturbed; a packet header declaring more than 16 MiB is skipped, not
waited for; a hello whose metadata is not mirage-profile's is refused.
Usage: live_ctf.py LURK_BIN SOURCE_DIR MAKE_CTF_SERVER SHARED_DIR"""
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
from live_collector import Collector, Sender, ctf_packets as packets, log_lines  # noqa: E402

tmp = tempfile.mkdtemp(prefix="lurk-live-ctf-")
NET = os.path.join(shared, "samples", "net.ctf")
# Tables whose rows a trace makes; `sources` differs by design (path, hash,
# time) and is compared on its counts below.
TABLES = ["strings", "threads", "spans", "instants", "flows", "counters", "source_counters",
          "periods", "connections", "findings", "ingest_errors"]


def rows(profile, table):
    db = sqlite3.connect("file:%s?mode=ro" % profile, uri=True)
    try:
        return db.execute("SELECT * FROM %s ORDER BY 1" % table).fetchall()
    finally:
        db.close()


def source_counts(profile):
    return rows(profile, "sources")[0][6:10]  # records, skipped, errors, status


def ingest(path):
    """A fresh `lurk ingest` profile of `path`, in the test's own directory
    (never beside the input: the shared sample is not the test's to write)."""
    ingest.made += 1
    profile = os.path.join(tmp, "ingest-%d-%s.lurk" % (ingest.made, os.path.basename(path)))
    r = subprocess.run([lurk, "ingest", path, "-o", profile], capture_output=True, text=True)
    check(os.path.exists(profile), "lurk ingest %s made a profile: %s" % (path, r.stderr))
    return profile


ingest.made = 0


def collect_with(send, name):
    """A collector that gets one stream from send(collector); its profile after a clean stop."""
    profile = os.path.join(tmp, name + ".lurk")
    c = Collector(lurk, profile)
    send(c)
    code, _, err = c.stop()
    check(code == 0, "%s: the collector stops cleanly, got %d: %s" % (name, code, err[-500:]))
    return profile


def same_rows(name, live, ingested):
    for table in TABLES:
        a, b = rows(live, table), rows(ingested, table)
        check_same_rows(a, b, "%s: table %s over TCP equals lurk ingest's" % (name, table))
    check(source_counts(live) == source_counts(ingested),
          "%s: records/skipped/errors/status %s vs ingest %s"
          % (name, source_counts(live), source_counts(ingested)))


def lurk_send(path, *extra):
    def send(c):
        r = subprocess.run([lurk, "send", path, "--to", c.address, *extra],
                           capture_output=True, text=True, timeout=120)
        check(r.returncode == 0, "lurk send %s: exit 0, got %d: %s" % (path, r.returncode, r.stderr))
    return send


def raw_send(data, piece=1000):
    """No hello: the stream begins with the packet magic; sent in small pieces."""
    def send(c):
        s = Sender(c.port, hello=False)
        for i in range(0, len(data), piece):
            s.send(data[i:i + piece])
        final = s.finish()
        check(final is not None and final.get("final") and final["bytes"] == len(data),
              "raw CTF sender: the final ack covers all %d bytes: %s" % (len(data), final))
    return send


def test_net_ctf():
    live = collect_with(lurk_send(NET, "--name", "unikernel"), "net")
    same_rows("net.ctf", live, ingest(NET))
    src_row = rows(live, "sources")[0]
    check(src_row[1] == "unikernel" and src_row[2] == "ctf",
          "the source is named by --name and its format is ctf: %s" % (src_row[:3],))
    counts = dict((r[1], r[2]) for r in rows(live, "source_counters"))
    check(counts.get("event.read") == 2596 and counts.get("event.label") == 2185,
          "net.ctf's event counts (read 2596, label 2185): %s" % counts)


def test_builder_traces():
    for pattern in ("x.x.", "." * 40 + "x"):
        path = os.path.join(tmp, "server-%d.ctf" % len(pattern))
        subprocess.run([make_ctf, path, pattern], check=True)
        live = collect_with(lurk_send(path), "builder-%d" % len(pattern))
        same_rows("builder %s" % pattern, live, ingest(path))
        live = collect_with(raw_send(open(path, "rb").read(), piece=777), "raw-%d" % len(pattern))
        same_rows("builder %s, raw 777-byte pieces" % pattern, live, ingest(path))




def test_torn_and_garbage():
    net = open(NET, "rb").read()
    p = packets(net)
    torn = os.path.join(tmp, "torn.ctf")
    with open(torn, "wb") as f:
        f.write(p[0] + p[1][:20000])  # the second packet cut mid-event
    live = collect_with(raw_send(open(torn, "rb").read(), piece=4096), "torn")
    same_rows("torn last packet", live, ingest(torn))
    errors = rows(live, "ingest_errors")
    check(any(e[4] == "truncated-packet" and e[2] == len(p[0]) for e in errors),
          "the torn packet is reported at its offset %d: %s" % (len(p[0]), errors))

    garbage = os.path.join(tmp, "garbage.ctf")
    junk = bytes((i * 37 + 11) % 251 for i in range(5000))
    with open(garbage, "wb") as f:
        f.write(p[0] + junk + p[1] + p[2] + p[3] + b"\x00" * 100)
    live = collect_with(raw_send(open(garbage, "rb").read(), piece=3000), "garbage")
    same_rows("garbage between packets and after the last", live, ingest(garbage))
    kinds = [(e[2], e[4]) for e in rows(live, "ingest_errors")]
    check((len(p[0]), "bad-magic") in kinds, "garbage reported at offset %d: %s" % (len(p[0]), kinds))
    check(any(k == "no-packet-header" for _, k in kinds), "trailing garbage reported: %s" % kinds)


def test_oversized_packet():
    """A header declaring a packet over the live limit (16 MiB) is damage, not waited for:
    reported where its size is, and the packets after it are read."""
    p = packets(open(NET, "rb").read())
    huge = p[0][:20] + struct.pack("<I", (32 << 20) * 8) + p[0][24:30]
    live = collect_with(raw_send(p[0] + huge + p[1], piece=5000), "oversized")
    kinds = [(e[2], e[4]) for e in rows(live, "ingest_errors")]
    check((len(p[0]) + 20, "bad-packet-size") in kinds,
          "a 32 MiB packet header: bad-packet-size at its size field (%d): %s" % (len(p[0]) + 20, kinds))
    both = os.path.join(tmp, "two-packets.ctf")
    with open(both, "wb") as f:
        f.write(p[0] + p[1])
    ingested = ingest(both)
    check(source_counts(live)[0] == source_counts(ingested)[0],
          "the packets around it are read: %s events, ingest of the two alone %s"
          % (source_counts(live)[0], source_counts(ingested)[0]))


def test_alongside_and_refused():
    """A CTF sender (with hello and metadata), a JSON lines sender, a bad-metadata one at once."""
    profile = os.path.join(tmp, "mixed.lurk")
    c = Collector(lurk, profile)
    metadata = open(NET + ".metadata", "rb").read()
    ctf = Sender(c.port, hello=False)
    ctf.send(json.dumps({"lurk": "hello", "version": 1, "name": "uk", "format": "ctf",
                         "metadata_bytes": len(metadata)}) + "\n")
    jsonl = Sender(c.port, name="jsonl")
    bad = Sender(c.port, hello=False)
    bad.send(json.dumps({"lurk": "hello", "version": 1, "name": "bad", "format": "ctf",
                         "metadata_bytes": 20}) + "\n")
    bad.send(b"/* CTF 1.8 */ uuid=x")
    ctf.send(metadata)
    net = open(NET, "rb").read()
    lines = log_lines(20000, "j")
    for i in range(10):
        ctf.send(net[i * len(net) // 10:(i + 1) * len(net) // 10])
        jsonl.send(lines[i * len(lines) // 10:(i + 1) * len(lines) // 10])
    final_ctf, final_jsonl = ctf.finish(), jsonl.finish()
    bad.read_acks(2)
    check(bad.refused is not None and "mirage-profile" in bad.refused,
          "metadata without mirage-profile's uuid: refused with the reason: %s" % bad.refused)
    check(final_jsonl and final_jsonl["events"] == 20000 and final_jsonl["bytes"] == jsonl.sent,
          "the JSON lines sender alongside: every event committed: %s" % final_jsonl)
    check(final_ctf and final_ctf["events"] == 10078 and final_ctf["bytes"] == ctf.sent,
          "CTF with hello and metadata: all 10,078 events of net.ctf, every byte: %s" % final_ctf)
    c.stop()
    names = sorted(r[1] for r in rows(profile, "sources"))
    check(names == ["jsonl", "uk"], "the refused sender is not in the profile: %s" % names)


for test in (test_net_ctf, test_builder_traces, test_torn_and_garbage, test_oversized_packet,
             test_alongside_and_refused):
    try:
        test()
    except Exception as e:  # a crash is a failure with its reason, the others still run
        check(False, "%s raised %r" % (test.__name__, e))
finish()
