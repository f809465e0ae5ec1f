#!/usr/bin/env python3
"""Server-backed viewing over the real loopback server (docs/server.md,
"Server-backed viewing"): `lurk view --native` answers GET /native (counts
equal to the profile's tables) and GET /frame (the frame format's header, every
rectangle within the panel asked for, the same security headers as every other
answer); bad parameters and windows outside the profile are 400 naming the
parameter; GET /outline.lurk holds the small tables' rows and none of the bulk ones;
Host, method and token rules apply to /frame as to the rest; the
automatic threshold (--native-over) switches the mode, --in-browser keeps it
off, and without the mode /frame is 404 and /native says {"native": false}. The profile is opened
lazily: the first view makes its lane summary and lane store (kept in
LURK_CACHE_DIR), the next reads them (every lane from the store); a store cut
short in place while a view has it mapped is dropped, not a SIGBUS; a search
(q=) is 501 in this mode; those checks open a profile written before lane
facts (tests/data/profiles/v4-capture-ctf-jsonl.lurk, schema version 4),
whose first view makes the summary by a pass over every event. A profile with
lane facts (schema version 5: the committed demo, with a capture ingested
into it) opens cold from them: the lane summary is not
made before the URL, the background's store and minimap come (/native asked
until they do), and the whole trace's frame is then the one a warm view of the
same profile draws.
Usage: server_native.py LURK_BIN SOURCE_DIR"""
import json
import os
import sqlite3
import struct
import sys
import tempfile
import time
from urllib.parse import quote

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from cli_checks import check, finish  # noqa: E402
from http_probe import get, port_of, start_view, stop  # noqa: E402

lurk, src = sys.argv[1:3]
# Lane summaries (collector/server/lane_summary_file.h) go to a cache of this run's own.
os.environ["LURK_CACHE_DIR"] = tempfile.mkdtemp(prefix="lurk-native-cache-")
demo = os.path.join(src, "samples", "demo.lurk")
# The old cold path (a pass over every event) needs a profile without lane facts.
pre5 = os.path.join(src, "tests", "data", "profiles", "v4-capture-ctf-jsonl.lurk")
db = sqlite3.connect(f"file:{pre5}?mode=ro", uri=True)
check(db.execute("PRAGMA user_version").fetchone()[0] < 5, "the pre-5 fixture is older than lane facts")
pre5_packets = db.execute("SELECT count(*) FROM packets").fetchone()[0]


def frame_query(t0, t1, **extra):
    params = {"t0": t0, "t1": t1, "lx": 0, "lw": 300, "x": 300, "w": 1000, "ry": 50, "rh": 40,
              "y": 90, "h": 600}
    params.update(extra)
    return "&".join(f"{k}={quote(str(v), safe='')}" for k, v in params.items())


def parse_frame(body):
    """The header of a /frame answer (core/frame_wire.cpp) and its rectangles."""
    check(body[:4] == b"LRKF", f"a frame starts with LRKF: {body[:8]!r}")
    version, total_height = struct.unpack_from("<If", body, 4)
    layout = struct.unpack_from("<6q", body, 12)
    (search_matches,) = struct.unpack_from("<q", body, 60)  # version 2
    (args_searched,) = struct.unpack_from("<d", body, 68)  # version 3, with the selected row's y, height
    (nrects,) = struct.unpack_from("<I", body, 84)
    rects = [struct.unpack_from("<4fIIBIII", body, 88 + i * 37) for i in range(nrects)]
    return version, total_height, layout, rects, search_matches, args_searched


def check_native_answers(port, duration):
    info = get(port, "/native")
    check(info.status == 200 and info.headers.get("content-type") == "application/json",
          f"/native: {info.status} {info.headers.get('content-type')}")
    j = json.loads(info.body)
    check(j["native"] is True and j["counts"]["packets"] == pre5_packets,
          f"/native counts: {j['counts']} (the profile has {pre5_packets} packets)")
    check(j["rssBytes"] > 0 and j["loadSeconds"] >= 0, f"/native memory and load time: {j}")

    outline = get(port, "/outline.lurk")
    check(outline.status == 200 and outline.headers.get("content-type") == "application/vnd.sqlite3",
          f"/outline.lurk: {outline.status}")
    path = os.path.join(tempfile.mkdtemp(prefix="lurk-native-"), "outline.lurk")
    with open(path, "wb") as f:
        f.write(outline.body)
    copy = sqlite3.connect(path)
    for table in ("connections", "threads", "strings", "sources", "findings", "ingest_errors"):
        mine, theirs = (c.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for c in (copy, db))
        check(mine == theirs, f"the outline holds every row of {table}: {mine} of {theirs}")
    for table in ("packets", "spans", "instants", "counters", "flows"):
        n = copy.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        check(n == 0, f"the outline holds no {table}: {n}")
    check(copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "the outline passes integrity_check")
    check(len(outline.body) < os.path.getsize(pre5), f"the outline is smaller: {len(outline.body)} bytes")

    r = get(port, "/frame?" + frame_query(0, duration))
    check(r.status == 200 and r.headers.get("content-type") == "application/x-lurk-frame",
          f"/frame: {r.status} {r.headers.get('content-type')} {r.body[:200]!r}")
    for name in ("content-security-policy", "x-content-type-options", "cache-control",
                 "x-frame-options", "referrer-policy"):
        check(name in r.headers, f"/frame carries {name}")
    check("access-control-allow-origin" not in r.headers, "/frame is not readable cross-origin")
    version, total_height, layout, rects, _, _ = parse_frame(r.body)
    check(version == 3 and total_height > 0 and layout[0] > 0, f"frame header: {version} {total_height} {layout}")
    check(len(rects) > 20, f"the whole profile is drawn with {len(rects)} rectangles")
    outside = [x for x in rects if x[0] < 0 or x[2] > 1300.5]
    check(not outside, f"every rectangle within the panel (x 0..1300): {outside[:3]}")
    ruler_rows = [x for x in rects if x[1] >= 50 and x[3] <= 90]
    check(ruler_rows, "the ruler is drawn at the top asked for")
    check(get(port, "/frame?" + frame_query(0, duration), method="HEAD").status == 200, "HEAD /frame")

    zoomed = get(port, "/frame?" + frame_query(duration * 0.4, duration * 0.41))
    check(zoomed.status == 200 and zoomed.body != r.body, "another window, another frame")

    bad = {
        "": "t0 is missing",
        frame_query(0, duration) + "&w=0": "given twice",
        frame_query(0, duration, w=0): "w: expected a number in [1, 16384]",
        frame_query(0, duration, h=1e9): "h: expected",
        frame_query(5, 6): "t1: expected a time at least 10 ns after t0",
        frame_query("nan", duration): "t0: expected a number",
        frame_query(0, duration, sel="1.2"): "sel: expected kind.lane.index.count",
        frame_query(0, duration, col="2"): "col: expected a string of 0 and 1",
        frame_query(0, duration, sg=100000): "sg: no group",
        frame_query(0, duration, nope=1): "unknown frame parameter nope",
        frame_query(duration * 5, duration * 6): "outside the profile",
        frame_query(-duration * 6, -duration * 5): "outside the profile",
        frame_query(0, duration) + "&q=%zz": "malformed percent escape",
    }
    for query, says in bad.items():
        a = get(port, "/frame?" + query)
        text = a.body.decode(errors="replace")
        check(a.status == 400 and says in text, f"/frame?{query[:60]}: {a.status} {text.strip()!r}")
        check("content-security-policy" in a.headers, "a refusal carries the security headers too")
    check(get(port, "/frame?" + frame_query(0, duration), host_header="evil.example:80").status == 403,
          "a foreign Host is refused before /frame is looked at")
    check(get(port, "/frame?" + frame_query(0, duration), method="POST").status == 405, "POST /frame: 405")

    # /item: what a click on a remote frame's item shows (the page's details
    # panel); the first packet of the first connection's lane A->B.
    info = json.loads(get(port, "/native").body)
    origin_text = info["originNsText"]
    check(origin_text.isdigit() and float(int(origin_text)) == info["originNs"],
          f"originNsText is the origin, exact: {origin_text} ~ {info['originNs']}")
    item = get(port, "/item?sel=2.0.0.1")
    check(item.status == 200 and item.headers.get("content-type") == "application/json",
          f"/item: {item.status} {item.body[:200]!r}")
    described = json.loads(item.body)
    fields = dict(described["fields"])
    check(described["title"] and len(fields) >= 3, f"/item describes the packet: {described}")
    for query, status in (("sel=2.0.999999999.1", 404), ("sel=2.0", 400), ("sel=0.0.0.1", 400),
                          ("sel=2.0.0.1&w=1", 400), ("", 400)):
        a = get(port, "/item?" + query)
        check(a.status == status, f"/item?{query}: {a.status} (expected {status}) {a.body[:120]!r}")


def duration_of(port):
    return json.loads(get(port, "/native").body)["durationNs"]


def view_reads_lanes_from_store(what):
    """A view of the pre-5 profile whose frame's lanes all come from the lane store."""
    proc, url = start_view(lurk, ["--native", pre5])
    try:
        port = port_of(url)
        info = json.loads(get(port, "/native").body)
        check(info["summaryFromFile"] is True, f"{what}: the kept summary is read: {info}")
        check(get(port, "/frame?" + frame_query(0, info["durationNs"])).status == 200, f"{what}: a frame")
        after = json.loads(get(port, "/native").body)
        loads = {k: after[k] for k in ("laneLoads", "laneStoreLoads", "laneStoreBytes")}
        check(after["laneLoads"] > 0 and after["laneStoreLoads"] == after["laneLoads"],
              f"{what}: every lane of the frame from the lane store: {loads}")
    finally:
        stop(proc)
    return proc.stderr.read().decode()


def check_store_remade(kept):
    """A lane store deleted, or damaged, beside a summary that is still good
    is made again by the next view (it was once never remade: every later
    view read its lanes from the profile's rows)."""
    cache = os.environ["LURK_CACHE_DIR"]
    store = os.path.join(cache, kept[1])
    made = os.path.getsize(store)
    os.remove(store)
    err = view_reads_lanes_from_store("the store deleted")
    check(os.path.exists(store) and os.path.getsize(store) == made,
          f"the deleted store is made again, as large as before: {os.listdir(cache)}")
    check("lane store made again" in err, f"and lurk says so: {err!r}")
    if not os.path.exists(store):
        return
    with open(store, "r+b") as f:
        f.truncate(made // 2)
    err = view_reads_lanes_from_store("the store truncated")
    check(os.path.getsize(store) == made, f"a truncated store is made again: {os.path.getsize(store)} bytes")
    check("truncated" in err and "lane store made again" in err, f"and lurk says why: {err!r}")
    expected = sorted(kept + [kept[0][:-4] + ".outline"])
    check(sorted(os.listdir(cache)) == expected, f"nothing else is left in the cache: {os.listdir(cache)}")


def check_store_cut_short_while_viewed(kept):
    """The lane store cut short in place by another process while a view has
    it mapped: the view does not die of SIGBUS; it drops the store, says so,
    reads lanes from the profile, and its frames are the same bytes as those
    of a view with a whole store."""
    store = os.path.join(os.environ["LURK_CACHE_DIR"], kept[1])
    proc, url = start_view(lurk, ["--native", pre5])
    try:
        port = port_of(url)
        query = frame_query(0, duration_of(port))
        reference = get(port, "/frame?" + query)
        check(reference.status == 200, f"a frame from the whole store: {reference.status}")
    finally:
        stop(proc)
    proc, url = start_view(lurk, ["--native", pre5])
    try:
        port = port_of(url)
        with open(store, "r+b") as f:  # in place, as another process would: not a rename
            f.truncate(os.path.getsize(store) // 3)
        answer = get(port, "/frame?" + query)
        check(answer.status == 200 and answer.body == reference.body,
              f"the frame after the cut is the same bytes: {answer.status} {len(answer.body)} "
              f"against {len(reference.body)}")
        info = json.loads(get(port, "/native").body)
        counts = {k: info[k] for k in ("laneLoads", "laneStoreLoads", "laneStoreDrops", "laneStoreBytes")}
        check(info["laneStoreDrops"] == 1 and info["laneStoreLoads"] == 0 and info["laneLoads"] > 0 and
              info["laneStoreBytes"] == 0, f"the store was dropped, lanes read from the profile: {counts}")
        check(get(port, "/frame?" + frame_query(0, duration_of(port) / 7)).status == 200,
              "and the view goes on answering")
    finally:
        code = stop(proc)
    err = proc.stderr.read().decode()
    check(code == 0, f"the view ended normally (not by SIGBUS): exit {code}")
    check("changed while in use" in err, f"and lurk says why: {err!r}")
    err = view_reads_lanes_from_store("the store cut short under the last view")
    check("lane store made again" in err, f"the next view makes the store again: {err!r}")


def check_cold_open_from_lane_facts():
    import shutil
    import subprocess
    import time
    work = tempfile.mkdtemp(prefix="lurk-native-facts-")
    profile = os.path.join(work, "demo5.lurk")
    shutil.copy(demo, profile)
    # The demo holds lane facts (schema 5); an ingest into it adds those of a capture.
    capture = os.path.join(src, "tests", "data", "netlab-reset-v4.pcap")
    subprocess.run([lurk, "ingest", capture, "-o", profile], check=True, capture_output=True)
    facts = sqlite3.connect(profile).execute("SELECT count(*) FROM lane_facts").fetchone()[0]
    check(facts > 0, f"the demo has lane facts: {facts} rows")
    env = dict(os.environ, LURK_CACHE_DIR=tempfile.mkdtemp(prefix="lurk-native-facts-cache-"))
    frames = []
    for run in ("cold", "warm"):
        proc, url = start_view(lurk, ["--native", profile], env=env)
        try:
            port = port_of(url)
            info = json.loads(get(port, "/native").body)
            deadline = time.monotonic() + 60
            while info["backgroundPending"] and time.monotonic() < deadline:
                time.sleep(0.1)
                info = json.loads(get(port, "/native").body)
            check(not info["backgroundPending"] and not info["flowsPending"] and len(info["minimap"]) == 1024,
                  f"{run}: the background's store and minimap are in: pending {info['backgroundPending']}, "
                  f"{len(info['minimap'])} bins")
            r = get(port, "/frame?" + frame_query(0, info["durationNs"]))
            check(r.status == 200 and r.headers.get("x-lurk-pending") is None, f"{run}: a whole frame: {r.status}")
            frames.append(r.body)
        finally:
            stop(proc)
        err = proc.stderr.read().decode()
        if run == "cold":
            check("read from the profile's lane facts" in err and "lane summary made in" not in err,
                  f"the cold view read the lane facts, no pass over every event: {err!r}")
    check(frames[0] == frames[1], "the cold view's frame, once its background was done, is the warm view's")


def main():
    check_cold_open_from_lane_facts()
    proc, url = start_view(lurk, ["--native", pre5])
    try:
        port = port_of(url)
        check_native_answers(port, duration_of(port))
        first_outline = get(port, "/outline.lurk").body
    finally:
        stop(proc)
    err = proc.stderr.read().decode()
    check("opened for server-backed viewing" in err and "lane summary made in" in err,
          f"lurk view --native says so, and that it made the lane summary: {err!r}")
    listed = sorted(os.listdir(os.environ["LURK_CACHE_DIR"]))
    check(len(listed) == 3 and listed[0].endswith(".bin") and listed[1] == listed[0][:-4] + ".outline"
          and listed[2] == listed[0][:-4] + ".store",
          f"the summary, the outline and the lane store are kept in the cache: {listed}")
    kept = [listed[0], listed[2]]  # the summary and the store

    proc, url = start_view(lurk, ["--native", pre5])
    try:
        port = port_of(url)
        info = json.loads(get(port, "/native").body)
        check(info["summaryFromFile"] is True, f"the second view reads the kept summary: {info}")
        phases = [name for name, wall, cpu in info["loadPhases"]]
        check("lane summary read" in phases and "outline read from the cache" in phases,
              f"and the kept outline, its open's phases say: {phases}")
        check(get(port, "/outline.lurk").body == first_outline, "the kept outline is the one first written")
        duration = info["durationNs"]
        check(get(port, "/frame?" + frame_query(0, duration)).status == 200, "and draws frames")
        after = json.loads(get(port, "/native").body)
        check(after["laneLoads"] > 0 and after["laneBytes"] > 0, f"the frame's lanes were read: {after}")
        check(after["laneStoreLoads"] == after["laneLoads"] and after["laneStoreBytes"] > 0,
              f"all of them from the lane store: {after}")
        # Search runs over the lane store (names), then lurk view's pass over
        # the args: once it says all args are searched, the count is the
        # profile's spans and instants whose name or args contain the query,
        # and threads whose label does (the sqlite3 module's count, an oracle
        # apart from lurk; LIKE folds ASCII case as the page does).
        for q in ("tcp", "5322", "laddr"):
            def count_of(item_filter):
                return db.execute(item_filter.replace("Q", q)).fetchone()[0]
            names = count_of("SELECT (SELECT count(*) FROM spans JOIN strings s ON s.id = spans.name "
                             "WHERE s.text LIKE '%Q%' AND spans.kind != 'running') + "
                             "(SELECT count(*) FROM instants JOIN strings s ON s.id = instants.name "
                             "WHERE s.text LIKE '%Q%') + "
                             "(SELECT count(*) FROM threads JOIN strings s ON s.id = threads.name "
                             "WHERE s.text LIKE '%Q%')")
            def args_too(table, kind_filter):
                return (f"(SELECT count(*) FROM {table} LEFT JOIN strings s ON s.id = {table}.name "
                        f"WHERE {kind_filter} (coalesce(s.text, '') LIKE '%Q%' OR "
                        f"(args_json != '{{}}' AND args_json LIKE '%Q%')))")
            want = count_of("SELECT " + args_too("spans", "spans.kind != 'running' AND") + " + " +
                            args_too("instants", "") + " + (SELECT count(*) FROM threads JOIN strings s "
                            "ON s.id = threads.name WHERE s.text LIKE '%Q%')")
            deadline = time.time() + 60
            while True:
                r = get(port, "/frame?" + frame_query(0, duration, q=q))
                check(r.status == 200, f"search {q}: {r.status} {r.body[:200]!r}")
                _, _, _, _, matches, searched = parse_frame(r.body)
                check(matches >= names and (searched == 1 or 0 <= searched < 1),
                      f"search {q}: {matches} matches, {searched} of the args searched, the names alone {names}")
                if searched == 1 or time.time() > deadline:
                    break
                time.sleep(0.1)
            if q != "tcp":
                check(names == 0, f"{q} is in args only: {names} names")
            check(searched == 1 and matches == want and want > 0,
                  f"search {q} over the lane store and the args: {matches} matches ({searched} of the args "
                  f"searched), the profile's names and args {want} (names alone {names})")
    finally:
        stop(proc)
    err = proc.stderr.read().decode()
    check("lane summary read from" in err, f"the kept summary is said: {err!r}")
    check("lurk: outline:" not in err, f"nothing to say of the kept outline: {err!r}")
    check_store_remade(kept)
    check_store_cut_short_while_viewed(kept)

    proc, url = start_view(lurk, [demo])
    try:
        port = port_of(url)
        answer = get(port, "/native")
        check(answer.status == 200 and json.loads(answer.body) == {"native": False}
              and get(port, "/frame?t0=0").status == 404,
              f"in-browser mode (the default for a small profile): /native says no, no /frame: {answer}")
        check(get(port, "/trace.lurk").status == 200, "the profile itself is served as before")
    finally:
        stop(proc)

    proc, url = start_view(lurk, ["--native-over", "1000", demo])
    try:
        check(get(port_of(url), "/native").status == 200, "past the threshold: native without --native")
    finally:
        stop(proc)
    err = proc.stderr.read().decode()
    check("kept in this process" in err and "--in-browser" in err, f"the switch is said: {err!r}")

    proc, url = start_view(lurk, ["--native-over", "1000", "--in-browser", demo])
    try:
        check(json.loads(get(port_of(url), "/native").body) == {"native": False},
              "--in-browser keeps the profile in the page")
    finally:
        stop(proc)

    proc, url = start_view(lurk, ["--native", "--token", "s3cret", demo])
    try:
        port = port_of(url)
        check(get(port, "/native").status == 401, "/native without the token: 401")
        r = get(port, "/native", headers={"X-Lurk-Token": "s3cret"})
        check(r.status == 200, f"/native with the token: {r.status}")
        q = frame_query(0, json.loads(r.body)["durationNs"])
        check(get(port, "/frame?" + q).status == 401, "/frame without the token: 401")
        check(get(port, "/frame?" + q, headers={"X-Lurk-Token": "s3cret"}).status == 200,
              "/frame with the token: 200")
    finally:
        stop(proc)
    finish()


main()
