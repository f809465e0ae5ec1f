#!/usr/bin/env python3
"""A `--stream` sender whose host vanished (no FIN, no RST: its link went
down, then it died) does not hold its stream for ever (docs/live.md,
"Exactly once across a collector's restart"). The collector probes every
sender's connection (TCP keepalive, and a check of unacknowledged data, both
`--sender-timeout`), so the dead connection ends within that bound (by
keepalive for a sender that was idle with the collector quiet, by the check
for one whose ack went out on the dead link); the
restarted sender's `lurk send --stream ... --retry` then gets through and
resumes where the profile's copy ends, and every line is stored once.
(Before, the stream stayed "already connected" for as long as the collector
ran.) A sender that is only stopped (SIGSTOP) is alive: its kernel answers
the probes, it keeps its stream and finishes when continued.

The vanished host is a network namespace whose link is brought down (no
packet leaves it, none arrives): this test needs root and `ip` (iproute2),
and fails, saying so, without them.
Usage: live_half_open.py LURK_BIN SOURCE_DIR"""
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

lurk, src = sys.argv[1:3]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, finish  # noqa: E402
from live_collector import log_lines  # noqa: E402

SENDER_TIMEOUT_S = 3
# The retry must get through within the sender timeout, one batch (1 s) for
# the dead connection's last commit, and slack for a loaded machine.
RETRY_BOUND_S = SENDER_TIMEOUT_S + 1 + 8
LINES, FIRST = 400, 200
TOKEN = "half-open-test"

tmp = tempfile.mkdtemp(prefix="lurk-live-halfopen-")
profile = os.path.join(tmp, "half.lurk")
tag = os.getpid() % 100000
ns, host_if, ns_if = "lurkho%d" % tag, "lkho%da" % tag, "lkho%db" % tag
subnet = "10.213.%d" % (os.getpid() % 250)


def ip(*args):
    r = subprocess.run(["ip", *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("ip %s: %s" % (" ".join(args), r.stderr.strip()))


def make_namespace():
    """A namespace for the sender, joined to us by a veth pair."""
    ip("netns", "add", ns)
    ip("link", "add", host_if, "type", "veth", "peer", "name", ns_if)
    ip("link", "set", ns_if, "netns", ns)
    ip("addr", "add", subnet + ".1/24", "dev", host_if)
    ip("link", "set", host_if, "up")
    ip("netns", "exec", ns, "ip", "addr", "add", subnet + ".2/24", "dev", ns_if)
    ip("netns", "exec", ns, "ip", "link", "set", ns_if, "up")


def remove_namespace():
    subprocess.run(["ip", "netns", "del", ns], capture_output=True)
    subprocess.run(["ip", "link", "del", host_if], capture_output=True)


def start_collector():
    proc = subprocess.Popen([lurk, "collect", "--listen", "0.0.0.0:0", "-o", profile, "--token", TOKEN,
                             "--batch-ms", "1000", "--no-analysis",
                             "--sender-timeout", str(SENDER_TIMEOUT_S)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline, head = time.time() + 30, ""
    while time.time() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        head += line
        m = re.search(r"listening on \S+:(\d+),", line)
        if m:
            return proc, int(m.group(1))
    proc.kill()
    raise RuntimeError("lurk collect did not start: " + head)


def stored(path):
    """Log rows of the sources named `path` (committed batches only)."""
    db = sqlite3.connect(profile)
    try:
        return db.execute("SELECT count(*) FROM instants i JOIN sources s ON s.id = i.source_id "
                          "WHERE s.path = ? AND i.kind = 'log'", (path,)).fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        db.close()


def wait_stored(path, count, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if stored(path) >= count:
            return True
        time.sleep(0.1)
    return False


def send_cmd(to, stream, name, *extra):
    return [lurk, "send", *extra, "--to", to, "--token", TOKEN, "--name", name, "--stream", stream]


def old_sender(port, name):
    """A `lurk send -` of stream halfopen/NAME in the namespace, fed by us."""
    return subprocess.Popen(["ip", "netns", "exec", ns,
                             *send_cmd("%s.1:%d" % (subnet, port), "halfopen/" + name, name, "-")],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def vanish(port, name, trace, in_flight):
    """A sender in the namespace sends part of its trace, then its host
    vanishes: the link goes down, then the process dies (no FIN or RST can
    leave). With `in_flight` it had sent more lines and half a line just
    before, so the collector's ack of them goes out on the dead link
    (unacknowledged data: keepalive does not probe); without, it was idle
    with everything acknowledged, and the collector quiet (keepalive's case)."""
    old = old_sender(port, name)
    lines = trace.split(b"\n")
    old.stdin.write(b"\n".join(lines[:FIRST + 1]) + b"\n")
    old.stdin.flush()
    check(wait_stored(name, FIRST), "the first %d lines of vanishing sender %s are committed" % (FIRST, name))
    if in_flight:
        old.stdin.write(b"\n".join(lines[FIRST + 1:FIRST + 51]) + b"\n" + lines[FIRST + 51][:15])
        old.stdin.flush()
        time.sleep(0.3)  # read by the collector, committed and acked within its 1 s batch
    else:
        time.sleep(1.5)  # the last ack is delivered and acknowledged
    ip("netns", "exec", ns, "ip", "link", "set", ns_if, "down")
    old.kill()
    old.wait()
    return time.time()


def source_status(name):
    db = sqlite3.connect(profile)
    try:
        row = db.execute("SELECT status FROM sources WHERE path = ?", (name,)).fetchone()
        return row[0] if row else None
    finally:
        db.close()


def wait_ended_quietly(name, since):
    """With nothing else arriving (no commit, no ack in flight), keepalive
    alone ends the dead connection: its source stops being 'partial'."""
    while time.time() - since < RETRY_BOUND_S:
        if source_status(name) not in (None, "partial"):
            break
        time.sleep(0.1)
    elapsed = time.time() - since
    check(elapsed < RETRY_BOUND_S, "%s's dead connection ended by keepalive within %d s: %.1f s (status %s)"
          % (name, RETRY_BOUND_S, elapsed, source_status(name)))
    print("half-open sender %s: ended by keepalive %.1f s after its link went down" % (name, elapsed))


def restarted_senders(port, paths):
    """The senders, restarted elsewhere: --retry until each stream is taken."""
    start = time.time()
    procs = {name: subprocess.Popen(send_cmd("127.0.0.1:%d" % port, "halfopen/" + name, name, path,
                                             "--retry", "60"),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for name, path in paths.items()}
    for name, proc in procs.items():
        try:
            _, err = proc.communicate(timeout=max(1, start + RETRY_BOUND_S + 30 - time.time()))
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
            check(False, "restarted sender %s: its retry never got through in %d s (the dead "
                  "connection still holds the stream): %s" % (name, RETRY_BOUND_S + 30, err[-300:]))
            continue
        elapsed = time.time() - start
        check(proc.returncode == 0, "restarted sender %s exits 0: %s" % (name, err[-400:]))
        check("resumed" in err, "%s resumed its stream: %s" % (name, err[-300:]))
        check(elapsed <= RETRY_BOUND_S, "%s: its retry got through within %d s (sender timeout %d s): %.1f s"
              % (name, RETRY_BOUND_S, SENDER_TIMEOUT_S, elapsed))
        print("half-open sender %s: the retry got through after %.1f s" % (name, elapsed))


def stopped_sender(port):
    """SIGSTOP is not a vanished host: the sender's kernel answers the
    probes, so its connection and stream stay, and it finishes when continued."""
    path = os.path.join(tmp, "stopped.jsonl")
    with open(path, "w") as f:
        f.write(log_lines(50, tag="p"))
    proc = subprocess.Popen(send_cmd("127.0.0.1:%d" % port, "halfopen/p", "p", "-"),
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with open(path, "rb") as f:
        data = f.read()
    half = data.index(b"\n", len(data) // 2) + 1
    proc.stdin.write(data[:half])
    proc.stdin.flush()
    check(wait_stored("p", 1), "the stopped sender's first lines are committed")
    proc.send_signal(signal.SIGSTOP)
    time.sleep(SENDER_TIMEOUT_S * 2 + 1)
    busy = subprocess.run(send_cmd("127.0.0.1:%d" % port, "halfopen/p", "p", path),
                          capture_output=True, text=True, timeout=60)
    check(busy.returncode != 0 and "stream already connected" in busy.stderr,
          "while it is stopped its stream is still its own: %s" % busy.stderr[-300:])
    proc.send_signal(signal.SIGCONT)
    proc.stdin.write(data[half:])
    proc.stdin.close()
    err = proc.stderr.read().decode()
    check(proc.wait(timeout=60) == 0, "continued after %d s, it finishes: %s" % (SENDER_TIMEOUT_S * 2 + 1, err))
    check(stored("p") == 50, "and its lines are all there once: %d" % stored("p"))


def main():
    traces, paths = {}, {}
    for name in ("s", "k"):
        traces[name] = log_lines(LINES, tag=name).encode()
        paths[name] = os.path.join(tmp, name + ".jsonl")
        with open(paths[name], "wb") as f:
            f.write(traces[name])
    try:
        make_namespace()
    except (RuntimeError, FileNotFoundError) as e:
        remove_namespace()
        check(False, "this test needs root and iproute2 to make a network namespace: %s" % e)
        return
    proc = None
    try:
        proc, port = start_collector()
        wait_ended_quietly("k", vanish(port, "k", traces["k"], in_flight=False))
        restarted_senders(port, {"k": paths["k"]})
        ip("netns", "exec", ns, "ip", "link", "set", ns_if, "up")
        vanish(port, "s", traces["s"], in_flight=True)
        restarted_senders(port, {"s": paths["s"]})
        stopped_sender(port)
    finally:
        if proc:
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=120)
            check(proc.returncode == 0, "the collector stops cleanly: %s" % err[-300:])
            check("k (%s.2" % subnet in err and "stopped answering" in err,
                  "it says keepalive ended k's connection: %s" % err[-600:])
            check("s (%s.2" % subnet in err and "has not acknowledged anything" in err,
                  "and that s's ack went unacknowledged: %s" % err[-600:])
        remove_namespace()
    db = sqlite3.connect(profile)
    for name in traces:
        count, distinct, parts = db.execute(
            "SELECT count(*), count(DISTINCT i.name), count(DISTINCT s.id) FROM instants i "
            "JOIN sources s ON s.id = i.source_id WHERE s.path = ? AND i.kind = 'log'", (name,)).fetchone()
        check(count == LINES and distinct == LINES and parts == 2,
              "%s: every line stored once across the dead connection and the resumed one: "
              "%d rows, %d distinct, in %d parts, for %d lines" % (name, count, distinct, parts, LINES))
    db.close()


main()
finish()
