#!/usr/bin/env python3
"""How long `lurk view` takes to exit on Ctrl-C while a lane store is being
made: --mode page, the page's store of a profile without lane facts (the pass
over every event, docs/server.md "The page's lanes"); --mode native, a cold
`--native` open's background store of a profile with lane facts ("A cold
open"). SIGINT some time after the URL, timed to the process's exit; whether
a store was made anyway (stderr). Two binaries in interleaved pairs (old,
new), each run with a fresh cache.
Usage: view_stop_bench.py --old LURK --new LURK --make-profile BIN [--mode page|native]
       [--events N] [--pairs P] [--wait S]"""
import argparse
import os
import signal
import sqlite3
import statistics
import subprocess
import tempfile
import time


def stop_once(lurk, profile, wait, mode):
    env = dict(os.environ, LURK_CACHE_DIR=tempfile.mkdtemp(prefix="lurk-stop-bench-cache-"))
    args = ["--native"] if mode == "native" else ["--in-browser", "--page-lanes-over", "0"]
    proc = subprocess.Popen([lurk, "view", "--port", "0", *args, profile],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    proc.stdout.readline()  # the URL: the store is being made beside the server
    time.sleep(wait)
    began = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.wait(600)
    seconds = time.monotonic() - began
    made = os.path.isdir(env["LURK_CACHE_DIR"]) and any(
        name.endswith(".store") for _, _, names in os.walk(env["LURK_CACHE_DIR"]) for name in names)
    return seconds, made


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--make-profile", required=True)
    ap.add_argument("--mode", choices=("page", "native"), default="page")
    ap.add_argument("--events", type=int, default=2_000_000)
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--wait", type=float, default=0.2, help="seconds from the URL to SIGINT")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="lurk-stop-bench-")
    profile = os.path.join(work, "pre5.lurk")
    subprocess.run([a.make_profile, "--events", str(a.events), "-o", profile], check=True)
    if a.mode == "page":
        # Without lane facts: the store is made by the pass over every event (a profile before schema 5).
        db = sqlite3.connect(profile)
        db.execute("DELETE FROM lane_facts")
        db.commit()
        db.close()
    times = {"old": [], "new": []}
    for _ in range(a.pairs):
        for name in ("old", "new"):
            seconds, made = stop_once(getattr(a, name), profile, a.wait, a.mode)
            times[name].append(seconds)
            print(f"{name}: exit {seconds:.2f} s after SIGINT, store made anyway: {made}", flush=True)
    for name, values in times.items():
        print(f"{name}: median {statistics.median(values):.2f} s, range {min(values):.2f}-{max(values):.2f} s")


if __name__ == "__main__":
    main()
