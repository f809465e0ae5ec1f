#!/usr/bin/env bash
# Writes node-workers.json: a real multi-process, multi-thread Chrome trace
# written by Node.js's own tracing while node-workers.js runs (main thread,
# worker thread, forked child process). Node writes one file per process
# (trace-PID.json); their traceEvents are put into one object, parent first,
# as a trace of several processes is. Event text is Node's, unchanged.
# Usage: make-node-workers-trace.sh (needs node)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
node --expose-internals --no-warnings --trace-event-categories node,node.async_hooks,lurk \
     --trace-event-file-pattern 'trace-${pid}.json' "$here/node-workers.js"
python3 - "$here/node-workers.json" trace-*.json <<'PY'
import json, sys
out, files = sys.argv[1], sys.argv[2:]
parts = []
for path in files:
    events = json.load(open(path))["traceEvents"]
    parts.append((min(e["pid"] for e in events), events))
parts.sort()  # the parent has the lower pid here; either order is a valid trace
with open(out, "w") as f:
    f.write('{"traceEvents":[\n')
    f.write(",\n".join(json.dumps(e, separators=(",", ":")) for _, events in parts for e in events))
    f.write("\n]}\n")
PY
echo "wrote $here/node-workers.json ($(wc -c < "$here/node-workers.json") bytes)"
