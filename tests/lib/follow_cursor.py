"""The page's side of `lurk view --follow` (docs/live.md, "How: deltas past a
cursor"), written again here in plain Python and SQL, independently of lurk:
the cursor of a copy of the profile, a delta applied to the copy, and a
follower that keeps a copy up to date through the server's answers, counting
the resets (the profile fetched whole again). Imported with sys.path at tests/lib."""
import os
import sqlite3
import struct
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "server"))
from http_probe import get  # noqa: E402

APPEND = ["strings", "ingest_errors", "packets", "spans", "instants", "flows", "counters", "periods"]
WHOLE = ["sources", "connections", "threads", "comments", "source_counters", "capture_findings", "findings"]
FNV_OFFSET, FNV_PRIME = 1469598103934665603, 1099511628211


def fnv(h, data):
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


def fingerprint(db, table, columns, where="", order="rowid"):
    """FNV-1a over every column as SQLite's text of it (NULL: \\x01null), \\0 after each, \\n per row."""
    h = FNV_OFFSET
    cols = ", ".join(f'CAST("{c}" AS TEXT)' for c in columns)
    for row in db.execute(f"SELECT {cols} FROM {table} {where} ORDER BY {order}"):
        for value in row:
            h = fnv(h, (b"\x01null" if value is None else value) + b"\x00")
        h = fnv(h, b"\n")
    return h


def cursor_of(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.text_factory = bytes
    clocks = fingerprint(db, "sources", ["id", "clock_offset_ns"], "WHERE clock_offset_ns != 0", "id")
    whole = FNV_OFFSET
    for table in WHOLE:
        columns = [r[1].decode() for r in db.execute(f"PRAGMA table_info({table})")]
        whole = fnv(whole, struct.pack("<Q", fingerprint(db, table, columns)))
    parts = ["v1", "%016x" % clocks, "%016x" % whole]
    for table in APPEND:
        top, count = db.execute(f"SELECT coalesce(max(id), 0), count(*) FROM {table}").fetchone()
        parts.append(f"{top}-{count}")
    db.close()
    return ".".join(parts)


def delta_get(port, cursor, **kw):
    return get(port, "/follow/delta?cursor=" + urllib.parse.quote(cursor), **kw)


def apply_delta(copy, body):
    """What the page does (storage/follow_delta.cpp), written again in plain SQL."""
    path = copy + ".delta"
    with open(path, "wb") as f:
        f.write(body)
    db = sqlite3.connect(copy)
    db.execute("ATTACH ? AS d", (path,))
    since, nxt, reset, more = db.execute("SELECT since, next, reset, more FROM d.follow_meta").fetchone()
    if not reset:
        for t in APPEND:
            db.execute(f"INSERT INTO main.{t} SELECT * FROM d.{t}")
        for t in WHOLE:
            db.execute(f"DELETE FROM main.{t}")
            db.execute(f"INSERT INTO main.{t} SELECT * FROM d.{t}")
        db.commit()
    rows = {t: db.execute(f"SELECT count(*) FROM d.{t}").fetchone()[0] for t in APPEND} if not reset else {}
    db.execute("DETACH d")
    db.close()
    os.remove(path)
    return since, nxt, reset, more, rows


def same_tables(a, b):
    """The first followed table whose rows differ between two profiles, or None."""
    da, db_ = sqlite3.connect(f"file:{a}?mode=ro", uri=True), sqlite3.connect(f"file:{b}?mode=ro", uri=True)
    try:
        for t in APPEND + WHOLE:
            ra = da.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
            rb = db_.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
            if ra != rb:
                return t
        return None
    finally:
        da.close()
        db_.close()


class Follower:
    """A page following `lurk view --follow` on `port`: a copy of the profile
    (fetched whole at first and after each reset), kept up to date by deltas."""

    def __init__(self, port, workdir):
        self.port = port
        self.copy = os.path.join(tempfile.mkdtemp(dir=workdir), "copy.lurk")
        self.resets = 0
        self.deltas = 0
        self._fetch()

    def _fetch(self):
        trace = get(self.port, "/trace.lurk", timeout=60)
        if trace.status != 200:
            raise RuntimeError("/trace.lurk: %d" % trace.status)
        with open(self.copy, "wb") as f:
            f.write(trace.body)
        self.cursor = cursor_of(self.copy)

    def catch_up(self, timeout=30):
        """Asks until the server answers 204 (nothing past the copy's cursor)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = delta_get(self.port, self.cursor, timeout=30)
            if r.status == 204:
                return True
            if r.status == 503:
                time.sleep(0.2)
                continue
            if r.status != 200:
                raise RuntimeError("/follow/delta: %d %r" % (r.status, r.body[:200]))
            if r.headers.get("x-lurk-reset") == "1":
                self.resets += 1
                self._fetch()
                continue
            since, nxt, reset, more, _ = apply_delta(self.copy, r.body)
            self.deltas += 1
            if since != self.cursor or cursor_of(self.copy) != nxt:
                raise RuntimeError("a delta from %s to %s left the copy at %s" % (since, nxt, cursor_of(self.copy)))
            self.cursor = nxt
        return False
