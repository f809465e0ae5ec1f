#!/usr/bin/env python3
"""`lurk view --bind` on a real non-loopback address, in a network namespace
of its own (unshare -n, a veth pair holding 10.77.0.1; root needed, as for
tests/netlab): the warning, a generated token in the printed URL, every
request without it refused, with it answered; Host headers other than the
bound address (even 127.0.0.1 or localhost) refused; --allow-host adds a
name; loopback itself not listening. Usage: server_nonloopback.py LURK_BIN SOURCE_DIR"""
import os
import re
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from cli_checks import check, finish  # noqa: E402
from http_probe import in_own_network_namespace, port_of, raw_request, setup_veth, start_view, stop  # noqa: E402

ADDRESS = "10.77.0.1"

lurk, src = sys.argv[1:3]
in_own_network_namespace(__file__, lurk, src)


def get_at(port, target, headers=None, host_header=None):
    """A request to ADDRESS (not loopback)."""
    lines = [f"GET {target} HTTP/1.1", f"Host: {host_header or f'{ADDRESS}:{port}'}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return raw_request(port, ("\r\n".join(lines) + "\r\n\r\n").encode(), host=ADDRESS)


def main():
    setup_veth([ADDRESS])
    profile = os.path.join(src, "samples", "demo.lurk")
    proc, url = start_view(lurk, [profile, "--bind", ADDRESS, "--allow-host", "viewer.lab"])
    try:
        port = port_of(url)
        match = re.fullmatch(r"http://10\.77\.0\.1:\d+/\?token=([0-9a-f]{64})", url)
        check(match is not None, f"URL on the bound address with a generated token: {url}")
        token = match.group(1) if match else ""
        r = get_at(port, "/trace.lurk")
        check(r.status == 401 and not r.body.startswith(b"SQLite"), f"no token: {r.status}")
        r = get_at(port, "/", {"X-Lurk-Token": "f" * 64})
        check(r.status == 401, f"wrong token: {r.status}")
        r = get_at(port, "/trace.lurk", {"X-Lurk-Token": token})
        check(r.status == 200 and r.body.startswith(b"SQLite format 3"), f"token: {r.status}")
        r = get_at(port, "/trace.lurk", {"X-Lurk-Token": token}, host_header=f"viewer.lab:{port}")
        check(r.status == 200, f"--allow-host name: {r.status}")
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"evil.example:{port}", ADDRESS):
            r = get_at(port, "/trace.lurk", {"X-Lurk-Token": token}, host_header=host)
            check(r.status == 403, f"Host {host} on a {ADDRESS} bind: {r.status}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            check(False, "loopback is listening too")
        except OSError:
            check(True, "loopback is not listening")
    finally:
        code = stop(proc)
    stderr = proc.stderr.read().decode()
    check("warning" in stderr and "not loopback" in stderr and ADDRESS in stderr,
          f"warning on stderr: {stderr!r}")
    check(code == 0, f"exit code {code}")
    # --bind of an address this machine does not have: a clear error, no URL.
    proc, url = start_view(lurk, [profile, "--bind", "10.77.9.9"], expect_url=False)
    code = proc.wait(30)
    stderr = proc.stderr.read().decode()
    check(url is None and code == 1 and "cannot listen on 10.77.9.9" in stderr,
          f"unavailable address: exit {code}: {stderr!r}")
    finish()


main()
