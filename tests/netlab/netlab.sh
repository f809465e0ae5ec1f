#!/usr/bin/env bash
# lurk's network test lab: makes one impaired TCP capture between real kernel
# TCP stacks. It creates three network namespaces, client -- router -- server,
# joined by veth pairs; in the router namespace lurk-impair bridges the two
# veths and drops, delays, reorders and duplicates TCP frames (this kernel has
# no netem). tcpdump captures on the client's veth while traffic.py runs one
# scenario (bulk, short, mixed, reset, zerowin) over IPv4 or IPv6. Addresses exist only
# inside the namespaces (10.77.0.0/24, fd77::/64); every namespace is deleted on
# exit, even on failure. Needs root.
# Usage: netlab.sh --impair BIN --out FILE.pcap [--scenario S] [--family 4|6]
#          [--loss P] [--reorder P] [--duplicate P] [--delay-ms MS]
#          [--reorder-delay-ms MS] [--seed N] [--bytes N] [--connections N]
#          [--capture-at client|server] [--snaplen N]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

impair="" out="" scenario=bulk family=4 loss=0.02 reorder=0.02 duplicate=0.01
delay_ms=2 reorder_delay_ms=3 seed=1 bytes=200000 connections=20 capture_at=client snaplen=0
while [ $# -gt 0 ]; do
  case $1 in
    --impair) impair=$2 ;; --out) out=$2 ;; --scenario) scenario=$2 ;; --family) family=$2 ;;
    --loss) loss=$2 ;; --reorder) reorder=$2 ;; --duplicate) duplicate=$2 ;;
    --delay-ms) delay_ms=$2 ;; --reorder-delay-ms) reorder_delay_ms=$2 ;; --seed) seed=$2 ;;
    --bytes) bytes=$2 ;; --connections) connections=$2 ;; --capture-at) capture_at=$2 ;;
    --snaplen) snaplen=$2 ;;
    *) echo "netlab.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
[ -n "$impair" ] && [ -n "$out" ] || { echo "netlab.sh: --impair BIN and --out FILE are required" >&2; exit 2; }
[ -x "$impair" ] || { echo "netlab.sh: $impair is not an executable" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "netlab.sh: needs root (network namespaces, tcpdump)" >&2; exit 2; }

lab_name=lurk
. "$here/lab_namespaces.sh"

setup_namespaces
ip netns exec "$rtr" "$impair" --a rc0 --b rs0 --loss "$loss" --reorder "$reorder" \
  --duplicate "$duplicate" --delay-ms "$delay_ms" --reorder-delay-ms "$reorder_delay_ms" \
  --seed "$seed" --duration 150 2>"$work/impair.log" &
pids+=($!)
ip netns exec "$srv" python3 "$here/traffic.py" server --duration 150 >"$work/server.log" 2>&1 &
pids+=($!)
if [ "$capture_at" = server ]; then cap_ns=$srv cap_dev=srv0; else cap_ns=$cli cap_dev=cli0; fi
# -B: a 64 MiB capture buffer (the default 2 MiB overflowed under a load of 12 on a
# 1.3 GB bulk capture: 162k frames dropped by the kernel, the capture refused below).
ip netns exec "$cap_ns" tcpdump -Z root -i "$cap_dev" --immediate-mode -B 65536 -U -s "$snaplen" -w "$work/cap.pcap" tcp 2>"$work/tcpdump.log" &
tcpdump_pid=$!
pids+=($tcpdump_pid)
wait_for_line "$work/server.log" ready 10
wait_for_line "$work/tcpdump.log" "listening on" 10

host=10.77.0.2
[ "$family" = 6 ] && host=fd77::2
status=0
timeout 120 ip netns exec "$cli" python3 "$here/traffic.py" client --host "$host" \
  --scenario "$scenario" --bytes "$bytes" --connections "$connections" || status=$?
sleep 0.5
stop_process "$tcpdump_pid" INT
for p in "${pids[@]}"; do stop_process "$p" TERM; done
pids=()
grep -h "lurk-impair" "$work/impair.log" >&2 || true
if [ $status != 0 ]; then
  echo "netlab.sh: the $scenario client failed (exit $status)" >&2
  exit 1
fi
# A capture missing frames would still agree with tshark (both read the same
# file), so the lab itself refuses one: tcpdump must have seen traffic, and
# the kernel must not have dropped any of it.
captured=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$work/tcpdump.log")
dropped=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$work/tcpdump.log")
if [ "${captured:-0}" = 0 ] || [ "${dropped:-1}" != 0 ]; then
  echo "netlab.sh: tcpdump captured ${captured:-?} frames, kernel dropped ${dropped:-?}:" >&2
  cat "$work/tcpdump.log" >&2
  exit 1
fi
cp "$work/cap.pcap" "$out"
echo "netlab.sh: wrote $out ($(stat -c %s "$out") bytes, $captured frames, $scenario over IPv$family)" >&2
