#!/usr/bin/env bash
# Runs lurk's benchmarks and appends the results (machine, date, commit) to
# bench/RESULTS.md. Today: pcap ingest with TCP analysis against tshark's
# expert analysis, on captures of tens of MB made in the network test lab
# (tests/netlab, needs root the first time; kept in BUILD_DIR/bench-data): a
# bulk transfer and its first quarter (does memory stay flat as the capture
# grows?), and 3,000 connections 16 at a time (the many-connection case).
# Usage: bench/run.sh [BUILD_DIR] [REPETITIONS]   (default build/, 3)
#        bench/run.sh --ui [BUILD_DIR]   only the browser UI benchmark (10k, 1M, 10M events)
#        bench/run.sh --hostile [BUILD_DIR] [SCALE]   only the hostile-input benchmark (issue 13):
#          deep nesting, huge strings, millions of threads, chaotic timestamps, TCP sequence
#          wrap, each at 1x, 3x and 9x; exits 1 when a case is not linear or not bounded
#        bench/run.sh --share [BUILD_DIR]   only the standalone HTML of 1M events: export, then
#                                           opened from file:// offline (bench/browser/share_bench.mjs)
#        bench/run.sh --native [BUILD_DIR] [EVENTS]   only server-backed viewing (bench/native_bench.py:
#          a 100M-event profile by default, opened cold (lane summary made) and warm (read from
#          the cache): open time, memory, first frame, pan/zoom frames over HTTP, the big lanes)
#        bench/run.sh --live [BUILD_DIR] [--latency-only]   only live collection
#                                          (bench/live_bench.py: 1, 4, 16 senders, memory, and
#                                          send-to-visible latency in a query and in the browser
#                                          with lurk view --follow; --latency-only: just those)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = --live ]; then
  shift
  build=$(cd "${1:-$root/build}" && pwd)
  shift || true
  cmake --build "$build" --target lurk >/dev/null
  exec python3 "$root/bench/live_bench.py" "$build" "$@"
fi
if [ "${1:-}" = --share ]; then
  shift
  build=$(cd "${1:-$root/build}" && pwd)
  cmake --build "$build" --target lurk lurk-make-profile lurk_wasm >/dev/null
  exec node "$root/bench/browser/share_bench.mjs" --build "$build" --append "$root/bench/RESULTS.md"
fi
if [ "${1:-}" = --native ]; then
  shift
  build=$(cd "${1:-$root/build}" && pwd)
  cmake --build "$build" --target lurk lurk-make-profile >/dev/null
  exec python3 "$root/bench/native_bench.py" --build "$build" --events "${2:-100000000}" \
    --append "$root/bench/RESULTS.md"
fi
ui_only=0
if [ "${1:-}" = --ui ]; then ui_only=1; shift; fi
if [ "${1:-}" = --hostile ]; then
  shift
  build=$(cd "${1:-$root/build}" && pwd)
  cmake --build "$build" --target lurk >/dev/null
  command -v /usr/bin/time >/dev/null || { echo "bench: /usr/bin/time is missing (scripts/install-deps.sh)" >&2; exit 1; }
  python3 "$root/bench/hostile_input_bench.py" --lurk "$build/bin/lurk" --scale "${2:-1}" \
    --append "$root/bench/RESULTS.md"
  exit $?
fi
build=$(cd "${1:-$root/build}" && pwd)
reps=${2:-3}
lurk="$build/bin/lurk"

# Browser UI (bench/browser): first frame, frame build p50/p95, memory per event, on generated
# profiles of 10k, 1M and 10M events. Needs the WebAssembly UI (LURK_BUILD_WASM=ON).
run_ui_bench() {
  if [ -s "$build/share/lurk/web/lurk-ui.wasm" ]; then
    cmake --build "$build" --target lurk lurk-make-profile lurk_wasm >/dev/null
    node "$root/bench/browser/ui_bench.mjs" --build "$build" --append "$root/bench/RESULTS.md"
  else
    echo "bench: no WebAssembly UI in $build, skipping the browser benchmark" >&2
  fi
}
if [ "$ui_only" = 1 ]; then
  run_ui_bench
  echo "bench: results appended to bench/RESULTS.md" >&2
  exit 0
fi
impair="$build/bin/lurk-impair"
data="$build/bench-data"
big="$data/netlab-bulk-40MB.pcap"
quarter="$data/netlab-bulk-40MB-first-quarter.pcap"
# Measure what the source tree says, not a stale binary.
cmake --build "$build" --target lurk lurk-impair >/dev/null
for tool in tshark editcap /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (scripts/install-deps.sh)" >&2; exit 1; }
done

mkdir -p "$data"
# lab_capture FILE NETLAB-ARGS...: FILE made in the network lab (kept: made once).
lab_capture() {
  local out=$1
  shift
  [ -s "$out" ] && return 0
  [ "$(id -u)" = 0 ] || { echo "bench: making the capture needs root (network namespaces)" >&2; exit 1; }
  [ -x "$impair" ] || { echo "bench: no $impair; build first" >&2; exit 1; }
  echo "bench: making $out in the network lab" >&2
  "$root/tests/netlab/netlab.sh" --impair "$impair" --out "$out" "$@"
}
# Light impairment: a long, mostly clean transfer with some of every event.
if [ ! -s "$big" ]; then
  lab_capture "$big" --scenario bulk \
    --bytes 30000000 --loss 0.005 --reorder 0.005 --duplicate 0.002 --delay-ms 1 --seed 7
  rm -f "$quarter"  # its first quarter is made again from the new capture
fi
if [ ! -s "$quarter" ]; then
  packets=$(capinfos -c -M "$big" | awk '/Number of packets/ {print $NF}')
  editcap -F pcap -r "$big" "$quarter" "1-$((packets / 4))"
fi
# Many connections (issue 15's "captures of 10-100 MB with many connections"):
# 3,000 request/response connections 16 at a time, answers from 1 KB up, 1%
# loss and reordering; ~30 MB, ~64,000 frames (made in ~15 s). tshark's cost per packet is
# lowest on such a capture, lurk's highest (a packet row per frame, whose lane
# index entry lands inside the index, at its open connection's place, not at its end).
mixed="$data/netlab-mixed-3000.pcap"
lab_capture "$mixed" --scenario mixed \
  --connections 3000 --loss 0.01 --reorder 0.01 --duplicate 0.005 --delay-ms 1 --seed 7

python3 "$root/bench/pcap_ingest_bench.py" --lurk "$lurk" --reps "$reps" \
  --append "$root/bench/RESULTS.md" "$quarter" "$big" "$mixed"
# Chrome JSON and lurk JSONL ingest against SQLite's bulk insert of the same rows.
python3 "$root/bench/json_ingest_bench.py" --lurk "$lurk" --data "$data" --reps "$reps" \
  --append "$root/bench/RESULTS.md"
run_ui_bench
echo "bench: results appended to bench/RESULTS.md" >&2
