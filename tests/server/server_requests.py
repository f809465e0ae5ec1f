#!/usr/bin/env python3
"""`lurk view`'s server refuses what docs/server.md says it refuses, on real
requests over loopback: every traversal form (../, percent-encoded,
double-encoded, backslash, absolute, NUL, a symlink planted in the web
directory) answers 400/403/404 and never a byte of the file outside; foreign
Host headers are refused; a non-loopback bind (0.0.0.0) requires its token;
the security headers are on every answer; Range requests are merged and
bounded (60 overlapping ranges in a 250-byte request cost no more than the
file). Usage: server_requests.py LURK_BIN SOURCE_DIR"""
import os
import re
import shutil
import sqlite3
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from cli_checks import check, finish  # noqa: E402
from http_probe import get, port_of, raw_request, start_view, stop  # noqa: E402

lurk, src = sys.argv[1:3]
work = tempfile.mkdtemp(prefix="lurk-server-requests-")
SECRET = b"SECRET-MARKER-not-to-be-served"


def make_share_dir():
    """A share dir whose web/ holds the real page files, a link inside (served),
    a link to a file outside (refused), and a subdirectory (never listed)."""
    share = os.path.join(work, "share")
    web = os.path.join(share, "web")
    os.makedirs(os.path.join(web, "sub"))
    for name in ("index.html", "lurk-page.js", "lurk-drop.js", "lurk.css"):
        shutil.copy(os.path.join(src, "web", name), web)
    with open(os.path.join(work, "secret.txt"), "wb") as f:
        f.write(SECRET)
    with open(os.path.join(web, "sub", "inner.txt"), "wb") as f:
        f.write(SECRET)
    os.symlink(os.path.join(work, "secret.txt"), os.path.join(web, "leak.txt"))
    os.symlink("../../secret.txt", os.path.join(web, "leak-relative.js"))
    os.symlink("lurk-page.js", os.path.join(web, "alias.js"))
    return share


def leaked(response):
    return SECRET in response.body or b"root:" in response.body


def check_traversal(port):
    secret = os.path.join(work, "secret.txt")
    targets = [
        "/../secret.txt", "/../../../../etc/passwd", "/..", "/.", "/./index.html",
        "/%2e%2e/secret.txt", "/%2E%2E/%2E%2E/etc/passwd", "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt",
        "/%252e%252e/secret.txt", "/%252e%252e%252fetc%252fpasswd", "/..%252fsecret.txt",
        "/..\\secret.txt", "/%5c..%5csecret.txt", "/..%5c..%5cetc%5cpasswd",
        "/" + secret, "//" + secret.lstrip("/"), secret, "/%2f" + secret.lstrip("/"),
        "http://127.0.0.1/etc/passwd", "file:///etc/passwd", "*",
        "/index.html%00.lurk", "/%00", "/trace.lurk%00/../../secret.txt",
        "/leak.txt", "/leak-relative.js", "/sub", "/sub/", "/sub/inner.txt", "/web/index.html",
        "/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/trace.lurk/../../secret.txt",
        "/index.html/..", "/.%2e/secret.txt", "/%c0%ae%c0%ae/secret.txt",
    ]
    for target in targets:
        r = get(port, target)
        check(r.status in (400, 403, 404), f"traversal {target!r}: status {r.status}")
        check(not leaked(r), f"traversal {target!r} served the file outside")
    # A NUL byte raw in the request line, not percent-encoded.
    r = raw_request(port, b"GET /index.html\x00/../../secret.txt HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                    b"Connection: close\r\n\r\n" % port)
    check(r.status in (400, 403, 404) and not leaked(r), f"raw NUL: status {r.status}")
    # A raw CR in the query: the query is echoed in a redirect's Location, so refused.
    r = raw_request(port, b"GET /?token=x&a=\rX HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                    b"Connection: close\r\n\r\n" % port)
    check(r.status == 400, f"raw CR in the query: status {r.status}")
    check(get(port, "/alias.js").status == 200, "a link inside the web directory is served")


def check_headers(port):
    for target, status in (("/", 200), ("/trace.lurk", 200), ("/lurk-page.js", 200),
                           ("/no-such-file", 404), ("/%2e%2e/x", 400)):
        r = get(port, target)
        check(r.status == status, f"{target}: status {r.status}, expected {status}")
        h = r.headers
        check(h.get("x-content-type-options") == "nosniff", f"{target}: nosniff missing")
        csp = h.get("content-security-policy", "")
        check("'wasm-unsafe-eval'" in csp and "frame-ancestors 'none'" in csp and
              "default-src 'none'" in csp, f"{target}: CSP {csp!r}")
        check("'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp,
              f"{target}: CSP allows inline or eval: {csp!r}")
        check(h.get("x-frame-options") == "DENY", f"{target}: X-Frame-Options {h.get('x-frame-options')}")
        check(h.get("referrer-policy") == "no-referrer", f"{target}: Referrer-Policy missing")
        check("no-store" in h.get("cache-control", ""), f"{target}: Cache-Control missing")
        check("access-control-allow-origin" not in h, f"{target}: a CORS header was sent")
        check(bool(h.get("content-type")), f"{target}: no Content-Type")
    check(get(port, "/").headers.get("content-type", "").startswith("text/html"), "index is text/html")
    check(get(port, "/lurk-page.js").headers.get("content-type", "").startswith("text/javascript"),
          "scripts are text/javascript")
    r = get(port, "/", headers={"Origin": "http://evil.example"})
    check("access-control-allow-origin" not in r.headers, "CORS header for a foreign Origin")
    for method in ("POST", "PUT", "DELETE", "OPTIONS", "TRACE"):
        r = get(port, "/", method=method)
        check(r.status == 405, f"{method}: status {r.status}")
    r = get(port, "/trace.lurk", method="HEAD")
    check(r.status == 200 and r.body == b"" and int(r.headers.get("content-length", 0)) > 0,
          f"HEAD /trace.lurk: {r} {r.headers.get('content-length')}")


def check_hosts(port, trace):
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"[::1]:{port}"):
        r = get(port, "/trace.lurk", host_header=host)
        check(r.status == 200 and r.body == trace, f"Host {host}: status {r.status}")
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1:{port + 1}", "127.0.0.1",
                 f"127.0.0.2:{port}", f"localhost.evil.example:{port}", f"[::2]:{port}",
                 f"127.0.0.1:{port}@evil.example", "", f"127.0.0.1:{port} x"):
        r = get(port, "/trace.lurk", host_header=host)
        check(r.status in (400, 403, 421), f"foreign Host {host!r}: status {r.status}")
        check(not r.body.startswith(b"SQLite format 3"), f"foreign Host {host!r} got the profile")
    r = raw_request(port, b"GET /trace.lurk HTTP/1.0\r\n\r\n")
    check(r.status in (400, 403) and not r.body.startswith(b"SQLite"), f"no Host: {r.status}")
    r = raw_request(port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nHost: evil.example\r\n"
                    b"Connection: close\r\n\r\n" % port)
    check(r.status == 400, f"two Host headers: {r.status}")


def check_ranges(port, trace):
    size = len(trace)
    r = get(port, "/trace.lurk", {"Range": "bytes=0-99"})
    check(r.status == 206 and r.body == trace[:100], f"single range: {r}")
    check(r.headers.get("content-range") == f"bytes 0-99/{size}", f"Content-Range {r.headers}")
    r = get(port, "/trace.lurk", {"Range": "bytes=-50"})
    check(r.status == 206 and r.body == trace[-50:], f"suffix range: {r}")
    r = get(port, "/trace.lurk", {"Range": f"bytes={size - 10}-"})
    check(r.status == 206 and r.body == trace[-10:], f"open range: {r}")
    r = get(port, "/trace.lurk", {"Range": "bytes=0-9,100-109"})
    check(r.status == 206 and "multipart/byteranges" in r.headers.get("content-type", ""),
          f"two ranges: {r} {r.headers.get('content-type')}")
    check(trace[:10] in r.body and trace[100:110] in r.body and
          f"bytes 100-109/{size}".encode() in r.body, "two ranges: both parts in the body")
    r = get(port, "/trace.lurk", {"Range": "bytes=0-9,5-19,10-29"})
    check(r.status == 206 and r.body == trace[:30], f"overlapping ranges merged: {r}")
    # The probe that once made a 338 MB answer: 60 overlapping ranges, a 250-byte request.
    ranges = ",".join(["0-"] * 60)
    # HTTP/1.0: the connection closes after the answer without a Connection header.
    request = f"GET /trace.lurk HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nRange: bytes={ranges}\r\n\r\n".encode()
    check(len(request) <= 250, f"the abuse request is {len(request)} bytes")
    with __import__("socket").create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        total = 0
        while True:
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            total += len(chunk)
    check(total <= size + 1024, f"60 overlapping ranges: {total} bytes for a {size}-byte file")
    many = ",".join(f"{i * 10}-{i * 10 + 1}" for i in range(100))
    r = get(port, "/trace.lurk", {"Range": f"bytes={many}"})
    check(r.status == 200 and len(r.body) == size, f"100 disjoint ranges answered whole: {r}")
    r = get(port, "/trace.lurk", {"Range": f"bytes={size}-{size + 100}"})
    check(r.status == 416 and r.headers.get("content-range") == f"bytes */{size}", f"past the end: {r}")
    r = get(port, "/trace.lurk", {"Range": "bytes=9-1"})
    check(r.status == 200 and r.body == trace, f"malformed range ignored: {r}")
    r = get(port, "/trace.lurk", {"Range": "bytes=0-9", "If-Range": '"stale"'})
    check(r.status == 200 and r.body == trace, f"If-Range mismatch answers whole: {r}")


def check_token_bind(share, profile):
    """0.0.0.0 reaches beyond the machine: warned, token generated and required."""
    env = dict(os.environ, LURK_SHARE_DIR=share)
    proc, url = start_view(lurk, [profile, "--bind", "0.0.0.0"], env=env)
    try:
        port = port_of(url)
        match = re.search(r"\?token=([0-9a-f]{64})$", url)
        check(match is not None, f"non-loopback URL carries a generated token: {url}")
        token = match.group(1) if match else ""
        r = get(port, "/trace.lurk")
        check(r.status in (401, 403) and not r.body.startswith(b"SQLite"), f"no token: {r.status}")
        r = get(port, "/trace.lurk", {"X-Lurk-Token": "0" * 64})
        check(r.status in (401, 403), f"wrong token: {r.status}")
        r = get(port, "/trace.lurk", {"X-Lurk-Token": token[:-1]})
        check(r.status in (401, 403), f"truncated token: {r.status}")
        r = get(port, "/trace.lurk", {"X-Lurk-Token": token})
        check(r.status == 200 and r.body.startswith(b"SQLite format 3"), f"header token: {r.status}")
        r = get(port, "/", {"Authorization": "Bearer " + token})
        check(r.status == 200, f"bearer token: {r.status}")
        r = get(port, f"/?theme=light&token={token}")
        cookie = r.headers.get("set-cookie", "")
        check(r.status == 303 and r.headers.get("location") == "/?theme=light",
              f"?token= redirects without the token: {r.status} {r.headers.get('location')}")
        check("HttpOnly" in cookie and "SameSite=Strict" in cookie, f"cookie flags: {cookie}")
        pair = cookie.split(";", 1)[0]
        r = get(port, "/trace.lurk", {"Cookie": pair})
        check(r.status == 200 and r.body.startswith(b"SQLite format 3"), f"cookie token: {r.status}")
        r = get(port, "/trace.lurk", {"X-Lurk-Token": token}, host_header=f"evil.example:{port}")
        check(r.status in (400, 403, 421), f"token but foreign Host: {r.status}")
    finally:
        code = stop(proc)
    stderr = proc.stderr.read().decode()
    check("not loopback" in stderr and "warning" in stderr, f"non-loopback warning: {stderr!r}")
    check(code == 0, f"stopped with exit code {code}")
    # A loopback bind with --token requires it too.
    proc, url = start_view(lurk, [profile, "--token", "s3cret-t0ken"], env=env)
    try:
        port = port_of(url)
        check(url.endswith("?token=s3cret-t0ken"), f"URL with the given token: {url}")
        check(get(port, "/").status == 401, "loopback with --token: no token refused")
        check(get(port, "/", {"X-Lurk-Token": "s3cret-t0ken"}).status == 200, "given token accepted")
    finally:
        stop(proc)


def main():
    share = make_share_dir()
    profile = os.path.join(work, "demo.lurk")
    shutil.copy(os.path.join(src, "samples", "demo.lurk"), profile)
    env = dict(os.environ, LURK_SHARE_DIR=share)
    proc, url = start_view(lurk, [profile], env=env)
    try:
        port = port_of(url)
        check(re.fullmatch(r"http://127\.0\.0\.1:\d+/", url) is not None, f"loopback URL: {url}")
        trace = get(port, "/trace.lurk").body
        served = os.path.join(work, "served.lurk")
        with open(served, "wb") as f:
            f.write(trace)
        db = sqlite3.connect(served)
        check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "served copy integrity")
        original = sqlite3.connect(f"file:{profile}?mode=ro", uri=True)
        for table in ("packets", "connections", "findings"):
            count = lambda d: d.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: E731
            check(count(db) == count(original) and count(original) > 0,
                  f"served {table}: {count(db)} rows, profile {count(original)}")
        check_traversal(port)
        check_headers(port)
        check_hosts(port, trace)
        check_ranges(port, trace)
    finally:
        code = stop(proc)
    stderr = proc.stderr.read().decode()
    check("leak.txt" in stderr and "leak-relative.js" in stderr, f"refused links named: {stderr!r}")
    check(code == 0, f"lurk view exited {code}")
    check_token_bind(share, profile)
    shutil.rmtree(work, ignore_errors=True)
    finish()


main()
