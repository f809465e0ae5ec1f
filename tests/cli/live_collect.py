#!/usr/bin/env python3
"""lurk collect / lurk send on loopback (docs/live.md): senders named by their
hello line or their address, each its own source; what a sender was acked is
in the file and readable (lurk query) while the collector runs, thread ends
and connection counts included; a clean stop leaves one self-contained file.
Faults: garbage, a line cut mid-way, a reset, a dribbler do not disturb a
good sender, and their damage is in ingest_errors at the right byte offsets.
Tokens: refused without, accepted with; beyond loopback one is generated. A
read-write reader of another process (the sqlite3 shell) hides no later batch.
Usage: live_collect.py LURK_BIN SOURCE_DIR"""
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

lurk, src = sys.argv[1:3]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, finish  # noqa: E402
from live_collector import HEADER, T0, Collector, Sender, log_lines, wait_acked  # noqa: E402

tmp = tempfile.mkdtemp(prefix="lurk-live-")


def query(profile, sql):
    r = subprocess.run([lurk, "query", profile, sql], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("lurk query failed: " + r.stderr)
    return [line.split("\t") for line in r.stdout.splitlines()]



def source_id(profile, name):
    rows = query(profile, "SELECT id FROM sources WHERE path = '%s'" % name)
    return int(rows[0][0]) if rows else None


def test_send_and_live_reads():
    profile = os.path.join(tmp, "basic.lurk")
    c = Collector(lurk, profile)
    alpha = os.path.join(tmp, "alpha.jsonl")
    with open(alpha, "w") as f:
        f.write(log_lines(5000, "alpha"))
    r1 = subprocess.run([lurk, "send", alpha, "--to", c.address, "--name", "alpha"],
                        capture_output=True, text=True, timeout=60)
    check(r1.returncode == 0, "lurk send FILE: exit 0, got %d: %s" % (r1.returncode, r1.stderr))
    r2 = subprocess.run([lurk, "send", "-", "--to", c.address, "--name", "beta"],
                        input=log_lines(300, "beta"), capture_output=True, text=True, timeout=60)
    check(r2.returncode == 0, "lurk send - (stdin): exit 0, got %d: %s" % (r2.returncode, r2.stderr))
    check("committed" in r1.stderr, "lurk send says what was committed: " + r1.stderr)

    # A raw sender without a hello line is named by its address; what it was
    # acked is readable while it is still connected.
    raw = Sender(c.port, hello=False)
    raw.send(log_lines(1000, "raw"))
    conn = '"laddr":"10.0.0.1","lport":40000,"raddr":"10.0.0.2","rport":80'
    raw.send('{"t":"thread_start","ts":%d,"thread":"c1","name":"fetch"}\n' % (T0 + 10**9))
    raw.send('{"t":"tcp","ts":%d,%s,"dir":"tx","seq":1000,"ack":0,"len":0,"flags":["SYN"],"window":64240}\n'
             % (T0 + 10**9 + 1, conn))
    raw.send('{"t":"tcp","ts":%d,%s,"dir":"rx","seq":5000,"ack":1001,"len":0,"flags":["SYN","ACK"],"window":64240}\n'
             % (T0 + 10**9 + 2, conn))
    raw.send('{"t":"thread_end","ts":%d,"thread":"c1","error":"Connection reset"}\n' % (T0 + 10**9 + 3))
    check(wait_acked(raw), "raw sender: every byte acked")
    local = "127.0.0.1:%d" % raw.sock.getsockname()[1]
    sid = source_id(profile, local)
    check(sid is not None, "a sender without hello is the source named by its address " + local)
    if sid is not None:
        live = query(profile, "SELECT count(*) FROM instants WHERE source_id = %d AND kind = 'log'" % sid)
        check(live == [["1000"]], "acked log events readable while connected: %s" % live)
        thread = query(profile, "SELECT failed, end_ns IS NOT NULL FROM threads WHERE source_id = %d" % sid)
        check(thread == [["1", "1"]], "a thread's end is in the file mid-stream: %s" % thread)
        conn_row = query(profile, "SELECT packets_ab, packets_ba, state FROM connections WHERE source_id = %d" % sid)
        check(conn_row == [["1", "1", "established"]], "connection counts updated mid-stream: %s" % conn_row)
        status = query(profile, "SELECT status FROM sources WHERE id = %d" % sid)
        check(status == [["partial"]], "a source still arriving is partial: %s" % status)
    final = raw.finish()
    check(final is not None and final.get("final") and final["bytes"] == raw.sent,
          "raw sender: final ack covers every byte: %s vs %d" % (final, raw.sent))

    rc, out, err = c.stop()
    check(rc == 0, "collect stops on SIGINT with exit 0, got %d: %s" % (rc, err))
    lines = [l.split("\t") for l in out.splitlines()]
    names = sorted(l[0] for l in lines)
    check(names == sorted(["alpha", "beta", local]), "summary names each sender: %s" % names)
    alpha_line = [l for l in lines if l[0] == "alpha"]
    check(alpha_line and alpha_line[0][2] == "events 5000", "summary counts alpha's events: %s" % alpha_line)
    check(not os.path.exists(profile + "-wal"), "no -wal file left after a clean stop")
    db = sqlite3.connect(profile)
    check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check ok")
    check(db.execute("PRAGMA journal_mode").fetchone()[0] == "delete", "journal mode back to delete")
    rows = dict((p, (rec, st)) for p, rec, st in db.execute("SELECT path, records, status FROM sources"))
    check(rows.get("alpha") == (5000, "complete"), "alpha: 5000 events, complete: %s" % (rows.get("alpha"),))
    check(rows.get("beta") == (300, "complete"), "beta: 300 events, complete: %s" % (rows.get("beta"),))
    per_source = dict(db.execute(
        "SELECT s.path, count(*) FROM instants i JOIN sources s ON s.id = i.source_id "
        "WHERE i.kind = 'log' GROUP BY s.path"))
    check(per_source.get("alpha") == 5000 and per_source.get("beta") == 300,
          "log rows stored per source: %s" % per_source)
    texts = [t for (t,) in db.execute(
        "SELECT st.text FROM instants i JOIN strings st ON st.id = i.name JOIN sources s "
        "ON s.id = i.source_id WHERE s.path = 'beta' ORDER BY i.ts_ns LIMIT 2")]
    check(texts == ["beta 0", "beta 1"], "beta's rows are beta's lines: %s" % texts)


def offsets_of(text, start):
    """Byte offset of each line of `text` in a stream where it starts at `start`."""
    out, at = [], start
    for line in text.splitlines(keepends=True):
        out.append(at)
        at += len(line.encode())
    return out


def dribble(port, line, pause, done):
    s = Sender(port, name="dribbler")
    s.send(HEADER)
    for b in line.encode():
        s.send(bytes([b]))
        time.sleep(pause)
    done.append(s.finish())


def test_faults_do_not_disturb():
    profile = os.path.join(tmp, "faults.lurk")
    c = Collector(lurk, profile)
    dribbled = []
    slow = threading.Thread(target=dribble, args=(
        c.port, '{"t":"log","ts":%d,"text":"slow"}\n' % T0, 0.1, dribbled))
    slow.start()

    garbage = Sender(c.port, name="garbage")
    hello_bytes = garbage.sent
    junk = "".join("\x01\x02 not json %d }{\n" % i for i in range(50))
    garbage.send(HEADER)
    garbage.send(junk)
    junk_offsets = offsets_of(junk, hello_bytes + len(HEADER))

    torn = Sender(c.port, name="torn")
    torn.send(log_lines(10, "torn"))
    torn_at = torn.sent
    torn.send('{"t":"log","ts":%d,"te' % T0)  # stops mid-line, then closes
    torn.finish()

    headless = Sender(c.port, name="headless")  # no JSONL header after its hello
    headless_at = headless.sent
    headless.send(log_lines(5, "headless", start=1))
    headless.finish()

    gone = Sender(c.port, name="gone")
    gone.send(log_lines(20, "gone"))
    wait_acked(gone)
    gone.abort()

    good = Sender(c.port, name="good")
    started = time.time()
    for k in range(10):
        good.send(log_lines(2000, "good", start=k * 2000) if k else log_lines(2000, "good"))
    final = good.finish()
    took = time.time() - started
    check(final is not None and final["bytes"] == good.sent and final["events"] == 20000,
          "good sender fully acked beside the faulty ones: %s" % final)
    check(took < 10, "good sender not held up by the dribbler: %.1f s" % took)
    check(slow.is_alive(), "the dribbler was still dribbling meanwhile")
    garbage.finish()
    slow.join()
    check(dribbled and dribbled[0] and dribbled[0]["events"] == 1, "the dribbler's one line is committed: %s" % dribbled)
    rc, out, err = c.stop()
    check(rc == 0, "collect exit 0 after faults, got %d: %s" % (rc, err))

    db = sqlite3.connect(profile)
    ids = dict((p, i) for i, p in db.execute("SELECT id, path FROM sources"))
    errs = lambda name: db.execute(
        "SELECT kind, byte_offset FROM ingest_errors WHERE source_id = ? ORDER BY byte_offset",
        (ids.get(name),)).fetchall()
    count = lambda name: db.execute(
        "SELECT count(*) FROM instants WHERE kind = 'log' AND source_id = ?", (ids.get(name),)).fetchone()[0]
    g = errs("garbage")
    check([k for k, _ in g] == ["bad-json"] * 50 and [o for _, o in g] == junk_offsets,
          "garbage: 50 bad-json errors at each line's stream offset (%d rows, first %s)" % (len(g), g[:2]))
    check(count("good") == 20000 and errs("good") == [], "good: 20000 rows, no errors")
    check(errs("torn") == [("bad-json", torn_at)], "torn: the cut line reported at offset %d: %s" % (torn_at, errs("torn")))
    check(count("torn") == 10, "torn: its 10 whole lines kept")
    check(count("gone") == 20, "reset sender: its 20 acked lines kept, got %d" % count("gone"))
    check(count("dribbler") == 1, "dribbler: its line kept")
    check(errs("headless") == [("bad-magic", headless_at)],
          "no header: bad-magic at the stream offset after the hello: %s" % errs("headless"))
    line = db.execute("SELECT line FROM ingest_errors WHERE source_id = ?", (ids.get("headless"),)).fetchall()
    check(line == [(2,)], "no header: reported on line 2 (the hello is line 1): %s" % line)
    check(count("headless") == 4, "no header: the events after the first line still read")
    status = dict(db.execute("SELECT path, status FROM sources"))
    check(status.get("good") == "complete" and status.get("garbage") == "partial",
          "status: good complete, garbage partial: %s" % status)


def test_tokens():
    profile = os.path.join(tmp, "token.lurk")
    c = Collector(lurk, profile, "--token", "s3cret")
    silent = Sender(c.port, hello=False)  # connects and says nothing
    silent_since = time.time()
    none = Sender(c.port, hello=False)
    none.send(log_lines(5, "none"))
    wrong = Sender(c.port, name="wrong", token="guess")
    wrong.send(log_lines(5, "wrong"))
    evil = Sender(c.port, name="\x1b[2Jevil", token="s3cret")  # a name that would drive the terminal
    evil.send(log_lines(5, "evil"))
    right = Sender(c.port, name="right", token="s3cret")
    right.send(log_lines(5, "right"))
    right_final = right.finish()
    for s in (none, wrong, evil):
        deadline = time.time() + 10
        while s.refused is None and time.time() < deadline and s.read_acks(0.1):
            pass
    check(none.refused and "hello" in none.refused, "no hello: refused (%s)" % none.refused)
    check(wrong.refused and "token" in wrong.refused, "wrong token: refused (%s)" % wrong.refused)
    check(evil.refused and "control" in evil.refused, "a name with control characters: refused (%s)" % evil.refused)
    check(right_final and right_final["events"] == 5, "right token: accepted, %s" % right_final)
    while silent.refused is None and time.time() - silent_since < 20 and silent.read_acks(0.2):
        pass
    waited = time.time() - silent_since
    check(silent.refused and "hello" in silent.refused and 9 < waited < 15,
          "with a token, a silent connection is refused after 10 s (%s after %.1f s)" % (silent.refused, waited))
    rc, out, err = c.stop()
    check("refused" in err, "refusals said on stderr even when piped")
    db = sqlite3.connect(profile)
    check([p for (p,) in db.execute("SELECT path FROM sources")] == ["right"],
          "only the sender with the token is in the profile")

    # Beyond loopback without --token: a token is made up and required.
    wide = os.path.join(tmp, "wide.lurk")
    p = subprocess.Popen([lurk, "collect", "--listen", "0.0.0.0:0", "-o", wide],
                         stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    head = p.stderr.readline() + p.stderr.readline()
    token = next((w for w in head.split() if re.fullmatch(r"[0-9a-f]{32,}", w)), None)
    port = int(head.rsplit("listening on 0.0.0.0:", 1)[1].split(",")[0]) if "listening on" in head else None
    check(token is not None, "a generated token is printed: %r" % head)
    if port and token:
        bare = Sender(port, name="bare")
        bare.send(log_lines(3))
        ok = Sender(port, name="ok", token=token)
        ok.send(log_lines(3))
        check(ok.finish()["events"] == 3, "the generated token lets a sender in")
        deadline = time.time() + 10
        while bare.refused is None and time.time() < deadline and bare.read_acks(0.1):
            pass
        check(bare.refused is not None, "beyond loopback, no token: refused")
    p.send_signal(2)
    p.communicate(timeout=60)


def test_max_senders():
    c = Collector(lurk, os.path.join(tmp, "max.lurk"), "--max-senders", "1")
    first = Sender(c.port, name="first")
    first.send(log_lines(3))
    check(wait_acked(first), "the first sender is in")
    second = Sender(c.port, name="second")
    deadline = time.time() + 10
    while second.refused is None and time.time() < deadline and second.read_acks(0.1):
        pass
    check(second.refused == "too many senders", "past --max-senders: refused (%s)" % second.refused)
    check(first.finish()["events"] == 3, "the first sender is not disturbed")
    c.stop()


def sqlite3_shell(*args):
    r = subprocess.run(["sqlite3", *args], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("sqlite3 %s: %s" % (args, r.stderr))
    return r.stdout.strip()


def test_read_write_reader_between_batches():
    """Another process opening the live profile read-write and closing it (the
    sqlite3 shell) must not take it for unused: were the collector's own
    locks dropped, that process would checkpoint and delete the -wal, and the
    batches committed after it would reach no reader."""
    profile = os.path.join(tmp, "shared.lurk")  # a new file: the collector creates it
    c = Collector(lurk, profile)
    s = Sender(c.port, name="steady")
    s.send(log_lines(200, "first"))
    check(wait_acked(s), "read-write reader: the first batch is acked")
    check(sqlite3_shell(profile, "SELECT count(*) FROM instants") == "200",
          "read-write reader: the sqlite3 shell (read-write) reads the first batch")
    check(os.path.exists(profile + "-wal"), "read-write reader: the -wal is still there after it closed")
    s.send(log_lines(300, "second", start=200))
    check(wait_acked(s), "read-write reader: the second batch is acked")
    seen = sqlite3_shell("-readonly", profile, "SELECT count(*) FROM instants")
    check(seen == "500", "read-write reader: a batch committed after it is read (%s of 500)" % seen)
    s.finish()
    code, _, err = c.stop()
    check(code == 0, "read-write reader: the collector stops cleanly (%d: %s)" % (code, err[-300:]))
    final = sqlite3_shell("-readonly", profile, "SELECT count(*) FROM instants")
    check(final == "500", "read-write reader: the stopped profile holds both batches (%s)" % final)


for test in (test_send_and_live_reads, test_max_senders, test_faults_do_not_disturb, test_tokens,
             test_read_write_reader_between_batches):
    try:
        test()
    except Exception as e:  # a crash of one scenario is a failure, the others still run
        check(False, "%s raised %r" % (test.__name__, e))
import cli_checks  # noqa: E402
import shutil  # noqa: E402
if cli_checks.failed == 0:
    shutil.rmtree(tmp, ignore_errors=True)  # kept for a look when something failed
finish()
