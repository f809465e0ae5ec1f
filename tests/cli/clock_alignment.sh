#!/usr/bin/env bash
# One clock for every source (docs/clocks.md), on real data: the loopback HTTP
# capture (samples/loopback-http.pcap) and the stack trace of the same run
# (tests/data/jsonl/loopback-http.jsonl), the trace moved to a clock of its own
# (boot-relative: every ts minus a constant, header clock "boot-ns") and its
# tcp events given the thread that sent or received them. lurk must find the
# shift to within a millisecond from the segments, in either ingest order,
# join the threads to the capture's connections, draw a flow from each
# thread's segment to the captured frame, and say how it aligned. A CTF trace
# with an unrelated capture stays on its own clock; --clock-offset sets a
# source's offset by hand.
# Usage: clock_alignment.sh LURK_BIN SOURCE_DIR
set -u
LURK=$1
SRC=$2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 - "$LURK" "$WORK" "$SRC" <<'PY'
import json, os, subprocess, sys

lurk, work, src = sys.argv[1:4]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, finish, run  # noqa: E402
SHIFT = 1_795_000_000_123_456_789  # what the boot clock lacks of Unix time

def query(profile, sql):
    return [l.split("\t") for l in run([lurk, "query", profile, sql]).stdout.splitlines()]

def sources(profile):
    return json.loads(run([lurk, "stats", profile, "--sources", "--format", "json"]).stdout)

capture = f"{src}/samples/loopback-http.pcap"
original = f"{src}/tests/data/jsonl/loopback-http.jsonl"

# The same trace on a boot clock, its segments naming their threads.
shifted = f"{work}/boot-clock.jsonl"
thread_of_port = {}
tx = rx = 0
with open(original) as f, open(shifted, "w") as out:
    for n, line in enumerate(f):
        ev = json.loads(line)
        if n == 0:
            ev["clock"] = "boot-ns"
        else:
            ev["ts"] -= SHIFT
            if ev["t"] == "thread_start" and "conn" in ev:
                thread_of_port[ev["conn"]["lport"]] = ev["thread"]
            if ev["t"] == "tcp" and ev["lport"] in thread_of_port:
                ev["thread"] = thread_of_port[ev["lport"]]
                tx += ev["dir"] == "tx"
                rx += ev["dir"] == "rx"
        out.write(json.dumps(ev) + "\n")
check(tx > 0 and rx > 0, f"the trace has segments with threads ({tx} sent, {rx} received)")

# Where each thread sits when the trace is on the capture's clock already.
LINKS = ("SELECT t.ext_id, coalesce(c.port_a, '-'), coalesce(s.format, '-') FROM threads t "
         "LEFT JOIN connections c ON c.id = t.connection_id LEFT JOIN sources s ON s.id = c.source_id "
         "ORDER BY t.ext_id")
baseline = f"{work}/unix-clock.lurk"
run([lurk, "ingest", capture, original, "-o", baseline])
expected_links = query(baseline, LINKS)
check(sum(1 for l in expected_links if l[2] == "pcap") >= 7,
      f"the Unix-clock trace joins its threads to the capture ({expected_links})")

for order in ([capture, shifted], [shifted, capture]):
    name = "capture-first" if order[0] == capture else "trace-first"
    profile = f"{work}/{name}.lurk"
    if order[0] == capture:
        r = run([lurk, "ingest", *order, "-o", profile])
    else:  # one at a time: the trace waits for its capture
        run([lurk, "ingest", order[0], "-o", profile])
        check(sources(profile)[0]["clock_how"] == "not-aligned",
              f"{name}: a boot-clock trace alone is not aligned")
        r = run([lurk, "ingest", order[1], "-o", profile])
    trace = [s for s in sources(profile) if s["format"] == "lurk-jsonl"][0]
    check(trace["clock_how"] == "tcp-segments", f"{name}: aligned by tcp segments ({trace['clock_how']})")
    check(abs(trace["clock_offset_ns"] - SHIFT) <= 1_000_000,
          f"{name}: offset {trace['clock_offset_ns']} within 1 ms of {SHIFT}")
    check("aligned by tcp-segments" in r.stderr, f"{name}: lurk ingest says how it aligned")
    # The threads sit under the capture's connections, as with a Unix clock.
    links = query(profile, LINKS)
    check(links == expected_links,
          f"{name}: the threads join the capture's connections as on a Unix clock ({links})")
    # Every traced segment became a flow to the captured frame.
    flows = query(profile, "SELECT f.kind, s.format, abs(CASE f.kind WHEN 'tcp-send' "
                           "THEN f.to_ns - f.from_ns ELSE f.from_ns - f.to_ns END) FROM flows f "
                           "JOIN packets p ON p.id = f.packet_id JOIN sources s ON s.id = p.source_id")
    sends = [f for f in flows if f[0] == "tcp-send"]
    receives = [f for f in flows if f[0] == "tcp-receive"]
    check(len(sends) == tx and len(receives) == rx,
          f"{name}: a flow per traced segment ({len(sends)}/{tx} sent, {len(receives)}/{rx} received)")
    check(all(f[1] == "pcap" for f in flows), f"{name}: every flow ends at a captured frame")
    check(all(int(f[2]) <= 1_000_000 for f in flows),
          f"{name}: each flow joins a segment and its frame within 1 ms")

# A CTF trace (the unikernel's monotonic clock) with an unrelated capture:
# no evidence, so it keeps its own clock, and both are in the profile whole.
netctf = os.path.join(src, "..", "shared", "samples", "net.ctf")
apart = f"{work}/apart.lurk"
r = run([lurk, "ingest", netctf, capture, "-o", apart])
ctf = [s for s in sources(apart) if s["format"] == "ctf"][0]
check(ctf["clock_domain"] == "own" and ctf["clock_how"] == "not-aligned" and ctf["clock_offset_ns"] == 0,
      f"net.ctf with an unrelated capture stays on its own clock ({ctf})")
check("not aligned" in r.stderr, "lurk ingest says the CTF trace is not aligned")
first = query(apart, f"SELECT min(start_ns) FROM threads WHERE source_id = {ctf['id']}")[0][0]
check(0 < int(first) < 10**15, f"net.ctf keeps its own times (first {first} ns)")

# By hand: --clock-offset moves every time of the source and says so.
before = query(apart, f"SELECT min(ts_ns), count(*) FROM instants WHERE source_id = {ctf['id']}")[0]
run([lurk, "ingest", "-o", apart, "--clock-offset", "net.ctf=1795624220.5s"])
ctf = [s for s in sources(apart) if s["format"] == "ctf"][0]
after = query(apart, f"SELECT min(ts_ns), count(*) FROM instants WHERE source_id = {ctf['id']}")[0]
check(ctf["clock_how"] == "manual" and ctf["clock_offset_ns"] == 1_795_624_220_500_000_000,
      f"--clock-offset sets the offset by hand ({ctf['clock_how']}, {ctf['clock_offset_ns']})")
check(int(after[0]) - int(before[0]) == 1_795_624_220_500_000_000 and after[1] == before[1],
      "--clock-offset moves the source's instants by the offset")
r = run([lurk, "ingest", "-o", apart, "--clock-offset", "nosuch.ctf=1s"], ok=(1,))
check("no source" in r.stderr, "--clock-offset naming no source is an error")
r = run([lurk, "ingest", "-o", apart, "--clock-offset", "net.ctf=soon"], ok=(2,))
check("SOURCE=DURATION" in r.stderr, "--clock-offset with a bad duration is a usage error")

finish()
PY
