#!/usr/bin/env bash
# lurk ingest on bad input: a file that is no capture (text, empty) is refused
# with a clear message and exit 1, leaving an existing profile byte-for-byte
# as it was; a truncated capture keeps its intact records and exits 3.
# Usage: ingest_bad_input.sh LURK_BIN SOURCE_DIR
set -u
lurk=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$src/tests/lib/cli_checks.sh"

sample="$src/samples/loopback-http.pcap"
"$lurk" ingest "$sample" -o "$work/good.lurk" 2>"$work/good.err"
check "a good capture ingests with exit 0" test $? -eq 0
cp "$work/good.lurk" "$work/before.lurk"

echo "this is not a capture" > "$work/notes.pcap"
"$lurk" ingest "$work/notes.pcap" -o "$work/good.lurk" 2>"$work/text.err"
code=$?
check "text named .pcap exits 1 (got $code)" test $code -eq 1
check "text named .pcap names the file" grep -q "notes.pcap" "$work/text.err"
check "text named .pcap says what was expected" grep -qi "not a format lurk reads" "$work/text.err"
check "the profile is unchanged after the text input" cmp -s "$work/good.lurk" "$work/before.lurk"

: > "$work/empty.pcap"
"$lurk" ingest "$work/empty.pcap" -o "$work/good.lurk" 2>"$work/empty.err"
code=$?
check "an empty file exits 1 (got $code)" test $code -eq 1
check "an empty file is called empty" grep -qi "empty" "$work/empty.err"
check "the profile is unchanged after the empty input" cmp -s "$work/good.lurk" "$work/before.lurk"

# A good input next to a bad one: nothing is written at all.
"$lurk" ingest "$sample" "$work/notes.pcap" -o "$work/mixed.lurk" 2>/dev/null
check "a bad input among good ones writes nothing" test ! -e "$work/mixed.lurk"

# Cut the capture inside its last record (every record is longer than 10 bytes).
size=$(stat -c %s "$sample")
head -c $((size - 10)) "$sample" > "$work/cut.pcap"
"$lurk" ingest "$work/cut.pcap" -o "$work/cut.lurk" 2>"$work/cut.err"
code=$?
check "a truncated capture exits 3, partial (got $code)" test $code -eq 3
check "the damage names file and byte offset" grep -q "cut.pcap: byte offset [0-9]" "$work/cut.err"
kept=$("$lurk" query "$work/cut.lurk" "SELECT count(*) FROM packets")
total=$("$lurk" query "$work/good.lurk" "SELECT count(*) FROM packets")
check "all intact records are kept ($kept of $total)" test "$kept" -eq $((total - 1))
errors=$("$lurk" query "$work/cut.lurk" "SELECT count(*) FROM ingest_errors WHERE kind = 'truncated-record'")
check "the damage is recorded in ingest_errors" test "$errors" -eq 1
status=$("$lurk" query "$work/cut.lurk" "SELECT status FROM sources")
check "the source is marked partial" test "$status" = partial

# The same capture again: recognised, not duplicated.
"$lurk" ingest "$sample" -o "$work/good.lurk" 2>"$work/again.err"
check "ingesting the same capture twice exits 0" test $? -eq 0
check "the second ingest says it was already there" grep -q "already in the profile" "$work/again.err"
again=$("$lurk" query "$work/good.lurk" "SELECT count(*) FROM packets")
check "no packets were duplicated" test "$again" -eq "$total"

finish
