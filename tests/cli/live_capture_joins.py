#!/usr/bin/env python3
"""A capture in the profile, the trace of the same run collected into it
(docs/live.md, "Analysis while the data arrives"): `lurk ingest
loopback-http.pcap -o run.lurk`, then `lurk collect -o run.lurk` while the
stack's trace of that run (tests/data/jsonl/loopback-http.jsonl, Unix-ns
clock, its segments given the thread that sent or received them, as the C
header's users write them) arrives in three parts. After each part, the
sender still connected, the profile has what `lurk ingest` makes of the
capture and the trace so far: the trace's connections merged with the
capture's (same_as), the threads under the capture's connections, a flow
from each traced segment to its captured frame, the source's clock; after
the stop every table equals lurk ingest's, and a `lurk view --follow` page
that followed it all has the file's rows without being sent the profile
whole again (the stop pass keeps what the batches made); meanwhile `lurk ingest -o` and a
second `lurk collect` into the profile are refused at once. The same trace on a boot clock:
its offset is decided and applied while collecting, from the segments so
far, and after each part the merges, links, flows, findings and offset are
again what `lurk ingest` makes of the capture and the trace so far; after
the stop every table is ingest's, and the stop pass kept the live offset.
The same trace on a clock that drifts (1% slow): its live offset moves as
segments come (rows shifted again, merges and flows made again), each part's
joins are ingest's (the trace's own times aside: the offset is within the
drift's spread of ingest's), and after the stop every table is ingest's.
A thread of the boot-clock trace that fails before any segment arrives: the
live offset moves what the joiner and the findings kept of it, so it is
linked and counted as by lurk ingest.
Usage: live_capture_joins.py LURK_BIN SOURCE_DIR"""
import json
import os
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
from live_profile_queries import (AFTER_STOP, CLOCK as CLOCK_OF, CLOCK_HOW as CLOCK_HOW_OF,  # noqa: E402
                                  FINDINGS, query)
from http_probe import port_of, start_view, stop  # noqa: E402

tmp = tempfile.mkdtemp(prefix="lurk-live-capture-joins-")
CAPTURE = os.path.join(src, "samples", "loopback-http.pcap")
TRACE = os.path.join(src, "tests", "data", "jsonl", "loopback-http.jsonl")
TABLES = ["strings", "threads", "spans", "instants", "flows", "counters", "periods", "packets",
          "connections", "capture_findings", "findings"]

# What is compared mid-collection, each row by what it says (not by ids):
# a trace connection and the capture connection it is (same_as);
MERGES = ("SELECT t.port_a, t.port_b, t.first_ns, c.port_a, c.port_b, c.first_ns "
          "FROM connections t JOIN sources s ON s.id = t.source_id "
          "LEFT JOIN connections c ON c.id = t.same_as WHERE s.format = 'lurk-jsonl'")
# a thread, the connection it is under, whose row that is, and how;
LINKS = ("SELECT t.ext_id, c.port_a, c.port_b, s.format, t.link_how FROM threads t "
         "LEFT JOIN connections c ON c.id = t.connection_id LEFT JOIN sources s ON s.id = c.source_id")
# a thread-to-packet flow and the frame (or the trace's segment) it ends at;
FLOWS = ("SELECT f.kind, ft.ext_id, tt.ext_id, f.from_ns, f.to_ns, s.format, p.ts_ns, p.seq "
         "FROM flows f JOIN packets p ON p.id = f.packet_id JOIN sources s ON s.id = p.source_id "
         "LEFT JOIN threads ft ON ft.id = f.from_thread LEFT JOIN threads tt ON tt.id = f.to_thread")
# the trace's clock (tests/lib/live_profile_queries.py; how it was aligned,
# and the segments' evidence for it, are written by the stop pass: below).
CLOCK = CLOCK_OF % {"format": "lurk-jsonl"}
CLOCK_HOW = CLOCK_HOW_OF % {"format": "lurk-jsonl"}
# The findings' times (moved with a live offset, docs/live.md).
FINDING_TIMES = "SELECT kind, ts_ns FROM findings"


def joined(profile):
    return {name: query(profile, sql) for name, sql in
            (("merges", MERGES), ("links", LINKS), ("flows", FLOWS), ("clock", CLOCK),
             ("findings", FINDINGS), ("finding times", FINDING_TIMES))}


def trace_lines():
    """The trace's lines, each tcp event given the thread of its connection."""
    thread_of_port = {}
    lines = []
    with open(TRACE) as f:
        for n, line in enumerate(f):
            ev = json.loads(line)
            if n and ev["t"] == "thread_start" and "conn" in ev:
                thread_of_port[ev["conn"]["lport"]] = ev["thread"]
            if n and ev["t"] == "tcp" and ev["lport"] in thread_of_port:
                ev["thread"] = thread_of_port[ev["lport"]]
            lines.append(json.dumps(ev) + "\n")
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
    """Where three parts end, each where no span is open: a span's row (and the
    endpoints its args name) is written when it closes, while `lurk ingest` of
    a file cut inside a span closes it at the file's end (docs/live.md)."""
    closed = []
    open_spans = 0
    for n, line in enumerate(lines):
        open_spans += ('"t": "span_begin"' in line) - ('"t": "span_end"' in line)
        if n and open_spans == 0:
            closed.append(n + 1)
    cuts = [min(closed, key=lambda n: abs(n - len(lines) * k // 3)) for k in (1, 2)] + [len(lines)]
    check(len(set(cuts)) == 3, "three parts, each ending with every span closed: %s" % cuts)
    return cuts


def refused_while_collecting(name, profile):
    """Another writer is refused at once while the collector holds the file,
    saying a collector holds it: `lurk ingest -o` (it used to commit under the
    collector's open transaction, and the collector failed) and a second
    `lurk collect` (it used to wait SQLite's 10 s busy timeout, then fail
    with "database is locked")."""
    for what, args, says in (
            ("lurk ingest -o", ["ingest", CAPTURE, "-o", profile],
             "another `lurk collect` is collecting into this profile"),
            ("a second lurk collect", ["collect", "--listen", "127.0.0.1:0", "-o", profile],
             "another `lurk collect` is collecting into this profile")):
        start = time.monotonic()
        try:
            r = subprocess.run([lurk] + args, capture_output=True, text=True, timeout=8)
        except subprocess.TimeoutExpired:
            check(False, "%s: %s into the profile being collected is refused: still running "
                  "after 8 s" % (name, what))
            continue
        took = time.monotonic() - start
        check(r.returncode == 1 and says in r.stderr and took < 3,
              "%s: %s into the profile being collected is refused at once, saying why: "
              "exit %d after %.1f s: %s" % (name, what, r.returncode, took, r.stderr[-300:]))


# Per collection: how many times the follow page had been sent the profile
# whole (X-Lurk-Reset) after each part, then after the stop.
follow_resets = {}


def collect_into_capture(lines, name, check_part, cuts=None):
    """The capture ingested, the trace collected into it in parts (where
    `cuts` says, else part_ends'): after each part `check_part(part, live,
    want)`; after the stop every table is ingest's. A `lurk view --follow`
    page (tests/lib/follow_cursor.py) follows it all, its copy equal to the
    file after the stop; follow_resets[name] says how it got there."""
    profile = os.path.join(tmp, "%s.lurk" % name)
    r = subprocess.run([lurk, "ingest", CAPTURE, "-o", profile], capture_output=True, text=True)
    check(r.returncode == 0, "%s: the capture ingested first: %s" % (name, r.stderr[-300:]))
    c = Collector(lurk, profile, "--batch-ms", "40")
    view, url = start_view(lurk, ["--follow", profile])
    page = Follower(port_of(url), tmp)
    resets = follow_resets.setdefault(name, [])
    # No hello line: the stream's line numbers (packets.frame) are the file's.
    sender = Sender(c.port, hello=False)
    sent = 0
    for part, cut in enumerate(cuts or part_ends(lines)):
        sender.send("".join(lines[sent:cut]))
        sent = cut
        check(wait_acked(sender), "%s: part %d acked" % (name, part))
        time.sleep(0.1)  # the ack follows the commit; the analysis is in the same transaction
        check_part(part, joined(profile), joined(ingested("".join(lines[:cut]), "%s-%d" % (name, part))))
        check(page.catch_up(), "%s: part %d reached the follow page (%d deltas, %d resets)"
              % (name, part, page.deltas, page.resets))
        resets.append(page.resets)
        if part == 0:
            refused_while_collecting(name, profile)
    final = sender.finish()
    check(final is not None and final.get("final"), "%s: the final ack: %s" % (name, final))
    code, _, err = c.stop()
    check(code == 0, "%s: the collector stops cleanly: %s" % (name, err[-300:]))
    caught_up = page.catch_up()
    stop(view)
    check(caught_up and same_tables(page.copy, profile) is None,
          "%s: after the stop the follow page's copy equals the file (first table that differs: %s)"
          % (name, same_tables(page.copy, profile)))
    resets.append(page.resets)
    want = ingested("".join(lines), name + "-final")
    for table in TABLES:
        sql = AFTER_STOP.get(table, "SELECT * FROM %s" % table)
        check_same_rows(query(profile, sql), query(want, sql),
                        "%s after the stop: table %s equals lurk ingest's" % (name, table))
    clock = query(profile, CLOCK_HOW)
    check(clock == query(want, CLOCK_HOW),
          "%s after the stop: the trace's clock and its evidence are ingest's: %s" % (name, clock))
    return clock


def same_as_ingest(part, live, want):
    for what in want:
        check(live[what] == want[what], "part %d, sender connected: the %s are lurk ingest's "
              "(%d rows); only live: %s; only ingest's: %s"
              % (part, what, len(want[what]), [r for r in live[what] if r not in want[what]][:3],
                 [r for r in want[what] if r not in live[what]][:3]))
    merged = sum(1 for m in live["merges"] if m[3] is not None)
    captured = sum(1 for f in live["flows"] if f[5] == "pcap")
    check(merged > 0 and captured > 0, "part %d: %d trace connections merged, %d flows to "
          "captured frames while collecting" % (part, merged, captured))


lines = trace_lines()
tx = sum('"t": "tcp"' in l and '"thread"' in l for l in lines)
check(tx >= 20, "the trace has segments naming their threads: %d" % tx)
collect_into_capture(lines, "unix-clock", same_as_ingest)
# Unix time: the stop pass keeps every merge, link and flow the batches made
# (it would make them again), so the page is never sent the profile whole.
check(follow_resets["unix-clock"] == [0, 0, 0, 0],
      "unix clock: the follow page got every part and the stop by deltas: resets %s"
      % follow_resets["unix-clock"])


# The same trace on a clock of its own (time since boot): once the batches'
# segments match captured frames, its offset is decided as the stop pass
# decides it on the segments so far, and applied (its rows so far shifted,
# later ones written shifted), and its merges and flows follow, as for a
# trace on Unix time: after each part, the sender connected, the merges,
# links, flows (the same frames, at the same times) and findings are what
# `lurk ingest` makes of the capture and the trace so far, the offset its
# offset; after the stop every table is ingest's, the offset found by the
# segments, and the stop pass did not move the clock the last part had.
SHIFT = 1_795_000_000_123_456_789


def boot_clock(line, first):
    ev = json.loads(line)
    if first:
        ev["clock"] = "boot-ns"
    else:
        ev["ts"] -= SHIFT
    return json.dumps(ev) + "\n"


live_offsets = []


def aligned_live(part, live, want):
    (domain, offset), = live["clock"]
    (_, want_offset), = want["clock"]
    live_offsets.append(offset)
    check(domain == "own" and offset == want_offset and abs(offset - SHIFT) <= 1_000_000,
          "part %d, own clock: its offset decided while collecting is lurk ingest's of the "
          "segments so far: %d, ingest's %d (shift %d)" % (part, offset, want_offset, SHIFT))
    same_as_ingest(part, {k: v for k, v in live.items() if k != "clock"},
                   {k: v for k, v in want.items() if k != "clock"})


clock = collect_into_capture([boot_clock(l, n == 0) for n, l in enumerate(lines)], "boot-clock",
                             aligned_live)
check(clock and clock[0][2] == "tcp-segments" and abs(clock[0][1] - SHIFT) <= 1_000_000,
      "the stop pass aligns the boot clock by the segments: %s" % clock)
check(live_offsets and clock and live_offsets[-1] == clock[0][1],
      "the stop pass keeps the offset the last part had (no clock move at the stop): live %s, "
      "final %s" % (live_offsets, clock))
# The follow page: sent the profile whole once at most, when the offset was
# decided (the source's rows shifted), and not at the stop, which kept it.
boot = follow_resets["boot-clock"]
check(boot[-2] <= 1 and boot[-1] == boot[-2],
      "boot clock: the follow page fetched the profile whole only when the offset was decided, "
      "not at the stop: resets after each part, then the stop: %s" % boot)

# The same trace on a clock of its own that runs 1% slow against the
# capture's: the segments' differences spread over 3.6 ms, their median grows
# as the run goes on, so the offset decided on the first segments moves (its
# rows shifted again, its merges and flows made again) while collecting.
# After each part the merges, links, the frames the flows end at and the
# findings are what `lurk ingest` makes of the capture and the trace so far,
# the offset within the spread of ingest's (decided on fewer segments); after
# the stop, which decides it on every segment, every table is ingest's.
DRIFT = 0.01
T0 = json.loads(lines[1])["ts"]
SPREAD = int(DRIFT * (json.loads(lines[-1])["ts"] - T0))


def drifting_clock(line, first):
    ev = json.loads(boot_clock(line, first))
    if not first:
        ev["ts"] -= int(DRIFT * (ev["ts"] + SHIFT - T0))
    return json.dumps(ev) + "\n"


def without_trace_times(joins):
    """What the joins say, not when on the trace's clock (its times None; the
    capture's rows' times stay)."""
    out = dict(joins)
    out["merges"] = sorted((m[0], m[1], None) + m[3:] for m in joins["merges"])
    out["flows"] = sorted(f[:3] + (None, None, f[5], f[6] if f[5] == "pcap" else None, f[7])
                          for f in joins["flows"])
    del out["clock"]
    del out["finding times"]  # on the trace's clock
    return out


drift_offsets = []


def drifting_live(part, live, want):
    (domain, offset), = live["clock"]
    (_, want_offset), = want["clock"]
    drift_offsets.append(offset)
    check(domain == "own" and abs(offset - want_offset) <= SPREAD,
          "part %d, drifting clock: its live offset %d is within %d ns of ingest's %d"
          % (part, offset, SPREAD, want_offset))
    same_as_ingest(part, without_trace_times(live), without_trace_times(want))


clock = collect_into_capture([drifting_clock(l, n == 0) for n, l in enumerate(lines)],
                             "drifting-clock", drifting_live)
check(len(set(drift_offsets)) > 1,
      "the drifting clock's offset moved while collecting: %s" % drift_offsets)
# At the stop the page is sent the profile whole only when the stop pass
# moved the clock (its offset on every segment, not the last live one).
drift = follow_resets["drifting-clock"]
moved_at_stop = int(clock[0][1] != drift_offsets[-1])
check(drift[-1] - drift[-2] == moved_at_stop,
      "drifting clock: the follow page fetched the profile whole at the stop %d time(s), the "
      "clock moved there %d time(s) (live %s, final %s)" % (drift[-1] - drift[-2], moved_at_stop,
                                                            drift_offsets[-1], clock[0][1]))


# A thread of the boot-clock trace that says "TCP connect" and fails before
# any segment arrives: the joiner keeps its label and the findings its
# exception on the trace's own clock, and the offset decided by the next part
# moves them with the rows, so that the thread is linked by its label to
# client-0's connection (label+time) and "N of M connections end with an
# exception" counts it against that (captured) connection's end, as lurk
# ingest does.
def early_failure(boot_lines):
    t = json.loads(boot_lines[1])["ts"]
    early = [{"t": "thread_start", "ts": t - 3_000_000, "thread": "early", "name": "early"},
             {"t": "label", "ts": t - 1_000_000, "thread": "early", "name": "TCP connect"},
             {"t": "thread_end", "ts": t - 500_000, "thread": "early",
              "error": "connection refused"}]
    return boot_lines[:1] + [json.dumps(e) + "\n" for e in early] + boot_lines[1:]


early = early_failure([boot_clock(l, n == 0) for n, l in enumerate(lines)])
early_parts = [4] + part_ends(early)[1:]


def early_live(part, live, want):
    if part == 0:  # no segment yet: no offset, and nothing depends on one
        check(live["clock"] == [("own", 0)], "early failure, part 0: no offset yet: %s" % live["clock"])
        return
    aligned_live(part, live, want)
    check(("early", 53212, 18080, "pcap", "label+time") in live["links"] and
          any(f[0] == "connection-end-exception" for f in live["findings"]),
          "early failure, part %d: the early thread under client-0's connection by its label, "
          "its exception counted: %s, %s" % (part, live["links"], live["findings"]))


collect_into_capture(early, "early-failure", early_live, early_parts)
finish()
