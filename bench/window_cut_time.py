#!/usr/bin/env python3
# `lurk export --window`, timed: windows of 0.1%, 1% and 10% of PROFILE's duration
# at its start, middle and end (the spans index has no end time, so a window late
# in a lane reads the spans that start before it), each cut REPS times; prints
# the median wall and CPU time, peak RSS and what the cut holds. Usage:
#   python3 bench/window_cut_time.py build/bin/lurk PROFILE [REPS [WIDTHS, e.g. 0.001,0.01]]
import os, re, sqlite3, statistics, subprocess, sys, tempfile
lurk, profile = sys.argv[1], sys.argv[2]
reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
widths = [float(w) for w in sys.argv[4].split(',')] if len(sys.argv) > 4 else [0.001, 0.01, 0.1]
db = sqlite3.connect(f'file:{profile}?mode=ro', uri=True)
# The timeline's span, from the lane facts (the profile's first and last times).
first, last = db.execute('SELECT min(first_ns), max(last_ns) FROM lane_facts').fetchone()
for (lo,) in db.execute('SELECT min(first_ns) FROM connections'):
    if lo is not None: first = min(first, lo)
duration = last - first
out = os.path.join(tempfile.mkdtemp(prefix='lurk-cut-bench-'), 'cut.lurk')
print(f'{profile}: {duration / 1e9:.3f} s; {os.path.getsize(profile) / 1e9:.2f} GB')
print('| window | where | wall s (median) | CPU s | peak RSS MB | cut MB | holds |')
print('|---|---|---:|---:|---:|---:|---|')
for width in widths:
    for where, at in (('start', 0.0), ('middle', 0.5 - width / 2), ('end', 1.0 - width)):
        f, t = int(duration * at), int(duration * (at + width))
        walls, cpus, rss, holds = [], [], [], ''
        for _ in range(reps):
            r = subprocess.run(['/usr/bin/time', '-f', '%e %U %S %M', lurk, 'export', profile, '-o', out,
                                '--window', f'{f},{t}'], capture_output=True, text=True)
            if r.returncode != 0: sys.exit(r.stderr)
            e, u, s, m = r.stderr.strip().splitlines()[-1].split()
            walls.append(float(e)); cpus.append(float(u) + float(s)); rss.append(int(m) / 1024)
            holds = re.search(r': (\d+ packets.*findings)', r.stderr).group(1)
        print(f'| {width:.1%} | {where} | {statistics.median(walls):.2f} | {statistics.median(cpus):.2f} | '
              f'{max(rss):.0f} | {os.path.getsize(out) / 1e6:.1f} | {holds} |')
