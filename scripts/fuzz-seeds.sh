#!/usr/bin/env bash
# Builds the seed corpora of the fuzz targets (docs/fuzzing.md) from the
# project's real samples and test data, small files only (libFuzzer mutates
# small inputs much faster): SEEDS/<target>/ for pcap, pcapng, ctf,
# chrome_json, lurk_jsonl, sniff, profile and wire. Nothing here is committed: the
# seeds are remade from the committed data whenever they are wanted.
#
#   scripts/fuzz-seeds.sh [SEEDS_DIR]     (default build-fuzz/seeds)
#
# Needs the normal build (build/bin/lurk, build/bin/lurk-make-ctf-server)
# for the profile seeds and the small CTF traces, editcap (tshark) to cut
# captures to their first packets, and sqlite3 for the hostile profiles.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seeds=${1:-$root/build-fuzz/seeds}
lurk=$root/build/bin/lurk
make_ctf=$root/build/bin/lurk-make-ctf-server
shared=$root/../shared
data=$root/tests/data

for tool in "$lurk" "$make_ctf"; do
  [ -x "$tool" ] || { echo "fuzz-seeds: $tool is missing: build first (cmake --build build)" >&2; exit 1; }
done
for tool in editcap sqlite3; do
  command -v "$tool" >/dev/null || { echo "fuzz-seeds: $tool is missing (scripts/install-deps.sh)" >&2; exit 1; }
done

rm -rf "$seeds"
mkdir -p "$seeds"/{pcap,pcapng,ctf,chrome_json,lurk_jsonl,sniff,profile,wire}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Captures: every link type, cut to their first 12 packets; the lab's
# captures (retransmissions, zero windows, resets) cut to their first 40.
for f in "$data"/linktypes/*.pcap; do
  editcap -F pcap -r "$f" "$seeds/pcap/$(basename "$f")" 1-12
done
for f in "$data"/netlab-*.pcap "$root/samples/demo.pcap"; do
  editcap -F pcap -r "$f" "$seeds/pcap/$(basename "$f")" 1-40
done
for f in "$data"/linktypes/*.pcapng; do
  editcap -F pcapng -r "$f" "$seeds/pcapng/$(basename "$f")" 1-12
done
for f in "$seeds"/pcap/netlab-*.pcap; do
  editcap -F pcapng "$f" "$seeds/pcapng/$(basename "$f" .pcap).pcapng"
done
# Both byte orders of the same packets, and nanosecond timestamps.
editcap -F nsecpcap "$seeds/pcap/ethernet.pcap" "$seeds/pcap/ethernet-nsec.pcap"
python3 - "$seeds/pcap/vlan.pcap" "$seeds/pcap/vlan-big-endian.pcap" <<'EOF'
import struct, sys
raw = open(sys.argv[1], 'rb').read()
out = bytearray(struct.pack('>IHHiIII', *struct.unpack('<IHHiIII', raw[:24])))
at = 24
while at + 16 <= len(raw):
    sec, frac, cap, wire = struct.unpack('<IIII', raw[at:at + 16])
    out += struct.pack('>IIII', sec, frac, cap, wire) + raw[at + 16:at + 16 + cap]
    at += 16 + cap
open(sys.argv[2], 'wb').write(out)
EOF

# CTF: small server traces (clean and failing closes), and the first 4 KB of
# events of the real MirageOS trace's first two packets (its packets are
# 250 KB), each under a header whose sizes say 4 KB: the last event is torn.
"$make_ctf" "$seeds/ctf/server-xx.ctf" x.x
"$make_ctf" "$seeds/ctf/server-dot.ctf" .
python3 - "$shared/samples/net.ctf" "$seeds/ctf" <<'EOF'
import struct, sys
raw = open(sys.argv[1], 'rb').read()
at, packets = 0, []
while at + 30 <= len(raw) and len(packets) < 2:
    size = struct.unpack('<I', raw[at + 20:at + 24])[0] // 8
    bits = (30 + 4096) * 8
    packets.append(raw[at:at + 20] + struct.pack('<I', bits) + raw[at + 24:at + 26] +
                   struct.pack('<I', bits) + raw[at + 30:at + 30 + 4096])
    at += size
for i, p in enumerate(packets):
    open(sys.argv[2] + '/mirage-net-packet%d-4k.ctf' % i, 'wb').write(p)
open(sys.argv[2] + '/mirage-net-two-packets-4k.ctf', 'wb').write(b''.join(packets))
EOF

# Chrome JSON: the golden cases (one rule each) and the node traces cut to
# their first events (a cut trace is itself a case the importer must report).
cp "$data"/chrome/golden/*.json "$seeds/chrome_json/"
head -c 6000 "$data/chrome/node-net-echo.json" > "$seeds/chrome_json/node-net-echo-head.json"
head -c 6000 "$data/chrome/node-workers.json" > "$seeds/chrome_json/node-workers-head.json"

# lurk JSON lines: the header and the first lines of each trace.
head -n 60 "$data/jsonl/loopback-http.jsonl" > "$seeds/lurk_jsonl/loopback-http.jsonl"
head -n 80 "$root/samples/demo-client.jsonl" > "$seeds/lurk_jsonl/demo-client.jsonl"
head -n 80 "$root/samples/demo-server.jsonl" > "$seeds/lurk_jsonl/demo-server.jsonl"

# The sniffers see every format, and bytes that are none.
for t in pcap pcapng ctf chrome_json lurk_jsonl; do
  ls "$seeds/$t" | head -n 3 | while read -r f; do cp "$seeds/$t/$f" "$seeds/sniff/$t-$f"; done
done
printf 'not a trace\n' > "$seeds/sniff/text.txt"
head -c 24 "$seeds/pcap/ethernet.pcap" > "$seeds/sniff/pcap-header-only.pcap"

# Profiles: small real ones (a capture, a CTF trace, a JSONL trace with its
# capture), the committed version-1 file, then copies made hostile.
"$lurk" ingest "$seeds/pcap/netlab-reset-v4.pcap" -o "$work/capture.lurk" >/dev/null
"$lurk" ingest "$seeds/ctf/server-xx.ctf" -o "$work/ctf.lurk" >/dev/null
"$lurk" ingest "$seeds/pcap/demo.pcap" "$seeds/lurk_jsonl/demo-client.jsonl" \
  -o "$work/joined.lurk" >/dev/null || true  # partial (exit 3): cut inputs
for p in capture ctf joined; do
  sqlite3 "$work/$p.lurk" "VACUUM"
  cp "$work/$p.lurk" "$seeds/profile/$p.lurk"
done
# The committed version-1 profile, cut to its first 60 rows of every table.
cp "$data/profiles/v1-capture-ctf-jsonl.lurk" "$work/v1.lurk"
for table in $(sqlite3 "$work/v1.lurk" "SELECT name FROM sqlite_master WHERE type = 'table'"); do
  sqlite3 "$work/v1.lurk" "DELETE FROM \"$table\" WHERE rowid > 60"
done
sqlite3 "$work/v1.lurk" "VACUUM"
cp "$work/v1.lurk" "$seeds/profile/v1.lurk"

hostile() {  # NAME SQL: a copy of the capture+trace profile with SQL applied
  cp "$work/joined.lurk" "$work/$1.lurk"
  sqlite3 "$work/$1.lurk" "$2"
  mv "$work/$1.lurk" "$seeds/profile/hostile-$1.lurk"
}
hostile newer-version "PRAGMA user_version = 99"
hostile version-zero "PRAGMA user_version = 0"
hostile no-packets "DROP TABLE packets"
hostile no-strings "DROP TABLE strings"
hostile no-findings "DROP TABLE findings"
hostile column-dropped "ALTER TABLE packets DROP COLUMN ts_rtt_ns; ALTER TABLE threads DROP COLUMN link_how"
hostile findings-view "DROP TABLE findings; CREATE VIEW findings AS SELECT 1 AS id"
hostile trigger "CREATE TRIGGER t AFTER INSERT ON packets BEGIN DELETE FROM packets; END"
hostile absurd-times "UPDATE packets SET ts_ns = CASE WHEN rowid % 2 THEN 9223372036854775807 ELSE -9223372036854775808 END; UPDATE threads SET start_ns = -9223372036854775808, end_ns = 9223372036854775807"
hostile absurd-ids "UPDATE threads SET name = 2147483647, parent_id = id, connection_id = -5; UPDATE spans SET depth = 65536 * 4 + 3"
hostile sparse-strings "UPDATE strings SET id = id * 100000"
hostile text-in-numbers "UPDATE packets SET payload_len = 'lots', tcp_flags = x'ff00'; UPDATE connections SET packets_ab = -1, packets_ba = 9223372036854775807"
hostile nulls "UPDATE threads SET start_ns = NULL, end_ns = NULL, name = NULL, connection_id = NULL; UPDATE findings SET ts_ns = NULL, duration_ns = NULL, connection_id = NULL"

# The same profiles as SQL text (fuzz_profile.cpp runs it into an empty
# database): mutations then change values and names, not page bytes.
for p in capture ctf joined; do
  { echo "-- lurk-fuzz-sql"
    echo "PRAGMA user_version = $(sqlite3 "$work/$p.lurk" 'PRAGMA user_version');"
    sqlite3 "$work/$p.lurk" .dump; } > "$seeds/profile/$p.sql"
done

# The network's text (fuzz_wire.cpp: the first byte picks the parser): the
# hand-made cases kept as regressions are one of each kind; the TSDL of the
# real trace after a CTF hello; the request heads a browser sends.
cp "$data"/fuzz-regressions/wire/* "$seeds/wire/"
{ printf '\002{"lurk":"hello","version":1,"name":"net","format":"ctf","metadata_bytes":%d}\n' \
    "$(stat -c %s "$shared/samples/net.ctf.metadata")"
  cat "$shared/samples/net.ctf.metadata"; } > "$seeds/wire/hello-ctf-net.txt"
printf '\000GET /frame?t0=0&t1=5e9&lx=0&lw=180&x=180&w=1220&ry=30&rh=24&y=54&h=700&sy=0&th=13&light=0&packed=1&idle=1&token=abc HTTP/1.1\r\nHost: 127.0.0.1:7070\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\nSec-Fetch-Site: same-origin\r\nCookie: lurk_token=abc\r\n' \
  > "$seeds/wire/head-frame.txt"
printf '\000HEAD /trace.lurk HTTP/1.0\r\nHost: [::1]:7070\r\nRange: bytes=0-99\r\nIf-Range: "x"\r\n' > "$seeds/wire/head-v10.txt"

for t in "$seeds"/*/; do
  printf 'fuzz-seeds: %-12s %3d files, %6d KB\n' "$(basename "$t")" "$(ls "$t" | wc -l)" \
    "$(du -sk "$t" | cut -f1)"
done
