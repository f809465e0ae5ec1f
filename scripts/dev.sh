#!/usr/bin/env bash
# The project's one entry point (the README's two commands):
#   scripts/dev.sh view [ARGS...]  install what is missing, build, run `lurk view ARGS`
#   scripts/dev.sh test [ARGS...]  install what is missing, build, run the whole test suite,
#                                  then the native suite again under ASan + UBSan +
#                                  LeakSanitizer in build-sanitize (docs/fuzzing.md), where
#                                  the GoogleTest unit tests are built and run (build/ has
#                                  the product, the CLI, golden, oracle and browser tests).
#                                  LURK_SANITIZE_TESTS=0 skips the second tree and builds the
#                                  unit tests in build/ instead.
#                                  The last lines: the ctest summaries and PASSED or FAILED.
#   scripts/dev.sh build           install what is missing and build (build/ only)
# Idempotent: a second run only rebuilds what changed.
# Every tree is a unity build (CMAKE_UNITY_BUILD: sources compiled in batches
# of 8, so that the shared headers - nlohmann/json, CLI11, GoogleTest, ImGui -
# are parsed and instantiated once per batch, not once per file: the clean
# build CI does costs about half the CPU; docs/fuzzing.md, "Time").
# LURK_UNITY_BUILD=OFF gives one object per file (quicker to rebuild one file).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build"
sanitize="$root/build-sanitize"
unity=${LURK_UNITY_BUILD:-ON}
case "$unity" in ON|OFF) ;; *) echo "dev.sh: LURK_UNITY_BUILD is ON or OFF, not '$unity'" >&2; exit 2 ;; esac
command=${1:-}
[ $# -gt 0 ] && shift

case "$command" in
  view|test|build) ;;
  *) echo "usage: scripts/dev.sh view|test|build [ARGS...]" >&2; exit 2 ;;
esac

# The native suite's second tree: clang-14 with ASan + UBSan + LeakSanitizer,
# no WebAssembly (the browser tests are not registered there), built cheaply
# (LURK_SANITIZE in CMakeLists.txt: clang, -O1 libraries, -O0 the rest, -g1).
# configured_as TREE VARIABLE VALUE: TREE's cache holds that boolean value.
configured_as() {
  grep -q "^$2:BOOL=$3\$" "$1/CMakeCache.txt" 2>/dev/null
}

build_sanitize_tree() {
  # A tree configured by an earlier dev.sh with gcc is made again with clang.
  if [ -f "$sanitize/CMakeCache.txt" ] &&
     ! grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang++-14$' "$sanitize/CMakeCache.txt"; then
    rm -rf "$sanitize"
  fi
  if [ ! -f "$sanitize/build.ninja" ] || ! configured_as "$sanitize" CMAKE_UNITY_BUILD "$unity"; then
    CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$sanitize" -G Ninja \
      -DCMAKE_BUILD_TYPE=Debug -DLURK_SANITIZE=ON -DLURK_BUILD_WASM=OFF \
      -DCMAKE_UNITY_BUILD:BOOL="$unity" >&2
  fi
  cmake --build "$sanitize" >&2
}

# run_suite NAME TREE LOG [CTEST ARGS...]: ctest in TREE, its output also kept in LOG.
run_suite() {
  local name=$1 tree=$2 log=$3
  shift 3
  local rc=0
  (cd "$tree" && ctest --output-on-failure --parallel "$(nproc)" "$@") 2>&1 | tee "$log" ||
    rc=$?
  [ $rc = 0 ] || echo "dev.sh test: the $name suite failed (ctest exit $rc)" >&2
  return $rc
}

# summary NAME LOG: ctest's "N% tests passed, M tests failed out of K" line of that run.
summary() {
  local line
  line=$(grep -E 'tests passed|No tests were found' "$2" | tail -n 1 || true)
  echo "dev.sh test: $1 suite: ${line:-no ctest summary (see above)}"
}

# Progress goes to stderr so that stdout carries only what the command prints (the URL).
bash "$root/scripts/install-deps.sh" >&2

# The unit tests are built in build/ only when no sanitizer tree runs them.
sanitize_on=0
[ "$command" = test ] && sanitize_on=${LURK_SANITIZE_TESTS:-1}
unit_in_build=OFF
[ "$command" = test ] && [ "$sanitize_on" != 1 ] && unit_in_build=ON
if [ ! -f "$build/build.ninja" ] || ! configured_as "$build" LURK_UNIT_TESTS "$unit_in_build" ||
   ! configured_as "$build" CMAKE_UNITY_BUILD "$unity"; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLURK_UNIT_TESTS=$unit_in_build -DCMAKE_UNITY_BUILD:BOOL="$unity" >&2
fi

# kill_tree PID: PID and everything it started (the background build's ninja
# and compilers must not outlive a failed or interrupted run).
kill_tree() {
  local child
  for child in $(pgrep -P "$1" || true); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}
logs=$(mktemp -d)
builder=
trap '[ -z "$builder" ] || kill_tree "$builder"; rm -rf "$logs"' EXIT
if [ "$sanitize_on" = 1 ]; then
  # Both trees build at once: the normal build has long single-job stretches
  # (the SQLite amalgamation, the WebAssembly link and its optimizer) that
  # the other tree's compiles fill. Its output goes to a log, shown on failure.
  echo "dev.sh test: building $sanitize (ASan + UBSan) beside $build" >&2
  build_sanitize_tree >"$logs/sanitize-build.log" 2>&1 &
  builder=$!
fi
cmake --build "$build" >&2

case "$command" in
  view) exec "$build/bin/lurk" view "$@" ;;
  test)
    sanitize_ok=1
    if [ "$sanitize_on" = 1 ]; then
      echo "dev.sh test: waiting for the $sanitize build" >&2
      wait "$builder" || sanitize_ok=0
      builder=
    fi
    status=0
    run_suite normal "$build" "$logs/normal.log" "$@" || status=$?
    sanitize_result=skipped
    if [ "$sanitize_on" = 1 ]; then
      if [ $sanitize_ok = 1 ]; then
        echo "dev.sh test: the native suite again under ASan + UBSan + LeakSanitizer ($sanitize)" >&2
        # Any report fails its test: halt_on_error, and UBSan is built not to
        # recover. Suppressions (each with its reason) live in tests/sanitizers/.
        # cli_live_load is left to the normal run: it asserts the collector's
        # peak RSS (docs/live.md's bound), which ASan's shadow memory and
        # 256 MB quarantine raise by design.
        ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1 \
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions="$root/tests/sanitizers/ubsan.supp" \
        LSAN_OPTIONS=suppressions="$root/tests/sanitizers/lsan.supp":print_suppressions=0 \
          run_suite sanitized "$sanitize" "$logs/sanitized.log" -E '^cli_live_load$' "$@" ||
          status=$?
        sanitize_result=ran
      else
        tail -n 40 "$logs/sanitize-build.log" >&2
        sanitize_result="not run: the build of $sanitize failed (its last lines above)"
        status=1
      fi
    fi
    # The closing lines: each run's ctest summary, then the verdict.
    echo
    summary normal "$logs/normal.log"
    case "$sanitize_result" in
      ran) summary "ASan+UBSan+LSan" "$logs/sanitized.log" ;;
      skipped) echo "dev.sh test: ASan+UBSan+LSan suite: not run (LURK_SANITIZE_TESTS=0)" ;;
      *) echo "dev.sh test: ASan+UBSan+LSan suite: $sanitize_result" ;;
    esac
    [ $status = 0 ] && echo "dev.sh test: PASSED" || echo "dev.sh test: FAILED"
    exit $status ;;
  build) ;;
esac
