#!/usr/bin/env bash
# Makes samples/demo.lurk, the profile `lurk view` opens with no input: the
# demo stack (samples/demo-stack: lurk-demo-client and lurk-demo-server, both
# tracing themselves in lurk JSON lines) run between a client and a server
# network namespace, joined through a router namespace where the lab's
# forwarder (tests/netlab, lurk-impair) delays every frame and drops one
# request twice. tcpdump captures the client's interface (IPv4 and IPv6,
# headers only). The capture and both traces are kept next to the profile
# (demo.pcap, demo-client.jsonl, demo-server.jsonl) and ingested into it; the
# script then checks that the profile has exactly the expected kinds of
# findings. Needs root; namespaces carry the script's PID and are deleted on
# exit, even on failure; every process has a time limit (the run takes ~15 s).
# It also ingests the real MirageOS trace (--mirage-ctf, default
# ../shared/samples/net.ctf, see samples/README.md) into mirage-net.lurk.
# Usage: samples/make-demo.sh [--bin DIR] [--out DIR] [--mirage-ctf FILE]
#        (defaults: build/bin, samples/, ../shared/samples/net.ctf)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin="$here/../build/bin" out="$here" mirage_ctf="$here/../../shared/samples/net.ctf"
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2 ;; --out) out=$2 ;; --mirage-ctf) mirage_ctf=$2 ;;
    *) echo "make-demo.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
for tool in lurk lurk-impair lurk-demo-server lurk-demo-client; do
  [ -x "$bin/$tool" ] || { echo "make-demo.sh: $bin/$tool is missing (build first)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "make-demo.sh: needs root (network namespaces, tcpdump)" >&2; exit 1; }
command -v tcpdump >/dev/null || { echo "make-demo.sh: tcpdump is missing" >&2; exit 1; }
[ -f "$mirage_ctf" ] || { echo "make-demo.sh: no MirageOS trace at $mirage_ctf (--mirage-ctf)" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
bin=$(cd "$bin" && pwd)

# The kinds of findings every run must produce, one per switch of the demo stack.
expected_kinds="connection-end-exception dup-ack-after-fin exception rst-established rto-stall zero-window-stall"
rto_port=40444   # the client's source port whose request the forwarder drops twice
server_port=7000

lab_name=lurk-demo
. "$here/../tests/netlab/lab_namespaces.sh"

setup_demo_namespaces() {
  setup_namespaces
  # No tail-loss probes: under a loaded machine a probe racing a delayed ACK is
  # a spurious retransmission on some runs only; the demo's findings must not vary.
  for ns in "$cli" "$srv"; do in_ns "$ns" sysctl -qw net.ipv4.tcp_early_retrans=0; done
}

run_demo() {
  ip netns exec "$rtr" "$bin/lurk-impair" --a rc0 --b rs0 --delay-ms 2 \
    --drop-port "$rto_port" --drop-count 2 --duration 60 2>"$work/impair.log" &
  pids+=($!)
  ip netns exec "$srv" "$bin/lurk-demo-server" --port "$server_port" --tap srv0 \
    --trace "$work/demo-server.jsonl" --throw-at-close --duration 50 >"$work/server.log" 2>&1 &
  local server_pid=$!
  pids+=($server_pid)
  # Headers only (-s 128): the analysis needs no payload, and the sample stays small.
  ip netns exec "$cli" tcpdump -Z root -i cli0 --immediate-mode -U -s 128 -w "$work/demo.pcap" tcp 2>"$work/tcpdump.log" &
  local tcpdump_pid=$!
  pids+=($tcpdump_pid)
  wait_for_line "$work/server.log" ready 10
  wait_for_line "$work/tcpdump.log" "listening on" 10
  timeout 40 ip netns exec "$cli" "$bin/lurk-demo-client" --server 10.77.0.2 --server fd77::2 \
    --port "$server_port" --tap cli0 --trace "$work/demo-client.jsonl" --fetches 6 \
    --dup-ack-after-fin --rto-source-port "$rto_port" --zero-window --reset \
    || { echo "make-demo.sh: the demo client failed" >&2; return 1; }
  sleep 0.5
  stop_process "$tcpdump_pid" INT
  stop_process "$server_pid" TERM
  for p in "${pids[@]}"; do stop_process "$p" TERM; done
  pids=()
  cat "$work/server.log" "$work/impair.log" >&2
}

# The kinds of findings in a profile, sorted and unique, on one line.
finding_kinds() {
  "$bin/lurk" findings "$1" --format json 2>/dev/null |
    python3 -c 'import json, sys; print(" ".join(sorted({f["kind"] for f in json.load(sys.stdin)})))'
}

setup_demo_namespaces
run_demo
for f in demo.pcap demo-client.jsonl demo-server.jsonl; do cp "$work/$f" "$out/$f"; done
rm -f "$out/demo.lurk"
# From inside $out, so the profile names its sources by file name, not by this machine's paths.
(cd "$out" && "$bin/lurk" ingest demo.pcap demo-client.jsonl demo-server.jsonl -o demo.lurk >&2)
kinds=$(finding_kinds "$out/demo.lurk")
if [ "$kinds" != "$expected_kinds" ]; then
  echo "make-demo.sh: the demo's findings are [$kinds], expected [$expected_kinds]" >&2
  exit 1
fi
echo "make-demo.sh: wrote $out/demo.lurk ($(stat -c %s "$out/demo.lurk") bytes; findings: $kinds)" >&2
rm -f "$out/mirage-net.lurk"
(cd "$(dirname "$mirage_ctf")" && "$bin/lurk" ingest "$(basename "$mirage_ctf")" -o "$out/mirage-net.lurk" >&2)
echo "make-demo.sh: wrote $out/mirage-net.lurk ($(stat -c %s "$out/mirage-net.lurk") bytes)" >&2
