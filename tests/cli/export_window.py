#!/usr/bin/env python3
"""`lurk export --window` (docs/sharing.md, "A window of a large profile") on
real profiles: the demo (a capture and two lurk JSONL traces joined) and the
MirageOS trace (CTF: counters, GC periods, promise flows). Each cut is checked
against the profile's own rows read here with Python's sqlite3: the packets,
instants and flows inside the window by id, the spans reaching into it with
their times brought to its edges, each counter lane's samples inside plus its
last one before (moved to the start), the periods and findings; the cut reads
back (integrity_check, lurk stats / findings / query), a link's window cuts
the same as FROM,TO, the cut can be anonymised and made one HTML file, and a
window that is not one is refused with nothing written.
Usage: export_window.py LURK_BIN SOURCE_DIR [--html]   (--html: the viewer is built, the HTML is checked)"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

lurk, src = sys.argv[1:3]
with_html = "--html" in sys.argv[3:]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, check_same_rows, finish, run  # noqa: E402

work = tempfile.mkdtemp(prefix="lurk-window-")


def rows(db, sql, *args):
    return db.execute(sql, args).fetchall()


def origin_of(db):
    """The timeline's 0: the earliest time of the profile (no source drawn moved in these)."""
    times = []
    for sql in ("SELECT min(first_ns) FROM connections", "SELECT min(start_ns) FROM threads",
                "SELECT min(min(start_ns, end_ns)) FROM spans", "SELECT min(ts_ns) FROM instants",
                "SELECT min(ts_ns) FROM counters", "SELECT min(start_ns) FROM periods",
                "SELECT min(ts_ns) FROM packets"):
        v = db.execute(sql).fetchone()[0]
        if v is not None:
            times.append(v)
    return min(times)


def named_rows(db, table):
    """A table's rows by id, its string ids (name, exception) as their text: a cut numbers its strings again."""
    columns = [c[1] for c in rows(db, f"PRAGMA table_info({table})")]
    select = ", ".join(f"(SELECT text FROM strings WHERE id = t.{c})" if c in ("name", "exception") else f"t.{c}"
                       for c in columns)
    return rows(db, f"SELECT {select} FROM {table} t ORDER BY t.id")


NAME = "(SELECT text FROM strings WHERE id = name)"


def cut(profile, window, out, *extra):
    return run([lurk, "export", profile, "-o", out, "--window", window, *extra])


def check_cut(name, profile, frac0, frac1):
    """The window from the frac0 to the frac1 quantile of the profile's event times."""
    src_db = sqlite3.connect(profile)
    origin = origin_of(src_db)
    times = sorted(v for (v,) in rows(src_db, "SELECT start_ns FROM spans UNION ALL SELECT ts_ns FROM packets "
                                              "UNION ALL SELECT ts_ns FROM instants"))
    f = times[int(len(times) * frac0)] - origin
    t = times[int(len(times) * frac1)] - origin
    lo, hi = origin + f, origin + t
    out = os.path.join(work, name + ".lurk")
    r = cut(profile, f"{f},{t}", out)
    check("the window" in r.stderr and "wrote" in r.stderr, f"{name}: stderr says what was cut: {r.stderr}")
    db = sqlite3.connect(out)
    check(rows(db, "PRAGMA integrity_check") == [("ok",)], f"{name}: integrity_check")
    check(rows(db, "PRAGMA user_version") == rows(sqlite3.connect(os.path.join(src, "samples", "demo.lurk")),
                                                  "PRAGMA user_version"), f"{name}: the current schema")
    # Each table against the profile's rows in the window, times brought to its edges.
    for table, oracle, what in (
            ("packets", "SELECT * FROM packets WHERE ts_ns BETWEEN ?1 AND ?2", "packets inside the window"),
            ("spans", f"SELECT id, thread_id, max(start_ns, ?1), min(end_ns, ?2), depth, kind, {NAME}, args_json "
                      "FROM spans WHERE start_ns <= ?2 AND end_ns >= ?1", "spans reaching into the window"),
            ("instants", f"SELECT id, thread_id, source_id, ts_ns, kind, {NAME}, args_json FROM instants "
                         "WHERE ts_ns BETWEEN ?1 AND ?2", "instants inside the window"),
            ("periods", "SELECT id, source_id, kind, max(start_ns, ?1), min(end_ns, ?2) FROM periods "
                        "WHERE start_ns <= ?2 AND end_ns >= ?1", "periods reaching into the window")):
        check_same_rows(named_rows(db, table), rows(src_db, oracle + " ORDER BY id", lo, hi), f"{name}: {what}")
    want_samples = rows(src_db, f"SELECT id, thread_id, source_id, {NAME}, ts_ns, value FROM counters "
                                "WHERE ts_ns BETWEEN ? AND ?", lo, hi)
    # (A thread's lane only where its thread reaches the window.)
    for name_id, thread, source in rows(src_db, "SELECT DISTINCT name, thread_id, source_id FROM counters c WHERE "
                                                "thread_id IS NULL OR coalesce((SELECT end_ns FROM threads WHERE "
                                                "id = c.thread_id), ?) >= ?", hi, lo):
        if rows(src_db, "SELECT 1 FROM counters WHERE name = ? AND thread_id IS ? AND source_id IS ? AND ts_ns = ?",
                name_id, thread, source, lo):
            continue  # the lane's value at the start is its own sample there
        before = rows(src_db, f"SELECT id, thread_id, source_id, {NAME}, ?, value FROM counters WHERE name = ? AND "
                              "thread_id IS ? AND source_id IS ? AND ts_ns < ? ORDER BY ts_ns DESC, id DESC LIMIT 1",
                      lo, name_id, thread, source, lo)
        want_samples += before
    check_same_rows(named_rows(db, "counters"), sorted(want_samples),
                    f"{name}: counter samples inside, each lane's value before moved to the start")
    kept_packets = {p for (p,) in rows(db, "SELECT id FROM packets")}
    check_same_rows(rows(db, "SELECT * FROM flows ORDER BY id"),
                    [f for f in rows(src_db, "SELECT * FROM flows WHERE from_ns BETWEEN ?1 AND ?2 AND to_ns BETWEEN "
                                             "?1 AND ?2 ORDER BY id", lo, hi)
                     if f[6] is None or f[6] in kept_packets],
                    f"{name}: flows with both ends inside")
    check_same_rows(rows(db, "SELECT id, kind, title FROM findings WHERE ts_ns IS NOT NULL ORDER BY id"),
                    rows(src_db, "SELECT id, kind, title FROM findings WHERE ts_ns <= ?2 AND "
                                 "ts_ns + coalesce(duration_ns, 0) >= ?1 ORDER BY id", lo, hi),
                    f"{name}: findings reaching into the window")
    named = set()
    for sql in ("SELECT thread_id FROM spans", "SELECT thread_id FROM instants", "SELECT thread_id FROM counters"):
        named |= {v for (v,) in rows(db, sql) if v is not None}
    threads = {v for (v,) in rows(db, "SELECT id FROM threads")}
    check(named <= threads, f"{name}: every thread a row names is kept ({len(named - threads)} missing)")
    check(rows(db, "SELECT count(*) FROM threads WHERE (start_ns > ? OR end_ns < ?) AND id NOT IN (SELECT "
                   "thread_id FROM spans UNION SELECT thread_id FROM instants UNION SELECT thread_id FROM counters "
                   "UNION SELECT from_thread FROM flows UNION SELECT to_thread FROM flows)", hi, lo) == [(0,)],
          f"{name}: kept threads live in the window, or a kept row names them")
    for table, first, last in (("threads", "start_ns", "end_ns"), ("connections", "first_ns", "last_ns")):
        check(rows(db, f"SELECT count(*) FROM {table} WHERE {first} > {last} OR {first} < ? OR {last} > ?", lo, hi)
              == [(0,)], f"{name}: {table}' times inside the window")
    named_ids = ("SELECT name FROM threads UNION SELECT exception FROM threads UNION SELECT name FROM spans UNION "
                 "SELECT name FROM instants UNION SELECT name FROM counters")
    check(rows(db, f"SELECT count(*) FROM strings WHERE id NOT IN ({named_ids})") == [(0,)] and
          rows(db, "SELECT count(*) = coalesce(max(id), 0) FROM strings") == [(1,)],
          f"{name}: only the strings kept rows name, numbered 1, 2 ...")
    check(rows(db, "SELECT count(*) FROM sources") == rows(src_db, "SELECT count(*) FROM sources"),
          f"{name}: every source kept")
    events = sum(n for (n,) in rows(db, "SELECT count(*) FROM packets UNION ALL SELECT count(*) FROM spans "
                                        "UNION ALL SELECT count(*) FROM instants"))
    check(events > 20, f"{name}: the window holds events ({events})")
    # It reads back as a profile.
    for cmd in (["stats", out], ["findings", out], ["query", out, "SELECT count(*) FROM lane_facts"]):
        r = subprocess.run([lurk, *cmd], capture_output=True, text=True)
        check(r.returncode == 0, f"{name}: lurk {cmd[0]} on the cut: {r.stderr.strip()}")
    facts = rows(db, "SELECT min(first_ns), max(last_ns) FROM lane_facts WHERE kind = 0")[0]
    check(facts[0] is None or (facts[0] >= lo and facts[1] <= hi), f"{name}: lane facts are the cut's: {facts}")
    return f, t, out


f, t, demo_cut = check_cut("demo", os.path.join(src, "samples", "demo.lurk"), 0.3, 0.6)
check_cut("mirage", os.path.join(src, "samples", "mirage-net.lurk"), 0.4, 0.6)

# A link's window cuts the same.
link = os.path.join(work, "link.lurk")
cut(os.path.join(src, "samples", "demo.lurk"), f"http://127.0.0.1:8000/#v=1&t={f},{t}&s=2", link)
for table in ("packets", "spans", "instants", "flows", "threads", "connections", "findings"):
    check_same_rows(rows(sqlite3.connect(link), f"SELECT * FROM {table} ORDER BY 1"),
                    rows(sqlite3.connect(demo_cut), f"SELECT * FROM {table} ORDER BY 1"),
                    f"a link's window cuts as FROM,TO: {table}")

# Anonymised, and one HTML file.
anon = os.path.join(work, "anon.lurk")
cut(os.path.join(src, "samples", "demo.lurk"), f"{f},{t}", anon, "--anonymize")
addresses = {a for (a,) in rows(sqlite3.connect(demo_cut), "SELECT addr_a FROM connections")}
check(not addresses & {a for (a,) in rows(sqlite3.connect(anon), "SELECT addr_a FROM connections")},
      "the anonymised cut shows none of the addresses")
if with_html:
    html = os.path.join(work, "cut.html")
    r = run([lurk, "export", os.path.join(src, "samples", "demo.lurk"), "--html", html, "--window", f"{f},{t}"])
    check(os.path.getsize(html) > 100000, "the cut as one HTML file")
else:
    print("the cut as one HTML file: checked in the tree that builds the viewer (this one does not)")

# Never its own input; never a file that is not a profile.
own = os.path.join(work, "own.lurk")
shutil.copy(os.path.join(src, "samples", "demo.lurk"), own)
before = open(own, "rb").read()
r = subprocess.run([lurk, "export", own, "-o", own, "--window", f"{f},{t}"], capture_output=True, text=True)
check(r.returncode == 1 and "its own input" in r.stderr and open(own, "rb").read() == before,
      f"--window onto its own input refused, the profile untouched: {r.returncode} {r.stderr.strip()}")
r = subprocess.run([lurk, "export", os.path.join(src, "samples", "demo.pcap"), "-o", os.path.join(work, "p.lurk"),
                    "--window", f"{f},{t}"], capture_output=True, text=True)
check(r.returncode == 1 and "not a lurk profile" in r.stderr, f"a capture is not cut: {r.stderr.strip()}")

# Not a window: refused, nothing written.
for bad in ("7s,3s", "soon", "http://127.0.0.1:8000/#v=1&s=2"):
    out = os.path.join(work, "bad.lurk")
    r = subprocess.run([lurk, "export", os.path.join(src, "samples", "demo.lurk"), "-o", out, "--window", bad],
                       capture_output=True, text=True)
    check(r.returncode == 1 and "--window" in r.stderr and not os.path.exists(out),
          f"--window {bad} refused with nothing written: {r.returncode} {r.stderr.strip()}")

finish()
