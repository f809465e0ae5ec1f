#!/usr/bin/env python3
"""A `--stream` sender whose host vanished (no FIN, no RST: its link went
down, then it died) does not hold its stream for ever (docs/live.md,
"Exactly once across a collector's restart"). The collector probes every
sender's connection (TCP keepalive, and a bound on unacknowledged data, both
`--sender-timeout`), so the dead connection ends within that bound; the
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


def vanished_sender(port, trace):
    """A sender in the namespace that sends part of the trace, then its host
    vanishes mid-line: the link goes down, then the process dies (its FIN or
    RST cannot leave). The rest of the trace goes to a restarted sender."""
    old = subprocess.Popen(["ip", "netns", "exec", ns,
                            *send_cmd("%s.1:%d" % (subnet, port), "halfopen/s", "s", "-")],
                           stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    lines = trace.split(b"\n")
    old.stdin.write(b"\n".join(lines[:FIRST + 1]) + b"\n")
    old.stdin.flush()
    check(wait_stored("s", FIRST), "the first %d lines of the vanishing sender are committed" % FIRST)
    # More lines and half a line: read by the collector, committed at its
    # next batch (up to 1 s later), whose ack then goes out on a dead link.
    old.stdin.write(b"\n".join(lines[FIRST + 1:FIRST + 51]) + b"\n" + lines[FIRST + 51][:15])
    old.stdin.flush()
    time.sleep(0.3)
    ip("netns", "exec", ns, "ip", "link", "set", ns_if, "down")
    old.kill()
    old.wait()


def restarted_sender(port, path):
    """The sender, restarted elsewhere: --retry until the stream is taken."""
    start = time.time()
    try:
        r = subprocess.run(send_cmd("127.0.0.1:%d" % port, "halfopen/s", "s", path, "--retry", "60"),
                           capture_output=True, text=True, timeout=RETRY_BOUND_S + 30)
    except subprocess.TimeoutExpired as e:
        check(False, "the restarted sender's retry never got through in %d s (the dead connection "
              "still holds the stream): %s" % (RETRY_BOUND_S + 30, (e.stderr or b"")[-300:]))
        return
    elapsed = time.time() - start
    check(r.returncode == 0, "the restarted sender exits 0: %s" % r.stderr[-400:])
    check("resumed" in r.stderr, "it resumed the stream: %s" % r.stderr[-300:])
    check(elapsed <= RETRY_BOUND_S,
          "its retry got through within %d s (sender timeout %d s): %.1f s"
          % (RETRY_BOUND_S, SENDER_TIMEOUT_S, elapsed))
    print("half-open sender: the retry got through after %.1f s" % elapsed)


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
    trace = log_lines(LINES, tag="s").encode()
    path = os.path.join(tmp, "trace.jsonl")
    with open(path, "wb") as f:
        f.write(trace)
    try:
        make_namespace()
    except (RuntimeError, FileNotFoundError) as e:
        remove_namespace()
        check(False, "this test needs root and iproute2 to make a network namespace: %s" % e)
        return
    proc = None
    try:
        proc, port = start_collector()
        vanished_sender(port, trace)
        restarted_sender(port, path)
        stopped_sender(port)
    finally:
        if proc:
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=120)
            check(proc.returncode == 0, "the collector stops cleanly: %s" % err[-300:])
        remove_namespace()
    db = sqlite3.connect(profile)
    count, distinct, parts = db.execute(
        "SELECT count(*), count(DISTINCT i.name), count(DISTINCT s.id) FROM instants i "
        "JOIN sources s ON s.id = i.source_id WHERE s.path = 's' AND i.kind = 'log'").fetchone()
    db.close()
    check(count == LINES and distinct == LINES and parts == 2,
          "every line stored once across the dead connection and the resumed one: "
          "%d rows, %d distinct, in %d parts, for %d lines" % (count, distinct, parts, LINES))


main()
finish()
