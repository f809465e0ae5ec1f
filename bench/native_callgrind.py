#!/usr/bin/env python3
"""Instructions that `lurk view --native` spends answering /frame
(FrameEndpoint::frame, counted by callgrind, which the machine's load does
not change) over native_bench.py's scripted walk: the first frame (the whole
trace), the 34-frame pan/zoom session, then the last rows (the biggest lanes)
and a zoom there. Warm: the lane summary and store are made first by a plain
run into a cache of this script's own (removed at the end), so the count is
that of a view opened from them, as a user's second view is.
Usage: native_callgrind.py --lurk BIN --profile P [--out callgrind.out]"""
import argparse
import http.client
import json
import os
import shutil
import subprocess
import tempfile

import native_bench


def walk(lurk_command, profile):
    """Starts `lurk view --native` with `lurk_command`, walks the frames, stops it."""
    proc, port, _ = native_bench.start_view(lurk_command, profile)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
        _, body = native_bench.timed_get(conn, "/native")
        d = json.loads(body)["durationNs"]
        q = native_bench.frame_query
        paths = ["/frame?" + q(-d * 0.01, d * 1.01)]
        paths += ["/frame?" + q(t0, t1) for (t0, t1) in native_bench.session(d)]
        paths += ["/frame?" + q(-d * 0.01, d * 1.01, scroll=1e8), "/frame?" + q(d * 0.4, d * 0.41, scroll=1e8)]
        for path in paths:
            native_bench.timed_get(conn, path)
        _, body = native_bench.timed_get(conn, "/native")
        return json.loads(body)
    finally:
        proc.terminate()
        proc.wait(600)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lurk", required=True)
    ap.add_argument("--profile", required=True)
    ap.add_argument("--out", default="callgrind.out.frame")
    args = ap.parse_args()
    cache = tempfile.mkdtemp(prefix="lurk-native-callgrind-")
    os.environ["LURK_CACHE_DIR"] = cache
    wrapper = os.path.join(cache, "lurk-under-callgrind")
    try:
        walk(args.lurk, args.profile)  # makes the summary and the store
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\nexec valgrind --tool=callgrind --collect-atstart=no "
                    "'--toggle-collect=lurk::server::FrameEndpoint::frame*' "
                    f"--callgrind-out-file={os.path.abspath(args.out)} {os.path.abspath(args.lurk)} \"$@\"\n")
        os.chmod(wrapper, 0o755)
        after = walk(wrapper, args.profile)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    totals = subprocess.run(["callgrind_annotate", args.out], capture_output=True, text=True).stdout
    line = next((l for l in totals.splitlines() if "PROGRAM TOTALS" in l), "")
    print(f"FrameEndpoint::frame over the walk: {line.split()[0] if line else '?'} instructions "
          f"({after['laneLoads']} lane reads, {after['laneStoreLoads']} from the store)")


if __name__ == "__main__":
    main()
