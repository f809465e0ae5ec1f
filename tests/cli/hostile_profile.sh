#!/usr/bin/env bash
# A profile is data, not code (issue 13): lurk refuses to write to a .lurk
# holding a trigger, a view or a column it did not make (file byte-identical
# afterwards) and to overwrite a file that is no profile; `lurk query` is
# read-only in every form (VACUUM INTO, ATTACH, writes, writing PRAGMAs),
# runs exactly one statement and stops a runaway one; text from a trace
# (escape sequences, invalid UTF-8) is escaped on the terminal and valid
# UTF-8 in JSON. Hostile files are made with Debian's sqlite3 shell from a
# real ingested profile.
# Usage: hostile_profile.sh LURK_BIN SOURCE_DIR
set -u
lurk=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$src/tests/lib/cli_checks.sh"
command -v sqlite3 >/dev/null || { echo "FAILED: the sqlite3 shell (Debian sqlite3) is required"; exit 1; }

sample="$src/samples/loopback-http.pcap"
trace="$src/samples/demo-server.jsonl"
"$lurk" ingest "$sample" -o "$work/good.lurk" 2>/dev/null
check "a real capture ingests" test $? -eq 0
packets=$(sqlite3 "$work/good.lurk" "SELECT count(*) FROM packets")
check "the real profile holds packets ($packets)" test "$packets" -gt 0

# refuse_hostile NAME SQL MESSAGE_PATTERN: a copy of the good profile changed
# by SQL is refused by ingest -o, with the object named, and left unchanged.
refuse_hostile() {
  local name=$1 sql=$2 pattern=$3
  cp "$work/good.lurk" "$work/$name.lurk"
  sqlite3 "$work/$name.lurk" "$sql" || { fail "sqlite3 could not make $name"; return; }
  cp "$work/$name.lurk" "$work/$name.before"
  "$lurk" ingest "$trace" -o "$work/$name.lurk" 2>"$work/$name.err"
  local code=$?
  check "$name: ingest -o exits 1 (got $code)" test $code -eq 1
  check "$name: the message names the object" grep -q "$pattern" "$work/$name.err"
  check "$name: the file is byte-identical" cmp -s "$work/$name.lurk" "$work/$name.before"
  check "$name: no journal is left behind" test ! -e "$work/$name.lurk-journal"
}
refuse_hostile trigger \
  "CREATE TRIGGER eat_packets AFTER INSERT ON sources BEGIN DELETE FROM packets; END;" \
  "trigger 'eat_packets' was not made by lurk"
refuse_hostile view \
  "ALTER TABLE findings RENAME TO findings_real; CREATE VIEW findings AS SELECT * FROM findings_real;" \
  "findings"
refuse_hostile column "ALTER TABLE packets ADD COLUMN note TEXT" "packets.note"
refuse_hostile index "CREATE INDEX packets_by_len ON packets(ts_ns, connection_id)" "packets_by_len"
refuse_hostile extra_table "CREATE TABLE notes (x)" "notes"
check "the trigger profile still has every packet" \
  test "$(sqlite3 "$work/trigger.lurk" "SELECT count(*) FROM packets")" -eq "$packets"

# The untouched profile still takes a second source: the audit refuses only
# what lurk did not make.
cp "$work/good.lurk" "$work/second.lurk"
"$lurk" ingest "$trace" -o "$work/second.lurk" 2>"$work/second.err"
check "a clean profile takes a second source (exit 0)" test $? -eq 0
check "a clean profile now has two sources" \
  test "$(sqlite3 "$work/second.lurk" "SELECT count(*) FROM sources")" -eq 2

# An older version (a committed v1 fixture) may lack what its migrations add,
# and is upgraded; the same file with a trigger is refused before the upgrade.
fixture="$src/tests/data/profiles/v1-capture-ctf-jsonl.lurk"
cp "$fixture" "$work/v1.lurk"
"$lurk" ingest "$sample" -o "$work/v1.lurk" 2>"$work/v1.err"
check "a v1 profile is upgraded and takes a source (exit 0)" test $? -eq 0
check "the upgrade is said, not silent" grep -q "v1.lurk: schema version 1, upgraded to" "$work/v1.err"
"$lurk" ingest "$sample" -o "$work/v1.lurk" 2>"$work/v1-again.err"
check "a current profile is not said to be upgraded" test "$(grep -c upgraded "$work/v1-again.err")" -eq 0
cp "$fixture" "$work/v1-trigger.lurk"
sqlite3 "$work/v1-trigger.lurk" "CREATE TRIGGER on_source AFTER INSERT ON sources BEGIN DELETE FROM threads; END;"
cp "$work/v1-trigger.lurk" "$work/v1-trigger.before"
"$lurk" ingest "$sample" -o "$work/v1-trigger.lurk" 2>"$work/v1-trigger.err"
check "a v1 profile with a trigger is refused (exit $?)" grep -q "trigger 'on_source' was not made by lurk" "$work/v1-trigger.err"
check "the v1 profile with a trigger is byte-identical (not upgraded)" cmp -s "$work/v1-trigger.lurk" "$work/v1-trigger.before"

# A file that is no profile is not overwritten by -o.
printf 'x' > "$work/one-byte.lurk"
"$lurk" ingest "$sample" -o "$work/one-byte.lurk" 2>"$work/one-byte.err"
code=$?
check "-o on a 1-byte file exits 1 (got $code)" test $code -eq 1
check "-o on a 1-byte file says why" grep -qi "not a" "$work/one-byte.err"
check "the 1-byte file is unchanged" test "$(cat "$work/one-byte.lurk")" = x
printf 'just some notes, not a database\n' > "$work/notes.lurk"
cp "$work/notes.lurk" "$work/notes.before"
"$lurk" ingest "$sample" -o "$work/notes.lurk" 2>/dev/null
check "-o on a text file exits 1" test $? -eq 1
check "the text file is unchanged" cmp -s "$work/notes.lurk" "$work/notes.before"

# lurk query is read-only in every form.
cp "$work/good.lurk" "$work/query.before"
query_refused() {  # query_refused NAME SQL PATTERN
  local name=$1 sql=$2 pattern=$3
  "$lurk" query "$work/good.lurk" "$sql" >"$work/q-$name.out" 2>"$work/q-$name.err"
  local code=$?
  check "query $name: exits 1 (got $code)" test $code -eq 1
  check "query $name: says why" grep -qi -- "$pattern" "$work/q-$name.err"
}
query_refused vacuum-into "VACUUM INTO '$work/copy.lurk'" "read-only"
check "VACUUM INTO wrote no copy" test ! -e "$work/copy.lurk"
query_refused attach "ATTACH '$work/other.lurk' AS other" "ATTACH"
check "ATTACH created no file" test ! -e "$work/other.lurk"
query_refused delete "DELETE FROM packets" "read-only"
query_refused create "CREATE TABLE x (y)" "read-only"
query_refused pragma-write "PRAGMA user_version = 99" "PRAGMA user_version"
query_refused pragma-journal "PRAGMA journal_mode = DELETE" "PRAGMA journal_mode"
query_refused writable-schema "PRAGMA writable_schema = 1" "PRAGMA writable_schema"
query_refused begin "BEGIN" "read-only"
query_refused two-statements "SELECT 1; SELECT 2" "exactly one statement"
check "two statements: nothing ran (no output)" test ! -s "$work/q-two-statements.out"
query_refused select-then-delete "SELECT count(*) FROM packets; DELETE FROM packets" "exactly one statement"
check "the profile is byte-identical after the refused queries" cmp -s "$work/good.lurk" "$work/query.before"
check "and still holds every packet" \
  test "$(sqlite3 "$work/good.lurk" "SELECT count(*) FROM packets")" -eq "$packets"

# What may run still runs: a read, a trailing semicolon and comment, PRAGMAs that report.
check "a read runs" test "$("$lurk" query "$work/good.lurk" "SELECT count(*) FROM packets")" -eq "$packets"
check "a trailing ';' and comment are one statement" \
  test "$("$lurk" query "$work/good.lurk" "SELECT count(*) FROM packets; -- done")" -eq "$packets"
check "PRAGMA user_version reads" test "$("$lurk" query "$work/good.lurk" "PRAGMA user_version")" -eq "$(sqlite3 "$work/good.lurk" "PRAGMA user_version")"
check "PRAGMA table_info reads" test "$("$lurk" query "$work/good.lurk" "SELECT count(*) FROM pragma_table_info('packets')")" -gt 5

# A runaway statement stops with a clear message after --timeout.
start=$(date +%s)
"$lurk" query "$work/good.lurk" --timeout 1s \
  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n" \
  >/dev/null 2>"$work/endless.err"
code=$?
took=$(( $(date +%s) - start ))
check "an endless recursive CTE exits 1 (got $code)" test $code -eq 1
check "an endless recursive CTE stops within seconds (took ${took}s)" test "$took" -le 10
check "an endless recursive CTE names the time limit" grep -q "time limit" "$work/endless.err"
"$lurk" query "$work/good.lurk" --timeout 1s \
  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n" \
  >"$work/endless-rows.out" 2>"$work/endless-rows.err"
check "an endless stream of rows also stops (exit $?)" grep -q "time limit" "$work/endless-rows.err"
"$lurk" query "$work/good.lurk" --timeout soon "SELECT 1" 2>"$work/bad-timeout.err"
check "--timeout that is no duration is refused" grep -q "not a duration" "$work/bad-timeout.err"

# Text from a trace: ESC[2J in thread names and exception text, and bytes
# that are not UTF-8 (planted with the sqlite3 shell, as a damaged or hostile
# profile holds them).
python3 - "$trace" "$work/hostile.jsonl" <<'PY'
import json, sys
out = open(sys.argv[2], "w")
for line in open(sys.argv[1]):
    record = json.loads(line)
    if record.get("t") == "thread_start" and "name" in record:
        record["name"] = "\x1b[2Jpwned\x07 " + record["name"]
    if record.get("t") == "exception":
        record["message"] = "\x1b]0;title\x07\x1b[31mboom\u202e"
    if record.get("t") == "thread_end" and "error" in record:
        record["error"] = "\x1b[2Jerror"
    out.write(json.dumps(record) + "\n")
PY
"$lurk" ingest "$work/hostile.jsonl" -o "$work/esc.lurk" 2>/dev/null
check "the hostile trace ingests" test $? -eq 0
sqlite3 "$work/esc.lurk" "UPDATE connections SET state = CAST(X'8063FF1B5B324A' AS TEXT) WHERE id = (SELECT min(id) FROM connections); \
  INSERT INTO strings (text) VALUES (CAST(X'C0AF1B5B324A' AS TEXT)); \
  UPDATE findings SET detail = CAST(X'FE1B5B324A' AS TEXT) WHERE id = (SELECT min(id) FROM findings);"
has_raw_escape() { LC_ALL=C grep -q $'\x1b' "$1"; }
for command in threads findings stats; do
  "$lurk" $command "$work/esc.lurk" >"$work/$command.txt" 2>/dev/null
  check "$command: exits 0" test $? -eq 0
  check "$command: no raw ESC reaches the terminal" bash -c "! LC_ALL=C grep -q \$'\\x1b' '$work/$command.txt'"
done
check "threads shows the escape sequence escaped" grep -qF '\x1B[2Jpwned\x07' "$work/threads.txt"
check "findings shows no raw U+202E" bash -c "! grep -q \$'\\u202e' '$work/findings.txt'"
"$lurk" query "$work/esc.lurk" "SELECT text FROM strings" >"$work/query.txt"
check "query: no raw ESC" bash -c "! LC_ALL=C grep -q \$'\\x1b' '$work/query.txt'"
check "query: invalid UTF-8 shown as \\xNN" grep -qF '\xC0\xAF\x1B[2J' "$work/query.txt"
check "query: output is valid UTF-8" iconv -f UTF-8 -t UTF-8 "$work/query.txt" -o /dev/null
for command in findings stats; do
  "$lurk" $command "$work/esc.lurk" --format json >"$work/$command.json" 2>"$work/$command.json.err"
  check "$command --format json exits 0 on invalid UTF-8" test $? -eq 0
  check "$command --format json is valid JSON" python3 -c "import json,sys; json.load(open(sys.argv[1], encoding='utf-8', errors='strict'))" "$work/$command.json"
done
check "stats json replaced the invalid bytes with U+FFFD" \
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert any('\ufffd' in c['state'] for c in d)" "$work/stats.json"
check "findings json keeps the escape as \\u001b, not raw" \
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert any('\x1b' in (f['detail'] or '') for f in d)" "$work/findings.json"

finish hostile_profile
