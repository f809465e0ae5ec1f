#!/usr/bin/env bash
# Makes the real captures in this folder (see README.md). Run as root on Linux
# with ip (iproute2), tcpdump, dumpcap, editcap and python3. Works in two
# private network namespaces joined by a veth pair (Ethernet) and by a lossy
# tun relay (raw IP, with retransmissions and SACK blocks); the host's own
# interfaces are never touched. Usage: make_captures.sh [OUTPUT_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
A=pcng-lab-a B=pcng-lab-b PORT=5001
work=$(mktemp -d)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$A" 2>/dev/null || true
  ip netns del "$B" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$A"
ip netns add "$B"
ip -n "$A" link set lo up
ip -n "$B" link set lo up

# Ethernet: a veth pair, IPv4 and IPv6.
ip link add pcngv0 netns "$A" type veth peer name pcngv1 netns "$B"
ip -n "$A" addr add 10.77.1.1/24 dev pcngv0
ip -n "$A" addr add fd77:1::1/64 dev pcngv0 nodad
ip -n "$B" addr add 10.77.1.2/24 dev pcngv1
ip -n "$B" addr add fd77:1::2/64 dev pcngv1 nodad
ip -n "$A" link set pcngv0 up
ip -n "$B" link set pcngv1 up

# Raw IP: two tun devices joined by a relay that drops every 13th data packet.
ip -n "$A" tuntap add dev pcngt0 mode tun
ip -n "$B" tuntap add dev pcngt1 mode tun
python3 "$here/tun_relay.py" "$A" pcngt0 "$B" pcngt1 13 & pids+=($!)
sleep 0.5
ip -n "$A" addr add 10.77.2.1/24 dev pcngt0
ip -n "$A" addr add fd77:2::1/64 dev pcngt0 nodad
ip -n "$B" addr add 10.77.2.2/24 dev pcngt1
ip -n "$B" addr add fd77:2::2/64 dev pcngt1 nodad
ip -n "$A" link set pcngt0 up
ip -n "$B" link set pcngt1 up

ip netns exec "$A" python3 "$here/traffic.py" serve "$PORT" & pids+=($!)
ip netns exec "$B" python3 "$here/traffic.py" serve 5003 & pids+=($!)  # for traffic on lo

# Captures, all on the client's side. Snaplen 160 keeps the files small and
# gives real snaplen-cut frames (headers whole, payload cut).
capture=()
in_b() { ip netns exec "$B" "$@" & capture+=($!); }
in_b tcpdump -q -Z root --immediate-mode -i pcngv1 -s 160 --time-stamp-precision=nano -w "$work/ethernet.pcap"
in_b tcpdump -q -Z root --immediate-mode -i pcngt1 -s 160 -w "$work/rawip.pcap"
in_b tcpdump -q -Z root --immediate-mode -i any -y LINUX_SLL -s 160 -w "$work/sll.pcap"
in_b tcpdump -q -Z root --immediate-mode -i any -y LINUX_SLL2 -s 160 -w "$work/sll2.pcap"
in_b dumpcap -q -i pcngv1 -s 160 -i pcngt1 -s 96 -i lo -s 160 \
  --capture-comment "lurk link-type test: veth, tun and lo in one file" -w "$work/multi.pcapng"
sleep 2

ip netns exec "$B" python3 "$here/traffic.py" talk "$PORT" 10.77.1.1 fd77:1::1 10.77.2.1 fd77:2::1
ip netns exec "$B" python3 "$here/traffic.py" talk 5003 127.0.0.1 ::1
sleep 1
for pid in "${capture[@]}"; do kill -INT "$pid"; done
wait "${capture[@]}" 2>/dev/null || true

cp "$work"/{ethernet.pcap,rawip.pcap,sll.pcap,sll2.pcap,multi.pcapng} "$out/"
python3 "$here/derive.py" null "$work/rawip.pcap" "$out/null.pcap"
python3 "$here/derive.py" loop "$work/rawip.pcap" "$out/loop.pcap"
python3 "$here/derive.py" vlan "$work/ethernet.pcap" "$out/vlan.pcap"
python3 "$here/derive.py" sll-vlan "$work/sll.pcap" "$out/sll-vlan.pcap"
# The pcap variants of old patched libpcaps, which Wireshark still reads.
for variant in rh6_1pcap nokiapcap modpcap suse6_3pcap; do
  editcap -F "$variant" "$out/ethernet.pcap" "$out/pcap-$variant.pcap"
done
# Two sections in one file: a pcapng file may simply be concatenated to another.
editcap -F pcapng "$work/sll2.pcap" "$work/sll2.pcapng"
cat "$work/multi.pcapng" "$work/sll2.pcapng" > "$out/two-sections.pcapng"
ls -l "$out"
