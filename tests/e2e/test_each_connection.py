"""End-to-end tests of --each-connection: every connection of the anchor capture followed on its
own from one read, one diagram per connection (OUT-N.EXT) plus the index OUT-index.csv."""
import csv
import io
import os
import unittest

from e2e_support import DATA, SAMPLE, TempDirTestCase, packetseq, run

SAMPLE_POINTS = [
    f"{SAMPLE}/client.pcapng@Client",
    f"{SAMPLE}/fw-inside.pcap@FW-inside",
    f"{SAMPLE}/fw-outside.pcap@FW-outside",
    f"{SAMPLE}/relay.pcap@Relay",
    f"{SAMPLE}/server.pcapng@Server",
]
NAMES = ["--names", f"{SAMPLE}/hosts"]
TYPES = ["csv", "json", "svg"]


def tshark_fields(path, display_filter, *fields):
    args = ["tshark", "-r", path, "-Y", display_filter, "-T", "fields"]
    for f in fields:
        args += ["-e", f]
    result = run(args)
    assert result.returncode == 0, result.stderr
    return [line.split("\t") for line in result.stdout.splitlines() if line]


def opening(path):
    """Each connection's opening SYN at a capture point as 'a:p > b:p'."""
    return {int(s): f"{a}:{sp} > {b}:{dp}" for s, a, sp, b, dp in tshark_fields(
        path, "tcp.flags.syn == 1 && tcp.flags.ack == 0", "tcp.stream", "ip.src", "tcp.srcport",
        "ip.dst", "tcp.dstport")}


class EachConnection(TempDirTestCase):
    """The bundled five-point sample: client -> firewall (SNAT) -> relay (full proxy) -> server."""

    def each(self, out="each", *extra, expect=0):
        result = packetseq("--no-prompt", *NAMES, "--each-connection", "-o", self.path(out),
                           "-t", ",".join(TYPES), *extra, *SAMPLE_POINTS)
        self.assertEqual(result.returncode, expect, result.stderr)
        return result

    def index(self, name="each-index.csv"):
        with open(self.path(name), newline="") as f:
            return list(csv.DictReader(f))

    def read(self, name):
        with open(self.path(name), "rb") as f:
            return f.read()

    def streams(self):
        rows = tshark_fields(f"{SAMPLE}/client.pcapng", "tcp", "tcp.stream")
        return sorted({int(r[0]) for r in rows})

    def test_one_file_per_connection_equal_to_follow(self):
        streams = self.streams()
        self.assertEqual(streams, [0, 1, 2])  # the sample's three client connections
        self.each()
        expected = [f"each-{n}.{t}" for n in streams for t in TYPES] + ["each-index.csv"]
        self.assertEqual(self.listing(), sorted(expected))
        for n in streams:
            result = packetseq("--no-prompt", *NAMES, "--follow", f"tcp.stream=={n}", "-o",
                               self.path(f"follow-{n}"), "-t", ",".join(TYPES), *SAMPLE_POINTS)
            self.assertEqual(result.returncode, 0, result.stderr)
            for t in TYPES:
                self.assertEqual(self.read(f"each-{n}.{t}"), self.read(f"follow-{n}.{t}"),
                                 f"connection {n}, {t}")

    def test_index_lists_every_connection_with_its_endpoints_at_each_point(self):
        self.each()
        rows = self.index()
        self.assertEqual([r["connection"] for r in rows], ["0", "1", "2"])
        client = opening(f"{SAMPLE}/client.pcapng")
        inside = opening(f"{SAMPLE}/fw-inside.pcap")
        outside = set(opening(f"{SAMPLE}/fw-outside.pcap").values())
        relay = set(opening(f"{SAMPLE}/relay.pcap").values())
        server = set(opening(f"{SAMPLE}/server.pcapng").values())
        seen_outside = set()
        for r in rows:
            n = int(r["connection"])
            self.assertEqual(r["Client endpoints"], client[n])
            self.assertEqual(r["FW-inside endpoints"], inside[n])  # same stream numbering here
            # SNAT: the outside connection has the firewall's address and another source port.
            out = r["FW-outside endpoints"]
            self.assertIn(out, outside)
            self.assertTrue(out.startswith("10.10.2.1:"), out)
            self.assertNotEqual(out.split(" > ")[0].split(":")[1],
                                client[n].split(" > ")[0].split(":")[1])
            seen_outside.add(out)
            # The relay sees the client-side connection and its own one to the server.
            relay_side = r["Relay endpoints"].split("; ")
            self.assertEqual(len(relay_side), 2, r["Relay endpoints"])
            self.assertEqual(relay_side[0], out)
            self.assertIn(relay_side[1], relay)
            self.assertEqual(r["Server endpoints"], relay_side[1])
            self.assertIn(r["Server endpoints"], server)
            # Counts and times agree with the connection's own files.
            journeys = list(csv.DictReader(io.StringIO(self.read(f"each-{n}.csv").decode())))
            self.assertEqual(int(r["packets"]), len(journeys))
            self.assertEqual(int(r["lost"]), sum(j["status"] == "lost" for j in journeys))
            self.assertGreater(int(r["observations"]), int(r["packets"]))
            self.assertAlmostEqual(float(r["last"]) - float(r["first"]), float(r["span"]),
                                   places=6)
            self.assertGreater(float(r["span"]), 0)
            self.assertEqual(r["files"].split(" "), [f"each-{n}.{t}" for t in TYPES])
        self.assertEqual(len(seen_outside), 3, "each connection has its own outside port")

    def test_output_name_with_an_extension(self):
        result = packetseq("--no-prompt", *NAMES, "--each-connection", "-o", self.path("run.svg"),
                           *SAMPLE_POINTS)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.listing(),
                         ["run-0.svg", "run-1.svg", "run-2.svg", "run-index.csv"])

    def test_usage_errors_write_nothing(self):
        for args, fragment in ((["--follow", "tcp.stream==0"], "--follow"),
                               (["--no-match"], "--no-match")):
            result = packetseq("--no-prompt", "--each-connection", *args, "-o",
                               self.path("x.svg"), *SAMPLE_POINTS)
            self.assertEqual(result.returncode, 2, args)
            self.assertIn(fragment, result.stderr)
            self.assertIn("--help", result.stderr)
        self.assertEqual(self.listing(), [])

    def test_no_file_of_the_batch_on_error(self):
        # The last connection's SVG cannot be written (a directory is in the way): nothing of the
        # batch appears, and an existing index keeps its content.
        os.mkdir(self.path("each-2.svg"))
        with open(self.path("each-index.csv"), "w") as f:
            f.write("old\n")
        result = self.each(expect=1)
        self.assertIn("each-2.svg", result.stderr)
        self.assertEqual(self.listing(), ["each-2.svg", "each-index.csv"])
        with open(self.path("each-index.csv")) as f:
            self.assertEqual(f.read(), "old\n")

    def test_csv_anchor_is_refused(self):
        result = packetseq("--no-prompt", "--each-connection", "-o", self.path("x"),
                           f"{DATA}/seed/client.csv", f"{SAMPLE}/server.pcapng")
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn(f"{DATA}/seed/client.csv: --each-connection needs a capture file",
                      result.stderr)
        self.assertEqual(self.listing(), [])


if __name__ == "__main__":
    unittest.main()
