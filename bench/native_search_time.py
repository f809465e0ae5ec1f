#!/usr/bin/env python3
# `/` search in server-backed viewing, timed: lurk view --native on PROFILE, once its
# lane store is in, the first /frame with each query (the search of names over the
# store), the same frame again, the pass over the args (frames asked every 0.25 s
# until their answer says all args are searched: its time, the frames' times
# meanwhile, the count before and after), and five Enter steps (GET /mark?q=);
# then lurk view's peak resident memory. Usage:
#   python3 bench/native_search_time.py build/bin/lurk PROFILE QUERY...
import json, struct, subprocess, sys, time, urllib.request, urllib.parse
lurk, profile = sys.argv[1], sys.argv[2]
queries = sys.argv[3:] or ['parse']
p = subprocess.Popen([lurk, 'view', '--native', '--port', '0', profile], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
url = p.stdout.readline().strip()
u = urllib.parse.urlsplit(url)
base = f'{u.scheme}://{u.netloc}'
token = urllib.parse.parse_qs(u.query).get('token', [''])[0] or urllib.parse.parse_qs(u.fragment).get('token', [''])[0]
def get(path, q):
    full = f'{base}{path}?{q}' + (f'&token={token}' if token else '')
    t = time.time()
    with urllib.request.urlopen(full) as r:
        body = r.read()
    return time.time() - t, body
try:
    t0 = time.time()
    while True:
        _, b = get('/native', '')
        j = json.loads(b)
        if not j.get('backgroundPending'): break
        time.sleep(0.5)
    print(f'store ready after {time.time()-t0:.1f} s; events {j["counts"]}')
    d = j['durationNs']
    for q in queries:
        frame = f't0=0&t1={d}&lx=0&lw=300&x=300&w=1000&ry=0&rh=20&y=20&h=800&q={q}'
        a, body = get('/frame', frame)
        b, _ = get('/frame', frame)
        # Frame wire v3: the match count at byte 60, how much of the args it covers at 68.
        names, searched = struct.unpack_from('<qd', body, 60)
        pass_start, during = time.time(), []
        while searched < 1 and searched >= 0:
            time.sleep(0.25)
            f, body = get('/frame', frame)
            during.append(f * 1000)
            count, searched = struct.unpack_from('<qd', body, 60)
        count, searched = struct.unpack_from('<qd', body, 60)
        during.sort()
        print(f'q={q}: args pass {time.time() - pass_start:.2f} s (searched {searched}); matches {names} by names, '
              f'{count} with args; frames meanwhile p50 {during[len(during) // 2] if during else 0:.0f} ms, '
              f'max {during[-1] if during else 0:.0f} ms')
        steps = []
        sel = ''
        for i in range(5):
            s, mb = get('/mark', f'dir=1&t={d/2}&q={q}{sel}')
            m = json.loads(mb)
            steps.append(s)
            if 'sel' in m: sel = '&sel=' + m['sel']
        print(f'q={q}: first frame with it {a*1000:.0f} ms, again {b*1000:.0f} ms; Enter steps ' + ' '.join(f'{x*1000:.0f}' for x in steps) + ' ms; last ' + mb.decode()[:80])
    # What lurk view held at most (the lane store's mapped pages it touched included).
    with open(f'/proc/{p.pid}/status') as status:
        print('lurk view: ' + ', '.join(l.split(':')[0] + ' ' + l.split(':')[1].strip() for l in status
                                        if l.startswith(('VmHWM', 'VmRSS'))))
finally:
    p.terminate()
