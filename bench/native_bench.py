#!/usr/bin/env python3
"""Server-backed viewing (`lurk view --native`, docs/server.md) on a large
generated profile (bench/make_profile.cpp, 100M events by default): the
native process opens it as a lazy model (its small tables and a per-lane
summary; lanes are read when a frame first shows them, under a memory
budget). Measured twice: a cold open (no lane summary in the cache: it is
made, with the lane store, in one pass over the events) and a warm one (the
summary and store kept by the first): open to URL printed, the first frame (the whole trace, as the
page first asks), a pan/zoom session of frames over loopback HTTP
(keep-alive, one request at a time, as the page sends them), then a scroll
to the last rows (the profile's biggest lanes), each timed from request to
last byte, and the process's memory. Appends a section to bench/RESULTS.md
with machine, date, commit and the load average seen.
With --cache DIR the summary and store are kept in DIR (made by the first
run when missing, then read): both runs are then warm ones, which is how two
binaries are compared on a big profile without paying two cold opens each
(give each binary a DIR of its own: their stores' formats may differ).
Usage: native_bench.py --build BUILD_DIR [--events N] [--profile P] [--cache DIR] [--append RESULTS.md]"""
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


def view_run(lurk, profile):
    """One `lurk view --native` from start to stop: the timings and /native."""
    proc, port, began = start_view(lurk, profile)
    url_s = time.monotonic() - began
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        _, body = timed_get(conn, "/native")
        info = json.loads(body)
        duration = info["durationNs"]
        CPU_MS.clear()
        first_ms, first = timed_get(conn, "/frame?" + frame_query(-duration * 0.01, duration * 1.01))
        # What the user waits for: from starting lurk view to the first
        # frame's last byte (the URL, /native, the frame).
        first_from_start_s = time.monotonic() - began
        times, sizes = [], []
        for (t0, t1) in session(duration):
            ms, body = timed_get(conn, "/frame?" + frame_query(t0, t1))
            times.append(ms)
            sizes.append(len(body))
        first_cpu, cpus = CPU_MS[0], CPU_MS[1:]
        # The last rows: the group of threads on no connection, with the
        # biggest lanes (bench/make_profile.cpp: 10M spans on one thread, 10M
        # samples of one counter); read on first sight, then held.
        bottom_ms, _ = timed_get(conn, "/frame?" + frame_query(-duration * 0.01, duration * 1.01, scroll=1e8))
        again_ms, _ = timed_get(conn, "/frame?" + frame_query(duration * 0.4, duration * 0.41, scroll=1e8))
        bottom_cpu, again_cpu = CPU_MS[-2], CPU_MS[-1]
        _, body = timed_get(conn, "/native")
        after = json.loads(body)
    finally:
        proc.terminate()
        proc.wait(60)
    return {"url_s": url_s, "first_from_start_s": first_from_start_s, "info": info, "after": after, "first_ms": first_ms, "first_kb": len(first) / 1024,
            "times": times, "sizes": sizes, "bottom_ms": bottom_ms, "bottom_again_ms": again_ms,
            "first_cpu": first_cpu, "cpus": cpus, "bottom_cpu": bottom_cpu, "again_cpu": again_cpu}


def run_rows(label, r):
    info, after, times = r["info"], r["after"], r["times"]
    mb = 2 ** 20
    phases = "; ".join(f"{name} {wall:.2f} s ({cpu:.2f} s CPU)" for name, wall, cpu in info.get("loadPhases", []))
    return [
        f"| {label}: `lurk view --native` start to first frame answered (URL, /native, frame) | {r['first_from_start_s']:.2f} s |",
        f"| {label}: `lurk view --native` start to URL printed | {r['url_s']:.2f} s |",
        *([f"| {label}: the open's phases (`/native` loadPhases) | {phases} |"] if phases else []),
        f"| {label}: of which the lane summary ({'read from the file' if info['summaryFromFile'] else 'made: one pass over the events'}) | {info['summarySeconds']:.1f} s |",
        f"| {label}: first frame (whole trace, 1400x800 px, top rows), request to last byte (server CPU) | {r['first_ms']:.0f} ms ({r['first_cpu']:.0f} ms CPU, {r['first_kb']:.0f} KB) |",
        f"| {label}: pan/zoom frames ({len(times)}: 12 zoom-ins, 10 pans, 12 zoom-outs) p50 / p95 / max | "
        f"{statistics.median(times):.0f} / {percentile(times, 95):.0f} / {max(times):.0f} ms |",
        f"| {label}: the same frames' server CPU time p50 / p95 / max | "
        f"{statistics.median(r['cpus']):.1f} / {percentile(r['cpus'], 95):.1f} / {max(r['cpus']):.1f} ms |",
        f"| {label}: scroll to the last rows (the biggest lanes read) / then zoomed in there (server CPU) | {r['bottom_ms']:.0f} ms ({r['bottom_cpu']:.0f} CPU) / {r['bottom_again_ms']:.0f} ms ({r['again_cpu']:.0f} CPU) |",
        f"| {label}: lanes held after the session (budget {after['laneBudgetBytes'] / mb:,.0f} MB) / most at once | "
        f"{after['laneBytes'] / mb:,.0f} MB / {after['lanePeakBytes'] / mb:,.0f} MB ({after['laneLoads']} lane reads, {after['laneDrops']} dropped) |",
        f"| {label}: process memory (RSS) after the session / peak | {after['rssBytes'] / mb:,.0f} MB / {after['peakRssBytes'] / mb:,.0f} MB |",
        f"| {label}: lane reads from the lane store (its file: {after.get('laneStoreBytes', 0) / mb:,.0f} MB) / from the profile's rows | "
        f"{after.get('laneStoreLoads', 0)} / {after['laneLoads'] - after.get('laneStoreLoads', 0)} |",
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--events", type=int, default=100_000_000)
    ap.add_argument("--profile", help="reuse this profile (made when missing)")
    ap.add_argument("--cache", help="keep the summary and store here (warm runs once made)")
    ap.add_argument("--append")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    lurk = os.path.join(build, "bin", "lurk")
    profile = args.profile or os.path.join(build, "bench-data", f"native-{args.events}.lurk")
    make_s = None
    if not os.path.exists(profile):
        os.makedirs(os.path.dirname(profile), exist_ok=True)
        began = time.monotonic()
        subprocess.run([os.path.join(build, "bin", "lurk-make-profile"), "--events", str(args.events),
                        "-o", profile], check=True)
        make_s = time.monotonic() - began
    size = os.path.getsize(profile)
    # A cache of its own: the first view makes the lane summary, the second reads it.
    # (The lane store there is about 25 bytes an event: removed at the end.)
    cache = args.cache or tempfile.mkdtemp(prefix="lurk-native-bench-")
    os.makedirs(cache, exist_ok=True)
    os.environ["LURK_CACHE_DIR"] = cache
    load_before = os.getloadavg()
    try:
        cold = view_run(lurk, profile)
        warm = view_run(lurk, profile)
    finally:
        if not args.cache:
            shutil.rmtree(cache, ignore_errors=True)
    load_after = os.getloadavg()
    info = cold["info"]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=os.path.dirname(__file__)).stdout.strip()
    sizes = cold["sizes"] + warm["sizes"]
    lines = [
        "",
        f"## Server-backed viewing (`lurk view --native`, lazy lanes), {info['counts']['events'] + info['counts']['packets']:,} events"
        f" ({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit {commit})",
        "",
        f"Machine: {platform.node()}, {os.cpu_count()} cores, {platform.machine()}; load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after (shared with other builds: wall times are noisy).",
        f"Profile: {os.path.basename(profile)}, {info['counts']['packets']:,} packets + {info['counts']['events']:,} "
        f"thread/counter events, {info['counts']['connections']} connections, {info['counts']['threads']} threads, "
        f"{size / 1e9:.2f} GB" + (f" (made in {make_s:.0f} s)" if make_s else "") + ".",
        "",
        "| measure | value |",
        "|---|---|",
        *run_rows("cold" if not cold["info"]["summaryFromFile"] else "warm (1)", cold),
        *run_rows("warm" if not cold["info"]["summaryFromFile"] else "warm (2)", warm),
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
