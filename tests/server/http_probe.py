"""Raw HTTP/1.1 requests for the server tests (tests/server/*.py): bytes on a
socket exactly as written, so traversal targets, foreign Host headers and
odd Range headers reach the server unnormalised (http.client would refuse or
rewrite some of them). Imported with sys.path pointing at tests/server."""
import os
import sys
import select
import signal
import socket
import subprocess
import time


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case name -> value (last one wins)
        self.body = body

    def __repr__(self):
        return f"<{self.status} {len(self.body)} bytes>"


def parse_response(data):
    """One response from raw bytes; status 0 when nothing parsable came back."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return Response(0, {}, data)
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = body[: int(headers["content-length"])]
    return Response(status, headers, body)


def raw_request(port, data, timeout=10.0, host="127.0.0.1"):
    """Sends `data` (bytes) and reads until the server closes; a Response."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(1 << 16)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            chunks.append(chunk)
        return parse_response(b"".join(chunks))


def get(port, target, headers=None, method="GET", host_header=None, timeout=10.0):
    """A GET (or `method`) with Connection: close; headers a dict of extra fields."""
    lines = [f"{method} {target} HTTP/1.1",
             f"Host: {host_header if host_header is not None else f'127.0.0.1:{port}'}",
             "Connection: close"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return raw_request(port, data, timeout)


def start_view(lurk, args, env=None, expect_url=True, timeout=60):
    """Starts `lurk view ARGS`; (process, first stdout line or None, stderr so far)."""
    proc = subprocess.Popen([lurk, "view", "--port", "0", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + timeout
    line = b""
    while time.monotonic() < deadline and not line.endswith(b"\n"):
        ready, _, _ = select.select([proc.stdout], [], [], 0.2)
        if ready:
            byte = proc.stdout.read1(1) if hasattr(proc.stdout, "read1") else proc.stdout.read(1)
            if not byte:
                break
            line += byte
        elif proc.poll() is not None:
            break
    if not line and expect_url:
        proc.kill()
        raise RuntimeError("lurk view printed no URL: " + proc.stderr.read().decode())
    return proc, (line.decode().strip() or None)


def port_of(url):
    return int(url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])


def stop(proc, sig=signal.SIGINT, timeout=20):
    """Signals the server and waits; its exit code."""
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def hot_journal_copy(source, target):
    """Copies a profile and leaves it as a killed writer would: a big
    transaction spilled into the file, then the process gone without commit
    or rollback (os._exit), so FILE-journal is hot."""
    with open(source, "rb") as f, open(target, "wb") as g:
        g.write(f.read())
    code = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA cache_size = 5')\n"
        "c.execute('BEGIN')\n"
        "c.execute('CREATE TABLE pad(x)')\n"
        "c.executemany('INSERT INTO pad VALUES (?)', [(os.urandom(1000),) for _ in range(3000)])\n"
        "os._exit(0)\n")
    subprocess.run(["/usr/bin/python3", "-c", code, target], check=True)
    return os.path.exists(target + "-journal")


def in_own_network_namespace(script, lurk, src):
    """Re-runs `script` inside a fresh network namespace (unshare -n) unless it
    already runs there (--in-namespace): nothing touches the host's network."""
    if "--in-namespace" in sys.argv:
        return
    r = subprocess.run(["unshare", "-n", sys.executable, script, lurk, src, "--in-namespace"])
    sys.exit(r.returncode)


def setup_veth(addresses):
    """In that namespace: loopback up and a veth pair whose lurk0 end holds
    `addresses` (each /24), both ends up."""
    for cmd in (["ip", "link", "set", "lo", "up"],
                ["ip", "link", "add", "lurk0", "type", "veth", "peer", "name", "lurk1"],
                *[["ip", "addr", "add", a + "/24", "dev", "lurk0"] for a in addresses],
                ["ip", "link", "set", "lurk0", "up"], ["ip", "link", "set", "lurk1", "up"]):
        subprocess.run(cmd, check=True)
