#!/usr/bin/env bash
# The project's one entry point (the README's two commands):
#   scripts/dev.sh view [ARGS...]  install what is missing, build, run `lurk view ARGS`
#   scripts/dev.sh test [ARGS...]  install what is missing, build, run the whole test suite;
#                                  with LURK_SANITIZE_TESTS=1 then the native suite again under
#                                  ASan + UBSan (build-sanitize; docs/fuzzing.md). Off by default
#                                  until its build and run are measured within CI's budget.
#   scripts/dev.sh build           install what is missing and build
# Idempotent: a second run only rebuilds what changed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build"
sanitize="$root/build-sanitize"
command=${1:-}
[ $# -gt 0 ] && shift

case "$command" in
  view|test|build) ;;
  *) echo "usage: scripts/dev.sh view|test|build [ARGS...]" >&2; exit 2 ;;
esac

# Progress goes to stderr so that stdout carries only what the command prints (the URL).
bash "$root/scripts/install-deps.sh" >&2
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
fi
cmake --build "$build" >&2

case "$command" in
  view) exec "$build/bin/lurk" view "$@" ;;
  test)
    status=0
    (cd "$build" && ctest --output-on-failure --parallel "$(nproc)" "$@") || status=$?
    [ "${LURK_SANITIZE_TESTS:-0}" = 1 ] || exit $status
    # The native suite (every label but the browser's: the WebAssembly UI is
    # not built here) under AddressSanitizer, LeakSanitizer and UBSan: any
    # report fails its test (halt_on_error; UBSan is built not to recover).
    if [ ! -f "$sanitize/build.ninja" ]; then
      cmake -S "$root" -B "$sanitize" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLURK_SANITIZE=ON \
            -DLURK_BUILD_WASM=OFF >&2
    fi
    cmake --build "$sanitize" >&2
    echo "dev.sh test: the native suite again under ASan + UBSan ($sanitize)" >&2
    (cd "$sanitize" &&
     ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1 \
     UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
     ctest --output-on-failure --parallel "$(nproc)" "$@") || status=$?
    exit $status ;;
  build) ;;
esac
