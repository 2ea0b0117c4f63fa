#!/usr/bin/env python3
"""Measures the sample captures with tshark and writes sample.json and README.md beside them.

Run by scripts/make-sample.sh after the captures are taken. Every number in the README comes
from the files themselves (tshark/capinfos) or from the relay's chunk log, so the README stays
true whenever the sample is regenerated.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

POINTS = [  # capture point, file, node, interface
    ("client", "client.pcapng", "client", "eth0"),
    ("fw-inside", "fw-inside.pcap", "fw", "inside"),
    ("fw-outside", "fw-outside.pcap", "fw", "outside"),
    ("relay", "relay.pcap", "relay", "any (front + back)"),
    ("server", "server.pcapng", "server", "eth0"),
]
FIELDS = ["frame.number", "frame.time_epoch", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst",
          "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.seq", "tcp.seq_raw", "tcp.ack_raw",
          "tcp.len", "tcp.options.timestamp.tsval"]
SYN, FIN, RST, ACK = 0x02, 0x01, 0x04, 0x10


def run_tshark(path):
    """Starts one tshark per file: packet fields plus the TCP conversation table at the end."""
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=/t", "-z", "conv,tcp"]
    for field in FIELDS:
        cmd += ["-e", field]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def epoch_us(text):
    sec, _, frac = text.partition(".")
    return int(sec) * 1000000 + int((frac + "000000")[:6])


def parse_tshark(path, proc):
    """Returns (packets, conversation lines). Retransmission = SYN or payload already seen."""
    out, err = proc.communicate()
    if proc.returncode != 0:
        sys.exit(f"sample-measure: tshark failed on {path}: {err.strip()}")
    packets, conversations = [], []
    highest, syns = {}, set()
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) != len(FIELDS):
            if "<->" in line:
                conversations.append(line.strip())
            continue
        if not f[6]:
            continue
        p = {"frame": int(f[0]), "t": epoch_us(f[1]), "src": f[2] or f[3], "dst": f[4] or f[5],
             "sport": int(f[6]), "dport": int(f[7]), "flags": int(f[8], 16), "rseq": int(f[9]),
             "seq": int(f[10]), "ack": int(f[11]), "len": int(f[12]), "tsval": f[13]}
        flow = (p["src"], p["sport"], p["dst"], p["dport"])
        if p["flags"] & SYN:
            p["retrans"] = (flow, p["seq"]) in syns
            syns.add((flow, p["seq"]))
        else:
            end = p["rseq"] + p["len"]
            p["retrans"] = p["len"] > 0 and end <= highest.get(flow, 0)
            highest[flow] = max(highest.get(flow, 0), end)
        packets.append(p)
    return packets, conversations


def conn_packets(packets, a, b):
    """Packets of the TCP connection between endpoints a and b ((addr, port)); tags direction."""
    out = []
    for p in packets:
        src, dst = (p["src"], p["sport"]), (p["dst"], p["dport"])
        if (src, dst) == (a, b):
            out.append(dict(p, dir="c2s"))
        elif (src, dst) == (b, a):
            out.append(dict(p, dir="s2c"))
    return out


def first_syn(packets, pred=lambda p: True):
    for p in packets:
        if p["flags"] & (SYN | ACK) == SYN and pred(p):
            return p
    return None


def stats_ms(values_us):
    if not values_us:
        return None
    return {"count": len(values_us), "min_ms": round(min(values_us) / 1000, 3),
            "median_ms": round(statistics.median(values_us) / 1000, 3),
            "max_ms": round(max(values_us) / 1000, 3)}


def keyed(pkts):
    """Identity of a packet that survives NAT: raw seq/ack, flags, length, TSval (+ occurrence)."""
    seen, out = {}, {}
    for p in pkts:
        key = (p["seq"], p["ack"], p["flags"], p["len"], p["tsval"])
        seen[key] = seen.get(key, 0) + 1
        out[key + (seen[key],)] = p
    return out


def hop_transit(upstream, downstream):
    """Per direction: transit times (us) of packets seen on both sides, and packets seen only on
    the sending side (lost on the hop)."""
    up, down = keyed(upstream), keyed(downstream)
    result = {}
    for direction in ("c2s", "s2c"):
        sender, receiver = (up, down) if direction == "c2s" else (down, up)
        delays, lost = [], 0
        for key, p in sender.items():
            if p["dir"] != direction:
                continue
            q = receiver.get(key)
            if q is None:
                lost += 1
            else:
                delays.append(q["t"] - p["t"])
        result[direction] = {"transit": stats_ms(delays), "lost": lost, "_raw": delays}
    return result


def stream_bytes(pkts, direction):
    """First arrival time of each data segment: list of (start offset, end offset, time)."""
    segs = [(p["rseq"] - 1, p["rseq"] - 1 + p["len"], p["t"])
            for p in pkts if p["dir"] == direction and p["len"] > 0]
    return sorted(segs, key=lambda s: (s[2], s[0]))


def relay_hold(inbound, outbound):
    """Time from the arrival at the relay of the last byte of each forwarded segment to the
    departure of that segment (first transmissions only), in us."""
    holds = []
    for start, end, t_out in outbound:
        last = end - 1
        t_in = min((t for s, e, t in inbound if s <= last < e), default=None)
        if t_in is not None:
            holds.append(t_out - t_in)
    return holds


def fin_time(pkts, direction):
    return next((p["t"] for p in pkts if p["dir"] == direction and p["flags"] & FIN), None)


def read_chunk_log(path):
    conns, chunks = {}, []
    with open(path) as log:
        for line in log:
            f = line.rstrip("\n").split("\t")
            if f[0] == "conn":
                detail = dict(kv.split("=", 1) for kv in f[7].split())
                conns[int(f[1])] = detail
            elif f[0] in ("chunk", "eof"):
                chunks.append({"event": f[0], "conn": int(f[1]), "dir": f[2], "bytes": int(f[3]),
                               "arrived_epoch": f[4], "read_epoch": f[5], "sent_epoch": f[6],
                               "hold_us": epoch_us(f[6]) - epoch_us(f[4])})
    return conns, chunks


def split_endpoint(text):
    addr, _, port = text.rpartition(":")
    return addr, int(port)


def capinfos(path):
    out = subprocess.run(["capinfos", "-T", "-r", "-t", "-E", "-c", "-s", path],
                         capture_output=True, text=True, check=True).stdout.split("\t")
    return {"format": out[1], "encapsulation": out[2], "packets": int(out[3]),
            "bytes": int(out[4])}


def measure(cfg, folder, verbose):
    a = cfg["addresses"]
    connections_expected = len(cfg["files"])
    procs = {name: run_tshark(os.path.join(folder, file)) for name, file, _, _ in POINTS}
    packets, conversations = {}, {}
    for name, file, _, _ in POINTS:
        packets[name], conversations[name] = parse_tshark(file, procs[name])
    relay_conns, chunks = read_chunk_log(os.path.join(folder, "relay-chunks.tsv"))
    captures = []
    for name, file, node, iface in POINTS:
        info = capinfos(os.path.join(folder, file))
        info.update({"file": file, "point": name, "node": node, "interface": iface,
                     "retransmissions": sum(p["retrans"] for p in packets[name]),
                     "tcp_conversations": len(conversations[name])})
        expected = 2 * connections_expected if name == "relay" else connections_expected
        if len(conversations[name]) != expected or info["packets"] != len(packets[name]):
            sys.exit(f"sample-measure: {file}: {len(conversations[name])} TCP conversations "
                     f"(expected {expected}), {len(packets[name])} TCP packets of "
                     f"{info['packets']}")
        if verbose:
            print(f"== {file}: {info['format']}, {info['encapsulation']}, {info['packets']} "
                  f"packets, {info['bytes']} bytes")
            for line in conversations[name]:
                print("   " + line)
        captures.append(info)

    connections = []
    for syn in [p for p in packets["client"] if p["flags"] & (SYN | ACK) == SYN and not p["retrans"]]:
        cli = (a["client"], syn["sport"])
        front_srv, back_srv = (a["relay_front"], cfg["relay_port"]), (a["server"], cfg["server_port"])
        out_syn = first_syn(packets["fw-outside"], lambda p, s=syn: p["seq"] == s["seq"])
        if out_syn is None:
            sys.exit(f"sample-measure: SYN of client port {cli[1]} never left the fw")
        nat = (a["fw_outside"], out_syn["sport"])
        relay_id = next((i for i, d in relay_conns.items()
                         if split_endpoint(d["client"]) == nat), None)
        if relay_id is None:
            sys.exit(f"sample-measure: relay log has no connection from {nat}")
        up = split_endpoint(relay_conns[relay_id]["upstream_local"])
        legs = {
            "client": conn_packets(packets["client"], cli, front_srv),
            "fw-inside": conn_packets(packets["fw-inside"], cli, front_srv),
            "fw-outside": conn_packets(packets["fw-outside"], nat, front_srv),
            "relay-front": conn_packets(packets["relay"], nat, front_srv),
            "relay-back": conn_packets(packets["relay"], up, back_srv),
            "server": conn_packets(packets["server"], up, back_srv),
        }
        syn_times = {}
        for leg, pkts in legs.items():
            s = first_syn(pkts)
            syn_times[leg] = s["t"] if s else None
        hops = {
            "client>fw-inside": hop_transit(legs["client"], legs["fw-inside"]),
            "fw-inside>fw-outside": hop_transit(legs["fw-inside"], legs["fw-outside"]),
            "fw-outside>relay": hop_transit(legs["fw-outside"], legs["relay-front"]),
            "relay>server": hop_transit(legs["relay-back"], legs["server"]),
        }
        hold = {
            "c2s": relay_hold(stream_bytes(legs["relay-front"], "c2s"),
                              stream_bytes([p for p in legs["relay-back"] if not p["retrans"]],
                                           "c2s")),
            "s2c": relay_hold(stream_bytes(legs["relay-back"], "s2c"),
                              stream_bytes([p for p in legs["relay-front"] if not p["retrans"]],
                                           "s2c")),
        }
        fin_hold = {}
        for direction, (inb, outb) in {"c2s": ("relay-front", "relay-back"),
                                       "s2c": ("relay-back", "relay-front")}.items():
            t_in, t_out = fin_time(legs[inb], direction), fin_time(legs[outb], direction)
            fin_hold[direction] = None if None in (t_in, t_out) else round((t_out - t_in) / 1000, 3)
        connections.append({
            "client": f"{cli[0]}:{cli[1]}", "fw_translated": f"{nat[0]}:{nat[1]}",
            "relay_listen": f"{front_srv[0]}:{front_srv[1]}",
            "relay_upstream_local": f"{up[0]}:{up[1]}", "server": f"{back_srv[0]}:{back_srv[1]}",
            "relay_log_conn": relay_id, "isn_client": syn["seq"],
            "packets": {leg: len(pkts) for leg, pkts in legs.items()},
            "syn_epoch_us": syn_times, "hops": hops,
            "relay_hold": {d: stats_ms(v) for d, v in hold.items()}, "_hold_raw": hold,
            "relay_fin_hold_ms": fin_hold,
        })

    # Aggregates over all connections, per hop and direction.
    hop_summary = {}
    for hop in connections[0]["hops"]:
        hop_summary[hop] = {}
        for d in ("c2s", "s2c"):
            raw = [x for c in connections for x in c["hops"][hop][d]["_raw"]]
            lost = sum(c["hops"][hop][d]["lost"] for c in connections)
            hop_summary[hop][d] = {"transit": stats_ms(raw), "lost": lost}
    hold_summary = {d: stats_ms([x for c in connections for x in c["_hold_raw"][d]])
                    for d in ("c2s", "s2c")}
    log_summary = {d: stats_ms([c["hold_us"] for c in chunks if c["dir"] == d and
                                c["event"] == "chunk"]) for d in ("c2s", "s2c")}
    for c in connections:
        del c["_hold_raw"]
        for hop in c["hops"].values():
            for d in hop.values():
                del d["_raw"]
    return {"captures": captures, "connections": connections, "hop_transit": hop_summary,
            "relay_hold_from_captures": hold_summary, "relay_hold_from_log": log_summary,
            "relay_chunks": chunks}


def ordinal(n):
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def fmt_stats(s):
    if not s:
        return "–"
    return f"{s['min_ms']:.3f} / {s['median_ms']:.3f} / {s['max_ms']:.3f} ms (n={s['count']})"


def readme(cfg, m, command):
    a = cfg["addresses"]
    v6 = cfg["family"] == 6
    plen = "/64" if v6 else "/24"
    net = ("fd00:10:1::/64", "fd00:10:2::/64", "fd00:10:3::/64") if v6 else \
          ("10.10.1.0/24", "10.10.2.0/24", "10.10.3.0/24")
    hold = cfg["relay_hold_ms"]
    shaper = cfg["shaper"]
    p = cfg["prefix"]
    L = []
    w = L.append
    w(f"# Bundled multi-point sample ({'IPv6' if v6 else 'IPv4'})\n")
    w("Real traffic of one chain — client → NAT firewall → full TCP relay → HTTP server — captured "
      "at five points at the same time. Generated; do not edit by hand (regenerate instead).\n")
    w("## How it was produced\n")
    w("As root on Debian 12 after `scripts/install-deps.sh`, from the repository root:\n")
    w(f"```\n{command}\n```\n")
    w("`scripts/make-sample.sh` builds four network namespaces "
      f"(`{p}-client`, `{p}-fw`, `{p}-relay`, `{p}-server`; prefix from `PSQ_NETNS_PREFIX`) joined by "
      "veth pairs, starts the services, captures with `tcpdump -s 65535 -B 16384 -U "
      "--immediate-mode` (whole packets, filter `tcp`) before any "
      "traffic, runs the client, stops the captures after a grace period, converts two captures "
      "to pcapng with `editcap -F pcapng`, checks every file with `capinfos` and "
      "`tshark -z conv,tcp`, and writes this README from measurements of the files "
      "(`scripts/sample-measure.py`). It removes the namespaces and processes when it ends. "
      "Linux defaults are kept: TCP timestamps and SACK on, MTU 1500. Each veth has "
      "`gso_max_segs 1` so captures show wire-sized segments (no TSO super-packets). "
      "TCP checksums in a sender's own capture may be unfilled (checksum offload), as on real hosts.\n")
    w("## Topology\n")
    w("```")
    w(f"  client                  fw (SNAT)                 relay (TCP proxy)           server")
    w(f" +--------+ {net[0]:<14} +----------------+ {net[1]:<14} +----------------+ {net[2]:<14} +--------+")
    w(f" |  eth0  |----------------| inside outside |----------------| front     back |----------------|  eth0  |")
    w(f" +--------+                +----------------+                +----------------+                +--------+")
    w(f"  {a['client']:<22}  {a['fw_inside']:<14} {a['fw_outside']:<14}   {a['relay_front']:<14}  {a['relay_back']:<14}  {a['server']}")
    w("```\n")
    w("| node | namespace | interface | address | notes |")
    w("|---|---|---|---|---|")
    w(f"| client | `{p}-client` | eth0 | {a['client']}{plen} | default route via {a['fw_inside']}; HTTP client (Python http.client), source ports 41001.. |")
    w(f"| fw | `{p}-fw` | inside | {a['fw_inside']}{plen} | forwarding on" +
      (f"; tbf shaper on egress (towards the client): rate {shaper['rate']}, burst {shaper['burst_bytes']} B, limit {shaper['limit_bytes']} B |" if shaper else " |"))
    w(f"| fw | `{p}-fw` | outside | {a['fw_outside']}{plen} | `{'ip6tables' if v6 else 'iptables'} -t nat -A POSTROUTING -o outside -p tcp -j SNAT --to-source {cfg['snat_to_source']}` |")
    w(f"| relay | `{p}-relay` | front | {a['relay_front']}{plen} | `scripts/relay.py` listens on port {cfg['relay_port']}; no route to the client's network |")
    w(f"| relay | `{p}-relay` | back | {a['relay_back']}{plen} | opens a new connection per client connection to the server |")
    w(f"| server | `{p}-server` | eth0 | {a['server']}{plen} | `python3 -m http.server {cfg['server_port']}` (HTTP/1.0: closes after each response) |")
    if cfg["drop_nth"]:
        n = cfg["drop_nth"]
        w(f"\nLoss: the fw FORWARD chain drops the {ordinal(n)}, {ordinal(2 * n)}, {ordinal(3 * n)}, ... TCP segment with "
          "payload forwarded from inside to outside (counted over the whole run, retransmissions "
          "included): `-m u32` payload check + `-m statistic --mode nth --every "
          f"{n} --packet {n - 1} -j DROP`. Handshakes, FINs and pure ACKs always pass. The "
          "client retransmits; the fw-inside → fw-outside row below counts the losses.")
    if not cfg["drop_nth"]:
        w("\nNo deliberate loss (`--drop-nth` not used).")
    w("\n## Files\n")
    w("All points share one clock (one host, one kernel): the true clock offset between any two "
      "captures is 0, so every delay below is real transit/dwell time.\n")
    w("| file | captured at | format | link type | packets | bytes | retransmissions |")
    w("|---|---|---|---|---|---|---|")
    for c in m["captures"]:
        w(f"| `{c['file']}` | {c['node']} / {c['interface']} | {c['format']} | {c['encapsulation']} | "
          f"{c['packets']} | {c['bytes']} | {c['retransmissions']} |")
    w("\n`relay.pcap` is `tcpdump -i any`: Linux cooked capture v2 (SLL2), both relay interfaces in "
      "one file. `relay-chunks.tsv` is the relay's own log: one line per chunk it read and "
      "forwarded (and per EOF), with the kernel arrival time of its newest byte, the time the "
      "relay read it and the time it was sent, as epoch seconds of the same clock. `hosts` names "
      "the nodes for `packetseq --names` (Wireshark hosts syntax; the fw and the relay own two "
      "addresses each). `sample.json` holds the "
      "configuration and every measurement below in machine-readable form.\n")
    w("## Connections\n")
    w("One HTTP GET per connection; connection 1 fetches `/200B.txt` (200 B), 2 `/4KiB.txt` "
      "(4096 B), 3 `/20KiB.txt` (20480 B). The fw translates address and port; the relay "
      "terminates TCP and opens a second connection (new ports, new ISNs) carrying the same bytes.\n")
    w("| # | client (client, fw-inside) | after SNAT (fw-outside, relay front) | relay listen | relay upstream (relay back, server) | server | packets client/fw-in/fw-out/relay-front/relay-back/server |")
    w("|---|---|---|---|---|---|---|")
    for i, c in enumerate(m["connections"], 1):
        pk = "/".join(str(c["packets"][k]) for k in ("client", "fw-inside", "fw-outside",
                                                     "relay-front", "relay-back", "server"))
        w(f"| {i} | {c['client']} | {c['fw_translated']} | {c['relay_listen']} | "
          f"{c['relay_upstream_local']} | {c['server']} | {pk} |")
    first = m["connections"][0]
    t0 = first["syn_epoch_us"]["client"]
    w("\nSYN of connection 1 at each point (time relative to the client's capture of it; "
      f"client SYN at epoch {t0 // 1000000}.{t0 % 1000000:06d}):\n")
    w("| point | SYN seen | +µs |")
    w("|---|---|---|")
    names = {"client": "client eth0 (client SYN)", "fw-inside": "fw inside (client SYN)",
             "fw-outside": "fw outside (client SYN after SNAT)", "relay-front": "relay front (client SYN)",
             "relay-back": "relay back (relay's own SYN to the server)", "server": "server eth0 (relay's SYN)"}
    for leg, t in first["syn_epoch_us"].items():
        w(f"| {leg} | {names[leg]} | {'–' if t is None else t - t0} |")
    w("\nThe gap between the relay's front and back SYNs is the relay accepting the connection and "
      "connecting upstream (Python start-up of a connection thread), not a hold.\n")
    w("## Known delays\n")
    w(f"- **Relay hold: {hold} ms in both directions.** The relay sends every chunk that one "
      f"`recvmsg()` returned {hold} ms after the kernel received the chunk's newest byte "
      "(`SO_TIMESTAMPNS`, the same clock as the captures), client→server and server→client; "
      "a FIN is relayed (half-close) the same way, timed from when the relay read the EOF. "
      "TCP_NODELAY is set on both of its sockets, so each chunk leaves as soon as it is due.")
    if shaper:
        w(f"- **fw shaper, server→client only:** tbf on the fw's inside egress, rate {shaper['rate']} "
          f"(1 MB/s: one 1514-byte frame per ~1.5 ms), burst {shaper['burst_bytes']} B. "
          "A packet leaves the fw when the token bucket allows, so back-to-back response segments "
          "beyond the burst queue in the fw: visible as fw dwell (fw-outside → fw-inside) that "
          "grows by ~1.5 ms per queued frame, up to ~17 ms for the 20 KiB response (its ~15 "
          "segments come in one cwnd-sized burst, ~4.5 KB pass at once), and ~0 for the small "
          "responses (see the per-connection table). tcpdump taps egress after the "
          "qdisc, so fw-inside.pcap shows the shaped departure times. The exact per-packet dwell "
          "depends on how the relay's sends line up with the bucket, so it varies a little "
          "between runs; the rate bound does not.")
    else:
        w("- No shaper (`--no-shaper`).")
    w("- Everything else is veth/forwarding time: tens of µs.\n")
    w("Measured from the captures (min / median / max over all connections):\n")
    w("| hop | client→server | server→client | lost c→s | lost s→c |")
    w("|---|---|---|---|---|")
    hop_names = {
        "client>fw-inside": "client eth0 → fw inside (veth)",
        "fw-inside>fw-outside": "fw inside → fw outside (forwarding, SNAT" +
                                (", shaper" if shaper else "") + (", drops" if cfg["drop_nth"] else "") + ")",
        "fw-outside>relay": "fw outside → relay front (veth)",
        "relay>server": "relay back → server eth0 (veth)",
    }
    for hop, d in m["hop_transit"].items():
        w(f"| {hop_names[hop]} | {fmt_stats(d['c2s']['transit'])} | {fmt_stats(d['s2c']['transit'])} | "
          f"{d['c2s']['lost']} | {d['s2c']['lost']} |")
    hc, hl = m["relay_hold_from_captures"], m["relay_hold_from_log"]
    w(f"| relay dwell (segment out on one connection − arrival of its last byte on the other) | "
      f"{fmt_stats(hc['c2s'])} | {fmt_stats(hc['s2c'])} | | |")
    w(f"| relay hold per chunk from relay-chunks.tsv (sent − arrived) | {fmt_stats(hl['c2s'])} | "
      f"{fmt_stats(hl['s2c'])} | | |")
    w("\nDwell per connection: relay (from relay.pcap) and fw server→client (fw-outside → "
      "fw-inside):\n")
    w("| # | relay: request arrival → departure | relay: response segments | relay FIN c→s | "
      "relay FIN s→c | fw dwell s→c (max) |")
    w("|---|---|---|---|---|---|")
    fw_hop = "fw-inside>fw-outside"
    for i, c in enumerate(m["connections"], 1):
        f = c["relay_fin_hold_ms"]
        fw = c["hops"][fw_hop]["s2c"]["transit"]
        w(f"| {i} | {fmt_stats(c['relay_hold']['c2s'])} | {fmt_stats(c['relay_hold']['s2c'])} | "
          f"{f['c2s']} ms | {f['s2c']} ms | {fw['max_ms'] if fw else '–'} ms |")
    w("\nThe relay dwell is the hold plus the relay's wake-up and send time (typically well under "
      "1 ms; more on a busy machine). A segment of a large chunk can also wait in the relay's "
      "TCP for the client's ACKs (congestion window" + (", slowed by the fw shaper" if shaper else "") +
      "): that is TCP queueing, not extra hold.")
    return "\n".join(L) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--dir", required=True, help="folder with the captures and relay-chunks.tsv")
    parser.add_argument("--command", required=True, help="command line to quote in the README")
    parser.add_argument("--quiet", action="store_true", help="don't print the conversation tables")
    args = parser.parse_args()
    with open(args.config) as f:
        cfg = json.load(f)
    m = measure(cfg, args.dir, not args.quiet)
    with open(os.path.join(args.dir, "sample.json"), "w") as f:
        json.dump({"config": cfg, **m}, f, indent=1)
        f.write("\n")
    with open(os.path.join(args.dir, "README.md"), "w") as f:
        f.write(readme(cfg, m, args.command))


if __name__ == "__main__":
    main()
