"""End-to-end tests of the text diagram formats: Mermaid, PlantUML and the text ladder.

Each file the CLI writes is checked by the tool that will read it: Mermaid's own parser
(tests/e2e/mermaid_check, installed by scripts/install-deps.sh) and Debian's plantuml.
"""
import glob
import os
import shutil
import subprocess
import sys
import unittest

from e2e_support import HERE, SAMPLE, TempDirTestCase, packetseq, run

MERMAID_CHECK = os.path.join(HERE, "mermaid_check")
SAMPLE_CAPTURES = sorted(glob.glob(os.path.join(SAMPLE, "*.pcap*")))
HOSTS = os.path.join(SAMPLE, "hosts")


def display_width(line):
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


class TextFormatsTestCase(TempDirTestCase):
    def mermaid_parses(self, *paths):
        if not os.path.isdir(os.path.join(MERMAID_CHECK, "node_modules", "mermaid")):
            self.skipTest("Mermaid checker not installed (npm ci in tests/e2e/mermaid_check)")
        result = run(["node", os.path.join(MERMAID_CHECK, "check.mjs"), *paths])
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(result.stdout.count(": ok (sequence"), len(paths), result.stdout)

    def plantuml_renders(self, path):
        if not shutil.which("plantuml"):
            self.skipTest("plantuml not installed")
        result = run(["plantuml", "-tsvg", "-failfast2", path])
        svg = os.path.splitext(path)[0] + ".svg"
        self.assertTrue(os.path.exists(svg), result.stdout + result.stderr)
        with open(svg, encoding="utf-8") as f:
            text = f.read()
        for failure in ("Syntax Error", "error has occured", "Exception"):
            self.assertNotIn(failure, text, f"{path}: plantuml reports {failure}")
        return text


class Sample(TextFormatsTestCase):
    """The bundled five-point sample in every text format, read back by the real tools."""

    def setUp(self):
        super().setUp()
        result = packetseq("--no-prompt", "--names", HOSTS, "-o", self.path("s"),
                           "-t", "mermaid,plantuml,txt", "--title", "Ticket #4711: slow GET",
                           *SAMPLE_CAPTURES)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.listing(), ["s.mmd", "s.puml", "s.txt"])

    def test_mermaid_parses_with_participants_in_path_order(self):
        self.mermaid_parses(self.path("s.mmd"))
        with open(self.path("s.mmd"), encoding="utf-8") as f:
            text = f.read()
        self.assertTrue(text.startswith("sequenceDiagram\n  title Ticket #35;4711#58; slow GET\n"))
        participants = [l.split(" as ")[1] for l in text.splitlines()
                        if l.startswith("  participant ")]
        self.assertEqual([p.split("<br/>")[0] for p in participants],
                         ["Client", "FW", "Relay", "Server"])
        self.assertIn("Note over N2: ", text)  # the relay's dwell
        self.assertIn("dwell 40.", text)
        self.assertNotIn(SAMPLE, text)  # capture names, never paths

    def test_plantuml_renders_with_flag_colours(self):
        svg = self.plantuml_renders(self.path("s.puml"))
        self.assertIn("Ticket #4711: slow GET", svg)
        self.assertIn("Relay", svg)
        # SYN arrows blue, SYN/ACK red, as in the images.
        self.assertIn("#0000FF", svg.upper())
        self.assertIn("#FF0000", svg.upper())

    def test_text_ladder_columns(self):
        with open(self.path("s.txt"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0], "Ticket #4711: slow GET")
        self.assertTrue(all(display_width(l) <= 100 for l in lines))
        header = next(l for l in lines if l.startswith("time "))
        self.assertEqual(header.split(), ["time", "Client", "FW", "Relay", "Server"])
        syn = next(l for l in lines if l.startswith("+0.000000"))
        self.assertRegex(syn, r"^\+0\.000000 +\|-+>\|")
        self.assertTrue(any("# dwell 40." in l for l in lines))


class Hostile(TextFormatsTestCase):
    """Labels and names with every metacharacter: the files still parse and render."""

    CSV = ('"No.","Time","Source","Destination","Protocol","Length","Info"\n'
           '"1","2024-01-01 00:00:00.000000","10.0.0.1","10.0.0.2","TCP","66",'
           '"1000  >  80 [SYN] a;b#c:d<e>f%g&h ""q"" **bold** //it// --x end @enduml \\"\n'
           '"2","2024-01-01 00:00:00.001000","10.0.0.2","10.0.0.1","TCP","66",'
           '"80  >  1000 [SYN, ACK] Клиент 日本 ✓ trailing\\"\n')

    def test_every_format_survives(self):
        csv = self.path("hostile.csv")
        with open(csv, "w", encoding="utf-8") as f:
            f.write(self.CSV)
        hosts = self.path("hosts")
        with open(hosts, "w", encoding="utf-8") as f:
            f.write("10.0.0.1 end\n10.0.0.2 Кли:ент;日本\n")
        result = packetseq("--no-prompt", "--names", hosts, "-i", "info", "-o", self.path("h"),
                           "-t", "mermaid,plantuml,txt", "--width", "60", csv)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.mermaid_parses(self.path("h.mmd"))
        svg = self.plantuml_renders(self.path("h.puml"))
        self.assertIn("@enduml", svg)  # the label's text, drawn, not the end of the diagram
        self.assertIn("Клиент", svg)
        with open(self.path("h.txt"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        self.assertTrue(all(display_width(l) <= 60 for l in lines), lines)
        self.assertTrue(any("Кли:ент;日本" in l for l in lines), lines)


class LongFlow(TextFormatsTestCase):
    def test_mermaid_split_under_its_limit(self):
        pcap = self.path("long.pcap")
        subprocess.run([sys.executable, os.path.join(HERE, "make_long_flow.py"), pcap, "2000"],
                       check=True)
        result = packetseq("--no-prompt", "-o", self.path("long.mmd"), pcap)
        self.assertEqual(result.returncode, 0, result.stderr)
        parts = sorted(glob.glob(self.path("long-*.mmd")))
        self.assertGreater(len(parts), 1, self.listing())
        for i, part in enumerate(parts, 1):
            with open(part, encoding="utf-8") as f:
                text = f.read()
            self.assertLessEqual(len(text), 50000)
            self.assertIn(f"(part {i} of {len(parts)})", text)
        self.assertIn("wrote " + parts[-1], result.stderr)
        self.mermaid_parses(*parts)


class OutputRules(TextFormatsTestCase):
    def test_unknown_extension_is_a_usage_error(self):
        result = packetseq("--no-prompt", "-o", self.path("x.gif"), SAMPLE_CAPTURES[0])
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("cannot tell the output type from", result.stderr)
        self.assertIn("mermaid, plantuml or txt", result.stderr)
        self.assertEqual(self.listing(), [])

    def test_extension_picks_the_text_format(self):
        for name, first in (("a.mmd", "sequenceDiagram"), ("b.puml", "@startuml"),
                            ("c.txt", "packetseq")):
            result = packetseq("--no-prompt", "-o", self.path(name), SAMPLE_CAPTURES[0])
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(self.path(name), encoding="utf-8") as f:
                self.assertEqual(f.readline().rstrip("\n"), first)

    def test_dash_writes_one_text_format_to_stdout(self):
        result = packetseq("--no-prompt", "-o", "-", "-t", "txt", "--width", "80",
                           SAMPLE_CAPTURES[0], cwd=self.tmp)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.startswith("packetseq\n"), result.stdout[:200])
        self.assertIn("legend:", result.stdout)
        self.assertEqual(self.listing(), [])  # no file named "-" or "-.txt"
        result = packetseq("--no-prompt", "-o", "-", "-t", "svg", SAMPLE_CAPTURES[0], cwd=self.tmp)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.startswith("<?xml"))
        for extra in ([], ["-t", "png"], ["-t", "txt,svg"]):
            result = packetseq("--no-prompt", "-o", "-", *extra, SAMPLE_CAPTURES[0], cwd=self.tmp)
            self.assertEqual(result.returncode, 2, extra)
            self.assertIn("-o - writes one text format or SVG", result.stderr)
            self.assertEqual(result.stdout, "")
        self.assertEqual(self.listing(), [])

    def test_width_out_of_range(self):
        result = packetseq("--no-prompt", "--width", "5", "-o", self.path("x.txt"),
                           SAMPLE_CAPTURES[0])
        self.assertEqual(result.returncode, 2)
        self.assertIn("--width", result.stderr)
        self.assertEqual(self.listing(), [])


if __name__ == "__main__":
    unittest.main()
