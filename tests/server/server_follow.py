#!/usr/bin/env python3
"""`lurk view --follow` over HTTP (docs/live.md, "Following a profile as it
grows"; docs/server.md): /trace.lurk offers the endpoint; a cursor computed
here from a copy of the profile (independently of lurk: the format of
docs/live.md) is answered 204 while nothing changes; after `lurk ingest -o`
appends a source, the delta holds only the rows past the cursor, and applied
here with plain SQL the copy equals the file, table by table; rows deleted in
the file ask for a reset; bad cursors are 400, a locked profile 503 with
Retry-After; the Host and token checks and security headers apply; without
--follow the path is 404 and `--follow` of raw inputs is refused.
Usage: server_follow.py LURK_BIN SOURCE_DIR"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from cli_checks import check, finish, run  # noqa: E402
from http_probe import get, port_of, start_view, stop  # noqa: E402
from follow_cursor import APPEND, apply_delta, cursor_of, delta_get, same_tables  # noqa: E402

lurk, src = sys.argv[1:3]
work = tempfile.mkdtemp(prefix="lurk-server-follow-")


def jsonl(path, first, count, conn):
    with open(path, "w") as f:
        f.write('{"lurk":"jsonl","version":1,"clock":"unix-ns"}\n')
        f.write('{"t":"thread_start","ts":%d,"thread":"w%d"}\n' % (1700000000000000000 + first * 1000, conn))
        for i in range(first, first + count):
            ts = 1700000000000000000 + i * 1000
            f.write('{"t":"log","ts":%d,"thread":"w%d","text":"step %d"}\n' % (ts, conn, i % 7))
            f.write('{"t":"tcp","ts":%d,"laddr":"10.0.0.1","lport":%d,"raddr":"10.0.0.2","rport":80,'
                    '"dir":"tx","seq":%d,"ack":1,"len":10,"flags":["ACK"],"window":100}\n' % (ts, conn, i * 10))


profile = os.path.join(work, "p.lurk")
copy = os.path.join(work, "copy.lurk")
jsonl(os.path.join(work, "a.jsonl"), 0, 300, 40000)
jsonl(os.path.join(work, "b.jsonl"), 300, 200, 40001)
run([lurk, "ingest", os.path.join(work, "a.jsonl"), "-o", profile])

# Without --follow there is no endpoint; --follow of raw inputs is refused.
proc, url = start_view(lurk, [profile])
check(get(port_of(url), "/follow/delta?cursor=" + cursor_of(profile)).status == 404, "no --follow: 404")
check("x-lurk-follow" not in get(port_of(url), "/trace.lurk").headers, "no --follow: no X-Lurk-Follow")
stop(proc)
r = subprocess.run([lurk, "view", "--follow", os.path.join(work, "a.jsonl")], capture_output=True, text=True,
                   timeout=60)
check(r.returncode == 2 and "--follow needs one .lurk" in r.stderr, f"--follow of a raw input: {r.returncode} {r.stderr}")

proc, url = start_view(lurk, ["--follow", profile])
port = port_of(url)
try:
    trace = get(port, "/trace.lurk")
    check(trace.headers.get("x-lurk-follow") == "/follow/delta", f"X-Lurk-Follow: {trace.headers}")
    with open(copy, "wb") as f:
        f.write(trace.body)
    cursor = cursor_of(copy)
    r = delta_get(port, cursor)
    check(r.status == 204 and r.body == b"", f"nothing new: {r.status} {r.body[:80]}")
    check(r.headers.get("content-security-policy", "").startswith("default-src 'none'") and
          r.headers.get("x-content-type-options") == "nosniff", f"security headers: {r.headers}")
    check(delta_get(port, cursor).status == 204, "nothing new, asked again: 204")

    # Appended by `lurk ingest -o`: the delta holds exactly the new rows.
    before = {t: sqlite3.connect(profile).execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in APPEND}
    run([lurk, "ingest", os.path.join(work, "b.jsonl"), "-o", profile])
    after = {t: sqlite3.connect(profile).execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in APPEND}
    r = delta_get(port, cursor)
    check(r.status == 200 and r.headers.get("content-type") == "application/vnd.sqlite3",
          f"after an append: {r.status} {r.headers}")
    check(r.headers.get("x-lurk-reset") == "0", f"an append is not a reset: {r.headers}")
    since, nxt, reset, more, rows = apply_delta(copy, r.body)
    check(since == cursor and not reset and not more, f"meta {since} {nxt} {reset} {more}")
    check(rows == {t: after[t] - before[t] for t in APPEND}, f"delta rows {rows}, new rows {after} - {before}")
    check(rows["packets"] == 200 and rows["instants"] == 200, f"the 200 new packets and logs: {rows}")
    differs = same_tables(copy, profile)
    check(differs is None, f"the copy and the file differ in {differs}")
    check(cursor_of(copy) == nxt, f"the copy is at the announced cursor: {cursor_of(copy)} vs {nxt}")
    check(delta_get(port, nxt).status == 204, "caught up: 204")

    # A rewrite (rows deleted) is not an append: reset.
    db = sqlite3.connect(profile)
    db.execute("DELETE FROM instants WHERE id IN (SELECT min(id) FROM instants)")
    db.commit()
    db.close()
    r = delta_get(port, nxt)
    check(r.status == 200 and r.headers.get("x-lurk-reset") == "1", f"after a delete: {r.status} {r.headers}")

    # A writer holding the file: 503 with Retry-After (the poll loop does not wait).
    db = sqlite3.connect(profile, isolation_level=None)
    db.execute("BEGIN EXCLUSIVE")
    r = delta_get(port, cursor_of(copy))
    check(r.status == 503 and r.headers.get("retry-after") == "1", f"locked: {r.status} {r.body[:120]}")
    check(get(port, "/index.html").status == 200, "the rest is served while the profile is locked")
    db.execute("ROLLBACK")
    db.close()

    # Cursors this server did not write.
    for bad in ["", "v2.0", "v1.zz", cursor_of(copy) + ".1-1", "v1.%016x.%016x" % (0, 0),
                cursor_of(copy).replace("-", "+", 1), "v1." + "9" * 40]:
        r = delta_get(port, bad)
        check(r.status == 400 and b"follow cursor" in r.body, f"bad cursor {bad!r}: {r.status} {r.body[:100]}")
    check(get(port, "/follow/delta").status == 400, "no cursor: 400")
    # The server's rules apply: a foreign Host is refused before anything.
    r = delta_get(port, cursor_of(copy), host_header="evil.example:%d" % port)
    check(r.status == 403, f"foreign Host: {r.status}")
finally:
    stop(proc)

# With a token (non-loopback rules), the endpoint needs it too.
proc, url = start_view(lurk, ["--follow", "--token", "s3cret", profile])
port = port_of(url)
try:
    check(delta_get(port, cursor_of(copy)).status == 401, "no token: 401")
    r = delta_get(port, cursor_of(copy), headers={"X-Lurk-Token": "s3cret"})
    check(r.status in (200, 204), f"with the token: {r.status}")
finally:
    stop(proc)
shutil.rmtree(work, ignore_errors=True)
finish()
