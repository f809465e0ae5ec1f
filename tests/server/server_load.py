#!/usr/bin/env python3
"""`lurk view`'s server stays answerable under the loads docs/server.md
bounds: 12 clients that dribble a header line every 3 s neither starve normal
requests (each answered within 3 s while they dribble; the old server
made them wait 25 s) nor stay connected
past the head timeout; 500 parallel requests (pages, ranges, whole profiles)
are all answered. Usage: server_load.py LURK_BIN SOURCE_DIR"""
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from cli_checks import check, finish  # noqa: E402
from http_probe import get, port_of, start_view, stop  # noqa: E402

lurk, src = sys.argv[1:3]
HEAD_TIMEOUT_S = 10  # ServerLimits::head_timeout (collector/server/http_server.h)


def dribbler(port, results, index, stop_at):
    """Sends a request line, then one header line every 3 s, never the blank line."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        s.sendall(b"GET / HTTP/1.1\r\n")
        opened = time.monotonic()
        s.settimeout(3)
        answer = b""
        while time.monotonic() < stop_at:
            try:
                s.sendall(b"X-Slow-%d: still here\r\n" % index)
            except OSError:
                break
            try:
                chunk = s.recv(4096)
                if not chunk:
                    break
                answer += chunk
            except socket.timeout:
                continue
            except OSError:
                break
        results[index] = (time.monotonic() - opened, answer)
        s.close()
    except OSError as e:
        results[index] = (None, str(e).encode())


def check_slow_clients(port):
    results = {}
    stop_at = time.monotonic() + HEAD_TIMEOUT_S + 8
    threads = [threading.Thread(target=dribbler, args=(port, results, i, stop_at)) for i in range(12)]
    for t in threads:
        t.start()
    time.sleep(1)
    latencies = []
    while time.monotonic() < stop_at - 6:
        begun = time.monotonic()
        r = get(port, "/trace.lurk", timeout=10)
        latencies.append((time.monotonic() - begun, r.status))
        time.sleep(0.5)
    for t in threads:
        t.join()
    check(len(latencies) >= 10, f"{len(latencies)} normal requests made while 12 clients dribbled")
    worst = max(l for l, _ in latencies)
    check(all(s == 200 for _, s in latencies), f"normal requests: {[s for _, s in latencies]}")
    check(worst < 3.0, f"slowest normal request took {worst:.2f} s while 12 clients dribbled")
    for i in range(12):
        held, answer = results.get(i, (None, b""))
        check(held is not None and held < HEAD_TIMEOUT_S + 4,
              f"dribbler {i} held its connection {held} s (head timeout {HEAD_TIMEOUT_S} s)")
        check(answer.startswith(b"HTTP/1.1 408"), f"dribbler {i} was told 408: {answer[:40]!r}")


def check_parallel(port, trace_size):
    barrier = threading.Barrier(500)
    outcomes = [None] * 500

    def one(i):
        target, headers, expect = [("/", {}, 200), ("/trace.lurk", {"Range": "bytes=0-4095"}, 206),
                                   ("/trace.lurk", {}, 200), ("/lurk-page.js", {}, 200),
                                   ("/no-such", {}, 404)][i % 5]
        try:
            barrier.wait(timeout=60)
            r = get(port, target, headers, timeout=60)
            ok = r.status == expect and (target != "/trace.lurk" or
                                         len(r.body) == (4096 if headers else trace_size))
            outcomes[i] = (ok, r.status)
        except Exception as e:  # noqa: BLE001 (reported as a failed request)
            outcomes[i] = (False, repr(e))

    began = time.monotonic()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(500)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    bad = [o for o in outcomes if not o or not o[0]]
    check(not bad, f"500 parallel requests: {len(bad)} not answered right, e.g. {bad[:5]}")
    print(f"500 parallel requests answered in {time.monotonic() - began:.1f} s")


def main():
    profile = os.path.join(src, "samples", "demo.lurk")
    proc, url = start_view(lurk, [profile])
    try:
        port = port_of(url)
        size = len(get(port, "/trace.lurk").body)
        check(size > 0, "the profile is served")
        check_slow_clients(port)
        check_parallel(port, size)
        check(get(port, "/").status == 200, "still answering after the load")
    finally:
        code = stop(proc)
    check(code == 0, f"lurk view exited {code}")
    finish()


main()
