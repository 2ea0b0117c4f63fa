#!/usr/bin/env python3
"""Writes a synthetic pcap of one long TCP connection (for long-flow tests and benchmarks).

Usage: make_long_flow.py OUT.pcap PACKETS
Packets alternate data (client->server, 100 bytes) and ACKs; valid IPv4/TCP checksums are not
needed by Wireshark's default prefs, so they are left zero.
"""
import struct
import sys


def packet(src, dst, sport, dport, seq, ack, flags, payload, ip_id):
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), ip_id & 0xFFFF, 0x4000, 64, 6, 0,
                     bytes(src), bytes(dst)) + tcp
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip


def main():
    out, count = sys.argv[1], int(sys.argv[2])
    client, server = (10, 99, 0, 1), (10, 99, 0, 2)
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t = 1_700_000_000 * 1_000_000
        cseq, sseq = 1000, 5000
        frames = [packet(client, server, 40000, 80, cseq, 0, 0x02, b"", 1),
                  packet(server, client, 80, 40000, sseq, cseq + 1, 0x12, b"", 1),
                  packet(client, server, 40000, 80, cseq + 1, sseq + 1, 0x10, b"", 2)]
        cseq += 1
        sseq += 1
        i = 0
        while len(frames) < count:
            payload = bytes([(i * 7 + k) & 0xFF for k in range(100)])
            frames.append(packet(client, server, 40000, 80, cseq, sseq, 0x18, payload, 3 + i))
            cseq += 100
            frames.append(packet(server, client, 80, 40000, sseq, cseq, 0x10, b"", 2 + i))
            i += 1
        for frame in frames[:count]:
            t += 250
            f.write(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(frame), len(frame)))
            f.write(frame)


if __name__ == "__main__":
    main()
