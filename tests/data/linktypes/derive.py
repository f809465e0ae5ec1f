#!/usr/bin/env python3
"""Derives captures of link types Linux cannot capture directly from real
captures made by make_captures.sh, by rewriting each frame's link header:

  derive.py null  IN_RAWIP.pcap OUT.pcap   BSD loopback (DLT_NULL): 4-byte address
                                           family in host (little-endian) order
  derive.py loop  IN_RAWIP.pcap OUT.pcap   OpenBSD loopback (DLT_LOOP): network order
  derive.py vlan  IN_ETHER.pcap OUT.pcap   802.1Q: IPv4 frames get one tag (VLAN 10),
                                           others two (802.1ad 100, then 802.1Q 10)
  derive.py sll-vlan IN_SLL.pcap OUT.pcap  Linux cooked (SLL) with an 802.1Q tag (VLAN 10)
                                           after the protocol field, where libpcap puts
                                           back the tag the kernel took off (`tcpdump -i
                                           any` on a host with VLAN interfaces)

Timestamps and payloads are kept; captured and wire lengths grow by the
header bytes added. Only little-endian classic pcap input is read.
"""
import struct
import sys

AF_INET = 2
AF_INET6_DARWIN = 30
LINKTYPE = {"null": 0, "loop": 108, "vlan": 1, "sll-vlan": 113}


def read_pcap(path):
    data = open(path, "rb").read()
    magic, _, _, _, _, snaplen, _ = struct.unpack_from("<IHHiIII", data, 0)
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), f"{path}: not a little-endian pcap"
    records, at = [], 24
    while at + 16 <= len(data):
        sec, frac, caplen, wirelen = struct.unpack_from("<IIII", data, at)
        records.append((sec, frac, data[at + 16 : at + 16 + caplen], wirelen))
        at += 16 + caplen
    return magic, snaplen, records


def relink(kind, frame):
    if kind in ("null", "loop"):
        family = AF_INET if frame[0] >> 4 == 4 else AF_INET6_DARWIN
        return struct.pack("<I" if kind == "null" else ">I", family) + frame
    tag10 = struct.pack(">HH", 0x8100, 10)
    if kind == "sll-vlan":  # the 16-byte SLL header ends with the protocol: the tag goes before it
        return frame[:14] + tag10 + frame[14:]
    macs, rest = frame[:12], frame[12:]
    if rest[:2] == b"\x08\x00":
        return macs + tag10 + rest
    return macs + struct.pack(">HH", 0x88A8, 100) + tag10 + rest


def main():
    kind, src, dst = sys.argv[1:4]
    magic, snaplen, records = read_pcap(src)
    out = [struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen + 8, LINKTYPE[kind])]
    for sec, frac, frame, wirelen in records:
        new = relink(kind, frame)
        grown = len(new) - len(frame)
        out.append(struct.pack("<IIII", sec, frac, len(new), wirelen + grown) + new)
    open(dst, "wb").write(b"".join(out))


if __name__ == "__main__":
    main()
