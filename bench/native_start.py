#!/usr/bin/env python3
"""Start-up of server-backed viewing (`lurk view --native`, docs/server.md):
starts lurk view on a profile, waits for the URL, asks /native and the whole
trace's first frame (what the page asks first), and prints the process's CPU
time (user + system, from /proc/PID/stat: it does not depend on how busy the
machine is) at the URL and after the first frame, with the wall times. Extra
arguments go to lurk view (e.g. --timings: the open's phases on stderr,
printed after the line). Set LURK_CACHE_DIR to choose the cache (a first run
there is a cold open). bench/RESULTS.md, "start to first frame".
With --background (first, before the lurk view options): after the first
frame, asks /native every 0.25 s until a cold open's background work is done
(the flows and periods, then the lane store and minimap: docs/server.md, "A
cold open"), prints when each was seen done and the process's CPU then, and
asks the first frame again (now drawn from the store, with the flows).
Usage: native_start.py LURK PROFILE [--background] [lurk view options...]"""
import http.client
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from native_bench import frame_query  # noqa: E402


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    lurk, profile, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    background = bool(extra) and extra[0] == "--background"
    if background:
        extra = extra[1:]
    began = time.monotonic()
    proc = subprocess.Popen([lurk, "view", "--native", "--port", "0", *extra, profile],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = b""
    while not line.endswith(b"\n"):
        byte = proc.stdout.read1(1)
        if not byte:
            sys.exit("lurk view ended: " + proc.stderr.read().decode())
        line += byte
    url_s = time.monotonic() - began
    cpu_url = cpu_seconds(proc.pid)
    port = int(line.decode().split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request("GET", "/native")
    info = json.loads(conn.getresponse().read())
    asked = time.monotonic()
    conn.request("GET", "/frame?" + frame_query(0, info["durationNs"]))
    response = conn.getresponse()
    response.read()
    done = time.monotonic()
    cpu_frame = cpu_seconds(proc.pid)
    print(f"cpu to url {cpu_url:.2f} s, to first frame {cpu_frame:.2f} s; url {url_s:.3f} s  "
          f"first-frame-done {done - began:.3f} s (frame {1000 * (done - asked):.0f} ms, {response.status}, "
          f"{response.getheader('Server-Timing')}) load {info['loadSeconds']:.3f} "
          f"fromfile {info['summaryFromFile']} pending {response.getheader('X-Lurk-Pending')}")
    if background:
        flows_seen = None
        while True:
            conn.request("GET", "/native")
            now = json.loads(conn.getresponse().read())
            if flows_seen is None and not now.get("flowsPending"):
                flows_seen = time.monotonic() - began
                print(f"flows and periods in at {flows_seen:.2f} s (cpu {cpu_seconds(proc.pid):.2f} s)")
            if not now.get("backgroundPending"):
                print(f"lane store and minimap in at {time.monotonic() - began:.2f} s (cpu {cpu_seconds(proc.pid):.2f} s),"
                      f" store {now['laneStoreBytes']} bytes, minimap bins {len(now['minimap'])}")
                for name, wall, cpu in now.get("loadPhases", []):
                    if name.startswith("background"):
                        print(f"  {name}: {wall:.3f} s wall {cpu:.3f} s CPU")
                break
            time.sleep(0.25)
        asked = time.monotonic()
        conn.request("GET", "/frame?" + frame_query(0, info["durationNs"]))
        response = conn.getresponse()
        response.read()
        print(f"first frame again {1000 * (time.monotonic() - asked):.0f} ms ({response.getheader('Server-Timing')},"
              f" pending {response.getheader('X-Lurk-Pending')})")
    proc.terminate()
    print(proc.communicate()[1].decode().strip())


if __name__ == "__main__":
    main()
