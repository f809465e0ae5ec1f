#!/usr/bin/env python3
"""What `lurk view` serves is a consistent snapshot of the profile, and it
leaves nothing behind: a profile with a hot journal (a killed writer) is
refused with a clear message by lurk view and by the read commands, and left
unchanged; while another process holds a write half-done, the last committed
state is served (it passes integrity_check), and once committed the new one;
SIGTERM and SIGINT (while serving, or while still ingesting) remove every
temporary file. Usage: server_profile.py LURK_BIN SOURCE_DIR"""
import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from cli_checks import check, finish  # noqa: E402
from http_probe import get, hot_journal_copy, port_of, start_view, stop  # noqa: E402

lurk, src = sys.argv[1:3]
work = tempfile.mkdtemp(prefix="lurk-server-profile-")
demo = os.path.join(src, "samples", "demo.lurk")


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def served_copy(port, name):
    path = os.path.join(work, name)
    with open(path, "wb") as f:
        f.write(get(port, "/trace.lurk").body)
    return sqlite3.connect(path)


def check_hot_journal():
    profile = os.path.join(work, "killed.lurk")
    check(hot_journal_copy(demo, profile), "the killed writer left a journal")
    before = (digest(profile), digest(profile + "-journal"))
    proc, url = start_view(lurk, [profile], expect_url=False)
    code = proc.wait(30)
    stderr = proc.stderr.read().decode()
    check(url is None and code == 1, f"lurk view on a hot journal: exit {code}, URL {url}")
    check("interrupted" in stderr and "-journal" in stderr and "readonly" not in stderr,
          f"lurk view says: {stderr!r}")
    for command in (["findings"], ["stats"], ["threads"], ["query", "SELECT count(*) FROM packets"]):
        r = subprocess.run([lurk, command[0], profile, *command[1:]], capture_output=True, text=True)
        check(r.returncode == 1 and "interrupted" in r.stderr and "readonly" not in r.stderr,
              f"lurk {command[0]} on a hot journal: exit {r.returncode}: {r.stderr.strip()!r}")
    check((digest(profile), digest(profile + "-journal")) == before, "the profile was left unchanged")
    # The recovery the message names: one read-write open rolls the write back.
    subprocess.run(["sqlite3", profile, "PRAGMA quick_check"], check=True, capture_output=True)
    check(not os.path.exists(profile + "-journal"), "the journal was rolled back")
    r = subprocess.run([lurk, "findings", profile], capture_output=True, text=True)
    check(r.returncode in (0, 4) and "dup-ack-after-fin" in r.stdout, f"after recovery: {r.returncode}")


def check_snapshot_while_writing():
    profile = os.path.join(work, "live.lurk")
    shutil.copy(demo, profile)
    packets = sqlite3.connect(demo).execute("SELECT count(*) FROM packets").fetchone()[0]
    proc, url = start_view(lurk, [profile])
    try:
        port = port_of(url)
        writer = sqlite3.connect(profile, isolation_level=None)
        writer.execute("PRAGMA cache_size = 5")
        writer.execute("BEGIN")
        writer.execute("CREATE TABLE pad(x)")
        writer.executemany("INSERT INTO pad VALUES (?)", [(os.urandom(1000),) for _ in range(3000)])
        time.sleep(0.6)  # past the server's re-snapshot interval; the file has changed
        began = time.monotonic()
        db = served_copy(port, "during.lurk")
        check(time.monotonic() - began < 2, "a locked profile does not stall the server")
        check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok",
              "the copy served during a half-done write passes integrity_check")
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_schema WHERE type='table'")]
        check("pad" not in tables and
              db.execute("SELECT count(*) FROM packets").fetchone()[0] == packets,
              "the copy served during the write is the last committed state")
        writer.execute("COMMIT")
        writer.close()
        time.sleep(0.6)
        db = served_copy(port, "after.lurk")
        check(db.execute("SELECT count(*) FROM pad").fetchone()[0] == 3000,
              "after the commit the new state is served")
    finally:
        stop(proc)


def leftovers(tmp):
    return sorted(os.path.relpath(os.path.join(d, f), tmp)
                  for d, dirs, files in os.walk(tmp) for f in files + dirs)


def check_temp_files_removed():
    capture = os.path.join(src, "samples", "loopback-http.pcap")
    for sig in (signal.SIGTERM, signal.SIGINT):
        tmp = os.path.join(work, f"tmp-{sig.name}")
        os.makedirs(tmp)
        env = dict(os.environ, TMPDIR=tmp)
        proc, url = start_view(lurk, [capture], env=env)
        port = port_of(url)
        check(get(port, "/trace.lurk").status == 200, f"{sig.name}: the ingested profile is served")
        during = leftovers(tmp)
        check(any(p.endswith("trace.lurk") for p in during), f"{sig.name}: temp files while serving: {during}")
        code = stop(proc, sig)
        check(code is not None, f"{sig.name}: lurk view stopped")
        check(leftovers(tmp) == [], f"{sig.name}: left behind {leftovers(tmp)}")
    # Stopped while still ingesting (the profile exists, no URL yet): the
    # signal handler removes the directory, and the process dies of the signal.
    tmp = os.path.join(work, "tmp-ingesting")
    os.makedirs(tmp)
    inputs = [capture] + [os.path.join(src, "tests", "data", f) for f in sorted(os.listdir(
        os.path.join(src, "tests", "data"))) if f.startswith("netlab-") and f.endswith(".pcap")]
    proc = subprocess.Popen([lurk, "view", "--port", "0", *inputs], env=dict(os.environ, TMPDIR=tmp),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(p.endswith("trace.lurk") for p in leftovers(tmp)):
        time.sleep(0.002)
    code = stop(proc, signal.SIGTERM)
    url = proc.stdout.read()
    check(code == -signal.SIGTERM and url == b"",
          f"SIGTERM while ingesting: exit {code}, URL {url!r} (the ingest was over: make it longer)")
    check(leftovers(tmp) == [], f"SIGTERM while ingesting: left {leftovers(tmp)}")


def main():
    check_hot_journal()
    check_snapshot_while_writing()
    check_temp_files_removed()
    shutil.rmtree(work, ignore_errors=True)
    finish()


main()
