#!/usr/bin/env python3
"""When all 1,024 connections of `lurk view`'s server are taken
(collector/server/http_server.cpp, docs/server.md "Fairness rules"), a
newcomer takes the place of the oldest connection never answered with
success, and a client that proved itself (answered 200 with the token)
keeps its keep-alive connection. Two remote peers fill the server with idle
connections; before this rule a client with the token waited for their head
timeout (10 s). In a network namespace of its own (unshare -n, a veth pair
holding 10.77.0.1-3; root needed, as for server_nonloopback.py).
Usage: server_eviction.py LURK_BIN SOURCE_DIR"""
import os
import re
import shutil
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from cli_checks import check, finish  # noqa: E402
from http_probe import in_own_network_namespace, port_of, setup_veth, start_view, stop  # noqa: E402

SERVER, FLOODERS = "10.77.0.1", ["10.77.0.2", "10.77.0.3"]
MAX_CONNECTIONS = 1024          # ServerLimits::max_connections
PER_PEER = 64 + 512             # max_active_per_peer + max_waiting_per_peer
TOKEN = "e" * 64
lurk, src = sys.argv[1:3]

in_own_network_namespace(__file__, lurk, src)


def request(port, close):
    return ("GET / HTTP/1.1\r\nHost: %s:%d\r\nX-Lurk-Token: %s\r\nConnection: %s\r\n\r\n"
            % (SERVER, port, TOKEN, "close" if close else "keep-alive")).encode()


def answer(s, timeout):
    """The server's whole answer on s (head and Content-Length body: a keep-alive
    connection's next answer must not start with this one's rest), or what came
    before timeout seconds ran out (b'' for nothing)."""
    s.settimeout(timeout)
    got = b""
    try:
        while b"\r\n\r\n" not in got:
            chunk = s.recv(65536)
            if not chunk:
                return got
            got += chunk
        head, _, body = got.partition(b"\r\n\r\n")
        length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        want = int(length.group(1)) if length else 0
        while len(body) < want:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body
    except (socket.timeout, ConnectionResetError):
        return got


def share_dir():
    share = tempfile.mkdtemp(prefix="lurk-server-eviction-")
    os.makedirs(os.path.join(share, "web"))
    for name in ("index.html", "lurk-page.js", "lurk-drop.js", "lurk.css"):
        shutil.copy(os.path.join(src, "web", name), os.path.join(share, "web"))
    return share


def main():
    setup_veth([SERVER, *FLOODERS])
    env = dict(os.environ, LURK_SHARE_DIR=share_dir())
    proc, url = start_view(lurk, [os.path.join(src, "samples", "demo.lurk"), "--bind", SERVER,
                                  "--token", TOKEN], env=env)
    flood = []
    try:
        port = port_of(url)
        proven = socket.create_connection((SERVER, port))
        proven.sendall(request(port, close=False))
        check(answer(proven, 10).startswith(b"HTTP/1.1 200"), "a client with the token is served")
        # Two peers fill every other place with connections that never send a byte.
        for i in range(MAX_CONNECTIONS - 1):
            s = socket.socket()
            s.bind((FLOODERS[0] if i < PER_PEER else FLOODERS[1], 0))
            s.connect((SERVER, port))
            flood.append(s)
        time.sleep(1.5)  # older than the 1 s a connection is spared
        began = time.monotonic()
        newcomer = socket.create_connection((SERVER, port))
        newcomer.sendall(request(port, close=True))
        got = answer(newcomer, 8)
        took = time.monotonic() - began
        check(got.startswith(b"HTTP/1.1 200") and took < 5,
              "with all %d places taken, a newcomer with the token is served in %.1f s "
              "(a never-answered connection makes room): %r" % (MAX_CONNECTIONS, took, got[:30]))
        proven.sendall(request(port, close=True))
        got = answer(proven, 8)
        check(got.startswith(b"HTTP/1.1 200"),
              "the proven keep-alive connection was kept and is served again: %r" % got[:30])
        closed = 0
        for s in flood:
            s.setblocking(False)
            try:
                closed += s.recv(1) == b""  # the server closed it
            except BlockingIOError:
                pass  # still open
            except OSError:
                closed += 1
        check(closed >= 1, "an idle flood connection was closed to make room (%d)" % closed)
    finally:
        for s in flood:
            s.close()
        stop(proc)
    finish()


main()
