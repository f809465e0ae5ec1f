#!/usr/bin/env bash
# The live oracle test: builds fresh impaired captures in the network lab
# (tests/netlab/netlab.sh: namespaces joined by lurk-impair) over IPv4 and IPv6
# -- a bulk transfer, many short connections, a reset, zero-window stalls from
# a slow reader, captures cut by a small snaplen -- then compares lurk's TCP
# analysis with tshark's on each, frame by frame (compare_tcp_analysis.py).
# Needs root for namespaces and tcpdump: without them it says why and exits
# 77, ctest's skip code here.
# The captures of the last run stay in OUT_DIR for a look at any disagreement.
# Usage: oracle_tcp_netlab.sh LURK_BIN LURK_IMPAIR_BIN OUT_DIR [SEED]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lab="$here/../netlab/netlab.sh"
lurk=$1 impair=$2 out=$3
seed=${4:-$(( $(date +%s) % 100000 ))}

skip() { echo "oracle_tcp_netlab: skipped: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root to create network namespaces and capture with tcpdump"
for tool in ip tcpdump tshark ethtool python3; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/install-deps.sh)"
done
probe="lurk-$$-probe"
ip netns add "$probe" 2>/dev/null || skip "cannot create network namespaces here"
ip netns del "$probe"

rm -rf "$out"
mkdir -p "$out"
echo "oracle_tcp_netlab: seed $seed, captures in $out"
failed_captures=0
make_capture() {  # make_capture NAME ARGS...: one lab run into $out/NAME.pcap
  local name=$1; shift
  if ! timeout 150 "$lab" --impair "$impair" --out "$out/$name.pcap" "$@" 2>"$out/$name.log"; then
    echo "FAILED: the lab could not make $name.pcap:"
    cat "$out/$name.log"
    failed_captures=$((failed_captures + 1))
  fi
}
imp="--loss 0.03 --reorder 0.03 --duplicate 0.02"
make_capture bulk-v4 --scenario bulk --family 4 --bytes 1000000 $imp --seed $((seed + 1))
make_capture bulk-v6-server --scenario bulk --family 6 --bytes 600000 $imp --seed $((seed + 2)) --capture-at server
make_capture short-v4 --scenario short --family 4 --connections 30 $imp --seed $((seed + 3))
make_capture short-v6 --scenario short --family 6 --connections 30 $imp --seed $((seed + 4))
make_capture reset-v6 --scenario reset --family 6 --bytes 2000000 $imp --seed $((seed + 5))
make_capture reset-v4 --scenario reset --family 4 --bytes 2000000 $imp --seed $((seed + 6))
make_capture zerowin-v4 --scenario zerowin --family 4 --bytes 200000 $imp --seed $((seed + 7))
make_capture zerowin-v6 --scenario zerowin --family 6 --bytes 200000 --loss 0 --reorder 0 --duplicate 0 --seed $((seed + 8))
# Snaplen-cut: TCP options cut by the capture (the SYNs', SACK blocks; docs/tcp-analysis.md).
make_capture bulk-v4-snap68 --scenario bulk --family 4 --bytes 600000 $imp --seed $((seed + 9)) --snaplen 68
make_capture zerowin-v6-snap90 --scenario zerowin --family 6 --bytes 200000 $imp --seed $((seed + 10)) --snaplen 90

captures=("$out"/*.pcap)
if [ ! -e "${captures[0]}" ]; then
  echo "0 passed, $((failed_captures > 0 ? failed_captures : 1)) failed"
  exit 1
fi
python3 "$here/compare_tcp_analysis.py" --lurk "$lurk" "${captures[@]}" | tee "$out/comparison.txt"
status=${PIPESTATUS[0]}
if [ $failed_captures -gt 0 ]; then
  echo "(and $failed_captures lab runs failed, see above)"
  exit 1
fi
exit "$status"
