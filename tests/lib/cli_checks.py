"""Shared pieces of the CLI test scripts (tests/cli/*.sh): named checks
counted into ctest's closing line, and running a command that must exit as
expected. Imported with sys.path pointing at tests/lib."""
import subprocess
import sys

passed = failed = 0


def check(ok, what):
    """Counts one check; prints what failed."""
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def check_same_rows(a, b, what):
    """Counts one check: two lists of rows are equal; `what` names them
    (e.g. "after the stop: table spans equals lurk ingest's"), and a failure
    says both counts and the first differing pair."""
    check(a == b, "%s (%d vs %d rows; first difference %s)"
          % (what, len(a), len(b), next(((x, y) for x, y in zip(a, b) if x != y), None)))


def run(cmd, ok=(0,)):
    """Runs cmd; its CompletedProcess, or RuntimeError when its exit code is not in ok."""
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode not in ok:
        raise RuntimeError(f"{cmd} exited {r.returncode}: {r.stderr.strip()}")
    return r


def output(cmd, ok=(0,)):
    """Runs cmd as run() does; its stdout."""
    return run(cmd, ok).stdout


def finish():
    """Prints the closing 'N passed, N failed' line and exits 1 on any failure."""
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
