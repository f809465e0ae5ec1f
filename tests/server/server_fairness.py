#!/usr/bin/env python3
"""Fairness of the server behind `lurk view` and `lurk collect`
(collector/server/http_server.cpp, docs/server.md): a client refused for who
it is (401 without the token, 403 for a foreign Host) is disconnected even
when it asked to keep the connection, so it cannot hold a slot by asking
again; 127.0.0.2, .3 ... are the same peer as 127.0.0.1 (one per-peer cap
for the whole machine); a request head ending in "\\n\\r\\n" or "\\r\\n\\n" is
taken as ended (one line-end rule: LF, a CR before it dropped); 1,000
pipelined requests sent at once are all answered, in order.
Usage: server_fairness.py LURK_BIN SOURCE_DIR"""
import os
import shutil
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from cli_checks import check, finish  # noqa: E402
from http_probe import get, port_of, start_view, stop  # noqa: E402

lurk, src = sys.argv[1:3]
PROFILE = os.path.join(src, "samples", "demo.lurk")
MAX_ACTIVE_PER_PEER = 64  # ServerLimits::max_active_per_peer (collector/server/http_server.h)


def read_until_closed(s, timeout):
    """What the server sent until it closed (True) or the timeout (False)."""
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data, True
            data += chunk
    except socket.timeout:
        return data, False
    except ConnectionResetError:
        return data, True


def keep_alive_request(port, extra=""):
    return ("GET /trace.lurk HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: keep-alive\r\n%s\r\n"
            % (port, extra)).encode()


def check_refused_clients_are_closed(port, token):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(keep_alive_request(port))
    data, closed = read_until_closed(s, 5)
    check(data.startswith(b"HTTP/1.1 401") and closed,
          "401 (no token) on a keep-alive request: answered and closed: %r closed=%s" % (data[:40], closed))
    s.close()
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: keep-alive\r\n\r\n")
    data, closed = read_until_closed(s, 5)
    check(data.startswith(b"HTTP/1.1 403") and closed,
          "403 (foreign Host) on a keep-alive request: answered and closed: %r" % data[:40])
    s.close()
    # With the token the connection stays open for the next request.
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(keep_alive_request(port, "X-Lurk-Token: %s\r\n" % token).replace(b"/trace.lurk", b"/"))
    data, closed = read_until_closed(s, 2)
    check(data.startswith(b"HTTP/1.1 200") and not closed,
          "with the token a keep-alive connection stays open: %r closed=%s" % (data[:40], closed))
    s.close()


def check_loopback_is_one_peer(port, token):
    """Fills the per-peer cap from 127.0.0.2 (idle connections, served slots):
    a client on 127.0.0.3 then waits its turn; it is answered once one leaves."""
    idle = []
    for _ in range(MAX_ACTIVE_PER_PEER):
        s = socket.socket()
        s.bind(("127.0.0.2", 0))
        s.connect(("127.0.0.1", port))
        idle.append(s)
    time.sleep(0.5)
    late = socket.socket()
    late.bind(("127.0.0.3", 0))
    late.connect(("127.0.0.1", port))
    late.sendall(("GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Lurk-Token: %s\r\nConnection: close\r\n\r\n"
                  % (port, token)).encode())
    data, _ = read_until_closed(late, 1.5)
    check(data == b"", "127.0.0.3 waits while 127.0.0.2 holds the loopback peer's %d slots: %r"
          % (MAX_ACTIVE_PER_PEER, data[:40]))
    idle.pop().close()
    data, closed = read_until_closed(late, 10)
    check(data.startswith(b"HTTP/1.1 200"), "then it is served: %r" % data[:40])
    for s in idle + [late]:
        s.close()


def check_head_endings(port, token):
    for ending in ("\n\r\n", "\r\n\n", "\n\n"):
        head = ("GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Lurk-Token: %s\r\nConnection: close"
                % (port, token)) + ending
        s = socket.create_connection(("127.0.0.1", port))
        began = time.monotonic()
        s.sendall(head.encode())
        data, closed = read_until_closed(s, 5)
        check(data.startswith(b"HTTP/1.1 200") and time.monotonic() - began < 4,
              "a head ending in %r is taken as ended at once: %r" % (ending, data[:40]))
        s.close()
    # A CR alone ends no line: "\r\r" is not an end, the head keeps arriving.
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(("GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\r" % port).encode())
    data, closed = read_until_closed(s, 1.5)
    check(data == b"", "a head ending in \\r\\r is not taken as ended: %r" % data[:40])
    s.close()


def check_pipelining(port, token):
    count = 1000  # ServerLimits::max_requests_per_connection: the last is answered with close
    one = ("HEAD /?n=%%d HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Lurk-Token: %s\r\n\r\n" % (port, token))
    last = "HEAD / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Lurk-Token: %s\r\nConnection: close\r\n\r\n" % (port, token)
    s = socket.create_connection(("127.0.0.1", port))
    # Sent from a thread: the server stops reading while its answers wait for us to read them.
    sender = threading.Thread(target=s.sendall,
                              args=(("".join(one % i for i in range(count - 1)) + last).encode(),))
    sender.start()
    data, closed = read_until_closed(s, 60)
    sender.join()
    answered = data.count(b"HTTP/1.1 200 ")
    check(answered == count and closed,
          "%d pipelined requests sent at once: all answered (%d) and the last closes" % (count, answered))
    s.close()


def share_dir():
    """The page files lurk view serves (the wasm UI is not needed here)."""
    share = tempfile.mkdtemp(prefix="lurk-server-fairness-")
    os.makedirs(os.path.join(share, "web"))
    for name in ("index.html", "lurk-page.js", "lurk-drop.js", "lurk.css"):
        shutil.copy(os.path.join(src, "web", name), os.path.join(share, "web"))
    return share


def main():
    token = "f" * 64
    env = dict(os.environ, LURK_SHARE_DIR=share_dir())
    proc, url = start_view(lurk, [PROFILE, "--token", token], env=env)
    try:
        port = port_of(url)
        check(get(port, "/", {"X-Lurk-Token": token}).status == 200, "the server answers with the token")
        check_refused_clients_are_closed(port, token)
        check_head_endings(port, token)
        check_pipelining(port, token)
        check_loopback_is_one_peer(port, token)
        check(get(port, "/", {"X-Lurk-Token": token}).status == 200, "still answering afterwards")
    finally:
        stop(proc)
    finish()


main()
