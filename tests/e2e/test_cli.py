"""End-to-end tests of the packetseq CLI on the bundled sample, CSV exports and bad input."""
import json
import os
import re
import shutil
import subprocess
import unittest

from e2e_support import (DATA, SAMPLE, SHARED, TempDirTestCase, count_colour, packetseq,
                         png_size, read_png, run)

SAMPLE_POINTS = [
    f"{SAMPLE}/client.pcapng@Client",
    f"{SAMPLE}/fw-inside.pcap@FW-inside",
    f"{SAMPLE}/fw-outside.pcap@FW-outside",
    f"{SAMPLE}/relay.pcap@Relay",
    f"{SAMPLE}/server.pcapng@Server",
]
NAMES = ["--names", f"{SAMPLE}/hosts"]
NODE_NAMES = ["Client", "FW", "Relay", "Server"]


class SampleDiagram(TempDirTestCase):
    """The README's main job: all five capture points of the bundled chain."""

    def render(self, kind, *extra):
        out = self.path(f"sample.{kind}")
        result = packetseq("--no-prompt", *NAMES, "-o", out, *extra, *SAMPLE_POINTS)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(os.path.exists(out), result.stderr)
        return out

    def test_svg_has_node_names_and_blue_syn(self):
        svg = open(self.render("svg", "-i", "summary")).read()
        for name in NODE_NAMES:
            self.assertIn(f">{name}<", svg)
        # The SYN arrows are blue (#0000ff) and labelled [SYN]; SYN/ACK red; ACK green.
        syn_groups = re.findall(r'<g class="arrow"[^>]*>(?:(?!</g>).)*?\[SYN\]', svg, re.S)
        self.assertTrue(syn_groups, "no [SYN] label in the SVG")
        self.assertIn("#0000ff", svg)
        self.assertIn("#ff0000", svg)
        self.assertIn("#008000", svg)
        self.assertIn("[SYN, ACK]", svg)

    def test_png_size_and_coloured_pixels(self):
        out = self.render("png", "-i", "summary")
        width, height, pixels = read_png(out)
        self.assertGreater(width, 500)
        self.assertGreater(height, 300)
        self.assertLessEqual(height, 32767)
        non_white = sum(1 for row in pixels for p in row if p != (255, 255, 255))
        self.assertGreater(non_white, width * height // 100, "image is nearly blank")
        self.assertGreater(count_colour(pixels, (0, 0, 255), 30), 50, "no blue SYN arrows")
        self.assertGreater(count_colour(pixels, (0, 128, 0), 30), 200, "no green ACK arrows")
        self.assertGreater(count_colour(pixels, (255, 165, 0), 30), 50, "no orange PSH arrows")

    def test_pdf_pages(self):
        out = self.render("pdf")
        info = run(["pdfinfo", out])
        self.assertEqual(info.returncode, 0, info.stderr)
        pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
        self.assertGreaterEqual(pages, 1)
        text = run(["pdftotext", out, "-"]).stdout
        for name in NODE_NAMES:
            self.assertIn(name, text)

    def test_diag_renders_with_seqdiag(self):
        out = self.render("diag")
        diag = open(out).read()
        self.assertTrue(diag.startswith("seqdiag {"))
        for name in NODE_NAMES:
            self.assertIn(f'"{name}";', diag)
        self.assertIn("color = blue", diag)
        png = self.path("seqdiag.png")
        result = run(["seqdiag3", "-Tpng", "-o", png, out])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertGreater(png_size(png)[0], 100)

    def test_several_types_at_once(self):
        result = packetseq("--no-prompt", *NAMES, "-t", "png,svg,diag", "-o", self.path("all"),
                           *SAMPLE_POINTS)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.listing(), ["all.diag", "all.png", "all.svg"])

    def test_type_inferred_from_extension_and_seed_default_name(self):
        result = packetseq("--no-prompt", SAMPLE_POINTS[0], cwd=self.tmp)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.listing(), ["out.png"])

    def test_linux_cooked_relay_capture_alone(self):
        result = packetseq("--no-prompt", *NAMES, "-o", self.path("relay.svg"),
                           f"{SAMPLE}/relay.pcap")
        self.assertEqual(result.returncode, 0, result.stderr)
        svg = open(self.path("relay.svg")).read()
        self.assertIn(">Relay<", svg)
        self.assertIn(">Server<", svg)

    def test_names_apply_in_every_capture(self):
        result = packetseq("--no-prompt", "-n", "10.10.1.2=Laptop", "-o", self.path("n.svg"),
                           *SAMPLE_POINTS[:2])
        self.assertEqual(result.returncode, 0, result.stderr)
        svg = open(self.path("n.svg")).read()
        self.assertEqual(svg.count(">Laptop<"), 1, "one lifeline for the address in both files")


class SeedCsv(TempDirTestCase):
    """The seed's input: Wireshark CSV exports (the seed's own sample and one made with tshark)."""

    def test_seed_sample_pair(self):
        out = self.path("seed.svg")
        result = packetseq("--no-prompt", "-n", "192.168.1.3=Client", "-n", "192.168.1.62=Proxy",
                           "-o", out, f"{DATA}/seed/client.csv", f"{DATA}/seed/proxy.csv")
        self.assertEqual(result.returncode, 0, result.stderr)
        svg = open(out).read()
        self.assertIn(">Client<", svg)
        self.assertIn(">Proxy<", svg)
        self.assertIn("CONNECT pagead2.googlesyndication.com:443 HTTP/1.0", svg)

    def export_csv(self, capture, csv_path):
        columns = ["_ws.col.No.", "_ws.col.Time", "_ws.col.Source", "_ws.col.Destination",
                   "_ws.col.Protocol", "_ws.col.Length", "_ws.col.Info"]
        fields = []
        for c in columns:
            fields += ["-e", c]
        result = run(["tshark", "-r", capture, "-t", "ud", "-Y", "tcp", "-T", "fields",
                      "-E", "separator=,", "-E", "quote=d", *fields])
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(csv_path, "w") as f:
            f.write('"No.","Time","Source","Destination","Protocol","Length","Info"\n')
            f.write(result.stdout)

    def test_csv_pair_exported_from_the_sample(self):
        client_csv, server_csv = self.path("client.csv"), self.path("server.csv")
        self.export_csv(f"{SAMPLE}/client.pcapng", client_csv)
        self.export_csv(f"{SAMPLE}/server.pcapng", server_csv)
        out = self.path("csv.svg")
        result = packetseq("--no-prompt", *NAMES, "-i", "summary", "-o", out,
                           f"{client_csv}@Client", f"{server_csv}@Server")
        self.assertEqual(result.returncode, 0, result.stderr)
        svg = open(out).read()
        self.assertIn(">Client<", svg)
        self.assertIn("[SYN]", svg)
        self.assertIn("#0000ff", svg)


class BadInput(TempDirTestCase):
    """Each error: a message naming the file and the cause, exit 1 (2 for usage), no output."""

    def expect_failure(self, args, pattern, status=1):
        out = self.path("never.png")
        result = packetseq("--no-prompt", "-o", out, *args)
        self.assertEqual(result.returncode, status, result.stderr)
        self.assertRegex(result.stderr, pattern)
        self.assertEqual(self.listing(), [f for f in self.listing() if not f.startswith("never")])
        self.assertFalse(any(f.startswith("never") or f.startswith(".never") for f in self.listing()),
                         self.listing())
        return result

    def test_missing_file(self):
        self.expect_failure(["/nonexistent/x.pcap"], r"packetseq: /nonexistent/x\.pcap: no such file")

    def test_text_file(self):
        text = self.path("notes.txt")
        with open(text, "w") as f:
            f.write("this is not a capture\n" * 20)
        self.expect_failure([text], re.escape(text) + r": .*(not|unknown).*(capture|format)")

    def test_truncated_capture(self):
        cut = self.path("cut.pcapng")
        data = open(f"{SAMPLE}/client.pcapng", "rb").read()
        with open(cut, "wb") as f:
            f.write(data[: len(data) * 2 // 3])
        self.expect_failure([cut], re.escape(cut) + r": .*(cut short|truncated)")

    def test_bad_filter(self):
        self.expect_failure(["-f", "tcp.port ==", f"{SAMPLE}/client.pcapng"],
                            re.escape(f"{SAMPLE}/client.pcapng") + r": .*filter")

    def test_filter_matching_nothing(self):
        self.expect_failure(["-f", "tcp.port == 1", f"{SAMPLE}/client.pcapng"],
                            r"no packets match the display filter 'tcp\.port == 1'")

    def test_existing_output_not_clobbered_on_error(self):
        out = self.path("keep.png")
        with open(out, "w") as f:
            f.write("precious")
        result = packetseq("--no-prompt", "-o", out, f"{SAMPLE}/client.pcapng", "/nonexistent.pcap")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(open(out).read(), "precious")
        self.assertEqual(self.listing(), ["keep.png"])

    def test_usage_errors(self):
        result = packetseq()
        self.assertEqual(result.returncode, 2)
        self.assertIn("no capture files given", result.stderr)
        result = packetseq("-i", "verbose", "x.pcap")
        self.assertEqual(result.returncode, 2)
        self.assertIn("invalid label mode 'verbose'", result.stderr)
        result = packetseq("--frobnicate")
        self.assertEqual(result.returncode, 2)
        self.assertIn("Try 'packetseq --help'", result.stderr)

    def test_help_and_version(self):
        result = packetseq("--help")
        self.assertEqual(result.returncode, 0)
        self.assertIn("--no-prompt", result.stdout)
        self.assertIn("packetseq [OPTION", result.stdout)
        self.assertNotIn("(null)", result.stdout)
        result = packetseq("--version")
        self.assertEqual(result.returncode, 0)
        self.assertRegex(result.stdout, r"^packetseq \d+\.\d+\.\d+")

    def test_malformed_shared_captures_never_crash(self):
        folder = os.path.join(SHARED, "malformed")
        if not os.path.isdir(folder):
            self.skipTest(f"{folder} not present")
        for name in sorted(os.listdir(folder)):
            result = packetseq("--no-prompt", "-o", self.path("m.png"), os.path.join(folder, name))
            self.assertIn(result.returncode, (0, 1), f"{name}: {result.stderr}")
            if result.returncode == 1:
                self.assertIn(name, result.stderr)
            self.assertNotIn("Sanitizer", result.stderr, name)


class NamingPrompt(TempDirTestCase):
    """The seed's interactive prompt appears on a terminal, for unnamed endpoints only."""

    def test_prompt_on_a_tty(self):
        import pty
        import select
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(os.environ.get("PACKETSEQ_BIN"),
                     ["packetseq", "-n", "10.10.3.2=Server", "-o", self.path("p.svg"),
                      f"{SAMPLE}/server.pcapng"])
        transcript = b""
        answered = False
        while True:
            ready, _, _ = select.select([fd], [], [], 20)
            if not ready:
                break
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            transcript += chunk
            if not answered and b"input src name>" in transcript:
                os.write(fd, b"Relay-out\n")
                answered = True
        _, status = os.waitpid(pid, 0)
        text = transcript.decode(errors="replace")
        self.assertEqual(os.waitstatus_to_exitcode(status), 0, text)
        self.assertIn("file_name:", text)
        self.assertIn("src ip:10.10.3.1 -> src name: ???", text)
        self.assertNotIn("dst ip:10.10.3.2", text, "named addresses are not asked for")
        svg = open(self.path("p.svg")).read()
        self.assertIn(">Relay-out<", svg)
        self.assertIn(">Server<", svg)


class Follow(TempDirTestCase):
    """--follow FILTER: the filter selects connections in the first capture (the anchor); the
    reader marks them (JSON "followed"), every other point is read whole. What the matcher then
    keeps is docs/matching.md's "Follow mode"."""

    def json(self, *extra):
        out = self.path("follow.json")
        result = packetseq("--no-prompt", *NAMES, "-o", out, *extra, *SAMPLE_POINTS)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(out) as f:
            return json.load(f)

    def test_anchor_packets_of_the_selected_connection_are_marked(self):
        model = self.json("--follow", "tcp.stream == 1")
        anchor = model["points"][0]["observations"]
        frames = run(["tshark", "-r", f"{SAMPLE}/client.pcapng", "-Y", "tcp.stream == 1",
                      "-T", "fields", "-e", "frame.number"])
        self.assertEqual(frames.returncode, 0, frames.stderr)
        expected = {int(n) for n in frames.stdout.split()}
        self.assertEqual(len(expected), 16)
        self.assertEqual({o["frame"] for o in anchor if o.get("followed")}, expected)
        for o in anchor:
            self.assertEqual(o.get("followed", False), o["stream"] == 1, o["frame"])
        for point in model["points"][1:]:  # other points: selected by matching, never marked
            self.assertFalse(any(o.get("followed") for o in point["observations"]))

    def tshark_frames(self, capture, display_filter):
        result = run(["tshark", "-r", capture, "-Y", display_filter, "-T", "fields",
                      "-e", "frame.number"])
        self.assertEqual(result.returncode, 0, result.stderr)
        return {int(n) for n in result.stdout.split()}

    def test_each_point_keeps_exactly_that_connection(self):
        """Truth from outside packetseq: the relay's own log (relay-chunks.tsv) names, for its
        n-th connection, the firewall's translated client address:port and the relay's own port
        towards the server; the n-th client connection is client tcp.stream n-1."""
        relay_conns = []
        with open(f"{SAMPLE}/relay-chunks.tsv") as f:
            for line in f:
                fields = line.rstrip("\n").split("\t")
                if fields[0] == "conn":
                    detail = dict(kv.split("=") for kv in fields[-1].split())
                    relay_conns.append((detail["client"], detail["upstream_local"]))
        self.assertEqual(len(relay_conns), 3)
        for stream, (outside, upstream) in enumerate(relay_conns):
            with self.subTest(stream=stream):
                model = self.json("-t", "json", "--follow", f"tcp.stream == {stream}")
                ports = run(["tshark", "-r", f"{SAMPLE}/client.pcapng", "-Y",
                             f"tcp.stream == {stream} && tcp.flags.syn == 1 && "
                             "tcp.flags.ack == 0", "-T", "fields", "-e", "tcp.srcport"])
                client_port = int(ports.stdout.split()[0])
                nat_port = int(outside.split(":")[1])
                relay_port = int(upstream.split(":")[1])
                expected = {
                    "client.pcapng": f"tcp.stream == {stream}",
                    "fw-inside.pcap": f"tcp.port == {client_port}",
                    "fw-outside.pcap": f"tcp.port == {nat_port}",
                    "relay.pcap": f"tcp.port == {nat_port} || tcp.port == {relay_port}",
                    "server.pcapng": f"tcp.port == {relay_port}",
                }
                for point in model["points"]:
                    name = os.path.basename(point["path"])
                    kept = {o["frame"] for o in point["observations"]}
                    self.assertEqual(kept,
                                     self.tshark_frames(point["path"], expected[name]), name)
                    self.assertTrue(kept, name)
                bindings = {(b["inside"], b["outside"]) for b in model["nat_bindings"]}
                self.assertIn((f"10.10.1.2:{client_port}", outside), bindings)

    def test_header_names_the_follow_filter(self):
        out = self.path("follow.svg")
        result = packetseq("--no-prompt", *NAMES, "--follow", "tcp.stream == 1", "-o", out,
                           *SAMPLE_POINTS)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(out) as f:
            self.assertIn("filter: tcp, follow: tcp.stream == 1", f.read())

    def test_without_follow_nothing_is_marked(self):
        model = self.json()
        for point in model["points"]:
            self.assertFalse(any("followed" in o for o in point["observations"]))

    def test_follow_matching_nothing_fails_naming_the_filter(self):
        out = self.path("x.svg")
        result = packetseq("--no-prompt", "--follow", "tcp.stream == 9", "-o", out,
                           *SAMPLE_POINTS)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"{SAMPLE}/client.pcapng: no TCP segments match the follow filter "
                      "'tcp.stream == 9' (68 TCP segments read with the display filter 'tcp')",
                      result.stderr)
        self.assertEqual(self.listing(), [])

    def test_invalid_follow_filter(self):
        result = packetseq("--no-prompt", "--follow", "tcp.stream ==", "-o", self.path("x.svg"),
                           *SAMPLE_POINTS)
        self.assertEqual(result.returncode, 1)
        self.assertIn("invalid follow filter 'tcp.stream =='", result.stderr)
        self.assertEqual(self.listing(), [])

    def test_csv_anchor_cannot_evaluate_the_filter(self):
        result = packetseq("--no-prompt", "--follow", "tcp.stream == 0", "-o", self.path("x.svg"),
                           f"{DATA}/seed/client.csv", f"{SAMPLE}/server.pcapng")
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"{DATA}/seed/client.csv: follow mode needs a capture file as the first "
                      "capture point", result.stderr)
        self.assertEqual(self.listing(), [])

    def test_usage_errors(self):
        for args, fragment in ((["--follow", ""], "--follow needs a display filter"),
                               (["--follow", "tcp", "--no-match"], "--no-match")):
            result = packetseq("--no-prompt", *args, "-o", self.path("x.svg"), *SAMPLE_POINTS)
            self.assertEqual(result.returncode, 2, args)
            self.assertIn(fragment, result.stderr)
            self.assertIn("--help", result.stderr)
        self.assertEqual(self.listing(), [])


if __name__ == "__main__":
    unittest.main()
