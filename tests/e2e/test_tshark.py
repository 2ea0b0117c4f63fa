"""End-to-end tests of `tshark -z packetseq`: the plugin loads as an unprivileged user and writes
the same files as the packetseq CLI for the same inputs; bad options and bad input fail as the
CLI does; no run leaves a file in $TMPDIR."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from gui_support import PACKETSEQ, PLUGIN_SO, PluginTestCase, run_as_user

# TCP reassembly off, as the CLI reader has it: Info texts then match segment for segment.
TSHARK = ["tshark", "-o", "tcp.desegment_tcp_streams:FALSE"]
EXTRA = ["fw-inside.pcap@FW-inside", "fw-outside.pcap@FW-outside", "relay.pcap@Relay",
         "server.pcapng@Server"]


def z_sample(*keys):
    """-z string for the five-point sample with client.pcapng as tshark's own file."""
    parts = ["packetseq", "point=Client"] + [f"capture={c}" for c in EXTRA] + ["names=hosts"]
    return ",".join(parts + list(keys))


CLI_SAMPLE = ["client.pcapng@Client"] + EXTRA


class TsharkTestCase(PluginTestCase):
    """Every run gets a private TMPDIR that must be empty afterwards: the reader children send
    their observations through pipes, never files, whatever happens (success, failed extra
    capture, killed or garbage-writing child, bad option)."""

    def setUp(self):
        super().setUp()
        self.tmpdir = tempfile.mkdtemp(prefix="psq-tmpdir-")
        os.chmod(self.tmpdir, 0o755)
        self.work.chown(self.tmpdir)
        work_env = self.work.env
        self.work.env = lambda **extra: work_env(**{"TMPDIR": self.tmpdir, **extra})

    def tearDown(self):
        try:
            left = sorted(os.listdir(self.tmpdir))
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.assertEqual(left, [], "files left in TMPDIR")
        finally:
            super().tearDown()


class PluginLoads(TsharkTestCase):
    def test_listed_by_tshark_as_unprivileged_user(self):
        result = run_as_user(["tshark", "-G", "plugins"], self.work)
        self.assertEqual(result.returncode, 0, result.stderr)
        listed = [line for line in result.stdout.splitlines() if "packetseq.so" in line]
        self.assertEqual(len(listed), 1, result.stdout)
        self.assertIn(PLUGIN_SO, listed[0])

    def test_plugin_does_not_link_qt(self):
        needed = subprocess.run(["readelf", "-d", PLUGIN_SO], capture_output=True, text=True)
        self.assertEqual(needed.returncode, 0, needed.stderr)
        self.assertIn("libwireshark", needed.stdout)
        self.assertNotIn("Qt5", needed.stdout)

    def test_help_lists_the_keys(self):
        result = run_as_user(["tshark", "-r", "client.pcapng", "-q", "-z", "packetseq,help"],
                             self.work)
        self.assertEqual(result.returncode, 0, result.stderr)
        for key in ("capture=FILE[@NAME]", "names=FILE", "type=TYPE", "filter=FILTER"):
            self.assertIn(key, result.stdout)


class SameAsCli(TsharkTestCase):
    """tshark -z packetseq and the CLI produce byte-identical files for the same inputs."""

    def cli(self, *args):
        result = run_as_user([PACKETSEQ, "--no-prompt", "--names", "hosts", *args, *CLI_SAMPLE],
                             self.work)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def tshark(self, *keys):
        result = run_as_user(TSHARK + ["-r", "client.pcapng", "-q", "-z", z_sample(*keys)],
                             self.work)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def read(self, name):
        with open(self.work.file(name), "rb") as f:
            return f.read()

    def test_svg_identical_to_cli(self):
        self.cli("-i", "summary", "-o", "cli.svg")
        result = self.tshark("info=summary", "out=z.svg")
        self.assertIn("wrote z.svg", result.stderr)
        svg = self.read("z.svg")
        self.assertEqual(svg, self.read("cli.svg"))
        for node in (b">Client<", b">FW<", b">Relay<", b">Server<"):
            self.assertIn(node, svg)

    def test_diag_and_proportional_png_identical_to_cli(self):
        self.cli("--time", "proportional", "-t", "diag,png", "-o", "cli")
        self.tshark("time=proportional", "type=diag+png", "out=z")
        self.assertEqual(self.read("z.diag"), self.read("cli.diag"))
        self.assertEqual(self.read("z.png"), self.read("cli.png"))

    def test_json_identical_to_cli(self):
        probe = run_as_user([PACKETSEQ, "--no-prompt", "-t", "json", "-o", "probe",
                             "client.pcapng"], self.work)
        if probe.returncode != 0:
            self.skipTest("this packetseq CLI has no -t json yet: " + probe.stderr.strip())
        self.cli("-t", "json", "-o", "cli.json")
        self.tshark("type=json", "out=z.json")
        self.assertEqual(self.read("z.json"), self.read("cli.json"))

    def test_json_has_all_five_points_matched(self):
        import json
        self.tshark("type=json", "out=z")
        model = json.loads(self.read("z.json"))
        self.assertEqual([p["name"] for p in model["points"]],
                         ["Client", "FW-inside", "FW-outside", "Relay", "Server"])
        self.assertEqual([n["name"] for n in model["nodes"]], ["Client", "FW", "Relay", "Server"])
        self.assertEqual(model["points"][0]["path"], "client.pcapng")
        self.assertEqual(model["points"][0]["format"], "pcapng")
        self.assertEqual(len(model["points"][0]["observations"]), 68)
        self.assertGreater(model["match"]["counters"]["multi_point_journeys"], 100)

    def test_stats_table_identical_to_cli(self):
        cli = self.cli("--stats", "-o", "cli.svg")
        z = self.tshark("stats=1", "out=z.svg")
        self.assertIn("Hops", z.stdout)
        self.assertEqual(z.stdout, cli.stdout)

    def test_filter_key_takes_the_rest_including_commas(self):
        self.cli("-f", "tcp.port in {8080, 8000, 41001}", "-o", "cli.svg")
        self.tshark("out=z.svg", "filter=tcp.port in {8080, 8000, 41001}")
        self.assertEqual(self.read("z.svg"), self.read("cli.svg"))


class FilterAndFollow(TsharkTestCase):
    """filter= restricts tshark's own -r file exactly as the CLI's -f does; follow= marks the
    same packets of the anchor as the CLI's --follow; the files are byte-identical."""

    def cli(self, *args):
        result = run_as_user([PACKETSEQ, "--no-prompt", *args], self.work)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def tshark(self, read_file, *keys):
        result = run_as_user(TSHARK + ["-r", read_file, "-q", "-z", ",".join(("packetseq",) + keys)],
                             self.work)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def read(self, name):
        with open(self.work.file(name), "rb") as f:
            return f.read()

    def test_filter_restricts_the_read_file_like_cli_f(self):
        # The issue's own example: one file, tcp.stream==0 has 12 packets (68 in the file).
        self.cli("-f", "tcp.stream==0", "-t", "csv", "-o", "cli", "client.pcapng")
        self.tshark("client.pcapng", "out=z", "type=csv", "filter=tcp.stream==0")
        z = self.read("z.csv")
        self.assertEqual(z, self.read("cli.csv"))
        self.assertEqual(len(z.decode().splitlines()), 1 + 12)  # header + one row per journey

    def test_filter_on_five_points_identical_to_cli(self):
        # (A port filter would match nothing at the firewall's outside: SNAT rewrites the port.)
        self.cli("--names", "hosts", "-f", "tcp.len > 0 || tcp.flags.syn == 1", "-t", "csv,json",
                 "-o", "cli", *CLI_SAMPLE)
        self.tshark("client.pcapng", "point=Client", *[f"capture={c}" for c in EXTRA],
                    "names=hosts", "out=z", "type=csv+json",
                    "filter=tcp.len > 0 || tcp.flags.syn == 1")
        self.assertEqual(self.read("z.csv"), self.read("cli.csv"))
        self.assertEqual(self.read("z.json"), self.read("cli.json"))

    def test_follow_identical_to_cli_and_marks_the_selected_connection(self):
        self.cli("--names", "hosts", "--follow", "tcp.stream == 1", "-t", "csv,json", "-o", "cli",
                 *CLI_SAMPLE)
        self.tshark("client.pcapng", "point=Client", *[f"capture={c}" for c in EXTRA],
                    "names=hosts", "out=z", "type=csv+json", "follow=tcp.stream == 1")
        self.assertEqual(self.read("z.csv"), self.read("cli.csv"))
        self.assertEqual(self.read("z.json"), self.read("cli.json"))
        anchor = json.loads(self.read("z.json"))["points"][0]["observations"]
        followed = [o for o in anchor if o.get("followed")]
        self.assertEqual(len(followed), 16)  # tshark -r client.pcapng -Y 'tcp.stream == 1'
        self.assertTrue(all(o["stream"] == 1 for o in followed))

    def test_each_connection_identical_to_cli(self):
        # each=1: one diagram per connection of tshark's own file plus the index, as the CLI's
        # --each-connection (the index names the files by their base names: identical too).
        self.cli("--names", "hosts", "--each-connection", "-t", "csv,json,svg", "-o", "cli",
                 *CLI_SAMPLE)
        self.tshark("client.pcapng", "point=Client", *[f"capture={c}" for c in EXTRA],
                    "names=hosts", "out=z", "type=csv+json+svg", "each=1")
        for n in (0, 1, 2):  # the three connections of client.pcapng
            for t in ("csv", "json", "svg"):
                self.assertEqual(self.read(f"z-{n}.{t}"), self.read(f"cli-{n}.{t}"), (n, t))
        self.assertFalse(os.path.exists(self.work.file("z-3.csv")))
        z_index = self.read("z-index.csv").decode().replace("z-", "cli-")
        self.assertEqual(z_index, self.read("cli-index.csv").decode())
        self.assertEqual(len(z_index.splitlines()), 1 + 3)

    def test_each_connection_with_follow_is_refused(self):
        result = run_as_user(TSHARK + ["-r", "client.pcapng", "-q", "-z",
                                       "packetseq,each=1,follow=tcp.stream==0"], self.work)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("--each-connection (each=1)", result.stderr)
        self.assertFalse(any(n.startswith("out") for n in os.listdir(self.work.path)))


class SameErrorsAsCli(TsharkTestCase):
    """Bad input fails in tshark with the CLI's exit status (1) and message, and writes nothing."""

    def both(self, read_file, cli_args, keys):
        cli = run_as_user([PACKETSEQ, "--no-prompt", *cli_args, "-o", "c.svg", read_file],
                          self.work)
        z = run_as_user(TSHARK + ["-r", read_file, "-q", "-z",
                                  ",".join(("packetseq", "out=z.svg") + keys)], self.work)
        self.assertEqual(cli.returncode, 1, cli.stderr)
        self.assertEqual(z.returncode, 1, z.stderr)
        message = cli.stderr.strip().splitlines()[-1].replace("packetseq: ", "", 1)
        self.assertIn("tshark: packetseq: " + message, z.stderr)
        self.assertFalse(os.path.exists(self.work.file("z.svg")))
        self.assertFalse(os.path.exists(self.work.file("c.svg")))
        return message

    def test_empty_capture(self):
        with open(self.work.file("empty.pcap"), "wb") as f:  # a pcap header and no packet
            f.write(bytes.fromhex("d4c3b2a1020004000000000000000000ffff000001000000"))
        self.work.chown(self.work.file("empty.pcap"))
        message = self.both("empty.pcap", [], ())
        self.assertEqual(message, "empty.pcap: the capture file contains no packets")

    def test_filter_matching_nothing(self):
        message = self.both("client.pcapng", ["-f", "tcp.port == 9"], ("filter=tcp.port == 9",))
        self.assertEqual(message, "client.pcapng: no packets match the display filter "
                                  "'tcp.port == 9' (68 packets read)")

    def test_follow_matching_nothing(self):
        message = self.both("client.pcapng", ["--follow", "tcp.stream == 9"],
                            ("follow=tcp.stream == 9",))
        self.assertIn("no TCP segments match the follow filter 'tcp.stream == 9'", message)

    def test_fifo_capture_and_names_file_are_refused(self):
        fifo = self.work.file("pipe.pcap")
        os.mkfifo(fifo)
        self.work.chown(fifo)
        for key, what in (("capture", "capture file"), ("names", "names file")):
            z = run_as_user(TSHARK + ["-r", "client.pcapng", "-q", "-z",
                                      f"packetseq,out=z.svg,{key}=pipe.pcap"], self.work,
                            timeout=60)
            self.assertEqual(z.returncode, 1, z.stderr)
            self.assertIn(f"pipe.pcap: is a FIFO, not a {what}", z.stderr)
        self.assertFalse(os.path.exists(self.work.file("z.svg")))


class OneCapture(TsharkTestCase):
    def test_single_point_needs_no_packetseq_program(self):
        result = run_as_user(TSHARK + ["-r", "server.pcapng", "-q", "-z",
                                       "packetseq,name=10.10.3.2=Server,type=svg,out=one"],
                             self.work, PACKETSEQ_BIN="/nonexistent/packetseq")
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(self.work.file("one.svg")) as f:
            svg = f.read()
        self.assertIn(">Server<", svg)
        self.assertIn("[SYN]", svg)


class BadOptions(TsharkTestCase):
    def z(self, argument, **env):
        return run_as_user(["tshark", "-r", "client.pcapng", "-q", "-z", argument], self.work,
                           **env)

    def assert_fails(self, result, status, *fragments):
        self.assertEqual(result.returncode, status, result.stderr)
        for fragment in fragments:
            self.assertIn(fragment, result.stderr)
        self.assertEqual(sorted(os.listdir(self.work.path)),
                         sorted(["home", "client.pcapng", "fw-inside.pcap", "fw-outside.pcap",
                                 "relay.pcap", "server.pcapng", "hosts"]),
                         "files were written despite the error")

    def test_unknown_key(self):
        self.assert_fails(self.z("packetseq,colour=red"), 1, "tshark: packetseq: unknown key "
                          "'colour'", "usage:")

    def test_item_without_value(self):
        self.assert_fails(self.z("packetseq,svg"), 1, "expected KEY=VALUE, got 'svg'")

    def test_bad_values(self):
        self.assert_fails(self.z("packetseq,type=gif"), 1, "gif")
        self.assert_fails(self.z("packetseq,info=everything"), 1, "everything")
        self.assert_fails(self.z("packetseq,time=sideways"), 1, "sideways")
        self.assert_fails(self.z("packetseq,offset=server"), 1, "offset=POINT=OFFSET")
        self.assert_fails(self.z("packetseq,offset=server=+9 parsecs"), 1, "+9 parsecs")

    def test_missing_capture_file_is_named(self):
        self.assert_fails(self.z("packetseq,capture=nothere.pcap"), 1,
                          "nothere.pcap: no such file")

    def test_invalid_display_filter(self):
        self.assert_fails(self.z("packetseq,filter=tcp.port ==="), 1,
                          "invalid display filter 'tcp.port ==='")

    def test_unreadable_extra_capture_fails_with_its_name(self):
        with open(self.work.file("notes.pcap"), "w") as f:
            f.write("not a capture\n")
        self.work.chown(self.work.file("notes.pcap"))
        result = self.z("packetseq,capture=notes.pcap,out=x.svg")
        self.assertEqual(result.returncode, 1, result.stderr)  # as the CLI: bad input
        self.assertIn("notes.pcap", result.stderr)
        self.assertFalse(os.path.exists(self.work.file("x.svg")))

    def fake_reader(self, body):
        path = self.work.file("fake-packetseq")
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + body + "\n")
        os.chmod(path, 0o755)
        self.work.chown(path)
        return path

    def test_reader_child_garbage_or_death_names_the_capture(self):
        # The child's stdout is a checked record stream: garbage, or a child killed before its
        # end record, is an error naming the capture (and leaves nothing in TMPDIR).
        cases = [("echo garbage",
                  "server.pcapng: reader output is not a packetseq record stream (bad magic)"),
                 ("printf '\\211PSQOBS\\n\\001\\000\\000\\000'; kill -9 $$",
                  "server.pcapng: reader stream truncated after 0 observations "
                  "(reader stopped by signal 9)")]
        for body, message in cases:
            with self.subTest(body=body):
                program = self.fake_reader(body)
                result = self.z("packetseq,capture=server.pcapng,out=x.svg",
                                PACKETSEQ_BIN=program)
                os.unlink(program)
                self.assert_fails(result, 1, message)

    def test_missing_packetseq_program(self):
        result = self.z("packetseq,capture=server.pcapng,out=x.svg",
                        PACKETSEQ_BIN="/nonexistent/packetseq")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("server.pcapng", result.stderr)
        self.assertFalse(os.path.exists(self.work.file("x.svg")))


if __name__ == "__main__":
    unittest.main()
