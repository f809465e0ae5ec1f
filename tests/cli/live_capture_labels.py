#!/usr/bin/env python3
"""A capture in the profile and a trace of the same run on a clock of its own
whose only clock evidence is its connect and close labels, as a MirageOS
unikernel's CTF trace (no segment events; docs/live.md, "A capture already
in the profile"): `lurk ingest loopback-http.pcap -o run.lurk`, then `lurk
collect -o run.lurk` while the stack's trace of that run arrives in three
parts, on a boot clock, its segment events replaced by a "TCP connect" label
at each connection's SYN and a "TCP close" label at its first FIN (the
thread that sent them). After each part, the sender still connected, the
trace's offset is what `lurk ingest` of the capture and the trace so far
decides from the labels, and the merges, links and findings are ingest's;
after the stop every table equals lurk ingest's, the clock aligned by its
labels, the stop pass kept the last live offset, and a `lurk view --follow`
page was sent the profile whole only when the offset was decided, not at
the stop.
Usage: live_capture_labels.py LURK_BIN SOURCE_DIR"""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

lurk, src = sys.argv[1:3]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, check_same_rows, finish  # noqa: E402
from live_collector import Collector, Sender, wait_acked  # noqa: E402
sys.path.insert(0, os.path.join(src, "tests", "server"))
from follow_cursor import Follower, same_tables  # noqa: E402
from http_probe import port_of, start_view, stop  # noqa: E402

tmp = tempfile.mkdtemp(prefix="lurk-live-capture-labels-")
CAPTURE = os.path.join(src, "samples", "loopback-http.pcap")
TRACE = os.path.join(src, "tests", "data", "jsonl", "loopback-http.jsonl")
TABLES = ["strings", "threads", "spans", "instants", "flows", "counters", "periods", "packets",
          "connections", "capture_findings", "findings"]
SHIFT = 1_795_000_000_123_456_789  # the capture's clock at the trace's 0

# What is compared mid-collection, each row by what it says (not by ids):
# a trace connection and the capture connection it is (same_as);
MERGES = ("SELECT t.port_a, t.port_b, t.first_ns, c.port_a, c.port_b, c.first_ns "
          "FROM connections t JOIN sources s ON s.id = t.source_id "
          "LEFT JOIN connections c ON c.id = t.same_as WHERE s.format = 'lurk-jsonl'")
# a thread, the connection it is under, whose row that is, and how;
LINKS = ("SELECT t.ext_id, t.start_ns, c.port_a, c.port_b, s.format, t.link_how FROM threads t "
         "LEFT JOIN connections c ON c.id = t.connection_id LEFT JOIN sources s ON s.id = c.source_id")
# the labels, at their times on the capture's clock;
LABELS = ("SELECT i.ts_ns, str.text FROM instants i JOIN strings str ON str.id = i.name "
          "JOIN sources s ON s.id = i.source_id WHERE s.format = 'lurk-jsonl'")
# the trace's clock, and the findings.
CLOCK = "SELECT clock_domain, clock_offset_ns FROM sources WHERE format = 'lurk-jsonl'"
CLOCK_HOW = ("SELECT clock_domain, clock_offset_ns, clock_how, clock_evidence FROM sources "
             "WHERE format = 'lurk-jsonl'")
FINDINGS = "SELECT kind, title FROM findings"
# After the stop, as live_capture_joins.py: the flows by what they say.
AFTER_STOP = {"flows": "SELECT kind, from_thread, from_ns, to_thread, to_ns, packet_id FROM flows"}


def query(profile, sql):
    db = sqlite3.connect("file:%s?mode=ro" % profile, uri=True)
    try:
        return sorted(db.execute(sql).fetchall(), key=repr)
    finally:
        db.close()


def joined(profile):
    return {name: query(profile, sql) for name, sql in
            (("merges", MERGES), ("links", LINKS), ("labels", LABELS), ("clock", CLOCK),
             ("findings", FINDINGS))}


def label_lines():
    """The trace on a boot clock, each connection's segments replaced by a
    connect label at its first SYN and a close label at its first FIN, on the
    thread of its local port, or on the stack's thread ("tcpip") when no
    thread names that port."""
    thread_of_port = {}
    seen = set()
    lines = []
    with open(TRACE) as f:
        for n, line in enumerate(f):
            ev = json.loads(line)
            if n == 0:
                ev["clock"] = "boot-ns"
                lines.append(json.dumps(ev) + "\n")
                continue
            ev["ts"] -= SHIFT
            if n == 1:
                lines.append(json.dumps({"t": "thread_start", "ts": ev["ts"] - 1000,
                                         "thread": "tcpip", "name": "tcpip"}) + "\n")
            last = ev["ts"]
            if ev["t"] == "thread_start" and "conn" in ev:
                thread_of_port[ev["conn"]["lport"]] = ev["thread"]
            if ev["t"] != "tcp":
                lines.append(json.dumps(ev) + "\n")
                continue
            thread = thread_of_port.get(ev["lport"], "tcpip")
            key = (ev["lport"], ev["rport"])
            for flag, name in (("SYN", "TCP connect"), ("FIN", "TCP close")):
                if flag in ev["flags"] and (key, flag) not in seen:
                    seen.add((key, flag))
                    lines.append(json.dumps({"t": "label", "ts": ev["ts"], "thread": thread,
                                             "name": name}) + "\n")
    lines.append(json.dumps({"t": "thread_end", "ts": last + 1000, "thread": "tcpip"}) + "\n")
    return lines


def ingested(text, tag):
    """What `lurk ingest` makes of the capture, then the trace so far, in one profile."""
    trace = os.path.join(tmp, "trace-%s.jsonl" % tag)
    with open(trace, "w") as f:
        f.write(text)
    out = os.path.join(tmp, "ingested-%s.lurk" % tag)
    for what in (CAPTURE, trace):
        r = subprocess.run([lurk, "ingest", what, "-o", out], capture_output=True, text=True)
        check(r.returncode == 0, "lurk ingest %s (%s): %s" % (what, tag, r.stderr[-300:]))
    return out


def part_ends(lines):
    """Where three parts end, each where no span is open (a span's row is
    written when it closes: live_capture_joins.py)."""
    closed = []
    open_spans = 0
    for n, line in enumerate(lines):
        open_spans += ('"t": "span_begin"' in line) - ('"t": "span_end"' in line)
        if n and open_spans == 0:
            closed.append(n + 1)
    cuts = [min(closed, key=lambda n: abs(n - len(lines) * k // 3)) for k in (1, 2)] + [len(lines)]
    check(len(set(cuts)) == 3, "three parts, each ending with every span closed: %s" % cuts)
    return cuts


lines = label_lines()
labels = sum('"t": "label"' in l for l in lines)
check(labels >= 10 and not any('"t": "tcp"' in l for l in lines),
      "the trace's clock evidence is its labels: %d labels, no segment" % labels)
profile = os.path.join(tmp, "run.lurk")
r = subprocess.run([lurk, "ingest", CAPTURE, "-o", profile], capture_output=True, text=True)
check(r.returncode == 0, "the capture ingested first: %s" % r.stderr[-300:])
c = Collector(lurk, profile, "--batch-ms", "40")
view, url = start_view(lurk, ["--follow", profile])
page = Follower(port_of(url), tmp)
resets, live_offsets = [], []
sender = Sender(c.port, hello=False)
sent = 0
for part, cut in enumerate(part_ends(lines)):
    sender.send("".join(lines[sent:cut]))
    sent = cut
    check(wait_acked(sender), "part %d acked" % part)
    time.sleep(0.1)  # the ack follows the commit; the analysis is in the same transaction
    live, want = joined(profile), joined(ingested("".join(lines[:cut]), "part%d" % part))
    (domain, offset), = live["clock"]
    live_offsets.append(offset)
    # Ingest decides none on too few labels (the first part's connections
    # could be any of the capture's): then live neither.
    check(domain == "own" and offset == want["clock"][0][1] and
          (offset == 0 or abs(offset - SHIFT) < 1_000_000),
          "part %d: the offset decided while collecting from the labels so far is lurk "
          "ingest's: %d, ingest's %d (shift %d)" % (part, offset, want["clock"][0][1], SHIFT))
    for what in want:
        check(live[what] == want[what], "part %d, sender connected: the %s are lurk ingest's "
              "(%d rows); only live: %s; only ingest's: %s"
              % (part, what, len(want[what]), [r for r in live[what] if r not in want[what]][:3],
                 [r for r in want[what] if r not in live[what]][:3]))
    linked = sum(1 for l in live["links"] if l[4] == "pcap")
    check(linked > 0, "part %d: %d threads under the capture's connections" % (part, linked))
    check(page.catch_up(), "part %d reached the follow page (%d deltas, %d resets)"
          % (part, page.deltas, page.resets))
    resets.append(page.resets)
final = sender.finish()
check(final is not None and final.get("final"), "the final ack: %s" % final)
code, _, err = c.stop()
check(code == 0, "the collector stops cleanly: %s" % err[-300:])
caught_up = page.catch_up()
stop(view)
check(caught_up and same_tables(page.copy, profile) is None,
      "after the stop the follow page's copy equals the file (first table that differs: %s)"
      % same_tables(page.copy, profile))
resets.append(page.resets)
want = ingested("".join(lines), "final")
for table in TABLES:
    sql = AFTER_STOP.get(table, "SELECT * FROM %s" % table)
    check_same_rows(query(profile, sql), query(want, sql),
                    "after the stop: table %s equals lurk ingest's" % table)
clock = query(profile, CLOCK_HOW)
check(clock == query(want, CLOCK_HOW) and clock[0][2] == "labels",
      "after the stop the trace's clock is ingest's, aligned by its labels: %s" % clock)
check(live_offsets[-2] != 0 and abs(live_offsets[-1] - SHIFT) < 1_000_000,
      "the labels decided the offset while collecting, before the last part: %s" % live_offsets)
check(live_offsets[-1] == clock[0][1],
      "the stop pass kept the offset the last part had: live %s, final %s" % (live_offsets, clock))
check(resets[-2] <= 1 and resets[-1] == resets[-2],
      "the follow page fetched the profile whole only when the offset was decided, not at the "
      "stop: resets after each part, then the stop: %s" % resets)
finish()
