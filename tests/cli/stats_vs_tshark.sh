#!/usr/bin/env bash
# lurk stats against tshark on the lab captures (tests/data/netlab-*.pcap):
# per connection, packets each way equal tshark's `-z conv,tcp` frames, frame
# bytes each way equal its bytes (exactly when it prints bytes, to its
# rounding when it prints kB/MB), payload bytes each way equal the sum of
# tcp.len, every analysis flag count equals the number of frames where tshark
# sets that field, and both outputs parse (JSON, and a table with one row per
# connection under its header). Timestamp RTT samples (each, and count, min, max) equal
# the documented rule applied to tshark's decoding of the timestamp options.
# Usage: stats_vs_tshark.sh LURK_BIN SOURCE_DIR
set -u
LURK=$1
SRC=$2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if ! command -v tshark >/dev/null; then
  echo "tshark not installed: skipped"
  exit 77
fi

PYTHONPATH="$SRC/tests/lib" python3 - "$LURK" "$WORK" "$SRC"/tests/data/netlab-*.pcap <<'PY'
import json, re, sys
from collections import defaultdict
from cli_checks import check, finish, output as run

lurk, work, captures = sys.argv[1], sys.argv[2], sys.argv[3:]

FLAGS = ["retransmission", "fast_retransmission", "spurious_retransmission", "out_of_order",
         "duplicate_ack", "lost_segment", "ack_lost_segment", "keep_alive", "keep_alive_ack",
         "zero_window", "zero_window_probe", "zero_window_probe_ack", "window_full",
         "window_update", "reused_ports"]

def endpoint(addr, port):
    return f"{addr}:{port}"

UNITS = {"bytes": 1, "kB": 1000, "MB": 1000 ** 2, "GB": 1000 ** 3}

def conv_table(capture):
    """tshark -z conv,tcp: {(left, right): (frames_to_left, bytes_to_left, frames_to_right, bytes_to_right, bytes_exact)}"""
    out = run(["tshark", "-r", capture, "-q", "-z", "conv,tcp"])
    rows = {}
    for line in out.splitlines():
        m = re.match(r"^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+(\d+)\s+(\w+)\s+(\d+)\s+(\d+)\s+(\w+)\s", line)
        if not m:
            continue
        left, right = m.group(1), m.group(2)
        rows.setdefault((left, right), []).append(
            (int(m.group(3)), (int(m.group(4)), m.group(5)), int(m.group(6)), (int(m.group(7)), m.group(8))))
    return rows

def bytes_agree(exact, shown):
    value, unit = shown
    if unit == "bytes":
        return exact == value
    scale = UNITS.get(unit)
    return scale is not None and abs(exact / scale - value) <= 1

def tshark_frames(capture):
    fields = ["tcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "frame.len", "tcp.len"] + \
             [f"tcp.analysis.{f}" for f in FLAGS] + \
             ["frame.time_epoch", "tcp.flags.ack", "tcp.options.timestamp.tsval",
              "tcp.options.timestamp.tsecr", "frame.cap_len", "ip.hdr_len", "tcp.hdr_len"]
    cmd = ["tshark", "-r", capture, "-Y", "tcp", "-T", "fields", "-E", "separator=/t"]
    for f in fields:
        cmd += ["-e", f]
    # Per source: frames, frame bytes, payload bytes, frames whose TCP header
    # (its options) the capture cut (the lab's captures are Ethernet).
    streams = defaultdict(lambda: {"src": defaultdict(lambda: [0, 0, 0, 0]), "flags": defaultdict(int),
                                   "sent": defaultdict(list), "highest": {}, "ts_rtt": []})
    for line in run(cmd).splitlines():
        v = line.split("\t")
        s = streams[int(v[0])]
        src = endpoint(v[1] or v[2], v[3])
        s["src"][src][0] += 1
        s["src"][src][1] += int(v[4])
        s["src"][src][2] += int(v[5] or 0)
        for name, value in zip(FLAGS, v[6:]):
            if value:
                s["flags"]["tcp.analysis." + name] += 1
        cap_len, ip_hdr, tcp_hdr = v[-3:]
        s["src"][src][3] += int(cap_len) < 14 + int(ip_hdr or 40) + int(tcp_hdr)
        timestamp_rtt(s, src, *v[6 + len(FLAGS):-3])
    return streams

def ns(epoch_text):
    whole, _, frac = epoch_text.partition(".")
    return int(whole) * 10**9 + int((frac + "000000000")[:9])

def after(a, b):
    return 0 < ((a - b) & 0xFFFFFFFF) < 0x80000000

def timestamp_rtt(s, src, epoch, ack, tsval, tsecr):
    """docs/tcp-analysis.md "Timestamp RTT", applied to tshark's decoding of the options."""
    now = ns(epoch)
    if tsecr and ack in ("1", "True"):
        for other, pending in s["sent"].items():
            if other == src:
                continue
            for i, (val, first) in enumerate(pending):
                if after(val, int(tsecr)):
                    break
                if val == int(tsecr):
                    s["ts_rtt"].append(now - first)
                    del pending[:i + 1]
                    break
    # lurk reads an option whole or not at all; tshark shows the fields it
    # read before a snaplen cut (a TSval without its TSecr): such a TSval is
    # not one the rule saw.
    if tsval and tsecr:
        val = int(tsval)
        if src not in s["highest"] or after(val, s["highest"][src]):
            s["highest"][src] = val
            s["sent"][src].append((val, now))

def wire_bytes(profile):
    out = run([lurk, "query", profile,
               "SELECT connection_id, dir, count(*), sum(wire_len) FROM packets GROUP BY 1, 2"])
    result = defaultdict(lambda: [[0, 0], [0, 0]])
    for line in out.splitlines():
        c, d, n, b = (int(x) for x in line.split("\t"))
        result[c][d] = [n, b]
    return result

for capture in captures:
    name = capture.rsplit("/", 1)[-1]
    profile = f"{work}/{name}.lurk"
    run([lurk, "ingest", capture, "-o", profile])
    text = run([lurk, "stats", profile, "--format", "json"])
    try:
        stats = json.loads(text)
        check(isinstance(stats, list) and len(stats) > 0, f"{name}: stats JSON is a non-empty list")
    except json.JSONDecodeError as e:
        check(False, f"{name}: stats JSON does not parse: {e}")
        continue
    table = run([lurk, "stats", profile]).splitlines()
    header = table[0].split("\t")
    check(len(table) == len(stats) + 1 and all(len(r.split("\t")) == len(header) for r in table[1:]),
          f"{name}: the table has a row per connection, each as wide as the header")

    conv = conv_table(capture)
    check(sum(len(v) for v in conv.values()) == len(stats),
          f"{name}: tshark lists {sum(len(v) for v in conv.values())} conversations, lurk {len(stats)}")
    streams = tshark_frames(capture)
    check(len(streams) == len(stats), f"{name}: tshark has {len(streams)} TCP streams, lurk {len(stats)}")
    wires = wire_bytes(profile)
    used_streams = set()
    for c in stats:
        a, b = c["a"], c["b"]
        cid = c["id"]
        # tshark's conv table names the pair in either order.
        if (a, b) in conv and len(conv[(a, b)]) == 1:
            to_left, to_left_bytes, to_right, to_right_bytes = conv[(a, b)][0]
            t_ab, t_ab_bytes, t_ba, t_ba_bytes = to_right, to_right_bytes, to_left, to_left_bytes
        elif (b, a) in conv and len(conv[(b, a)]) == 1:
            to_left, to_left_bytes, to_right, to_right_bytes = conv[(b, a)][0]
            t_ab, t_ab_bytes, t_ba, t_ba_bytes = to_left, to_left_bytes, to_right, to_right_bytes
        else:
            check(False, f"{name}: connection {cid} {a} <-> {b} not once in tshark's conv,tcp")
            continue
        # The tshark stream with the same endpoints and the same counts each way.
        match = None
        for sid, s in streams.items():
            if sid in used_streams or set(s["src"]) - {a, b}:
                continue
            if s["src"][a][0] == c["packets_ab"] and s["src"][b][0] == c["packets_ba"]:
                match = sid
                break
        if match is None:
            check(False, f"{name}: no tshark stream for connection {cid}")
            continue
        used_streams.add(match)
        s = streams[match]
        (w_ab_n, w_ab), (w_ba_n, w_ba) = wires[cid]
        check(w_ab_n == c["packets_ab"] and w_ba_n == c["packets_ba"],
              f"{name}: connection {cid} stats packets agree with its packets rows")
        check(w_ab == s["src"][a][1] and w_ba == s["src"][b][1],
              f"{name}: connection {cid} frame bytes {w_ab}/{w_ba}, tshark frame.len "
              f"{s['src'][a][1]}/{s['src'][b][1]}")
        # tshark's conversation table counts a frame once its TCP dissection
        # finished: a frame whose header the capture cut inside its options
        # (a snaplen-cut capture) is a frame of the stream (above) but not in
        # the table. Every other frame is.
        cut_ab, cut_ba = s["src"][a][3], s["src"][b][3]
        check(c["packets_ab"] - cut_ab == t_ab and c["packets_ba"] - cut_ba == t_ba,
              f"{name}: connection {cid} packets {c['packets_ab']}/{c['packets_ba']} ({cut_ab}/{cut_ba} "
              f"with their options cut), tshark's conv,tcp {t_ab}/{t_ba}")
        check(cut_ab or cut_ba or (bytes_agree(w_ab, t_ab_bytes) and bytes_agree(w_ba, t_ba_bytes)),
              f"{name}: connection {cid} frame bytes {w_ab}/{w_ba}, tshark's conv,tcp "
              f"{t_ab_bytes}/{t_ba_bytes}")
        check(c["bytes_ab"] == s["src"][a][2] and c["bytes_ba"] == s["src"][b][2],
              f"{name}: connection {cid} payload bytes {c['bytes_ab']}/{c['bytes_ba']}, "
              f"tshark tcp.len {s['src'][a][2]}/{s['src'][b][2]}")
        check(c["flags"] == dict(s["flags"]),
              f"{name}: connection {cid} flag counts {c['flags']}, tshark {dict(s['flags'])}")
        samples = s["ts_rtt"]
        stored = [int(x) for x in run([lurk, "query", profile,
                  f"SELECT ts_rtt_ns FROM packets WHERE connection_id = {cid} "
                  "AND ts_rtt_ns IS NOT NULL ORDER BY id"]).split()]
        check(stored == samples, f"{name}: connection {cid} timestamp RTT samples frame by frame "
                                 f"agree with the rule on tshark's options")
        same = c["ts_rtt_samples"] == len(samples) and (not samples or (
            c["ts_rtt_min_ns"] == min(samples) and c["ts_rtt_max_ns"] == max(samples)))
        check(same, f"{name}: connection {cid} timestamp RTT {c['ts_rtt_samples']} samples "
                    f"{c.get('ts_rtt_min_ns')}..{c.get('ts_rtt_max_ns')}, from tshark's options "
                    f"{len(samples)} {min(samples, default=None)}..{max(samples, default=None)}")
        for kind in ("rtt", "ts_rtt"):
            if c[f"{kind}_samples"] > 0:
                check(c[f"{kind}_min_ns"] <= c[f"{kind}_avg_ns"] <= c[f"{kind}_max_ns"],
                      f"{name}: connection {cid} {kind} min <= avg <= max")
    print(f"{name}: {len(stats)} connection(s) checked")

finish()
PY
