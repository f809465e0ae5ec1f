# Shared pieces of the bash CLI test scripts (tests/cli/*.sh), the bash twin
# of cli_checks.py: named checks counted into the closing "N passed, N failed"
# line that ctest shows. Sourced: . "$src/tests/lib/cli_checks.sh"
passes=0
failures=0

check() {  # check DESCRIPTION CONDITION...: runs CONDITION, counts and prints the outcome
  local what=$1; shift
  if "$@"; then echo "ok: $what"; passes=$((passes + 1)); else echo "FAILED: $what"; failures=$((failures + 1)); fi
}

fail() {  # fail DESCRIPTION: counts a failure found without a condition to run
  echo "FAILED: $1"; failures=$((failures + 1))
}

finish() {  # finish [NAME]: prints the closing line; exits 1 on any failure
  echo "${1:+$1: }$passes passed, $failures failed"
  exit $((failures > 0))
}
