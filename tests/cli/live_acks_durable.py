#!/usr/bin/env python3
"""An ack is never ahead of the file (docs/live.md, "A batch's end runs on the
writer's thread, its acks wait for it"). The collector hands each batch's end
(counts, analysis, COMMIT) to its writer's thread and reads on; a sender is
acked only once the writer says the batch is committed, with the counts of
that batch, not the counts read since. Three senders stream log lines in
small pieces to a collector committing every 20 ms with its analysis on (the
longest batch ends); at every ack read, a reader on its own connection must
already see at least the acked events of that sender, the acked bytes must
end at a line's end, and acks never go back. At the end, each sender's final
ack is every line, stored once.
Usage: live_acks_durable.py LURK_BIN SOURCE_DIR"""
import os
import sqlite3
import sys
import tempfile
import time

lurk, src = sys.argv[1:3]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, finish  # noqa: E402
from live_collector import Collector, Sender, log_lines  # noqa: E402

LINES = 20000
PIECE = 100  # lines per send
NAMES = ["durable-a", "durable-b", "durable-c"]

tmp = tempfile.mkdtemp(prefix="lurk-live-acks-")
profile = os.path.join(tmp, "acks.lurk")
collector = Collector(lurk, profile, "--batch-ms", "20", "--batch-events", "2000")
senders = {name: Sender(collector.port, name=name) for name in NAMES}
streams = {name: log_lines(LINES, tag=name).encode() for name in NAMES}
hello_bytes = {name: s.sent for name, s in senders.items()}
reader = sqlite3.connect("file:%s?mode=ro" % profile, uri=True)


def stored(name):
    """Log rows of the sender's source that a reader sees now."""
    return reader.execute(
        "SELECT count(*) FROM instants i JOIN sources s ON s.id = i.source_id "
        "WHERE s.path = ? AND i.kind = 'log'", (name,)).fetchone()[0]


ahead, torn, backwards, acks_checked = [], [], [], 0
checked = {name: 0 for name in NAMES}


def check_new_acks(name):
    """Every ack not yet checked: the file already holds what it says."""
    global acks_checked
    s = senders[name]
    for ack in s.acks[checked[name]:]:
        have = stored(name)
        if have < ack["events"]:
            ahead.append((name, ack, have))
        sent = hello_bytes[name] + len(streams[name])
        if ack["bytes"] > hello_bytes[name] and not (
                ack["bytes"] <= sent and streams[name][ack["bytes"] - hello_bytes[name] - 1:][:1] == b"\n"):
            torn.append((name, ack))
        acks_checked += 1
    previous = s.acks[max(0, checked[name] - 1):]
    for a, b in zip(previous, previous[1:]):
        if b["events"] < a["events"] or b["bytes"] < a["bytes"]:
            backwards.append((name, a, b))
    checked[name] = len(s.acks)


lines = {name: streams[name].split(b"\n")[:-1] for name in NAMES}  # each ends with a newline
at = {name: 0 for name in NAMES}
while any(at[name] < len(lines[name]) for name in NAMES):
    time.sleep(0.003)  # many batches while streaming, hence many acks to check
    for name in NAMES:
        if at[name] >= len(lines[name]):
            continue
        piece = lines[name][at[name]:at[name] + PIECE]
        at[name] += len(piece)
        senders[name].send(b"\n".join(piece) + b"\n")
        senders[name].read_acks()
        check_new_acks(name)

finals = {}
for name in NAMES:
    finals[name] = senders[name].finish()
    check_new_acks(name)
collector.stop()

check(acks_checked > 30, "many acks checked while streaming: %d" % acks_checked)
check(not ahead, "no ack ahead of the file (name, ack, rows seen): %s" % ahead[:3])
check(not torn, "every acked byte count ends at a line's end: %s" % torn[:3])
check(not backwards, "acks never go back: %s" % backwards[:3])
for name in NAMES:
    final = finals[name]
    check(final is not None and final.get("final") and final["events"] == LINES,
          "%s: the final ack is every line: %s" % (name, final))
    check(stored(name) == LINES, "%s: every line stored once: %d" % (name, stored(name)))
finish()
