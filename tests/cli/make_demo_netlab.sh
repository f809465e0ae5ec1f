#!/usr/bin/env bash
# samples/make-demo.sh in the network lab: makes a fresh demo (namespaces,
# forwarder, tcpdump, the demo stack), which checks its own findings, and
# compares the kinds of findings with the committed samples/demo.lurk (counts
# may vary from run to run; kinds must not). Needs root and network
# namespaces: without them it fails, it does not skip.
# Usage: make_demo_netlab.sh BIN_DIR SOURCE_DIR
set -euo pipefail
bin=$1 src=$2
if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1; then
  echo "FAIL: make-demo.sh needs root and network namespaces (ip netns); this runner has neither" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash "$src/samples/make-demo.sh" --bin "$bin" --out "$work"
kinds() {
  "$bin/lurk" findings "$1" --format json 2>/dev/null |
    python3 -c 'import json, sys; print(" ".join(sorted({f["kind"] for f in json.load(sys.stdin)})))'
}
fresh=$(kinds "$work/demo.lurk") committed=$(kinds "$src/samples/demo.lurk")
size=$(stat -c %s "$work/demo.lurk")
status=0
if [ "$fresh" = "$committed" ]; then echo "ok: fresh demo has the committed kinds: $fresh"
else echo "FAIL: fresh demo kinds [$fresh], committed [$committed]"; status=1; fi
if [ "$size" -lt 3000000 ]; then echo "ok: fresh demo.lurk is $size bytes"
else echo "FAIL: fresh demo.lurk is $size bytes (keep it under 3 MB)"; status=1; fi
echo "$((2 - status)) passed, $status failed"
exit $status
