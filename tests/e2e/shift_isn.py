#!/usr/bin/env python3
"""Rewrites TCP sequence numbers of one connection direction by a constant, as an
ISN-randomising firewall does: SRC->DST segments get seq += K, DST->SRC segments get ack += K.

Usage: shift_isn.py IN.pcap OUT.pcap SRC_IP DELTA
Classic pcap with Ethernet, Linux cooked (SLL/SLL2) or raw IPv4; checksums are left stale
(Wireshark does not verify them by default, like most captures with offload).
"""
import ipaddress
import struct
import sys

LINK_OFFSETS = {1: 14, 113: 16, 276: 20, 101: 0, 228: 0}


def main():
    src_in, dst_out, src_ip, delta = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    src = ipaddress.IPv4Address(src_ip).packed
    data = bytearray(open(src_in, "rb").read())
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0] & 0x0FFFFFFF
    link = LINK_OFFSETS[linktype]
    pos, changed = 24, 0
    while pos + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[pos + 8:pos + 12])[0]
        frame = pos + 16
        ip = frame + link
        if data[ip] >> 4 == 4 and data[ip + 9] == 6:
            ihl = (data[ip] & 0x0F) * 4
            tcp = ip + ihl
            flags = data[tcp + 13]
            if bytes(data[ip + 12:ip + 16]) == src:
                seq = struct.unpack(">I", data[tcp + 4:tcp + 8])[0]
                data[tcp + 4:tcp + 8] = struct.pack(">I", (seq + delta) & 0xFFFFFFFF)
                changed += 1
            elif bytes(data[ip + 16:ip + 20]) == src and flags & 0x10:
                ack = struct.unpack(">I", data[tcp + 8:tcp + 12])[0]
                data[tcp + 8:tcp + 12] = struct.pack(">I", (ack + delta) & 0xFFFFFFFF)
                changed += 1
        pos = frame + caplen
    open(dst_out, "wb").write(data)
    print(f"{changed} segments rewritten")


if __name__ == "__main__":
    main()
