#!/usr/bin/env bash
# Makes the small impaired captures kept in tests/data/ (netlab-*.pcap) with the
# network test lab, so the oracle and unit tests run without root. Each run of
# the lab differs in timing, so remade captures are similar, not identical.
# Needs root. Usage: make_data_captures.sh LURK_IMPAIR_BIN [OUT_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
impair=$1
out=${2:-"$here/../data"}
mkdir -p "$out"
lab() { "$here/netlab.sh" --impair "$impair" "$@"; }

lab --out "$out/netlab-bulk-v4.pcap" --scenario bulk --family 4 --bytes 120000 \
    --loss 0.03 --reorder 0.03 --duplicate 0.02 --seed 11
lab --out "$out/netlab-bulk-v6-server.pcap" --scenario bulk --family 6 --bytes 120000 \
    --loss 0.03 --reorder 0.03 --duplicate 0.02 --seed 12 --capture-at server
lab --out "$out/netlab-short-v6.pcap" --scenario short --family 6 --connections 15 \
    --loss 0.04 --reorder 0.02 --duplicate 0.02 --seed 13
lab --out "$out/netlab-reset-v4.pcap" --scenario reset --family 4 --bytes 400000 \
    --loss 0.02 --reorder 0.02 --duplicate 0.01 --seed 14
lab --out "$out/netlab-zerowin-v4.pcap" --scenario zerowin --family 4 --bytes 60000 \
    --loss 0.01 --reorder 0.01 --duplicate 0.01 --seed 15
lab --out "$out/netlab-zerowin-v6.pcap" --scenario zerowin --family 6 --bytes 60000 \
    --loss 0 --reorder 0 --duplicate 0 --seed 16
# Snaplen-cut captures: TCP options cut by the capture (SYNs, SACK blocks).
lab --out "$out/netlab-bulk-v4-snap68.pcap" --scenario bulk --family 4 --bytes 120000 \
    --loss 0.03 --reorder 0.03 --duplicate 0.02 --seed 17 --snaplen 68
lab --out "$out/netlab-zerowin-v6-snap90.pcap" --scenario zerowin --family 6 --bytes 60000 \
    --loss 0.01 --reorder 0.01 --duplicate 0.01 --seed 18 --snaplen 90
ls -l "$out"/netlab-*.pcap
