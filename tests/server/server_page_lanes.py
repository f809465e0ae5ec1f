#!/usr/bin/env python3
"""The in-browser page's lane store over the real loopback server
(docs/server.md, "The page's lanes"): every /trace.lurk answer says in
X-Lurk-Lanes whether a store is worth waiting for. With a cache that cannot
be written no store can come: the header says "none" and /trace.lanes is a 404
with the reason at once (not a wait of minutes while the page says "its lane
store is being made"). With a cache, "making" or "ready", then the store
(200) and "ready".
Usage: server_page_lanes.py LURK_BIN SOURCE_DIR"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from cli_checks import check, finish  # noqa: E402
from http_probe import get, port_of, start_view, stop  # noqa: E402

lurk, src = sys.argv[1:3]
demo = os.path.join(src, "samples", "demo.lurk")
work = tempfile.mkdtemp(prefix="lurk-page-lanes-")

# A file where the cache directory should be: no directory can be made in it (root too).
blocker = os.path.join(work, "not-a-dir")
with open(blocker, "w") as f:
    f.write("x")
env = dict(os.environ, LURK_CACHE_DIR=os.path.join(blocker, "cache"))
proc, url = start_view(lurk, ["--in-browser", "--page-lanes-over", "0", demo], env=env)
try:
    port = port_of(url)
    trace = get(port, "/trace.lurk")
    check(trace.status == 200 and trace.headers.get("x-lurk-lanes") == "failed",
          f"no store can come: /trace.lurk says X-Lurk-Lanes {trace.headers.get('x-lurk-lanes')!r}")
    began = time.monotonic()
    lanes = get(port, "/trace.lanes")
    seconds = time.monotonic() - began
    check(lanes.status == 404 and b"cannot write" in lanes.body and seconds < 2,
          f"/trace.lanes at once with the reason: {lanes.status} {lanes.body[:200]!r} in {seconds:.2f} s")
finally:
    stop(proc)

env = dict(os.environ, LURK_CACHE_DIR=os.path.join(work, "cache"))
proc, url = start_view(lurk, ["--in-browser", "--page-lanes-over", "0", demo], env=env)
try:
    port = port_of(url)
    first = get(port, "/trace.lurk").headers.get("x-lurk-lanes")
    check(first in ("making", "ready"), f"a store is coming: X-Lurk-Lanes {first!r}")
    lanes = get(port, "/trace.lanes", timeout=120)
    check(lanes.status == 200 and lanes.body.startswith(b"lurk-store"),
          f"/trace.lanes: {lanes.status} {lanes.body[:40]!r}")
    after = get(port, "/trace.lurk").headers.get("x-lurk-lanes")
    check(after == "ready", f"once made: X-Lurk-Lanes {after!r}")
finally:
    stop(proc)


# The store kept by the view above is reused by the next: stderr says it was
# checked, not made, also when the summary beside it was lost (only the
# summary is made again then; the store's bytes stay as they were).
cache = os.path.join(work, "cache")
stores = [n for n in os.listdir(cache) if n.endswith(".store")]
check(len(stores) == 1, f"one store kept in the cache: {os.listdir(cache)}")
for lose_summary in (False, True):
    if lose_summary:
        for name in os.listdir(cache):
            if name.endswith(".bin"):
                os.remove(os.path.join(cache, name))
    store = os.path.join(cache, stores[0])
    before = os.stat(store).st_mtime_ns
    proc, url = start_view(lurk, ["--in-browser", "--page-lanes-over", "0", demo], env=env)
    try:
        lanes = get(port_of(url), "/trace.lanes", timeout=120)
        check(lanes.status == 200, f"/trace.lanes from the kept store: {lanes.status}")
    finally:
        stop(proc)
    said = proc.stderr.read().decode()
    what = "summary lost" if lose_summary else "summary kept"
    check("lane store for the page checked in" in said and "lane store for the page made" not in said,
          f"{what}: stderr says the kept store was checked: {said!r}")
    check(os.stat(store).st_mtime_ns == before, f"{what}: the kept store was not written again")

# Without a store for the page (--page-lanes-over -1) the header says so too.
proc, url = start_view(lurk, ["--in-browser", "--page-lanes-over", "-1", demo], env=env)
try:
    none = get(port_of(url), "/trace.lurk").headers.get("x-lurk-lanes")
    check(none == "none", f"no store offered: X-Lurk-Lanes {none!r}")
finally:
    stop(proc)
finish()
