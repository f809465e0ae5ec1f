#!/usr/bin/env python3
"""A `lurk view --follow` page through a collector's stop (docs/live.md,
"Still run once over the whole profile"): the stop pass decides every merge,
link and thread-to-packet flow again, and what it makes again is, to the page,
unchanged, so the page gets the stop as one more delta, never the profile
whole (X-Lurk-Reset). The profile: a capture ingested first; then collected
into it, a stack's trace on Unix time whose segments name their threads
(merged with the capture's connections, flows to its frames, while
collecting) and, between its two parts, a mirage-profile CTF trace (its own
flows land among the first trace's packet flows, so flows the stop pass wrote
again would be renumbered). The page (tests/lib/follow_cursor.py, the
cursor format written again here) follows it by deltas, and after the stop
its copy equals the file, with the stop's findings.
Usage: live_follow_stop.py LURK_BIN SOURCE_DIR SHARED_DIR"""
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

lurk, src, shared = sys.argv[1:4]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, finish  # noqa: E402
from follow_cursor import Follower, same_tables  # noqa: E402
from http_probe import port_of, start_view, stop  # noqa: E402
from live_collector import HEADER, Collector, Sender, wait_acked  # noqa: E402
from live_joined_traces import MS, capture, conn_start, net_lines  # noqa: E402

tmp = tempfile.mkdtemp(prefix="lurk-live-follow-stop-")
NET_CTF = os.path.join(shared, "samples", "net.ctf")
CONNECTIONS = 40


def stack_lines(first, count):
    """Connections first..first+count-1, each by a thread of its own that
    starts before its SYN, sends and receives its segments, and ends."""
    out = []
    for i in range(first, first + count):
        out.append('{"t":"thread_start","ts":%d,"thread":"conn-%d"}\n' % (conn_start(i) - 2 * MS, i))
        out.append(net_lines(i, 1, thread="conn-%d"))
        out.append('{"t":"thread_end","ts":%d,"thread":"conn-%d"}\n' % (conn_start(i) + 400 * MS, i))
    return "".join(out)


def count(profile, sql):
    db = sqlite3.connect("file:%s?mode=ro" % profile, uri=True)
    try:
        return db.execute(sql).fetchone()[0]
    finally:
        db.close()


profile = os.path.join(tmp, "run.lurk")
pcap = os.path.join(tmp, "run.pcap")
with open(pcap, "wb") as f:
    f.write(capture(0, CONNECTIONS))
r = subprocess.run([lurk, "ingest", pcap, "-o", profile], capture_output=True, text=True)
check(r.returncode == 0, "the capture ingested first: %s" % r.stderr[-300:])

collector = Collector(lurk, profile, "--batch-ms", "40")
view, url = start_view(lurk, ["--follow", profile])
try:
    page = Follower(port_of(url), tmp)
    stack = Sender(collector.port, name="stack", hello=False)
    half = CONNECTIONS // 2
    stack.send(HEADER + stack_lines(0, half))
    check(wait_acked(stack), "the stack's first part acked")
    check(page.catch_up() and page.resets == 0, "the first part reached the page by deltas")
    r = subprocess.run([lurk, "send", NET_CTF, "--to", collector.address], capture_output=True,
                       text=True, timeout=120)
    check(r.returncode == 0, "lurk send net.ctf: %s" % r.stderr[-300:])
    stack.send(stack_lines(half, CONNECTIONS - half))
    check(wait_acked(stack), "the stack's second part acked")
    time.sleep(0.1)
    check(page.catch_up() and page.resets == 0, "the CTF trace and the second part reached the page by deltas")
    # What makes this a test of the stop: flows to captured frames and merges
    # while collecting, and the CTF trace's own flows among the packet flows.
    to_frames = count(profile, "SELECT count(*) FROM flows f JOIN packets p ON p.id = f.packet_id "
                               "JOIN sources s ON s.id = p.source_id WHERE s.format = 'pcap'")
    merged = count(profile, "SELECT count(*) FROM connections WHERE same_as IS NOT NULL")
    interleaved = count(profile, "SELECT count(*) FROM flows WHERE packet_id IS NULL AND id < "
                                 "(SELECT max(id) FROM flows WHERE packet_id IS NOT NULL)")
    check(to_frames >= 2 * CONNECTIONS and merged == CONNECTIONS and interleaved > 0,
          "while collecting: %d flows to captured frames, %d connections merged, %d CTF flows "
          "among the packet flows" % (to_frames, merged, interleaved))
    final = stack.finish()
    check(final is not None and final.get("final"), "the stack's final ack: %s" % final)
    findings_before = count(profile, "SELECT count(*) FROM findings")
    code, _, err = collector.stop()
    check(code == 0, "the collector stops cleanly: %s" % err[-300:])
    caught_up = page.catch_up()
    differs = same_tables(page.copy, profile)
    check(caught_up and page.resets == 0 and differs is None,
          "after the stop the page's copy equals the file (first table that differs: %s) by "
          "deltas, never sent the profile whole (%d resets)" % (differs, page.resets))
    check(count(profile, "SELECT count(*) FROM findings") > 0 and
          count(profile, "SELECT count(*) FROM sources WHERE clock_how IS NOT NULL") > 0,
          "the stop pass ran: %d findings (%d while collecting), clocks decided"
          % (count(profile, "SELECT count(*) FROM findings"), findings_before))
    check(count(profile, "SELECT count(*) FROM flows WHERE packet_id IS NOT NULL") == to_frames and
          count(profile, "SELECT count(*) FROM connections WHERE same_as IS NOT NULL") == merged,
          "the stop pass kept the flows and merges the batches made")
finally:
    stop(view)
    if collector.proc.poll() is None:
        collector.proc.kill()
finish()
