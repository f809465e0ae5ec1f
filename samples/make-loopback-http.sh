#!/usr/bin/env bash
# Makes samples/loopback-http.pcap (used by tests and tests/data/jsonl/loopback-http.jsonl):
# a few HTTP transfers on loopback (IPv4 and IPv6), one refused connection
# (RST) and one connection the client resets. Needs root (tcpdump) and python3.
# Usage: samples/make-loopback-http.sh [OUT.pcap]
set -euo pipefail
out=${1:-"$(cd "$(dirname "$0")" && pwd)/loopback-http.pcap"}
port=${LURK_SAMPLE_PORT:-18080}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

head -c 200000 /dev/urandom > "$work/blob.bin"
echo "hello from lurk" > "$work/small.txt"
(cd "$work" && exec python3 -m http.server "$port" --bind :: >/dev/null 2>&1) &
sleep 1
tcpdump -i lo --immediate-mode -U -s 0 -w "$work/cap.pcap" "tcp port $port or tcp port $((port + 1))" 2>/dev/null &
tcpdump_pid=$!
sleep 1

python3 - "$port" <<'PY'
import socket, struct, sys, time, urllib.request
port = int(sys.argv[1])
for host in ("127.0.0.1", "[::1]", "127.0.0.1"):
    for name in ("small.txt", "blob.bin"):
        urllib.request.urlopen(f"http://{host}:{port}/{name}").read()
        time.sleep(0.05)
# Nobody listens on port+1: the SYN is answered by a RST.
try:
    socket.create_connection(("127.0.0.1", port + 1), timeout=1)
except OSError:
    pass
# A client that aborts mid-request: SO_LINGER 0 makes close() send a RST.
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"GET /blob.bin HTTP/1.0\r\n\r\n")
s.recv(1000)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
time.sleep(0.3)
PY

sleep 1
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid" 2>/dev/null || true
cp "$work/cap.pcap" "$out"
echo "wrote $out ($(stat -c %s "$out") bytes)"
