"""Cross-point matching end to end: clocks, NAT, relay dwell, loss, ISN shift, IPv6, CSV.

Every case runs the real CLI on real captures whose truth is known: the bundled sample (one
host, so true offsets are 0 and the relay holds 40 ms), copies shifted with editcap, and
fresh captures of the namespace chain (scripts/make-sample.sh) with deliberate loss or IPv6.
"""
import json
import os
import shutil
import subprocess
import sys
import unittest

from e2e_support import DATA, HERE, SAMPLE, SOURCE_DIR, TempDirTestCase, packetseq, run

POINTS = [("client.pcapng", "Client"), ("fw-inside.pcap", "FW-inside"),
          ("fw-outside.pcap", "FW-outside"), ("relay.pcap", "Relay"), ("server.pcapng", "Server")]
MS = 1_000_000


def model_json(case, *args, folder=SAMPLE, points=POINTS, names=True):
    out = case.path("model.json")
    captures = [f"{p if os.path.isabs(p) else os.path.join(folder, p)}@{n}" for p, n in points]
    extra = ["--names", os.path.join(folder, "hosts")] if names else []
    result = packetseq("--no-prompt", *extra, "-t", "json", "-o", out, *args, *captures)
    case.assertEqual(result.returncode, 0, result.stderr)
    with open(out) as f:
        return json.load(f)


def by_name(model):
    return {p["name"]: p for p in model["points"]}


def hops(model):
    names = [p["name"] for p in model["points"]]
    return {(names[h["from_point"]], names[h["to_point"]]): h for h in model["match"]["hops"]}


class ClockOffsets(TempDirTestCase):
    def test_shifted_copies_are_found_within_a_millisecond(self):
        # Truth: FW's host clock 1.5 s slow (both FW captures), the server's an hour and 0.25 s
        # fast. reference = local + offset, so the offsets to find are +1.5 s and -3600.25 s.
        shifts = {"FW-inside": "-1.5", "FW-outside": "-1.5", "Server": "3600.25"}
        points = []
        for file, name in POINTS:
            path = os.path.join(SAMPLE, file)
            if name in shifts:
                shifted = self.path(file)
                result = run(["editcap", "-t", shifts[name], path, shifted])
                self.assertEqual(result.returncode, 0, result.stderr)
                path = shifted
            points.append((path, name))
        model = model_json(self, "--same-clock", "FW-inside,FW-outside", points=points)
        truth = {"Client": 0, "FW-inside": 1500 * MS, "FW-outside": 1500 * MS,
                 "Relay": 0, "Server": -3600250 * MS}
        for name, point in by_name(model).items():
            clock = point["clock"]
            self.assertLessEqual(abs(clock["offset_ns"] - truth[name]), MS, f"{name}: {clock}")
            if clock["source"] == "estimated":
                self.assertLessEqual(clock["low_ns"], truth[name], name)
                self.assertGreaterEqual(clock["high_ns"], truth[name], name)
        self.assertEqual(by_name(model)["FW-outside"]["clock"]["offset_ns"],
                         by_name(model)["FW-inside"]["clock"]["offset_ns"], "same clock")

    def test_user_offset_pins_a_point(self):
        shifted = self.path("server.pcapng")
        run(["editcap", "-t", "32400", os.path.join(SAMPLE, "server.pcapng"), shifted])
        model = model_json(self, "--offset", "Server=-9h",
                           points=[("client.pcapng", "Client"), ("relay.pcap", "Relay"),
                                   (shifted, "Server")])
        server = by_name(model)["Server"]["clock"]
        self.assertEqual(server["source"], "user")
        self.assertEqual(server["offset_ns"], -32400 * 1000 * MS)

    def test_seed_csv_nine_hours_apart(self):
        out = self.path("seed.json")
        result = packetseq("--no-prompt", "--stats", "-t", "json", "-o", out,
                           f"{DATA}/seed/client.csv@client", f"{DATA}/seed/proxy.csv@proxy")
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(out) as f:
            model = json.load(f)
        proxy = by_name(model)["proxy"]["clock"]
        # The proxy's clock reads 9 h 00 min 20.93 s later than the client's.
        self.assertAlmostEqual(proxy["offset_ns"] / 1e9, -32420.934, delta=0.01)
        self.assertLessEqual(proxy["low_ns"], proxy["offset_ns"])
        self.assertGreaterEqual(proxy["high_ns"], proxy["offset_ns"])
        self.assertIn("-9 h 00 min 20.93", result.stdout)

    def test_csv_exports_of_the_sample_with_a_nine_hour_error(self):
        shifted = self.path("server-9h.pcapng")
        run(["editcap", "-t", "32400", os.path.join(SAMPLE, "server.pcapng"), shifted])
        csvs = []
        for capture, name in [(os.path.join(SAMPLE, "relay.pcap"), "relay.csv"),
                              (shifted, "server.csv")]:
            fields = []
            for c in ["No.", "Time", "Source", "Destination", "Protocol", "Length", "Info"]:
                fields += ["-e", f"_ws.col.{c}"]
            result = run(["tshark", "-r", capture, "-t", "ud", "-Y", "tcp", "-T", "fields",
                          "-E", "separator=,", "-E", "quote=d", *fields])
            self.assertEqual(result.returncode, 0, result.stderr)
            path = self.path(name)
            with open(path, "w") as f:
                f.write('"No.","Time","Source","Destination","Protocol","Length","Info"\n')
                f.write(result.stdout)
            csvs.append(path)
        model = model_json(self, points=[(csvs[0], "Relay"), (csvs[1], "Server")],
                           folder=SAMPLE)
        server = by_name(model)["Server"]["clock"]
        self.assertAlmostEqual(server["offset_ns"] / 1e9, -32400, delta=0.001)
        self.assertGreater(model["match"]["counters"]["multi_point_journeys"], 20)


class NatAndRelay(TempDirTestCase):
    def test_snat_inside_and_outside_match_packet_for_packet(self):
        model = model_json(self, points=[("fw-inside.pcap", "FW-inside"),
                                         ("fw-outside.pcap", "FW-outside")])
        counters = model["match"]["counters"]
        self.assertEqual(counters["observations"], 136)
        self.assertEqual(counters["multi_point_journeys"], 68)
        self.assertEqual(counters["single_point_journeys"], 0)
        self.assertEqual(counters["ambiguous_observations"], 0)
        bindings = sorted((b["inside"], b["outside"]) for b in model["nat_bindings"])
        self.assertEqual(len(bindings), 3)
        for inside, outside in bindings:
            self.assertRegex(inside, r"^10\.10\.1\.2:4100[123]$")
            self.assertRegex(outside, r"^10\.10\.2\.1:\d+$")

    def test_relay_dwell_is_the_hold_time(self):
        model = model_json(self)
        dwell = {d["node"]: d for d in model["match"]["dwell"]}
        self.assertIn("Relay", dwell)
        self.assertGreaterEqual(dwell["Relay"]["links"], 20)
        self.assertLessEqual(abs(dwell["Relay"]["median_ns"] - 40 * MS), 2 * MS, dwell)
        self.assertLessEqual(abs(dwell["Relay"]["min_ns"] - 40 * MS), 2 * MS, dwell)
        self.assertEqual(model["match"]["counters"]["lost"], 0)

    def test_stats_table(self):
        captures = [f"{SAMPLE}/{f}@{n}" for f, n in POINTS]
        result = packetseq("--no-prompt", "--names", f"{SAMPLE}/hosts", "--stats", "-o",
                           self.path("x.svg"), *captures)
        self.assertEqual(result.returncode, 0, result.stderr)
        for text in ["Clock offsets", "Hops", "Middlebox dwell", "NAT bindings", "Relay",
                     "FW-inside (FW)"]:
            self.assertIn(text, result.stdout)

    def test_isn_shifting_firewall_still_matches(self):
        shifted = self.path("fw-outside-isn.pcap")
        result = run([sys.executable, os.path.join(HERE, "shift_isn.py"),
                      os.path.join(SAMPLE, "fw-outside.pcap"), shifted, "10.10.2.1", "123456789"])
        self.assertEqual(result.returncode, 0, result.stderr)
        model = model_json(self, points=[("fw-inside.pcap", "FW-inside"), (shifted, "FW-outside")])
        counters = model["match"]["counters"]
        self.assertEqual(counters["multi_point_journeys"], 68)
        self.assertEqual(counters["single_point_journeys"], 0)

    def test_csv_journey_export(self):
        out = self.path("journeys.csv")
        captures = [f"{SAMPLE}/{f}@{n}" for f, n in POINTS]
        result = packetseq("--no-prompt", "--names", f"{SAMPLE}/hosts", "-o", out, *captures)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(out) as f:
            lines = f.read().splitlines()
        header = lines[0].split(",")
        self.assertEqual(header[:6], ["journey", "status", "flags", "seq", "ack", "len"])
        self.assertIn("Client time", header)
        self.assertIn("Server frame", header)
        self.assertEqual(len(lines) - 1, 139)
        self.assertTrue(all(",matched," in l for l in lines[1:]))


def need_root(case):
    if os.geteuid() != 0:
        case.skipTest("network namespaces need root")
    for tool in ("ip", "iptables", "tcpdump"):
        if not shutil.which(tool):
            case.skipTest(f"{tool} not installed")


class FreshChainCaptures(TempDirTestCase):
    """Captures made now in network namespaces, with loss or IPv6 (takes ~10 s each)."""

    def make_sample(self, *args):
        need_root(self)
        out = self.path("chain")
        env = dict(os.environ, PSQ_NETNS_PREFIX=f"psqt{os.getpid() % 10000}")
        result = subprocess.run([os.path.join(SOURCE_DIR, "scripts", "make-sample.sh"), "--quick",
                                 "--out", out, *args], capture_output=True, text=True,
                                env=env, timeout=300, stdin=subprocess.DEVNULL)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        return out

    def test_loss_at_the_firewall_is_reported_there_only(self):
        folder = self.make_sample("--drop-nth", "2")
        model = model_json(self, folder=folder)
        lost = {k: h["lost"] for k, h in hops(model).items() if h["lost"]}
        self.assertEqual(list(lost), [("FW-inside", "FW-outside")], hops(model))
        self.assertGreaterEqual(lost[("FW-inside", "FW-outside")], 1)
        self.assertEqual(model["match"]["counters"]["lost"], lost[("FW-inside", "FW-outside")])
        # The drops are data segments the client then retransmits.
        self.assertGreaterEqual(hops(model)[("Client", "FW-inside")]["retransmissions"], 1)

    def test_ipv6_chain_matches(self):
        folder = self.make_sample("--ipv6")
        model = model_json(self, folder=folder)
        counters = model["match"]["counters"]
        self.assertGreater(counters["multi_point_journeys"], 100)
        self.assertEqual(counters["single_point_journeys"], 0)
        self.assertEqual(counters["ambiguous_observations"], 0)
        dwell = {d["node"]: d for d in model["match"]["dwell"]}
        self.assertLessEqual(abs(dwell["Relay"]["median_ns"] - 40 * MS), 2 * MS, dwell)
        self.assertTrue(any(":" in b["inside"] for b in model["nat_bindings"]))


if __name__ == "__main__":
    unittest.main()


class ManyPoints(TempDirTestCase):
    """300 generated capture points (tests/e2e/make_many_points.py): chains of four behind a
    source NAT plus a monitor seeing every chain. Functional only: no timing is asserted here
    (scripts/bench-many-points.py measures it)."""

    def test_300_points_match_exactly_their_own_packets(self):
        folder = self.path("points")
        result = run([sys.executable, os.path.join(HERE, "make_many_points.py"), folder, "300"])
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(os.path.join(folder, "manifest.json")) as f:
            truth = json.load(f)
        points = [(os.path.join(folder, p), p[:-5]) for p in truth["points"]]
        self.assertEqual(len(points), 300)
        model = model_json(self, points=points, names=False)
        counters = model["match"]["counters"]
        self.assertEqual(counters["journeys"], truth["journeys"])
        self.assertEqual(len(model["journeys"]), truth["journeys"])
        self.assertEqual(counters["multi_point_journeys"], truth["multi_point_journeys"])
        self.assertEqual(counters["connection_pairs"], truth["connection_pairs"])
        self.assertEqual(counters["nat_bindings"], truth["nat_bindings"])
        self.assertEqual(counters["ambiguous_observations"], 0)
        self.assertEqual(counters["lost"], 0)
        self.assertEqual(model["match"]["warnings"], [])
        # A journey stays within one chain (points 4c .. 4c+3), plus the monitor.
        chain, monitor = truth["chain"], truth["monitor"]
        for journey in model["journeys"]:
            chains = {s["point"] // chain for s in journey["sightings"] if s["point"] != monitor}
            self.assertEqual(len(chains), 1, journey)
        for point, offset in zip(model["points"], truth["clock_offset_ns"]):
            clock = point["clock"]
            self.assertLessEqual(clock["low_ns"], offset, point["name"])
            self.assertGreaterEqual(clock["high_ns"], offset, point["name"])
