#!/usr/bin/env python3
"""How long `lurk view` takes to exit on Ctrl-C while the page's lane store
of a profile without lane facts is being made (the pass over every event,
docs/server.md "The page's lanes"): SIGINT some time after the URL, timed to
the process's exit; whether a store was made anyway (stderr). Two binaries in
interleaved pairs (old, new), each run with a fresh cache.
Usage: view_stop_bench.py --old LURK --new LURK --make-profile BIN [--events N]
       [--pairs P] [--wait S]"""
import argparse
import os
import signal
import sqlite3
import statistics
import subprocess
import tempfile
import time


def stop_once(lurk, profile, wait):
    env = dict(os.environ, LURK_CACHE_DIR=tempfile.mkdtemp(prefix="lurk-stop-bench-cache-"))
    proc = subprocess.Popen([lurk, "view", "--port", "0", "--in-browser", "--page-lanes-over", "0", profile],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    proc.stdout.readline()  # the URL: the store is being made beside the server
    time.sleep(wait)
    began = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.wait(600)
    seconds = time.monotonic() - began
    return seconds, "lane store for the page made" in proc.stderr.read().decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--make-profile", required=True)
    ap.add_argument("--events", type=int, default=2_000_000)
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--wait", type=float, default=0.2, help="seconds from the URL to SIGINT")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="lurk-stop-bench-")
    profile = os.path.join(work, "pre5.lurk")
    subprocess.run([a.make_profile, "--events", str(a.events), "-o", profile], check=True)
    # Without lane facts: the store is made by the pass over every event (a profile before schema 5).
    db = sqlite3.connect(profile)
    db.execute("DELETE FROM lane_facts")
    db.commit()
    db.close()
    times = {"old": [], "new": []}
    for _ in range(a.pairs):
        for name in ("old", "new"):
            seconds, made = stop_once(getattr(a, name), profile, a.wait)
            times[name].append(seconds)
            print(f"{name}: exit {seconds:.2f} s after SIGINT, store made anyway: {made}", flush=True)
    for name, values in times.items():
        print(f"{name}: median {statistics.median(values):.2f} s, range {min(values):.2f}-{max(values):.2f} s")


if __name__ == "__main__":
    main()
