#!/usr/bin/env bash
# Connections from a mirage-profile CTF trace alone (docs/ctf.md, "Connections
# from the trace"), end to end through the CLI: lurk-make-ctf-server writes
# server traces (tests/unit/ctf_server_scenario.h), `lurk ingest` reads them,
# and `lurk findings --format json`, `lurk stats` (table and JSON) and
# `lurk threads` must agree with what the trace was built with. Also checks
# ../shared/samples/net.ctf against the numbers docs/ctf.md states.
# Usage: ctf_connections.sh LURK_BIN MAKE_CTF_SERVER_BIN SHARED_DIR
set -u
LURK=$1
MAKE=$2
SHARED=$3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

PYTHONPATH="$(dirname "$0")/../lib" python3 - "$LURK" "$MAKE" "$WORK" "$SHARED" <<'PY'
import json, sys
from cli_checks import check, finish, output as run

lurk, make, work, shared = sys.argv[1:5]
WAKEUP = 'Invalid_argument("Lwt.wakeup_result")'

def server(name, pattern):
    ctf, profile = f"{work}/{name}.ctf", f"{work}/{name}.lurk"
    run([make, ctf, pattern])
    run([lurk, "ingest", ctf, "-o", profile])
    return profile

# The mirage-tcpip#153 pattern: every close fails.
profile = server("all-fail", "xxxxxxxx")
rows = json.loads(run([lurk, "findings", profile, "--format", "json"]))
check(len(rows) > 0 and rows[0]["kind"] == "connection-end-exception"
      and rows[0]["title"] == f"8 of 8 connections end with an exception: {WAKEUP}",
      f"all-fail: first finding is '8 of 8 connections end with an exception' (got {rows[:1]})")
check(rows[0]["connection_id"] is not None and rows[0]["thread_id"] is not None,
      "all-fail: the finding says where (connection, thread)")
stats = json.loads(run([lurk, "stats", profile, "--format", "json"]))
check(len(stats) == 8, f"all-fail: lurk stats lists the 8 connections (got {len(stats)})")
check(all(c["a"] is None and c["b"] is None and c["state"] == "closed" and c["packets_ab"] == 0
          for c in stats), "all-fail: unknown endpoints are null, state closed, no packets")
check(all(c["trace"]["root_label"] == "new-server-connection" and c["trace"]["threads"] == 5
          and c["trace"]["close_ns"] is not None for c in stats),
      "all-fail: each connection names its root label, has 5 threads and a close time")
table = run([lurk, "stats", profile]).splitlines()
check(len(table) == 9 and all(l.split("\t")[1:3] == ["?", "?"] and l.split("\t")[19] == "closed"
                              for l in table[1:]),
      "all-fail: the stats table prints unknown endpoints as '?'")
threads = [l.split("\t") for l in run([lurk, "threads", profile, "--failed"]).splitlines()[1:]]
on_connection = [t for t in threads if t[3] != "-"]
check(len(on_connection) == 8 and all("ctf-label-tree:certain" in t[3] for t in on_connection),
      "all-fail: lurk threads --failed shows each failed handler on its connection, certain")

# Failures at close in some connections, none in others.
profile = server("mixed", "x..x.")
rows = json.loads(run([lurk, "findings", profile, "--format", "json"]))
check(rows[0]["title"] == f"2 of 5 connections end with an exception: {WAKEUP}",
      f"mixed: '2 of 5 connections end with an exception' (got {rows[0]['title']})")
titles = [r["title"] for r in rows if r["kind"] == "exception"]
check(sorted(titles) == sorted([f"2 threads failed with {WAKEUP}",
                                '1 thread failed with Xs_protocol.Enoent("read")']),
      f"mixed: the exception groups (got {titles})")

# None fails: no connection finding, the connections are still there.
profile = server("none-fail", ".....")
rows = json.loads(run([lurk, "findings", profile, "--format", "json"]))
check(not any(r["kind"] == "connection-end-exception" for r in rows),
      "none-fail: no connection-end-exception finding")
check(len(json.loads(run([lurk, "stats", profile, "--format", "json"]))) == 5,
      "none-fail: the 5 connections are listed")

# The real trace: one client connection ("TCP connect"), closed by the app.
net = f"{work}/net.lurk"
run([lurk, "ingest", f"{shared}/samples/net.ctf", "-o", net], ok=(0, 3))
stats = json.loads(run([lurk, "stats", net, "--format", "json"]))
check(len(stats) == 1 and stats[0]["trace"]["root_label"] == "TCP connect"
      and stats[0]["state"] == "closed", f"net.ctf: one closed 'TCP connect' connection ({stats})")
counts = run([lurk, "query", net, "SELECT link_how, count(*) FROM threads "
              "WHERE connection_id IS NOT NULL GROUP BY link_how ORDER BY 1"]).split()
print("net.ctf links:", counts)
check(len(counts) == 4 and counts[0] == "ctf-flow:likely" and counts[2] == "ctf-label-tree:certain",
      "net.ctf: threads linked by both rules")

finish()
PY
