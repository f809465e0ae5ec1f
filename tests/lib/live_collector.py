"""Shared pieces of the live-collection tests (tests/cli/live_*.py): start a
`lurk collect` on a free loopback port, make lurk JSON lines traces, speak
the sender side of the protocol (hello line, acks) with plain sockets, and
read the collector's peak memory. Imported with sys.path at tests/lib."""
import json
import os
import re
import signal
import socket
import struct
import subprocess
import time

HEADER = '{"lurk":"jsonl","version":1,"clock":"unix-ns","producer":"live test"}\n'
T0 = 1_700_000_000_000_000_000


def log_lines(count, tag="s", start=0):
    """`count` log events (each becomes one instants row), the header first when start == 0."""
    lines = [HEADER] if start == 0 else []
    for i in range(start, start + count):
        lines.append('{"t":"log","ts":%d,"level":"info","text":"%s %d"}\n' % (T0 + i * 1000, tag, i))
    return "".join(lines)


class Collector:
    """A `lurk collect -o PROFILE --listen 127.0.0.1:0` process and the port it got."""

    def __init__(self, lurk, profile, *extra):
        self.proc = subprocess.Popen([lurk, "collect", "--listen", "127.0.0.1:0", "-o", profile, *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.port = None
        self.stderr_head = ""
        deadline = time.time() + 30
        while self.port is None and time.time() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.stderr_head += line
            m = re.search(r"listening on \S+:(\d+),", line)
            if m:
                self.port = int(m.group(1))
        if self.port is None:
            self.proc.kill()
            raise RuntimeError("lurk collect did not start: " + self.stderr_head)
        self.address = "127.0.0.1:%d" % self.port

    def stop(self, sig=signal.SIGINT, timeout=120):
        """Signals the collector; its (exit code, stdout, stderr)."""
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out, self.stderr_head + err

    def peak_rss_mb(self):
        """The collector's peak resident memory so far (VmHWM), MB."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return None


class Sender:
    """A raw sender: a socket, an optional hello line, and the acks read back."""

    def __init__(self, port, name=None, token=None, hello=True):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sent = 0
        self.acks = []
        self.refused = None
        self._pending = b""
        if hello:
            msg = {"lurk": "hello", "version": 1}
            if name is not None:
                msg["name"] = name
            if token is not None:
                msg["token"] = token
            self.send((json.dumps(msg) + "\n").encode())

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)
        self.sent += len(data)

    def read_acks(self, timeout=0.0):
        """Reads the collector's lines there are; False once it closed the connection."""
        self.sock.settimeout(timeout if timeout > 0 else 0.0001)
        try:
            chunk = self.sock.recv(65536)
        except (socket.timeout, BlockingIOError):
            return True
        except ConnectionResetError:
            return False
        finally:
            self.sock.settimeout(None)  # sends block again (the collector's backpressure)
        if not chunk:
            return False
        self._pending += chunk
        while b"\n" in self._pending:
            line, self._pending = self._pending.split(b"\n", 1)
            msg = json.loads(line)
            if msg.get("lurk") == "ack":
                self.acks.append(msg)
            elif msg.get("lurk") == "refused":
                self.refused = msg.get("reason")
        return True

    def finish(self, timeout=60):
        """Closes our side and waits for the final ack (or the collector's close)."""
        self.sock.shutdown(socket.SHUT_WR)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not self.read_acks(0.2):
                break
            if self.acks and self.acks[-1].get("final"):
                break
        self.sock.close()
        return self.acks[-1] if self.acks else None

    def abort(self):
        """Closes with a reset (SO_LINGER 0): a sender that vanishes."""
        import struct
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


def wait_acked(sender, timeout=20):
    """Until the collector acknowledged every byte `sender` sent so far; False on timeout."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        sender.read_acks(0.1)
        if sender.acks and sender.acks[-1]["bytes"] == sender.sent:
            return True
    return False


def read_line(sock, timeout=20):
    """The collector's next line (b"" when it closed first)."""
    sock.settimeout(timeout)
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(1)
        if not chunk:
            break
        data += chunk
    return data


def open_stream(port, hello, timeout=20):
    """A connection of the `--stream` named in `hello` once the collector takes
    it (the previous one of the same stream may not be closed yet): (socket,
    resume offset)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(hello)
        answer = json.loads(read_line(sock) or b"{}")
        if answer.get("lurk") == "resume":
            return sock, answer["bytes"]
        sock.close()
        time.sleep(0.1)
    raise RuntimeError("the collector never took the stream")


def free_port():
    """A loopback port free now (for a collector restarted on the same port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_collector_at(lurk, profile, port, *options):
    """`lurk collect` on 127.0.0.1:PORT once it accepts connections."""
    proc = subprocess.Popen([lurk, "collect", "--listen", "127.0.0.1:%d" % port, "-o", profile,
                             *options],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("lurk collect did not start: " + proc.stderr.read())
            time.sleep(0.05)
    raise RuntimeError("lurk collect did not listen")


def ctf_packets(data):
    """A mirage-profile CTF stream cut into its packets (each packet header
    says its size in bits at offset 20)."""
    out, at = [], 0
    while at + 30 <= len(data):
        size = struct.unpack_from("<I", data, at + 20)[0] // 8
        out.append(data[at:at + size])
        at += size
    return out
