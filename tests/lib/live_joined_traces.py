"""Traces for the live-analysis tests (tests/cli/live_joins.py,
live_batch_cost.py): a "net" trace of TCP segments (one connection per
client port, ending with FIN or RST) and an "app" trace of threads whose
events name those connections the ways the joiner reads (a `conn` tag: the
4-tuple; a label's `port` arg; a "TCP connect" label just before the SYN),
some failing with an exception at the connection's end. Imported with
sys.path at tests/lib."""
import socket
import struct

from live_collector import T0

SERVER = ("10.0.0.2", 80)
MS = 1_000_000


def conn_start(i):
    """When connection i starts: 2 s apart, so the joiner's 1 s slack keeps them apart."""
    return T0 + i * 2000 * MS


def tcp(ts, lport, direction, seq, ack, length, flags):
    return ('{"t":"tcp","ts":%d,"laddr":"10.0.0.1","lport":%d,"raddr":"%s","rport":%d,'
            '"dir":"%s","seq":%d,"ack":%d,"len":%d,"flags":%s,"window":64240}\n'
            % (ts, lport, SERVER[0], SERVER[1], direction, seq, ack, length, flags))


def segments(first, count):
    """Connections first..first+count-1: handshake, a request, then FIN (even
    i) or RST (odd i) at 300 ms, as (i, ts, client port, dir, seq, ack, len, flags)."""
    out = []
    for i in range(first, first + count):
        t, port = conn_start(i), 40000 + i
        end = ["FIN", "ACK"] if i % 2 == 0 else ["RST"]
        out += [(i, t, port, "tx", 1000, 0, 0, ["SYN"]),
                (i, t + 1 * MS, port, "rx", 5000, 1001, 0, ["SYN", "ACK"]),
                (i, t + 2 * MS, port, "tx", 1001, 5001, 100, ["ACK", "PSH"]),
                (i, t + 300 * MS, port, "tx", 1101, 5001, 0, end)]
    return out


def net_lines(first, count, thread=None):
    """The segments as the stack traced them; with `thread`, each names the
    thread thread % i sent or received it (packets.sender_thread / receiver_thread)."""
    out = []
    for i, ts, port, direction, seq, ack, length, flags in segments(first, count):
        line = tcp(ts, port, direction, seq, ack, length, '["%s"]' % '","'.join(flags))
        if thread:
            line = line[:-2] + ',"thread":"%s"}\n' % (thread % i)
        out.append(line)
    return "".join(out)


TCP_FLAG_BITS = {"FIN": 1, "SYN": 2, "RST": 4, "PSH": 8, "ACK": 16}


def capture(first, count):
    """A pcap (Ethernet, IPv4) of the same segments seen on the wire at the
    same times: what a capture of the run beside the trace holds."""
    out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
    client, server = socket.inet_aton("10.0.0.1"), socket.inet_aton(SERVER[0])
    for _, ts, port, direction, seq, ack, length, flags in segments(first, count):
        src, dst, sport, dport = ((client, server, port, SERVER[1]) if direction == "tx"
                                  else (server, client, SERVER[1], port))
        bits = sum(TCP_FLAG_BITS[f] for f in flags)
        tcp_header = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, bits, 64240, 0, 0)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp_header) + length, 0, 0x4000, 64, 6,
                         0, src, dst)
        frame = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + tcp_header + b"x" * length
        out.append(struct.pack("<IIII", ts // 10**9, ts % 10**9 // 1000, len(frame), len(frame)) + frame)
    return b"".join(out)


def app_lines(first, count):
    """Thread i names connection i: by a conn tag (i % 3 == 0), a label's port
    (i % 3 == 1), or a "TCP connect" label 1 ms before the SYN (i % 3 == 2).
    Every fourth thread fails at its connection's end; one thread of each
    call also names connection `first - 1` (the previous call's) by port."""
    out = []
    for i in range(first, first + count):
        t, port, th = conn_start(i), 40000 + i, "w%d" % i
        out.append('{"t":"thread_start","ts":%d,"thread":"%s","name":"worker"}\n' % (t - 2 * MS, th))
        if i % 3 == 0:
            out.append('{"t":"log","ts":%d,"thread":"%s","text":"GET /","conn":{"laddr":"10.0.0.1",'
                       '"lport":%d,"raddr":"%s","rport":%d}}\n' % (t + 5 * MS, th, port, *SERVER))
        elif i % 3 == 1:
            out.append('{"t":"label","ts":%d,"thread":"%s","name":"using","args":{"port":%d}}\n'
                       % (t + 5 * MS, th, port))
        else:
            out.append('{"t":"label","ts":%d,"thread":"%s","name":"TCP connect"}\n' % (t - 1 * MS, th))
        if i % 4 == 0:
            out.append('{"t":"exception","ts":%d,"thread":"%s","message":"Connection reset",'
                       '"uncaught":true}\n' % (t + 301 * MS, th))
        out.append('{"t":"thread_end","ts":%d,"thread":"%s"}\n' % (t + 302 * MS, th))
    if first > 0:
        i, th = first - 1, "late%d" % first
        t = conn_start(i) + 100 * MS
        out.append('{"t":"thread_start","ts":%d,"thread":"%s","name":"late"}\n' % (t, th))
        out.append('{"t":"label","ts":%d,"thread":"%s","name":"using","args":{"port":%d}}\n'
                   % (t + MS, th, 40000 + i))
        out.append('{"t":"thread_end","ts":%d,"thread":"%s"}\n' % (t + 2 * MS, th))
    return "".join(out)


def joins(db):
    """Each thread (by ext_id) -> (connection's client port, link_how), or None."""
    rows = db.execute(
        "SELECT t.ext_id, c.port_a, c.port_b, t.link_how FROM threads t "
        "LEFT JOIN connections c ON c.id = t.connection_id ORDER BY t.ext_id").fetchall()
    out = {}
    for ext_id, port_a, port_b, how in rows:
        client_port = port_b if port_a == SERVER[1] else port_a
        out[ext_id] = None if port_a is None else (client_port, how)
    return out


def all_findings(db):
    """Every finding as (kind, title), sorted: the threads' and the TCP ones."""
    return sorted(db.execute("SELECT kind, title FROM findings"))
