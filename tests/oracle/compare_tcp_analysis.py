#!/usr/bin/env python3
"""Compares lurk's TCP analysis with tshark's, frame by frame and flag by flag.

For each capture it runs
  tshark -r CAPTURE -T fields -e frame.number -e tcp.stream -e tcp.analysis.<flag>...
and
  lurk ingest CAPTURE -o TMP.lurk ; lurk packets TMP.lurk --all
(one line per TCP packet: frame<TAB>connection_id<TAB>comma-separated flags, with
tcp.analysis.duplicate_ack_num=N and tcp.analysis.duplicate_ack_frame=F for
duplicate ACKs), then checks that both list the same TCP frames, group them
into the same connections, and agree exactly on every flag. A flag named in the
known-differences file (one field per line, then the reason; see
docs/tcp-analysis.md) is still compared and shown, but its disagreements do not
fail the run. Prints a per-flag agreement table per capture and in total, the
first disagreeing frames, and closes with "N passed, N failed".
Usage: compare_tcp_analysis.py --lurk BIN [--known-differences FILE] [--show N] CAPTURE...
"""
import argparse
import os
import subprocess
import sys
import tempfile
from collections import defaultdict

FLAGS = [
    "tcp.analysis.retransmission",
    "tcp.analysis.fast_retransmission",
    "tcp.analysis.spurious_retransmission",
    "tcp.analysis.out_of_order",
    "tcp.analysis.duplicate_ack",
    "tcp.analysis.lost_segment",
    "tcp.analysis.ack_lost_segment",
    "tcp.analysis.keep_alive",
    "tcp.analysis.keep_alive_ack",
    "tcp.analysis.zero_window",
    "tcp.analysis.zero_window_probe",
    "tcp.analysis.zero_window_probe_ack",
    "tcp.analysis.window_full",
    "tcp.analysis.window_update",
    "tcp.analysis.reused_ports",
]
VALUED = ["tcp.analysis.duplicate_ack_num", "tcp.analysis.duplicate_ack_frame",
          # The RTT sample an ACK gives (lurk: packets.rtt_ns), in seconds to the ns.
          "tcp.analysis.ack_rtt"]
ALL_FIELDS = FLAGS + VALUED


class Frame:
    """One TCP frame as a tool sees it: its connection and field -> value."""

    def __init__(self, conn):
        self.conn = conn
        self.fields = {}  # flags map to "1", valued fields to their value

    def describe(self):
        parts = []
        for name in ALL_FIELDS:
            if name in self.fields:
                short = name.replace("tcp.analysis.", "")
                parts.append(short if name in FLAGS else f"{short}={self.fields[name]}")
        return ",".join(parts) or "-"


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def tshark_frames(capture):
    cmd = ["tshark", "-r", capture, "-o", "tcp.analyze_sequence_numbers:TRUE",
           "-o", "tcp.relative_sequence_numbers:TRUE", "-T", "fields", "-E", "separator=/t",
           "-e", "frame.number", "-e", "tcp.stream"]
    for f in ALL_FIELDS:
        cmd += ["-e", f]
    res = run(cmd)
    if res.returncode != 0:
        raise RuntimeError(f"tshark failed on {capture}: {res.stderr.strip()}")
    frames = {}
    for line in res.stdout.splitlines():
        cols = line.split("\t")
        if len(cols) < 2 or cols[1] == "":
            continue  # not TCP
        fr = Frame(cols[1])
        for name, value in zip(ALL_FIELDS, cols[2:]):
            if value != "":
                if name == "tcp.analysis.ack_rtt":
                    value = "%.9f" % float(value)
                fr.fields[name] = "1" if name in FLAGS else value
        frames[int(cols[0])] = fr
    return frames


def lurk_frames(lurk, capture, workdir):
    profile = os.path.join(workdir, os.path.basename(capture) + ".lurk")
    res = run([lurk, "ingest", capture, "-o", profile])
    if res.returncode != 0:
        raise RuntimeError(f"lurk ingest {capture} exited {res.returncode}: {res.stderr.strip()}")
    res = run([lurk, "packets", profile, "--all"])
    if res.returncode != 0:
        raise RuntimeError(f"lurk packets exited {res.returncode}: {res.stderr.strip()}")
    frames = {}
    for n, line in enumerate(res.stdout.splitlines(), 1):
        cols = line.split("\t")
        if len(cols) < 2 or not cols[0].isdigit():
            raise RuntimeError(f"lurk packets line {n}: expected frame<TAB>connection<TAB>flags, got {line!r}")
        fr = Frame(cols[1])
        for token in (cols[2].split(",") if len(cols) > 2 else []):
            token = token.strip()
            if not token:
                continue
            name, _, value = token.partition("=")
            if name not in ALL_FIELDS:
                raise RuntimeError(f"lurk packets line {n}: unknown flag {name!r}")
            fr.fields[name] = value if name in VALUED else "1"
        frames[int(cols[0])] = fr
    # The ACK RTT is not part of `lurk packets`' flags: read it from the profile.
    res = run([lurk, "query", profile, "SELECT frame, rtt_ns FROM packets WHERE rtt_ns IS NOT NULL"])
    if res.returncode != 0:
        raise RuntimeError(f"lurk query exited {res.returncode}: {res.stderr.strip()}")
    for line in res.stdout.splitlines():
        frame, rtt_ns = line.split("\t")
        if int(frame) in frames:
            frames[int(frame)].fields["tcp.analysis.ack_rtt"] = "%.9f" % (int(rtt_ns) / 1e9)
    return frames


def read_known_differences(path):
    known = {}
    if not path or not os.path.exists(path):
        return known
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                field, _, reason = line.partition(" ")
                known[field] = reason.strip()
    return known


class Tally:
    """Per field: frames each tool flags, frames where both agree it is set, disagreements."""

    def __init__(self):
        self.tshark = defaultdict(int)
        self.lurk = defaultdict(int)
        self.both = defaultdict(int)
        self.diffs = defaultdict(list)  # field -> [(capture, frame, tshark Frame, lurk Frame)]

    def add(self, capture, number, ts, lk):
        for name in ALL_FIELDS:
            a = ts.fields.get(name) if ts else None
            b = lk.fields.get(name) if lk else None
            self.tshark[name] += a is not None
            self.lurk[name] += b is not None
            if a is not None and a == b:
                self.both[name] += 1
            elif a != b:
                self.diffs[name].append((capture, number, ts, lk))

    def print_table(self, title, known):
        print(f"\n{title}")
        print(f"  {'field':38} {'tshark':>7} {'lurk':>7} {'agree':>7} {'differ':>7}  status")
        for name in ALL_FIELDS:
            d = len(self.diffs[name])
            status = "ok" if d == 0 else ("known difference" if name in known else "DIFFERS")
            print(f"  {name:38} {self.tshark[name]:7} {self.lurk[name]:7} {self.both[name]:7} {d:7}  {status}")

    def print_first_diffs(self, show, known):
        for name in ALL_FIELDS:
            if not self.diffs[name] or show == 0:
                continue
            tag = " (known difference)" if name in known else ""
            print(f"\nfirst frames where {name} differs{tag}:")
            for capture, number, ts, lk in self.diffs[name][:show]:
                tdesc = ts.describe() if ts else "(not a TCP frame)"
                ldesc = lk.describe() if lk else "(not listed)"
                print(f"  {os.path.basename(capture)} frame {number}: tshark {tdesc} | lurk {ldesc}")


def same_grouping(ts_frames, lk_frames):
    """True when tshark's streams and lurk's connections split the frames alike."""
    ts_to_lk, lk_to_ts = {}, {}
    for number, ts in ts_frames.items():
        lk = lk_frames.get(number)
        if lk is None:
            continue
        if ts_to_lk.setdefault(ts.conn, lk.conn) != lk.conn:
            return False, f"tshark stream {ts.conn} spans lurk connections {ts_to_lk[ts.conn]} and {lk.conn} (frame {number})"
        if lk_to_ts.setdefault(lk.conn, ts.conn) != ts.conn:
            return False, f"lurk connection {lk.conn} spans tshark streams {lk_to_ts[lk.conn]} and {ts.conn} (frame {number})"
    return True, ""


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what):
        print(("ok: " if ok else "FAILED: ") + what)
        if ok:
            self.passed += 1
        else:
            self.failed += 1


def compare_capture(capture, args, known, total, checks, workdir):
    name = os.path.basename(capture)
    print(f"\n=== {name}")
    try:
        ts_frames = tshark_frames(capture)
        lk_frames = lurk_frames(args.lurk, capture, workdir)
    except RuntimeError as e:
        checks.check(False, f"{name}: {e}")
        return
    missing = sorted(set(ts_frames) - set(lk_frames))
    extra = sorted(set(lk_frames) - set(ts_frames))
    checks.check(not missing and not extra,
                 f"{name}: lurk lists the {len(ts_frames)} TCP frames tshark sees"
                 + (f" (missing {missing[:5]}, extra {extra[:5]})" if missing or extra else ""))
    ok, why = same_grouping(ts_frames, lk_frames)
    checks.check(ok, f"{name}: frames grouped into the same connections" + (f": {why}" if why else ""))
    tally = Tally()
    for number in sorted(set(ts_frames) | set(lk_frames)):
        ts, lk = ts_frames.get(number), lk_frames.get(number)
        tally.add(capture, number, ts, lk)
        total.add(capture, number, ts, lk)
    tally.print_table(f"{name}: per-field agreement ({len(ts_frames)} TCP frames)", known)
    for field in ALL_FIELDS:
        d = len(tally.diffs[field])
        if d == 0 or field in known:
            continue
        checks.check(False, f"{name}: {field} differs on {d} frames")
    differing = [f for f in ALL_FIELDS if tally.diffs[f] and f not in known]
    if not differing:
        checks.check(True, f"{name}: every analysis field agrees with tshark"
                     + (" (apart from known differences)" if any(tally.diffs[f] for f in known) else ""))
    tally.print_first_diffs(args.show, known)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lurk", required=True)
    p.add_argument("--known-differences",
                   default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "known_differences.txt"))
    p.add_argument("--show", type=int, default=5, help="disagreeing frames to print per field")
    p.add_argument("captures", nargs="+")
    args = p.parse_args()
    known = read_known_differences(args.known_differences)
    for field, reason in known.items():
        if field not in ALL_FIELDS:
            print(f"compare_tcp_analysis: {args.known_differences}: unknown field {field!r}", file=sys.stderr)
            return 2
        print(f"known difference: {field}: {reason}")
    checks = Checks()
    total = Tally()
    with tempfile.TemporaryDirectory() as workdir:
        for capture in args.captures:
            compare_capture(capture, args, known, total, checks, workdir)
    if len(args.captures) > 1:
        total.print_table(f"all {len(args.captures)} captures: per-field agreement", known)
    print(f"\n{checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
