#!/usr/bin/env bash
# lurk findings on real data: the lab captures (tests/data/netlab-*.pcap),
# checked against tshark's own per-frame analysis, and the mirage-profile
# trace ../shared/samples/net.ctf (two failed promises, must-resolve ones),
# plus the JSON output, the ranking and the --fail-on-findings exit code (4).
# Usage: findings_real_data.sh LURK_BIN SOURCE_DIR
set -u
LURK=$1
SRC=$2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 - "$LURK" "$WORK" "$SRC" <<'PY'
import glob, json, os, re, subprocess, sys
from collections import Counter

lurk, work, src = sys.argv[1:4]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, finish, run  # noqa: E402

def findings(profile):
    out = run([lurk, "findings", profile, "--format", "json"]).stdout
    return json.loads(out)

def tshark(capture, *fields, filter=None):
    cmd = ["tshark", "-r", capture, "-T", "fields", "-E", "separator=/t"]
    if filter:
        cmd += ["-Y", filter]
    for f in fields:
        cmd += ["-e", f]
    return [line.split("\t") for line in run(cmd).stdout.splitlines()]

def ns(epoch_text):
    whole, _, frac = epoch_text.partition(".")
    return int(whole) * 10**9 + int((frac + "000000000")[:9])

def ranked(rows):
    keys = [(-r["severity"], -(r["duration_ns"] or 0), r["ts_ns"] or 0) for r in rows]
    return keys == sorted(keys) and [r["rank"] for r in rows] == list(range(1, len(rows) + 1))

have_tshark = subprocess.run(["which", "tshark"], capture_output=True).returncode == 0
for capture in sorted(glob.glob(f"{src}/tests/data/netlab-*.pcap")):
    name = capture.rsplit("/", 1)[-1]
    profile = f"{work}/{name}.lurk"
    run([lurk, "ingest", capture, "-o", profile])
    rows = findings(profile)
    kinds = Counter(r["kind"] for r in rows)
    check(ranked(rows), f"{name}: findings are ranked by severity, duration, time")
    check(all(r["connection_id"] is not None and r["ts_ns"] is not None for r in rows),
          f"{name}: every TCP finding says where (connection, time)")
    print(f"{name}: {dict(kinds)}")
    if not have_tshark:
        continue
    # Spurious retransmissions: one finding per frame tshark flags.
    spurious = tshark(capture, "frame.number", filter="tcp.analysis.spurious_retransmission")
    check(kinds["spurious-retransmission"] == len(spurious),
          f"{name}: {kinds['spurious-retransmission']} spurious findings, tshark {len(spurious)} frames")
    # RST on an established connection: at the time of the connection's first RST.
    rst_times = {ns(t[0]) for t in tshark(capture, "frame.time_epoch", filter="tcp.flags.reset == 1")}
    for r in rows:
        if r["kind"] == "rst-established":
            check(r["ts_ns"] in rst_times, f"{name}: RST finding at a frame tshark sees with RST")
    # RTO stalls: the frames named are retransmissions to tshark, none fast.
    flags = {int(f[0]): (f[1], f[2]) for f in tshark(
        capture, "frame.number", "tcp.analysis.retransmission", "tcp.analysis.fast_retransmission")}
    for r in rows:
        if r["kind"] != "rto-stall":
            continue
        m = re.search(r"frames? (\d+)(?:-(\d+))?", r["detail"])
        check(m is not None and flags[int(m.group(1))][0] != "" and flags[int(m.group(1))][1] == ""
              and flags[int(m.group(2) or m.group(1))][0] != "", f"{name}: RTO stall frames are plain retransmissions ({r['detail']})")
        check(r["duration_ns"] >= 200_000_000, f"{name}: RTO stall lasts 200 ms or more")
    # Zero-window stalls start at a frame tshark flags zero window.
    zw_times = {ns(t[0]) for t in tshark(capture, "frame.time_epoch", filter="tcp.analysis.zero_window")}
    for r in rows:
        if r["kind"] == "zero-window-stall":
            check(r["ts_ns"] in zw_times, f"{name}: zero-window stall starts at a zero-window frame")
    if "zerowin" in name:
        longest = max((r["duration_ns"] for r in rows if r["kind"] == "zero-window-stall"), default=0)
        # The client stops reading for 1.5 s (tests/data/README.md).
        check(1.0e9 <= longest <= 2.0e9, f"{name}: longest zero-window stall {longest} ns is about 1.5 s")
    if "reset" in name:
        check(kinds["rst-established"] == 1, f"{name}: the reset connection has its RST finding")
    for r in rows:
        if r["kind"] == "dup-ack-run-no-fast-retransmission":
            n = int(r["title"].split()[0])
            check(n >= 3, f"{name}: dup-ACK run finding has 3+ duplicate ACKs")

# --fail-on-findings: 4 with findings, 0 without.
profile = f"{work}/netlab-reset-v4.pcap.lurk"
code = subprocess.run([lurk, "findings", profile, "--fail-on-findings"], capture_output=True).returncode
check(code == 4, f"--fail-on-findings exits 4 when there are findings (got {code})")
code = subprocess.run([lurk, "findings", profile], capture_output=True).returncode
check(code == 0, f"without --fail-on-findings the exit code is 0 (got {code})")

# Not a profile: a clear error and exit 1. No findings: "[]" and exit 0.
r = subprocess.run([lurk, "findings", f"{src}/tests/data/netlab-reset-v4.pcap"], capture_output=True, text=True)
check(r.returncode == 1 and ("not a lurk profile" in r.stderr or "not a database" in r.stderr),
      f"findings on a capture: exit 1 and says it is not a profile (got {r.returncode}: {r.stderr.strip()})")
plain = f"{work}/plain.lurk"
run([lurk, "ingest", f"{src}/tests/data/netlab-reset-v4.pcap", "-o", plain, "--no-analysis"])
rows = findings(plain)
check(len(rows) == 1 and rows[0]["kind"] == "rst-established",
      "--no-analysis: only the finding that needs no analysis flags (the RST)")
quiet = f"{work}/quiet.lurk"
run([lurk, "ingest", f"{src}/tests/data/chrome/node-net-echo.json", "-o", quiet])
r = subprocess.run([lurk, "findings", quiet, "--format", "json", "--fail-on-findings"],
                   capture_output=True, text=True)
check(r.returncode == 0 and json.loads(r.stdout) == [],
      f"a trace without failures: [] and --fail-on-findings exits 0 (got {r.returncode})")

# net.ctf: the failed promises grouped by message, the never-resolved ones.
ctf = f"{src}/../shared/samples/net.ctf"
profile = f"{work}/net.lurk"
run([lurk, "ingest", ctf, "-o", profile], ok=(0, 3))
rows = findings(profile)
failed_by_message = run([lurk, "query", profile,
    "SELECT s.text, count(*), min(t.id) FROM threads t JOIN strings s ON s.id = t.exception "
    "WHERE t.failed = 1 GROUP BY s.text"]).stdout.splitlines()
exceptions = [r for r in rows if r["kind"] == "exception"]
check(len(exceptions) == len(failed_by_message) and len(exceptions) > 0,
      f"net.ctf: one exception finding per message ({len(exceptions)} vs {len(failed_by_message)})")
for line in failed_by_message:
    text, n, first = line.split("\t")
    match = [r for r in exceptions if r["title"] == f"{n} threads failed with {text}"
             or r["title"] == f"{n} thread failed with {text}"]
    check(len(match) == 1 and match[0]["thread_id"] == int(first),
          f"net.ctf: '{n} threads failed with {text}' at thread {first}")
unresolved = run([lurk, "threads", profile, "--unresolved"]).stdout.splitlines()[1:]
never = [r for r in rows if r["kind"] == "never-resolved"]
check(len(never) == len(unresolved), f"net.ctf: {len(never)} never-resolved findings, "
      f"lurk threads --unresolved lists {len(unresolved)}")
check({r["thread_id"] for r in never} == {int(l.split("\t")[1]) for l in unresolved},
      "net.ctf: never-resolved findings name the unresolved threads")
check(ranked(rows), "net.ctf: findings are ranked")
table = run([lurk, "findings", profile]).stdout.splitlines()
check(len(table) == len(rows) + 1, "net.ctf: the table has a header and a row per finding")

finish()
PY
