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
With MAKE_CTF_SERVER (lurk-make-ctf-server), the same for a mirage-profile
CTF stream, the case this is for: a server trace of the unit tests' CTF
builder and a pcap of the same run written here (a handshake at each
`new-server-connection` label, a FIN exchange at each `Close socket`),
the stream's packets sent in three parts: per part the offset and the
labels' aligned times are ingest's (its connections, links and never-resolved
findings come from the stop pass: "Still run once over the whole profile" in
docs/live.md); after the stop every table is ingest's, the offset the last
part decided kept, the follow page not sent the profile whole at the stop.
Usage: live_capture_labels.py LURK_BIN SOURCE_DIR [MAKE_CTF_SERVER]"""
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

lurk, src = sys.argv[1:3]
make_ctf = sys.argv[3] if len(sys.argv) > 3 else None
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, check_same_rows, finish  # noqa: E402
from live_profile_queries import AFTER_STOP, CLOCK, CLOCK_HOW, FINDINGS, query, query_rw  # noqa: E402
from live_collector import (Collector, Sender, ctf_packets, free_port, open_stream,  # noqa: E402
                            start_collector_at, wait_acked)
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
          "LEFT JOIN connections c ON c.id = t.same_as WHERE s.format = '%(format)s'")
# a thread, the connection it is under, whose row that is, and how;
LINKS = ("SELECT t.ext_id, t.start_ns, c.port_a, c.port_b, s.format, t.link_how FROM threads t "
         "LEFT JOIN connections c ON c.id = t.connection_id LEFT JOIN sources s ON s.id = c.source_id")
# the labels, at their times on the capture's clock;
LABELS = ("SELECT i.ts_ns, str.text FROM instants i JOIN strings str ON str.id = i.name "
          "JOIN sources s ON s.id = i.source_id WHERE s.format = '%(format)s' AND i.kind = 'label'")
# the trace's clock, the findings, the tables after the stop:
# tests/lib/live_profile_queries.py (CLOCK, CLOCK_HOW, FINDINGS, AFTER_STOP).


def joined(profile, fmt):
    return {name: query(profile, sql % {"format": fmt}) for name, sql in
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


def ingested(capture, data, tag, suffix):
    """What `lurk ingest` makes of the capture, then the trace so far, in one profile."""
    trace = os.path.join(tmp, "trace-%s.%s" % (tag, suffix))
    with open(trace, "wb") as f:
        f.write(data)
    out = os.path.join(tmp, "ingested-%s.lurk" % tag)
    for what in (capture, trace):
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


def collect_in_parts(name, capture, fmt, parts, suffix, shift, compared):
    """The capture ingested, the trace collected into it part by part (raw
    bytes, no hello), each part's clock and `compared` joins equal to lurk
    ingest's of the capture and the parts so far, a follow page following it
    all; then the stop, after which every table is ingest's. The live offsets
    after each part."""
    profile = os.path.join(tmp, name + ".lurk")
    r = subprocess.run([lurk, "ingest", capture, "-o", profile], capture_output=True, text=True)
    check(r.returncode == 0, "%s: the capture ingested first: %s" % (name, r.stderr[-300:]))
    c = Collector(lurk, profile, "--batch-ms", "40")
    view, url = start_view(lurk, ["--follow", profile])
    page = Follower(port_of(url), tmp)
    resets, live_offsets = [], []
    sender = Sender(c.port, hello=False)
    for part, data in enumerate(parts):
        sender.send(data)
        check(wait_acked(sender), "%s: part %d acked" % (name, part))
        time.sleep(0.1)  # the ack follows the commit; the analysis is in the same transaction
        live = joined(profile, fmt)
        want = joined(ingested(capture, b"".join(parts[:part + 1]), "%s-%d" % (name, part), suffix), fmt)
        (domain, offset), = live["clock"]
        live_offsets.append(offset)
        # Ingest decides none on too few labels (the first connections could
        # be any of the capture's): then live neither.
        check(domain == "own" and offset == want["clock"][0][1] and
              (offset == 0 or abs(offset - shift) < 1_000_000),
              "%s, part %d: the offset decided while collecting from the labels so far is lurk "
              "ingest's: %d, ingest's %d (shift %d)" % (name, part, offset, want["clock"][0][1], shift))
        for what in compared:
            check(live[what] == want[what], "%s, part %d, sender connected: the %s are lurk "
                  "ingest's (%d rows); only live: %s; only ingest's: %s"
                  % (name, part, what, len(want[what]),
                     [r for r in live[what] if r not in want[what]][:3],
                     [r for r in want[what] if r not in live[what]][:3]))
        check(page.catch_up(), "%s: part %d reached the follow page (%d deltas, %d resets)"
              % (name, part, page.deltas, page.resets))
        resets.append(page.resets)
    final = sender.finish()
    check(final is not None and final.get("final"), "%s: the final ack: %s" % (name, final))
    code, _, err = c.stop()
    check(code == 0, "%s: the collector stops cleanly: %s" % (name, err[-300:]))
    caught_up = page.catch_up()
    stop(view)
    check(caught_up and same_tables(page.copy, profile) is None,
          "%s: after the stop the follow page's copy equals the file (first table that differs: "
          "%s)" % (name, same_tables(page.copy, profile)))
    resets.append(page.resets)
    want = ingested(capture, b"".join(parts), name + "-final", suffix)
    for table in TABLES:
        sql = AFTER_STOP.get(table, "SELECT * FROM %s" % table)
        check_same_rows(query(profile, sql), query(want, sql),
                        "%s after the stop: table %s equals lurk ingest's" % (name, table))
    clock = query(profile, CLOCK_HOW % {"format": fmt})
    check(clock == query(want, CLOCK_HOW % {"format": fmt}) and clock[0][2] == "labels",
          "%s after the stop: the trace's clock is ingest's, aligned by its labels: %s"
          % (name, clock))
    check(abs(live_offsets[-1] - shift) < 1_000_000,
          "%s: the labels decided the offset while collecting: %s" % (name, live_offsets))
    check(live_offsets[-1] == clock[0][1], "%s: the stop pass kept the offset the last part "
          "had: live %s, final %s" % (name, live_offsets, clock))
    check(resets[-2] <= 1 and resets[-1] == resets[-2],
          "%s: the follow page fetched the profile whole only when the offset was decided, not "
          "at the stop: resets after each part, then the stop: %s" % (name, resets))
    return live, live_offsets


lines = label_lines()
labels = sum('"t": "label"' in l for l in lines)
check(labels >= 10 and not any('"t": "tcp"' in l for l in lines),
      "the trace's clock evidence is its labels: %d labels, no segment" % labels)
cuts = [0] + part_ends(lines)
live, offsets = collect_in_parts(
    "jsonl", CAPTURE, "lurk-jsonl", ["".join(lines[a:b]).encode() for a, b in zip(cuts, cuts[1:])],
    "jsonl", SHIFT, ("merges", "links", "labels", "findings"))
check(offsets[1] == offsets[2] != 0,
      "jsonl: the offset decided by the second part, before the stream's end: %s" % offsets)
linked = sum(1 for l in live["links"] if l[4] == "pcap")
check(linked > 0, "jsonl: %d threads under the capture's connections" % linked)
# The same for a mirage-profile CTF stream, the case the live labels are
# for (a MirageOS unikernel traces no segments): a server trace of the unit
# tests' CTF builder, its connections 30 ms apart (lurk-make-ctf-server), and
# a capture of the same run written here: per connection a handshake 20 us
# after its `new-server-connection` label and a FIN exchange 20 us after its
# `Close socket` label, on the capture's clock (the trace's + CTF_SHIFT).
# Sent packet by packet, in three parts.
CTF_SHIFT = 1_795_000_000_000_000_000
if make_ctf:
    def checksum(data):
        if len(data) % 2:
            data += b"\0"
        total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
        while total >> 16:
            total = (total & 0xFFFF) + (total >> 16)
        return ~total & 0xFFFF

    def frame(client_port, flags, seq, ack, from_client):
        src, dst = (b"\x0a\0\0\x02", b"\x0a\0\0\x01")[::1 if from_client else -1]
        sport, dport = (client_port, 80) if from_client else (80, client_port)
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
        tcp = tcp[:16] + struct.pack("!H", checksum(src + dst + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        return b"\x02\0\0\0\0\x01" + b"\x02\0\0\0\0\x02" + b"\x08\x00" + ip + tcp

    def capture_of(opens, closes, path):
        """A pcap of one connection per open/close label pair, on the capture's clock."""
        records = []
        for n, (opened, closed) in enumerate(zip(opens, closes)):
            port, c, s_ = 40000 + n, 1000 * (n + 1), 900000 * (n + 1)
            at = opened + CTF_SHIFT + 20_000
            for dt, flags, seq, ack, out in ((0, 0x02, c, 0, True), (30_000, 0x12, s_, c + 1, False),
                                             (60_000, 0x10, c + 1, s_ + 1, True)):
                records.append((at + dt, frame(port, flags, seq, ack, out)))
            at = closed + CTF_SHIFT + 20_000
            for dt, flags, seq, ack, out in ((0, 0x11, s_ + 1, c + 1, False),
                                             (30_000, 0x11, c + 1, s_ + 2, True),
                                             (60_000, 0x10, s_ + 2, c + 2, False)):
                records.append((at + dt, frame(port, flags, seq, ack, out)))
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))  # ns pcap, Ethernet
            for ts, data in sorted(records):
                f.write(struct.pack("<IIII", ts // 10**9, ts % 10**9, len(data), len(data)) + data)

    trace = os.path.join(tmp, "server.ctf")
    r = subprocess.run([make_ctf, trace, ".x..x...x..", "12", "30"], capture_output=True, text=True)
    check(r.returncode == 0, "lurk-make-ctf-server: %s" % r.stderr)
    alone = ingested(CAPTURE, open(trace, "rb").read(), "ctf-alone", "ctf")
    own = query(alone, "SELECT i.ts_ns, str.text FROM instants i JOIN strings str ON "
                "str.id = i.name JOIN sources s ON s.id = i.source_id WHERE s.format = 'ctf' "
                "AND i.kind = 'label' ORDER BY i.ts_ns")
    opens = [t for t, text in own if text == "new-server-connection"]
    closes = [t for t, text in own if text == "Close socket"]
    check(len(opens) == 11 and len(closes) == 11, "the CTF server's labels: %d connections "
          "opened, %d closed" % (len(opens), len(closes)))
    ctf_capture = os.path.join(tmp, "server.pcap")
    capture_of(opens, closes, ctf_capture)
    packets = ctf_packets(open(trace, "rb").read())
    # Any first connections of the server line up with the capture's next
    # ones as well as with their own (a server's connections 30 ms apart):
    # the labels decide only once the stream holds every connection, in
    # lurk ingest as in the collector, which weighs the labels again each
    # time they doubled. The parts: about 4 labels (weighed: none decided),
    # then as many as 16 (weighed again: none), then the rest (33, weighed
    # again: decided), so that the collector weighs them when ingest decides.
    def labels_in(count):
        prefix = ingested(CAPTURE, b"".join(packets[:count]), "ctf-prefix-%d" % count, "ctf")
        return len([1 for _, text in query(prefix, LABELS % {"format": "ctf"})
                    if text in ("new-server-connection", "urx_close", "Close socket")])
    counted = [0] + [labels_in(n) for n in range(1, len(packets) + 1)]
    first = next(n for n, count in enumerate(counted) if count >= 3)
    second = max(n for n, count in enumerate(counted) if 2 * counted[first] <= count <= 16)
    check(counted[-1] == 33 and 0 < first < second < len(packets),
          "the CTF stream's parts: %d, %d, %d packets holding %d, %d, %d labels"
          % (first, second, len(packets), counted[first], counted[second], counted[-1]))
    cuts = [0, first, second, len(packets)]
    live, offsets = collect_in_parts("ctf", ctf_capture, "ctf",
                                     [b"".join(packets[a:b]) for a, b in zip(cuts, cuts[1:])],
                                     "ctf", CTF_SHIFT + 20_000, ("labels",))

    # The stream resumed (`--stream`) into its source once that source has an
    # offset: the collector killed after its batches decided one (live-labels),
    # or stopped and its stop pass decided one (labels). The restarted
    # collector takes the source back to its own clock when the stream
    # resumes (its resumed rows come on it), and after the stop every table is
    # lurk ingest's of the capture and the whole trace.
    metadata = open(os.path.join(src, "..", "shared", "samples", "net.ctf.metadata"), "rb").read()

    def resumed(name, how, held_back):
        stream = "unikernel/" + name
        opening = json.dumps({"lurk": "hello", "version": 1, "name": "unikernel", "format": "ctf",
                              "metadata_bytes": len(metadata), "stream": stream},
                             sort_keys=True, separators=(",", ":")).encode() + b"\n" + metadata
        profile = os.path.join(tmp, name + ".lurk")
        r = subprocess.run([lurk, "ingest", ctf_capture, "-o", profile], capture_output=True, text=True)
        check(r.returncode == 0, "%s: the capture ingested first: %s" % (name, r.stderr[-300:]))
        port = free_port()
        proc = start_collector_at(lurk, profile, port, "--batch-ms", "40")
        sock, at = open_stream(port, opening)
        first = b"".join(packets[:len(packets) - held_back])
        sock.sendall(first)
        committed = "SELECT coalesce(max(committed_bytes), 0) FROM live_streams"
        deadline = time.time() + 30
        while time.time() < deadline and query_rw(profile, committed)[0][0] < len(opening) + len(first):
            time.sleep(0.05)
        time.sleep(0.2)  # the batch's analysis commits with it
        if how == "killed":
            proc.kill()
        else:
            proc.send_signal(2)
        proc.wait(60)
        sock.close()
        before = query_rw(profile, "SELECT clock_how, clock_offset_ns FROM sources WHERE format = 'ctf'")
        check(before and before[0][1] != 0,
              "%s: the source has an offset when its stream resumes: %s" % (name, before))
        proc = start_collector_at(lurk, profile, port, "--batch-ms", "40")
        sock, at = open_stream(port, opening)
        check(at == len(opening) + len(first), "%s: the stream resumes where it was committed: %d"
              % (name, at))
        sock.sendall(b"".join(packets)[at - len(opening):])
        sock.shutdown(socket.SHUT_WR)
        deadline = time.time() + 30
        while time.time() < deadline and query_rw(profile, committed)[0][0] < len(opening) + len(data_all):
            time.sleep(0.05)
        sock.close()
        proc.send_signal(2)
        code = proc.wait(60)
        check(code == 0, "%s: the restarted collector stops cleanly" % name)
        want = ingested(ctf_capture, data_all, name + "-whole", "ctf")
        for table in TABLES:
            sql = AFTER_STOP.get(table, "SELECT * FROM %s" % table)
            check_same_rows(query(profile, sql), query(want, sql),
                            "%s: after the resumed stream and the stop, table %s equals lurk ingest's"
                            % (name, table))
        clock = query(profile, CLOCK_HOW % {"format": "ctf"})
        check(clock == query(want, CLOCK_HOW % {"format": "ctf"}),
              "%s: the trace's clock is ingest's: %s" % (name, clock))

    data_all = b"".join(packets)
    resumed("resumed-after-kill", "killed", 1)
    resumed("resumed-after-stop", "stopped", 1)
finish()
