#!/usr/bin/env python3
"""Anonymised export (docs/sharing.md) on real data: the demo's capture and both
of its lurk JSONL traces (samples/), plus samples/loopback-http.pcap (HTTP
payload) made a pcapng with comments by Wireshark's editcap. The raw bytes of
every exported SQLite file are searched: no original address (dotted IPv4,
IPv6 compressed / expanded / fully exploded, in any case, and the 4- and
16-byte binary forms), no captured payload byte sequence, no exception, log or
label text, comment, argument string or source name (unless --keep-text), no
original port next to an address or in a port field (with --map-ports). The
findings are the same before and after (kind, severity, times, links; texts
equal once addresses and exception text are mapped), subnets stay subnets,
the same key gives the same file and another key other addresses, and
`lurk ingest --anonymize` writes what `lurk export --anonymize` does.
Usage: anonymize_export.py LURK_BIN SOURCE_DIR"""
import ipaddress
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import urllib.request

lurk, src = sys.argv[1:3]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from cli_checks import check, finish, run  # noqa: E402

K1 = "000102030405060708090a0b0c0d0e0f"
K2 = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
CAPTURE_COMMENT = "captured by alice at 192.0.2.55 for case 8812"
FRAME_COMMENT = "slow reply from 127.0.0.1 here, see ticket 4471"

work = tempfile.mkdtemp(prefix="lurk-anon-")
samples = os.path.join(src, "samples")
pcapng = os.path.join(work, "office-loopback.pcapng")
run(["editcap", "-F", "pcapng", "--capture-comment", CAPTURE_COMMENT, "-a", "4:" + FRAME_COMMENT,
     os.path.join(samples, "loopback-http.pcap"), pcapng])
captures = [os.path.join(samples, "demo.pcap"), pcapng]
inputs = captures + [os.path.join(samples, f) for f in ("demo-client.jsonl", "demo-server.jsonl")]
orig = os.path.join(work, "orig.lurk")
run([lurk, "ingest", *inputs, "-o", orig])


def path(name):
    return os.path.join(work, name)


def export(out, *options, ok=(0,)):
    return run([lurk, "export", orig, "-o", path(out), *options], ok=ok)


def rows(db, sql):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def raw(db):
    with open(db, "rb") as f:
        return f.read()


def text_values(db):
    """Every value of every TEXT column."""
    out = []
    for (table,) in rows(db, "SELECT name FROM sqlite_schema WHERE type = 'table'"):
        for col in rows(db, f"SELECT name FROM pragma_table_info('{table}') WHERE upper(type) = 'TEXT'"):
            out += [v for (v,) in rows(db, f'SELECT "{col[0]}" FROM "{table}"') if v]
    return out


# Addresses: every token Python's ipaddress accepts in any text of the original.
CANDIDATE = re.compile(r"\[?([0-9A-Fa-f:.]{2,})\]?")


def addresses_in(values):
    found = set()
    for v in values:
        for m in CANDIDATE.finditer(v):
            token = m.group(1)
            for cut in [token] + [token[:i] for i in range(len(token) - 1, 1, -1) if token[i] in ":."]:
                try:
                    a = ipaddress.ip_address(cut)
                except ValueError:
                    continue
                if ":" in cut or cut.count(".") == 3:
                    found.add(a)
                break
    return found


def forms(a):
    """Patterns of the text forms (any case, standing alone) and the binary
    forms of one address. A binary form with fewer than 3 distinct non-zero
    bytes (::1 is fifteen zeros and a one, 127.0.0.1 two) is in any SQLite
    file by chance and says nothing; it is not searched."""
    if a.version == 4:
        texts = [str(a)]
        edge = (rb"(?<![0-9.])", rb"(?![0-9])")
    else:
        groups = a.exploded.split(":")
        texts = [a.compressed, a.exploded, ":".join(format(int(g, 16), "x") for g in groups)]
        edge = (rb"(?<![0-9a-f:])", rb"(?![0-9a-f])")
    patterns = [re.compile(edge[0] + re.escape(t.encode()) + edge[1], re.IGNORECASE) for t in texts]
    binary = [a.packed] if len(set(a.packed) - {0}) >= 3 else []
    return patterns, binary


orig_texts = text_values(orig)
orig_addresses = addresses_in(orig_texts)
expected = {ipaddress.ip_address(x) for x in ("10.77.0.1", "10.77.0.2", "fd77::1", "fd77::2",
                                             "127.0.0.1", "192.0.2.55")}
check(expected <= orig_addresses, f"the original names {sorted(map(str, expected))} "
                                  f"(found {sorted(map(str, orig_addresses))})")
orig_raw = raw(orig)
for a in orig_addresses:
    check(forms(a)[0][0].search(orig_raw), f"the original file holds {a} as text")

# Payload: 8-byte windows of each captured TCP payload with 5+ distinct bytes.
payload_windows = set()
for capture in captures:
    out = run(["tshark", "-r", capture, "-T", "fields", "-e", "tcp.payload"]).stdout
    for line in out.split():
        data = bytes.fromhex(line.replace(":", ""))
        for i in range(0, max(len(data) - 7, 0), 4):
            w = data[i:i + 8]
            if len(set(w)) >= 5:
                payload_windows.add(w)
# lurk's own words (the schema's SQL) are in every profile: a window found
# there ("onnectio" of an HTTP header and of CREATE TABLE connections) is no leak.
schema_sql = "\n".join(v for (v,) in rows(orig, "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL")).encode()
payload_windows = {w for w in payload_windows if w not in schema_sql}
check(len(payload_windows) > 100, f"payload windows to look for ({len(payload_windows)})")
check(any(w in raw(orig) for w in payload_windows),
      "the original profile holds some payload bytes (the traces' log and argument text)")

# Free text: exception, label and log text, comments, argument strings, source names.
free_text = set(v for (v,) in rows(orig,
    "SELECT s.text FROM strings s WHERE s.id IN (SELECT exception FROM threads UNION "
    "SELECT name FROM instants WHERE kind IN ('exception', 'label', 'log'))"))
free_text |= set(v for (v,) in rows(orig, "SELECT text FROM comments"))
for (args,) in rows(orig, "SELECT args_json FROM instants WHERE args_json IS NOT NULL UNION ALL "
                          "SELECT args_json FROM spans WHERE args_json IS NOT NULL"):
    stack = [json.loads(args)]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack += v.values()
        elif isinstance(v, list):
            stack += v
        elif isinstance(v, str) and not addresses_in([v]):
            free_text.add(v)
free_text |= {os.path.basename(p) for p in inputs}
check({CAPTURE_COMMENT, FRAME_COMMENT, 'Invalid_argument("Lwt.wakeup_result")'} <= free_text,
      "comments and exception text are among the free text")


def secrets_left(db, keep_text):
    """What of the original survives in the raw bytes of db."""
    data = raw(db)
    left = []
    for a in orig_addresses:
        text_forms, binary_forms = forms(a)
        left += [f"{a} as {t.pattern!r}" for t in text_forms if t.search(data)]
        left += [f"{a} as {len(b)} bytes" for b in binary_forms if b in data]
    if not keep_text:
        left += [f"payload {w!r}" for w in payload_windows if w in data]
        # A free text that is also a name the anonymised profile keeps (a
        # thread named like a label) is no secret; nor are lurk's own words.
        kept = raw(db).replace(b"\0", b" ")
        names = set(v for (v,) in rows(db,
            "SELECT text FROM strings WHERE id NOT IN (SELECT exception FROM threads WHERE "
            "exception IS NOT NULL UNION SELECT name FROM instants WHERE kind IN "
            "('exception', 'label', 'log') AND name IS NOT NULL) UNION SELECT ext_id FROM threads"))
        for t in free_text:
            if (len(t) >= 8 and t.encode() in kept and t.encode() not in schema_sql
                    and not any(t in n for n in names)):
                left.append(f"text {t!r}")
    return left


def address_map(a_db, b_db):
    """Address and port of each connection endpoint, original to anonymised, by row."""
    sql = "SELECT id, addr_a, port_a, addr_b, port_b FROM connections ORDER BY id"
    amap, pmap = {}, {}
    for o, n in zip(rows(a_db, sql), rows(b_db, sql)):
        for i in (1, 3):
            if o[i]:
                amap.setdefault(o[i], set()).add(n[i])
            pmap.setdefault(o[i + 1], set()).add(n[i + 1])
    return amap, pmap


def common_prefix(x, y):
    bits = 32 if x.version == 4 else 128
    diff = int(x) ^ int(y)
    return bits - diff.bit_length()


# 0. The search finds what a plain export (no --anonymize) keeps: it can fail.
export("plain.lurk")
plain_left = " ".join(secrets_left(path("plain.lurk"), keep_text=False))
for what in ("10.77.0.1 as", "fd77::2 as", "192.0.2.55 as", "payload", "Lwt.wakeup_result",
             CAPTURE_COMMENT, "demo-client.jsonl"):
    check(what in plain_left, f"a plain export still holds {what!r}")

# 1. --anonymize --map-ports with a key.
export("k1.lurk", "--anonymize", "--map-ports", "--key", K1)
k1 = path("k1.lurk")
left = secrets_left(k1, keep_text=False)
check(not left, f"nothing original in k1.lurk, found: {left[:8]}")
check(rows(k1, "PRAGMA freelist_count") == [(0,)], "no free page in the export")
check(rows(k1, "PRAGMA integrity_check") == [("ok",)], "the export passes SQLite's integrity check")
amap, pmap = address_map(orig, k1)
check(all(len(v) == 1 for v in amap.values()) and len({next(iter(v)) for v in amap.values()}) == len(amap),
      "each address maps to one address, distinct ones to distinct ones")
check(all(len(v) == 1 for v in pmap.values()), "each port maps to one port")
check(all(o != next(iter(n)) for o, n in pmap.items() if o), "no port maps to itself")
pairs = [(ipaddress.ip_address(o), ipaddress.ip_address(next(iter(n)))) for o, n in amap.items()]
for x, xn in pairs:
    for y, yn in pairs:
        if x.version == y.version:
            check(common_prefix(x, y) == common_prefix(xn, yn),
                  f"{x} and {y} share {common_prefix(x, y)} bits, their images {common_prefix(xn, yn)}")
# Ports in argument fields are the images of the originals, row by row.
port_images = {next(iter(n)) for n in pmap.values()}
for table in ("instants", "spans"):
    sql = f"SELECT id, args_json FROM {table} WHERE args_json IS NOT NULL ORDER BY id"
    for (i, a), (j, b) in zip(rows(orig, sql), rows(k1, sql)):
        ca, cb = json.loads(a).get("conn"), json.loads(b).get("conn")
        if isinstance(ca, dict):
            for key in ("lport", "rport"):
                check(cb[key] == next(iter(pmap.get(ca[key], {None}))),
                      f"{table} {i}: {key} {ca[key]} became {cb[key]}, the connections say otherwise")
            for key in ("laddr", "raddr"):
                check(cb[key] in amap.get(ca[key], ()), f"{table} {i}: {key} mapped as in connections")
# Ports written after an address in any text are images too.
k1_text = "\n".join(text_values(k1))
for m in re.finditer(r"(?:\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]|[0-9a-f]*::[0-9a-f:]*?):(\d+)\b", k1_text):
    check(int(m.group(1)) in port_images, f"port after an address in text is mapped: {m.group(0)}")

# Findings: same rows; texts equal after mapping addresses, ports, exception text.
def findings(db):
    return json.loads(run([lurk, "findings", db, "--format", "json"]).stdout)


exceptions = {}
sql = ("SELECT s.id, s.text FROM strings s WHERE s.id IN (SELECT exception FROM threads UNION "
       "SELECT name FROM instants WHERE kind = 'exception')")
anon_strings = dict(rows(k1, sql))
for i, t in rows(orig, sql):
    exceptions[t] = anon_strings[i]
flat_amap = {o: next(iter(n)) for o, n in amap.items()}
flat_pmap = {o: next(iter(n)) for o, n in pmap.items()}


def mapped_text(t):
    if t is None:
        return t
    for e in sorted(exceptions, key=len, reverse=True):
        if t.endswith(e):
            t = t[:-len(e)] + exceptions[e]
            break
    def endpoint(m):
        if m.group("v6"):
            new = "[" + flat_amap[m.group("v6")] + "]"
        else:
            new = flat_amap[m.group("v4")]
        port = m.group("port6") or m.group("port4")
        return new + (":" + str(flat_pmap[int(port)]) if port else "")
    return re.sub(r"\[(?P<v6>[0-9a-f:]+)\](?::(?P<port6>\d+))?"
                  r"|(?<![\w.])(?P<v4>\d+\.\d+\.\d+\.\d+)(?::(?P<port4>\d+))?", endpoint, t)


before, after = findings(orig), findings(k1)
check(len(before) == len(after) > 5, f"{len(before)} findings before, {len(after)} after")
for f, g in zip(before, after):
    same = all(f[k] == g[k] for k in ("kind", "severity", "ts_ns", "duration_ns",
                                        "connection_id", "thread_id", "rank"))
    check(same, f"finding {f['rank']} {f['kind']} keeps kind, severity, times and links")
    check(mapped_text(f["title"]) == g["title"], f"title {f['title']!r} -> {g['title']!r}")
    check(mapped_text(f["detail"]) == g["detail"], f"detail {f['detail']!r} -> {g['detail']!r}")

# The other commands read it: stats (same connections and counts), view serves it.
def stats(db):
    return json.loads(run([lurk, "stats", db, "--format", "json"]).stdout)


sa, sb = stats(orig), stats(k1)
without_endpoints = lambda s: [{k: v for k, v in c.items() if k not in ("a", "b")}
                               for c in (s if isinstance(s, list) else s["connections"])]
check(without_endpoints(sa) == without_endpoints(sb) and len(without_endpoints(sa)) > 10,
      "lurk stats: the same connections, counts, RTTs, states and flags")
view = subprocess.Popen([lurk, "view", k1, "--port", "0"], stdout=subprocess.PIPE, text=True)
try:
    url = view.stdout.readline().strip()
    with urllib.request.urlopen(url + "trace.lurk", timeout=10) as r:
        # The server serves a snapshot of the profile taken with SQLite's backup
        # API (collector/server/profile_snapshot): the same rows, not the same bytes.
        served = os.path.join(work, "served.lurk")
        with open(served, "wb") as f:
            f.write(r.read())
        dump = lambda db: list(sqlite3.connect(db).iterdump())
        check(dump(served) == dump(k1), f"lurk view serves the anonymised profile at {url}trace.lurk")
finally:
    view.terminate()
    view.wait(timeout=10)

# 2. Keys: same key, same bytes; another key, other addresses; no key, random.
export("k1-again.lurk", "--anonymize", "--map-ports", "--key", K1)
check(raw(k1) == raw(path("k1-again.lurk")), "the same key gives a byte-identical file")
check(K1.encode() not in raw(k1).lower() and bytes.fromhex(K1) not in raw(k1),
      "the key is not in the file (hex or binary)")
with open(path("k2.key"), "w") as f:
    f.write(K2 + "\n")
export("k2.lurk", "--anonymize", "--key-file", path("k2.key"))
amap2, pmap2 = address_map(orig, path("k2.lurk"))
check(all(amap[a] != amap2[a] for a in amap), "another key maps every address elsewhere")
check(all(pmap2[p] == {p} for p in pmap2), "without --map-ports ports stay")
check(not secrets_left(path("k2.lurk"), keep_text=False), "nothing original in k2.lurk")
export("r1.lurk", "--anonymize")
export("r2.lurk", "--anonymize")
check(address_map(orig, path("r1.lurk"))[0] != address_map(orig, path("r2.lurk"))[0],
      "two exports without a key use different random keys")
for name in ("r1.lurk", "r2.lurk"):
    data = raw(path(name))
    check(not any(forms(a)[0][0].search(data) for a in orig_addresses),
          f"no original address text in {name}")

# 3. --keep-text: the texts stay, addresses in them are still mapped.
export("keep.lurk", "--anonymize", "--keep-text", "--key", K1)
keep_data = raw(path("keep.lurk"))
check(b"Lwt.wakeup_result" in keep_data and b"case 8812" in keep_data,
      "--keep-text keeps exception text and comments")
left = secrets_left(path("keep.lurk"), keep_text=True)
check(not left, f"--keep-text still maps every address: {left[:8]}")
keep_comment = rows(path("keep.lurk"), "SELECT text FROM comments WHERE scope = 'section'")[0][0]
check(keep_comment == CAPTURE_COMMENT.replace("192.0.2.55", keep_comment.split()[4]) and
      "192.0.2.55" not in keep_comment, f"the comment's address is mapped: {keep_comment!r}")

# 4. lurk ingest --anonymize writes what export does (but for ingest times).
ingested = path("ingested.lurk")
run([lurk, "ingest", *inputs, "-o", ingested, "--anonymize", "--map-ports", "--key", K1])
for sql in ("SELECT * FROM connections ORDER BY id", "SELECT * FROM strings ORDER BY id",
            "SELECT * FROM findings ORDER BY id", "SELECT id, path, content_hash FROM sources",
            "SELECT * FROM instants ORDER BY id", "SELECT * FROM comments ORDER BY id"):
    check(rows(ingested, sql) == rows(k1, sql), f"ingest --anonymize = export --anonymize: {sql}")
check(not [p for p in os.listdir(work) if "not-anonymised" in p], "the raw temporary profile is gone")
r = run([lurk, "ingest", inputs[0], "-o", ingested, "--anonymize"], ok=(1,))
check("exists" in r.stderr, f"ingest --anonymize refuses an existing output: {r.stderr.strip()}")

# 5. An old schema version is upgraded on export; usage and key errors.
old = os.path.join(src, "tests", "data", "profiles", "v1-capture-ctf-jsonl.lurk")
run([lurk, "export", old, "-o", path("old.lurk"), "--anonymize"])
check(rows(path("old.lurk"), "PRAGMA user_version") == rows(k1, "PRAGMA user_version"),
      "a version-1 profile exports at the current version")
check(len(findings(path("old.lurk"))) == len(findings(old)), "and keeps its findings")
r = export("x.lurk", "--keep-text", ok=(2,))
check("--anonymize" in r.stderr, "--keep-text without --anonymize is a usage error")
r = export("x.lurk", "--anonymize", "--key", "12ab", ok=(1,))
check("expected 32 hex digits" in r.stderr and not os.path.exists(path("x.lurk")),
      f"a short key is refused, nothing written: {r.stderr.strip()}")
r = run([lurk, "export", orig, "-o", orig, "--anonymize"], ok=(1,))
check("overwrite its own input" in r.stderr, "export onto its own input is refused")
r = run([lurk, "export", inputs[0], "-o", path("x.lurk")], ok=(1,))
check(not os.path.exists(path("x.lurk")) and "not a lurk profile" in r.stderr and inputs[0] in r.stderr,
      f"a capture is no profile to export: {r.stderr.strip()}")

subprocess.run(["rm", "-rf", work])
finish()
