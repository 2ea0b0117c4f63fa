#!/usr/bin/env python3
"""Writes many small synthetic capture points (pcap) for many-point tests and benchmarks.

Usage: make_many_points.py OUT_DIR POINTS [--chain N] [--seed S]

The last point is a monitor (a tap in the core, clock 20 ms fast); the others form chains of
N capture points (default 4) along one path each:
  client host -> router -> [source NAT] -> NAT outside -> (monitor) -> near the server.
Each chain carries two TCP connections seen at every point of the chain (so they are matched
across its points; the source address and port change at the NAT, TTL drops per hop, clocks
of non-first points are off by up to +-50 ms) and one connection seen only at the chain's
first point. The monitor also sees every chain's first connection, which ties all clocks to
the reference (the first point) and gives one point that pairs with every other. Servers are
shared between chains (same address and port, different clients), connections start at
random times within 10 s, ISNs and IP IDs are random, so nothing but the real identity of a
packet says which points saw it. A last chain shorter than N takes the remaining points.

Writes OUT_DIR/pNNNNN.pcap and OUT_DIR/manifest.json: {"points": [...files in order...],
"monitor": its index, "journeys": expected journey count when every packet is matched across
exactly the points that saw it, "multi_point_journeys", "connection_pairs", "nat_bindings",
"clock_offset_ns": each point's true offset (reference = local + offset)}.
"""
import json
import os
import random
import struct
import sys

PACKETS_PER_CONNECTION = 10
CONNECTIONS_PER_CHAIN = 2  # seen at every point of the chain (plus one seen at the first only)
HOP_NS = 120_000
NAT_POSITION = 2  # source NAT between chain point 1 and point 2 (when the chain is that long)


def frame(src, dst, sport, dport, seq, ack, flags, payload, ip_id, ttl):
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), ip_id & 0xFFFF, 0x4000, ttl, 6, 0,
                     bytes(src), bytes(dst)) + tcp
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip


def connection(rng, start_ns, tag):
    """One short request/response exchange: list of (t_ns, from_client, seq, ack, flags, data)."""
    cseq, sseq = rng.getrandbits(32), rng.getrandbits(32)
    request = f"GET /{tag} HTTP/1.1\r\nHost: many\r\n\r\n".encode()
    response = f"HTTP/1.1 200 OK\r\nX-Tag: {tag}\r\n\r\n".encode()
    c1, s1 = (cseq + 1) & 0xFFFFFFFF, (sseq + 1) & 0xFFFFFFFF
    c2 = (c1 + len(request)) & 0xFFFFFFFF
    s2 = (s1 + len(response)) & 0xFFFFFFFF
    steps = [(True, cseq, 0, 0x02, b""), (False, sseq, c1, 0x12, b""), (True, c1, s1, 0x10, b""),
             (True, c1, s1, 0x18, request), (False, s1, c2, 0x10, b""),
             (False, s1, c2, 0x18, response), (True, c2, s2, 0x10, b""),
             (True, c2, s2, 0x11, b""), (False, s2, (c2 + 1) & 0xFFFFFFFF, 0x11, b""),
             (True, (c2 + 1) & 0xFFFFFFFF, (s2 + 1) & 0xFFFFFFFF, 0x10, b"")]
    assert len(steps) == PACKETS_PER_CONNECTION
    out, t = [], start_ns
    for from_client, seq, ack, flags, data in steps:
        t += rng.randint(2_000_000, 8_000_000)  # 2-8 ms apart: far more than the path's transit
        out.append((t, from_client, seq, ack, flags, data, rng.getrandbits(16) | 1,
                    rng.getrandbits(16) | 1))
    return out


def ip(a, b, c, d):
    return (a, b, c, d)


def write_pcap(path, records):
    records.sort(key=lambda r: r[0])
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))  # nanosecond pcap
        for t, data in records:
            f.write(struct.pack("<IIII", t // 1_000_000_000, t % 1_000_000_000, len(data),
                                len(data)))
            f.write(data)


def main():
    args = sys.argv[1:]
    chain, seed = 4, 1
    if "--chain" in args:
        i = args.index("--chain")
        chain = int(args[i + 1])
        del args[i:i + 2]
    if "--seed" in args:
        i = args.index("--seed")
        seed = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2 or chain < 1:
        sys.exit(__doc__)
    out_dir, total = args[0], int(args[1])
    os.makedirs(out_dir, exist_ok=True)
    rng = random.Random(seed)
    base_ns = 1_700_000_000 * 1_000_000_000
    files, journeys, multi, pairs, bindings, truth = [], 0, 0, 0, 0, []
    monitor = []  # (local time, frame) of the monitor point
    monitor_offset = 20_000_000
    chain_points = max(0, total - 1)
    point = 0
    c = 0
    while point < chain_points:
        length = min(chain, chain_points - point)
        client = ip(10, (c >> 8) & 255, c & 255, 2)
        public = ip(100, 64 + ((c >> 8) & 63), c & 255, 1)
        server = ip(203, 0, 113, 1 + c % 50)
        local_server = ip(10, (c >> 8) & 255, c & 255, 53)
        offsets = [0] + [rng.randint(-50_000_000, 50_000_000) for _ in range(length - 1)]
        records = [[] for _ in range(length)]
        for k in range(CONNECTIONS_PER_CHAIN):
            cport = 30000 + rng.randint(0, 20000)
            nat_port = 1024 + rng.randint(0, 60000)
            start = base_ns + rng.randint(0, 10_000_000_000)
            for t, from_client, seq, ack, flags, data, cid, sid in connection(rng, start,
                                                                              f"c{c}k{k}"):
                for j in range(length):
                    hops = j if from_client else length - 1 - j
                    natted = j >= NAT_POSITION
                    caddr, cp = (public, nat_port) if natted else (client, cport)
                    src, dst = (caddr, server) if from_client else (server, caddr)
                    sport, dport = (cp, 443) if from_client else (443, cp)
                    ttl = 64 - hops
                    local = t + hops * HOP_NS + offsets[j]
                    records[j].append((local, frame(src, dst, sport, dport, seq, ack, flags,
                                                    data, cid if from_client else sid, ttl)))
                if k == 0:  # the monitor, a tap after the NAT: TTL as on the link it taps
                    src, dst = (public, server) if from_client else (server, public)
                    sport, dport = (nat_port, 443) if from_client else (443, nat_port)
                    hops = NAT_POSITION if from_client else max(0, length - 1 - NAT_POSITION)
                    local = t + hops * HOP_NS + HOP_NS // 2 + monitor_offset
                    monitor.append((local, frame(src, dst, sport, dport, seq, ack, flags, data,
                                                 cid if from_client else sid, 64 - hops)))
            seen_at = length + (1 if k == 0 else 0)
            journeys += PACKETS_PER_CONNECTION
            if seen_at > 1:
                multi += PACKETS_PER_CONNECTION
                pairs += seen_at * (seen_at - 1) // 2
            # Source NAT between two consecutive points of the path (the monitor is after it).
            if length > NAT_POSITION or k == 0:
                bindings += 1
        # A connection only the first point sees (the client talking to a local service).
        start = base_ns + rng.randint(0, 10_000_000_000)
        lport = 30000 + rng.randint(0, 20000)
        for t, from_client, seq, ack, flags, data, cid, sid in connection(rng, start, f"l{c}"):
            src, dst = (client, local_server) if from_client else (local_server, client)
            sport, dport = (lport, 5353) if from_client else (5353, lport)
            records[0].append((t, frame(src, dst, sport, dport, seq, ack, flags, data,
                                        cid if from_client else sid, 64)))
        journeys += PACKETS_PER_CONNECTION
        truth += [-o for o in offsets]  # reference = local + offset
        for j in range(length):
            path = os.path.join(out_dir, f"p{point + j:05d}.pcap")
            write_pcap(path, records[j])
            files.append(os.path.basename(path))
        point += length
        c += 1
    if total > 0:
        path = os.path.join(out_dir, f"p{total - 1:05d}.pcap")
        write_pcap(path, monitor)
        files.append(os.path.basename(path))
        truth.append(-monitor_offset)
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump({"points": files, "chain": chain, "seed": seed, "monitor": total - 1,
                   "journeys": journeys, "multi_point_journeys": multi,
                   "connection_pairs": pairs, "nat_bindings": bindings,
                   "clock_offset_ns": truth}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
