#!/usr/bin/env python3
"""Server-backed viewing (`lurk view --native`, docs/server.md) on a large
generated profile (bench/make_profile.cpp, 100M events by default): the
native process opens it as a lazy model (its small tables and a per-lane
summary; lanes are read when a frame first shows them, under a memory
budget). Measured twice: a cold open (no lane summary in the cache) and a
warm one (the summary and store kept by the first). A cold open of a profile
with lane facts (schema version 5) makes its lane store in the background
(docs/server.md, "A cold open"): its walk runs at once ("cold, store
pending"), then /native is polled until `backgroundPending` is false, as the
page does, and the walk runs again in the same process ("cold, after the
store"); the warm run must then find the store (else it is an error: a warm
run after a cold open that kept nothing is not a warm number). Each walk:
open to URL printed, the first frame (the whole trace, as the
page first asks), a pan/zoom session of frames over loopback HTTP
(keep-alive, one request at a time, as the page sends them), then a scroll
to the last rows (the profile's biggest lanes), each timed from request to
last byte, and the process's memory. Appends a section to bench/RESULTS.md
with machine, date, commit and the load average seen.
With --cache DIR the summary and store are kept in DIR (made by the first
run when missing, then read): both runs are then warm ones, which is how two
binaries are compared on a big profile without paying two cold opens each
(give each binary a DIR of its own: their stores' formats may differ).
With --lurk another binary is run (main's, to compare) with BUILD's lurk-make-profile.
Usage: native_bench.py --build BUILD_DIR [--lurk LURK] [--events N] [--profile P] [--cache DIR] [--append RESULTS.md]"""
import argparse
import datetime
import http.client
import json
import os
import platform
import select
import shutil
import statistics
import subprocess
import tempfile
import time
from urllib.parse import quote


def frame_query(t0, t1, width=1400, height=800, scroll=0):
    # The geometry of a 1680x1050 page: labels 300 px, ruler 40 px, rows below.
    params = {"t0": repr(float(t0)), "t1": repr(float(t1)), "lx": 0, "lw": 300, "x": 300,
              "w": width, "ry": 60, "rh": 40, "y": 100, "h": height, "sy": scroll}
    return "&".join(f"{k}={quote(str(v), safe='')}" for k, v in params.items())


def start_view(lurk, profile):
    began = time.monotonic()
    proc = subprocess.Popen([lurk, "view", "--native", "--port", "0", profile],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = b""
    while not line.endswith(b"\n"):
        ready, _, _ = select.select([proc.stdout], [], [], 1.0)
        if ready:
            byte = proc.stdout.read1(1)
            if not byte:
                raise RuntimeError("lurk view ended: " + proc.stderr.read().decode())
            line += byte
        elif proc.poll() is not None:
            raise RuntimeError("lurk view ended: " + proc.stderr.read().decode())
    url = line.decode().strip()
    port = int(url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
    return proc, port, began


CPU_MS = []  # per /frame: the server's CPU time (its Server-Timing header), in order


def timed_get(conn, path):
    began = time.monotonic()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    ms = (time.monotonic() - began) * 1000
    if response.status != 200:
        raise RuntimeError(f"{path[:80]}: {response.status} {body[:200]!r}")
    timing = response.getheader("Server-Timing") or ""
    for part in timing.split(","):
        name, _, dur = part.strip().partition(";dur=")
        if name == "cpu":
            CPU_MS.append(float(dur))
    return ms, body


def session(duration):
    """Windows a user walks through: zoom in at the middle, pan, zoom out."""
    t0, t1 = -duration * 0.01, duration * 1.01
    windows = []
    for _ in range(12):  # zoom in by the wheel's step (0.8) around 40% of the trace
        anchor = duration * 0.4
        t0, t1 = anchor - (anchor - t0) * 0.8, anchor + (t1 - anchor) * 0.8
        windows.append((t0, t1))
    for _ in range(10):  # pan right by a tenth of the window (dragging)
        step = (t1 - t0) * 0.1
        t0, t1 = t0 + step, t1 + step
        windows.append((t0, t1))
    for _ in range(12):  # and back out
        mid = (t0 + t1) / 2
        t0, t1 = mid - (mid - t0) / 0.8, mid + (t1 - mid) / 0.8
        windows.append((t0, t1))
    return windows


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def walk(conn, duration):
    """The scripted views on an open `lurk view`: the first frame, the pan/zoom
    session, the last rows; each timed, with the server's CPU per frame."""
    CPU_MS.clear()
    began = time.monotonic()
    first_ms, first = timed_get(conn, "/frame?" + frame_query(-duration * 0.01, duration * 1.01))
    first_done = time.monotonic()
    times, sizes = [], []
    for (t0, t1) in session(duration):
        ms, body = timed_get(conn, "/frame?" + frame_query(t0, t1))
        times.append(ms)
        sizes.append(len(body))
    first_cpu, cpus = CPU_MS[0], CPU_MS[1:]
    # The last rows: the group of threads on no connection, with the
    # biggest lanes (bench/make_profile.cpp: 10M spans on one thread, 10M
    # samples of one counter at 100M events); read on first sight, then held.
    bottom_ms, _ = timed_get(conn, "/frame?" + frame_query(-duration * 0.01, duration * 1.01, scroll=1e8))
    again_ms, _ = timed_get(conn, "/frame?" + frame_query(duration * 0.4, duration * 0.41, scroll=1e8))
    bottom_cpu, again_cpu = CPU_MS[-2], CPU_MS[-1]
    _, body = timed_get(conn, "/native")
    return {"began": began, "first_done": first_done, "first_ms": first_ms, "first_kb": len(first) / 1024,
            "times": times, "sizes": sizes, "bottom_ms": bottom_ms, "bottom_again_ms": again_ms,
            "first_cpu": first_cpu, "cpus": cpus, "bottom_cpu": bottom_cpu, "again_cpu": again_cpu,
            "after": json.loads(body)}


def wait_for_background(conn, began, limit_s=3600):
    """Polls /native until a cold open's background work (the lane store and
    the minimap, docs/server.md "A cold open") is done, as the page does;
    seconds from the view's start, and /native then."""
    while True:
        _, body = timed_get(conn, "/native")
        now = json.loads(body)
        if not now.get("backgroundPending"):
            return time.monotonic() - began, now
        if time.monotonic() - began > limit_s:
            raise RuntimeError("the background was not done in an hour")
        time.sleep(0.25)


def view_run(lurk, profile, expect_warm=False, cold_walk_after=0.0):
    """One `lurk view --native` from start to stop. Its walks: at once after the
    open and, for a cold open whose lane store is made in the background (a
    profile with lane facts), again once the background is done (the same
    process: its lanes then views of the new store)."""
    proc, port, began = start_view(lurk, profile)
    url_s = time.monotonic() - began
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
        _, body = timed_get(conn, "/native")
        info = json.loads(body)
        pending = info.get("backgroundPending", False)
        if expect_warm and (not info["summaryFromFile"] or pending):
            raise RuntimeError("the warm run is not warm: the first run's summary and store were not kept "
                               f"(summaryFromFile {info['summaryFromFile']}, backgroundPending {pending})")
        if pending and cold_walk_after > 0:
            # A user who looks first, then moves: the walk starts that long
            # after the view's start (the background at work meanwhile).
            time.sleep(max(0.0, cold_walk_after - (time.monotonic() - began)))
            conn.close()  # (the server closes an idle keep-alive connection meanwhile)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
        first = walk(conn, info["durationNs"])
        first["first_from_start_s"] = first["first_done"] - began
        first["pending_after"] = first["after"].get("backgroundPending", False)
        later = None
        if pending:
            done_s, done_info = wait_for_background(conn, began)
            later = walk(conn, info["durationNs"])
            later["first_from_start_s"] = None
            later["background_done_s"] = done_s
            later["background_phases"] = [p for p in done_info.get("loadPhases", []) if p[0].startswith("background")]
    finally:
        proc.terminate()
        proc.wait(60)
    first.update({"url_s": url_s, "info": info})
    if later:
        later.update({"url_s": None, "info": info})
    return first, later


def run_rows(label, r, base=None):
    """The table rows of one walk; `base`: /native before it in the same
    process (the lane counts are the process's: the walk's own are the
    difference)."""
    info, after, times = r["info"], r["after"], r["times"]
    mb = 2 ** 20
    loads = after["laneLoads"] - (base["laneLoads"] if base else 0)
    store_loads = after.get("laneStoreLoads", 0) - (base.get("laneStoreLoads", 0) if base else 0)
    phases = "; ".join(f"{name} {wall:.2f} s ({cpu:.2f} s CPU)" for name, wall, cpu in info.get("loadPhases", []))
    rows = []
    if r["first_from_start_s"] is not None:
        rows += [
            f"| {label}: `lurk view --native` start to first frame answered (URL, /native, frame) | {r['first_from_start_s']:.2f} s |",
            f"| {label}: `lurk view --native` start to URL printed | {r['url_s']:.2f} s |",
            *([f"| {label}: the open's phases (`/native` loadPhases) | {phases} |"] if phases else []),
            f"| {label}: of which the lane summary ({'read from the file' if info['summaryFromFile'] else 'made from the facts or by one pass over the events'}) | {info['summarySeconds']:.1f} s |",
        ]
    if r.get("background_done_s") is not None:
        bg = "; ".join(f"{name[len('background: '):]} {wall:.2f} s ({cpu:.2f} s CPU)" for name, wall, cpu in r["background_phases"])
        rows.append(f"| {label}: the background's lane store and minimap in, from the view's start (its phases) | "
                    f"{r['background_done_s']:.1f} s ({bg}) |")
    if r.get("pending_after") is False and base is None and info.get("backgroundPending"):
        rows.append(f"| {label}: note | the background was done before this walk ended: its later frames had the store |")
    rows += [
        f"| {label}: first frame (whole trace, 1400x800 px, top rows), request to last byte (server CPU) | {r['first_ms']:.0f} ms ({r['first_cpu']:.0f} ms CPU, {r['first_kb']:.0f} KB) |",
        f"| {label}: pan/zoom frames ({len(times)}: 12 zoom-ins, 10 pans, 12 zoom-outs) p50 / p95 / max | "
        f"{statistics.median(times):.0f} / {percentile(times, 95):.0f} / {max(times):.0f} ms |",
        f"| {label}: the same frames' server CPU time p50 / p95 / max | "
        f"{statistics.median(r['cpus']):.1f} / {percentile(r['cpus'], 95):.1f} / {max(r['cpus']):.1f} ms |",
        f"| {label}: scroll to the last rows (the biggest lanes read) / then zoomed in there (server CPU) | {r['bottom_ms']:.0f} ms ({r['bottom_cpu']:.0f} CPU) / {r['bottom_again_ms']:.0f} ms ({r['again_cpu']:.0f} CPU) |",
        f"| {label}: lanes held after the walk (budget {after['laneBudgetBytes'] / mb:,.0f} MB) / most at once | "
        f"{after['laneBytes'] / mb:,.0f} MB / {after['lanePeakBytes'] / mb:,.0f} MB ({loads} lane reads in the walk, {after['laneDrops']} dropped) |",
        f"| {label}: process memory (RSS) after the walk / peak | {after['rssBytes'] / mb:,.0f} MB / {after['peakRssBytes'] / mb:,.0f} MB |",
        f"| {label}: the walk's lane reads from the lane store (its file: {after.get('laneStoreBytes', 0) / mb:,.0f} MB) / from the profile's rows"
        f"{' / handed over by the background' if 'laneHandedLoads' in after else ''} | "
        f"{store_loads} / {loads - store_loads - (after.get('laneHandedLoads', 0) - (base.get('laneHandedLoads', 0) if base else 0))}"
        f"{' / ' + str(after['laneHandedLoads'] - (base.get('laneHandedLoads', 0) if base else 0)) if 'laneHandedLoads' in after else ''} |",
    ]
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--lurk", help="the lurk binary (default: BUILD/bin/lurk), e.g. main's to compare")
    ap.add_argument("--events", type=int, default=100_000_000)
    ap.add_argument("--profile", help="reuse this profile (made when missing)")
    ap.add_argument("--cache", help="keep the summary and store here (warm runs once made)")
    ap.add_argument("--cold-walk-after", type=float, default=0.0,
                    help="start a cold open's first walk this many seconds after the view's start")
    ap.add_argument("--append")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    lurk = os.path.abspath(args.lurk) if args.lurk else os.path.join(build, "bin", "lurk")
    profile = args.profile or os.path.join(build, "bench-data", f"native-{args.events}.lurk")
    make_s = None
    if not os.path.exists(profile):
        os.makedirs(os.path.dirname(profile), exist_ok=True)
        began = time.monotonic()
        subprocess.run([os.path.join(build, "bin", "lurk-make-profile"), "--events", str(args.events),
                        "-o", profile], check=True)
        make_s = time.monotonic() - began
    size = os.path.getsize(profile)
    # A cache of its own: the first view makes the lane summary and store
    # (in the background for a profile with lane facts: the run waits for it),
    # the second reads them, and must find them (a warm run that is not warm
    # is an error, not a number). The store is about 25 bytes an event:
    # removed at the end.
    cache = args.cache or tempfile.mkdtemp(prefix="lurk-native-bench-")
    os.makedirs(cache, exist_ok=True)
    os.environ["LURK_CACHE_DIR"] = cache
    load_before = os.getloadavg()
    try:
        cold, cold_later = view_run(lurk, profile, cold_walk_after=args.cold_walk_after)
        warm, warm_later = view_run(lurk, profile, expect_warm=True)
    finally:
        if not args.cache:
            shutil.rmtree(cache, ignore_errors=True)
    load_after = os.getloadavg()
    info = cold["info"]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=os.path.dirname(__file__)).stdout.strip()
    sizes = cold["sizes"] + warm["sizes"]
    first_label = ("cold" if not cold_later else "cold, store pending") if not info["summaryFromFile"] else "warm (1)"
    lines = [
        "",
        f"## Server-backed viewing (`lurk view --native`, lazy lanes), {info['counts']['events'] + info['counts']['packets']:,} events"
        f" ({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit {commit}, {os.path.basename(lurk)} {lurk})",
        "",
        f"Machine: {platform.node()}, {os.cpu_count()} cores, {platform.machine()}; load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after (shared with other builds: wall times are noisy).",
        f"Profile: {os.path.basename(profile)}, {info['counts']['packets']:,} packets + {info['counts']['events']:,} "
        f"thread/counter events, {info['counts']['connections']} connections, {info['counts']['threads']} threads, "
        f"{size / 1e9:.2f} GB" + (f" (made in {make_s:.0f} s)" if make_s else "") + ".",
        "",
        "| measure | value |",
        "|---|---|",
        *run_rows(first_label, cold),
        *(run_rows("cold, after the store (same process)", cold_later, cold["after"]) if cold_later else []),
        *run_rows("warm" if not info["summaryFromFile"] else "warm (2)", warm),
        f"| frame answer size p50 / max | {statistics.median(sizes) / 1024:.0f} / {max(sizes) / 1024:.0f} KB |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.append:
        with open(args.append, "a") as f:
            f.write(text)


if __name__ == "__main__":  # native_callgrind.py imports its walk
    main()
