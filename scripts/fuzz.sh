#!/usr/bin/env bash
# Runs the libFuzzer targets (tests/fuzz, docs/fuzzing.md), each for SECONDS
# (default 300), one after the other, at low priority (nice 10: the machine
# may be shared). Configures and builds build-fuzz with clang-14 first, and
# makes the seed corpora when they are missing (scripts/fuzz-seeds.sh).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Targets: pcap pcapng ctf chrome_json lurk_jsonl sniff profile wire (default all).
# The corpus each run grows is kept in build-fuzz/corpus/TARGET, so runs add
# up. An input that crashes, hangs (LURK_FUZZ_TIMEOUT seconds, default 60: the
# machine may be loaded; libFuzzer's limit is wall-clock time, so long runs at
# nice 19 beside other work need minutes), leaks or trips ASan/UBSan lands in
# build-fuzz/artifacts/TARGET/; fix the bug, then copy the input to
# tests/data/fuzz-regressions/TARGET/ so that ctest replays it on every run.
# Each run prints one summary line (executions, seconds, cov, ft, crashes),
# the numbers docs/fuzzing.md records; the full log is build-fuzz/logs/TARGET.log.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fuzz=$root/build-fuzz
seconds=${1:-300}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(pcap pcapng ctf chrome_json lurk_jsonl sniff profile wire)

if [ ! -f "$fuzz/build.ninja" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$fuzz" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLURK_FUZZ=ON -DLURK_BUILD_WASM=OFF >&2
fi
# LURK_FUZZ_BUILD=0: run what is built (another build of the tree is under way).
[ "${LURK_FUZZ_BUILD:-1}" = 0 ] || nice -n 10 cmake --build "$fuzz" -j2 >&2
[ -d "$fuzz/seeds" ] || bash "$root/scripts/fuzz-seeds.sh" "$fuzz/seeds" >&2

for t in "${targets[@]}"; do
  bin=$fuzz/tests/fuzz/lurk-fuzz-$t
  [ -x "$bin" ] || { echo "fuzz: no target $t ($bin)" >&2; exit 2; }
  mkdir -p "$fuzz/corpus/$t" "$fuzz/artifacts/$t" "$fuzz/logs"
  log=$fuzz/logs/$t.log
  # detect_leaks: LeakSanitizer on; a leak is a failure like a crash.
  set +e
  started=$SECONDS
  ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    nice -n 10 "$bin" -max_total_time="$seconds" -timeout="${LURK_FUZZ_TIMEOUT:-60}" -rss_limit_mb=2048 \
      -max_len=262144 -print_final_stats=1 -artifact_prefix="$fuzz/artifacts/$t/" \
      "$fuzz/corpus/$t" "$fuzz/seeds/$t" > "$log" 2>&1
  status=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  # libFuzzer says how long it ran only when it ran to the end; an
  # interrupted run (SIGINT) is timed here.
  took=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*' ||
         echo $((SECONDS - started)))
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo '?')
  ft=$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo '?')
  corpus=$(ls "$fuzz/corpus/$t" | wc -l)
  crashes=$(ls "$fuzz/artifacts/$t" | wc -l)
  printf 'fuzz %-11s %9s execs %5s s  cov %5s  ft %6s  corpus %5d  artifacts %d  exit %d\n' \
    "$t" "$execs" "$took" "$cov" "$ft" "$corpus" "$crashes" "$status"
done
