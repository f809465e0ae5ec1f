# The lab's three network namespaces, client -- router -- server, shared by
# tests/netlab/netlab.sh and samples/make-demo.sh. Sourced after setting
#   lab_name  the namespace prefix and the name in messages (e.g. lurk-demo)
# It defines cli/rtr/srv (unique per process so parallel labs never share a
# namespace), work (a temporary directory), pids (processes stopped at exit)
# and installs the exit trap that stops them and deletes the namespaces, even
# on failure. Addresses exist only inside the namespaces: 10.77.0.0/24 and
# fd77::/64, client .1 / ::1 on cli0, server .2 / ::2 on srv0.
cli="$lab_name-$$-cli" rtr="$lab_name-$$-rtr" srv="$lab_name-$$-srv"
work=$(mktemp -d)
pids=()

stop_process() {  # stop_process PID SIGNAL: signal, wait up to 5 s, then kill
  kill -"$2" "$1" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

lab_cleanup() {
  for p in "${pids[@]}"; do stop_process "$p" TERM; done
  for ns in "$cli" "$rtr" "$srv"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap lab_cleanup EXIT
trap 'exit 130' INT TERM

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

quiet_link() {  # quiet_link NS DEV: plain frames (no offloads) so taps see wire segments
  in_ns "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
  in_ns "$1" ip link set "$2" up
}

setup_namespaces() {
  for ns in "$cli" "$rtr" "$srv"; do ip netns add "$ns"; in_ns "$ns" ip link set lo up; done
  # Created straight inside the namespaces: nothing appears in the host's.
  ip link add cli0 netns "$cli" type veth peer name rc0 netns "$rtr"
  ip link add srv0 netns "$srv" type veth peer name rs0 netns "$rtr"
  # The router only bridges: it has no addresses and sends nothing of its own.
  for dev in rc0 rs0; do
    in_ns "$rtr" sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1"
    quiet_link "$rtr" "$dev"
  done
  in_ns "$cli" ip addr add 10.77.0.1/24 dev cli0
  in_ns "$cli" ip addr add fd77::1/64 dev cli0 nodad
  in_ns "$srv" ip addr add 10.77.0.2/24 dev srv0
  in_ns "$srv" ip addr add fd77::2/64 dev srv0 nodad
  quiet_link "$cli" cli0
  quiet_link "$srv" srv0
}

wait_for_line() {  # wait_for_line FILE TEXT SECONDS
  for _ in $(seq $(($3 * 20))); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "$(basename "$0"): timed out waiting for '$2' in $1" >&2
  cat "$1" >&2 || true
  return 1
}
