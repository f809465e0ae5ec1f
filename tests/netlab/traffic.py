#!/usr/bin/env python3
"""Traffic for lurk's network test lab: a server and a client that run bounded
TCP transfers between the lab's namespaces, one scenario at a time.

Each connection starts with a header line "UP DOWN\\n": the client then sends
UP bytes, the server reads them and answers with DOWN bytes, and both close.
Scenarios:
  bulk     one connection, UP and DOWN both large (loss and reordering show as
           retransmissions, duplicate ACKs, out-of-order and lost segments)
  short    many short request/response connections, one after another
  mixed    many connections, 16 at a time, answers of 1 KB up to --bytes (a
           seeded spread: most small, some large), for captures of tens of MB
           with thousands of connections (the benchmarks' "many connections")
  reset    the client asks for a large answer, reads a little, then resets
           (SO_LINGER 0) while data is still coming
  zerowin  the client reads slowly through a tiny receive buffer: its window
           closes, the server probes (Linux zero-window probes), then it opens
Every socket has a timeout and every loop a count or deadline.
Usage: traffic.py server --port P --duration S
       traffic.py client --host ADDR --port P --scenario NAME [--bytes N] [--connections N]
"""
import argparse
import random
import socket
import struct
import sys
import threading
import time

CHUNK = 16384
TIMEOUT = 20.0


def recv_exact(sock, n):
    got = 0
    while got < n:
        data = sock.recv(min(CHUNK, n - got))
        if not data:
            break
        got += len(data)
    return got


def send_pattern(sock, n):
    block = bytes(range(256)) * (CHUNK // 256)
    sent = 0
    while sent < n:
        part = block[: min(CHUNK, n - sent)]
        sock.sendall(part)
        sent += len(part)


def read_header(sock):
    line = b""
    while not line.endswith(b"\n") and len(line) < 64:
        c = sock.recv(1)
        if not c:
            return None
        line += c
    up, down = line.split()
    return int(up), int(down)


def serve_one(conn):
    try:
        conn.settimeout(TIMEOUT)
        header = read_header(conn)
        if header is None:
            return
        up, down = header
        recv_exact(conn, up)
        send_pattern(conn, down)
        conn.shutdown(socket.SHUT_WR)
        while conn.recv(CHUNK):  # until the client's FIN
            pass
    except OSError:
        pass  # resets are part of the scenarios
    finally:
        conn.close()


def run_server(args):
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    srv.bind(("::", args.port))
    srv.listen(128)
    srv.settimeout(0.5)
    deadline = time.monotonic() + args.duration
    print("ready", flush=True)
    while time.monotonic() < deadline:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve_one, args=(conn,), daemon=True).start()


def connect(args, rcvbuf=None):
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(TIMEOUT)
    s.connect((args.host, args.port))
    return s


def exchange(args, up, down, rcvbuf=None, read_pause=0.0, reads_before_pause=0):
    s = connect(args, rcvbuf)
    try:
        s.sendall(f"{up} {down}\n".encode())
        send_pattern(s, up)
        got = 0
        reads = 0
        while got < down:
            if read_pause and reads == reads_before_pause:
                time.sleep(read_pause)  # stop reading: the window fills and closes
            data = s.recv(2048 if rcvbuf else CHUNK)
            if not data:
                break
            got += len(data)
            reads += 1
        s.shutdown(socket.SHUT_WR)
        s.recv(1)
    finally:
        s.close()
    return got


def scenario_reset(args):
    s = connect(args)
    s.sendall(f"0 {args.bytes}\n".encode())
    recv_exact(s, 20000)
    # SO_LINGER 0: close() aborts with a RST while the server still sends.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def scenario_mixed(args):
    # Sizes from a fixed seed, so a capture made again has the same transfers.
    rng = random.Random(args.connections)
    sizes = [min(args.bytes, int(1000 * rng.paretovariate(0.9))) for _ in range(args.connections)]
    lock = threading.Lock()
    errors = []

    def worker():
        while True:
            with lock:
                if not sizes:
                    return
                down = sizes.pop()
            try:
                exchange(args, 200, down)
            except OSError as e:  # a lost connection fails alone; the rest go on
                with lock:
                    errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(f"traffic.py client: mixed: {len(errors)} of {args.connections} connections failed "
              f"(first: {errors[0]})", file=sys.stderr)


def run_client(args):
    if args.scenario == "bulk":
        exchange(args, args.bytes // 4, args.bytes)
    elif args.scenario == "short":
        for _ in range(args.connections):
            exchange(args, 300, 3000)
    elif args.scenario == "mixed":
        scenario_mixed(args)
    elif args.scenario == "reset":
        scenario_reset(args)
    elif args.scenario == "zerowin":
        exchange(args, 0, args.bytes, rcvbuf=4096, read_pause=1.5, reads_before_pause=1)
    time.sleep(0.3)  # let the last FIN/ACKs through before capture stops


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("role", choices=["server", "client"])
    p.add_argument("--host", default="10.77.0.2")
    p.add_argument("--port", type=int, default=5001)
    p.add_argument("--duration", type=float, default=60.0)
    p.add_argument("--scenario", choices=["bulk", "short", "mixed", "reset", "zerowin"], default="bulk")
    p.add_argument("--bytes", type=int, default=200000)
    p.add_argument("--connections", type=int, default=20)
    args = p.parse_args()
    if args.role == "server":
        run_server(args)
    else:
        try:
            run_client(args)
        except OSError as e:
            print(f"traffic.py client: {args.scenario}: {e}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
