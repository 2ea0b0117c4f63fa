"""End-to-end tests of the Wireshark dialog (Statistics > Multi-Point Sequence...) under Xvfb.

Wireshark runs as an unprivileged user with the build tree's plugin folder; the tests click
with xdotool (no window manager: mouse clicks and XTEST typing work), read the screen with
tesseract and check pixels of screenshots. Set PACKETSEQ_GUI_SHOTS=DIR to keep the screenshots.
"""
import json
import os
import shutil
import subprocess
import sys
import time
import unittest
import xml.etree.ElementTree as ET

from e2e_support import read_png
from e2e_support import PACKETSEQ
from gui_support import (QT_MODULE, UserWorkdir, WiresharkSession, children_of, find_word,
                         is_root, reader_processes, require_plugin, require_programs)

HERE = os.path.dirname(os.path.abspath(__file__))
BLUE, RED, GREEN = (0, 0, 255), (255, 0, 0), (0, 128, 0)


def near(p, rgb, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(p, rgb))


def pixels_in(pixels, region, rgb, tolerance=40):
    x, y, w, h = (int(v) for v in region)
    return [(px, py) for py in range(y, min(y + h, len(pixels)))
            for px in range(x, min(x + w, len(pixels[py]))) if near(pixels[py][px], rgb, tolerance)]


class DialogTestCase(unittest.TestCase):
    """One Wireshark on the sample's client.pcapng per test, dialog open."""

    wireshark_args = ()  # extra Wireshark options, e.g. a display filter

    def setUp(self):
        require_programs(self, "wireshark", "Xvfb", "xdotool", "import", "convert", "tesseract",
                         "readelf")
        if is_root():
            require_programs(self, "setpriv")
        require_plugin(self)
        if not os.path.exists(QT_MODULE):
            self.skipTest(f"{QT_MODULE} not built (Qt5 Widgets missing?)")
        self.work = UserWorkdir()
        self.addCleanup(self.work.cleanup)
        self.shots = os.path.join(self.work.path, "shots")
        os.mkdir(self.shots)
        self.work.chown(self.shots)
        self.addCleanup(self.keep_shots)
        self.ws = WiresharkSession(self.work, self.work.file("client.pcapng"), self.shots,
                                   self.wireshark_args)
        self.addCleanup(self.ws.stop)  # cleanups run even when setUp fails half-way
        self.ws.open_dialog()
        self.anchor_buttons()

    def keep_shots(self):
        keep = os.environ.get("PACKETSEQ_GUI_SHOTS")
        if keep:
            target = os.path.join(keep, self.id().rsplit(".", 1)[-1])
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(self.shots, target)

    # -- dialog geometry from what is on screen ------------------------------------------------

    def anchor_buttons(self):
        """Finds the Build button and the Per-hop tab; the diagram lies between them."""
        dx, dy, dw, dh = self.ws.DIALOG
        build = self.ws.wait_word("Build", region=(dx, dy + 250, 260, 350), exact=True,
                                  label="build-button")
        per_hop = self.ws.wait_word("Per-hop", region=(dx, dy + dh - 320, 260, 320),
                                    label="per-hop-tab")
        self.build_xy = build
        self.button_row = (dx, build[1] - 20, dw, 40)
        self.diagram = (dx + 8, build[1] + 22, dw - 40, per_hop[1] - build[1] - 45)

    def add_point(self, path):
        """Types a path into the dialog's path field and presses Enter; checks the new row."""
        dx, dy, _, _ = self.ws.DIALOG
        table = (dx, dy + 30, 800, 150)
        base = os.path.basename(path)
        rows_before = sum(base in w[0] for w in self.ws.words(table, "rows", ("threshold",)))
        if not getattr(self, "path_field", None):  # its placeholder text shows only at first
            self.path_field = self.ws.wait_word(
                "type", region=(dx + 80, dy + 150, 500, self.build_xy[1] - 250),
                label="path-field")
        self.ws.x.click(*self.path_field)
        self.ws.x.type_text(path)
        self.ws.x.key("Return")
        deadline = time.time() + 30
        while time.time() < deadline:
            time.sleep(0.5)
            rows = sum(base in w[0] for w in self.ws.words(table, "rows", ("threshold",)))
            if rows > rows_before:
                return
        self.fail(f"{base} was not added to the capture points")

    def click_build(self):
        self.ws.x.click(*self.build_xy)

    def wait_built(self, timeout=300):
        """Waits until the status line reports the finished build; returns its words."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            words = self.ws.words(self.button_row, "status", passes=("threshold",))
            text = " ".join(w[0] for w in words)
            if "arrows," in text and "nodes" in text:  # "N capture points, N packets, N arrows, ..."
                return text
            if "Error" in text:
                self.fail("build failed: " + text)
            time.sleep(1)
        self.fail("build did not finish: " + text)

    def wait_text(self, region, text, label, timeout=30):
        """Waits until the OCR text of `region` contains `text`; returns that text."""
        deadline = time.time() + timeout
        while True:
            words = self.ws.words(region, label, passes=("threshold", "gray"))
            seen = " ".join(w[0] for w in words).replace("  ", " ")
            if text in seen:
                return seen
            if time.time() > deadline:
                self.fail(f"'{text}' did not appear; saw: {seen[:500]}")
            time.sleep(0.5)

    def diagram_pixels(self, label):
        _, _, pixels = read_png(self.ws.shot(label))
        return pixels


class BuildAndNavigate(DialogTestCase):
    def test_two_points_diagram_then_click_selects_frame(self):
        self.add_point(self.work.file("fw-inside.pcap"))
        self.click_build()
        status = self.wait_built()
        self.assertIn("2 capture", status)
        pixels = self.diagram_pixels("built")
        # Lifeline headers: the client's address in a box at the top of the diagram.
        header = (self.diagram[0], self.diagram[1], 500, 120)
        words = self.ws.words(header, "header")
        self.assertIsNotNone(find_word(words, "10.10.1.2"), [w[0] for w in words])
        # Coloured arrows: blue SYN, red SYN/ACK, green ACK.
        self.assertGreater(len(pixels_in(pixels, self.diagram, BLUE, 30)), 100)
        red = pixels_in(pixels, self.diagram, RED, 30)
        self.assertGreater(len(red), 100)
        self.assertGreater(len(pixels_in(pixels, self.diagram, GREEN, 30)), 200)

        # The first SYN/ACK arrow ends at the client (its head is the leftmost red): a point on
        # its shaft just right of the head is frame 2 of client.pcapng.
        tip_x, tip_y = min(red)
        reddish = pixels_in(pixels, (tip_x + 38, tip_y - 12, 5, 24), RED, 110)
        shaft = sorted(y for _, y in reddish)
        self.assertTrue(shaft, "no SYN/ACK shaft next to its head")
        self.ws.x.click(tip_x + 40, shaft[len(shaft) // 2])
        self.wait_text(self.button_row, "frame 2", "after-click")
        # Wireshark itself selected frame 2: its detail pane starts with "Frame 2:".
        mx, my, mw, mh = self.ws.MAIN
        self.wait_text((mx, my + mh // 2, mw // 2, 150), "Frame 2:", "packet-details")


class FollowDisplayFilter(DialogTestCase):
    """Wireshark opened with a display filter on one connection (as after Follow > TCP Stream):
    the dialog follows that connection across the points it is given."""

    STREAM = "tcp.stream eq 1"
    wireshark_args = ("-Y", STREAM)

    def arrows_by_cli(self, *extra):
        out = os.path.join(self.work.path, "cli.json")
        points = [self.work.file(n) for n in ("client.pcapng", "fw-inside.pcap", "fw-outside.pcap")]
        result = subprocess.run([PACKETSEQ, "--no-prompt", "-t", "json", "-o", out, *extra,
                                 *points], capture_output=True, text=True, timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(out) as f:
            return len(json.load(f)["arrows"])

    def test_display_filter_prefills_follow_and_build_keeps_that_connection(self):
        dx, dy, dw, _ = self.ws.DIALOG
        # The follow field shows Wireshark's filter (follow is on since a filter is applied).
        self.ws.wait_word("tcp.stream", region=(dx, dy, dw, self.build_xy[1] - dy), label="follow")
        self.add_point(self.work.file("fw-inside.pcap"))
        self.add_point(self.work.file("fw-outside.pcap"))
        self.click_build()
        status = self.wait_built()
        followed = self.arrows_by_cli("--follow", self.STREAM)
        self.assertLess(followed, self.arrows_by_cli())  # following really selects
        self.assertIn("3 capture points", status)
        self.assertIn(f"{followed} arrows", status)


class Export(DialogTestCase):
    def export(self, kind, label=None):
        label = label or kind.upper()
        button = self.ws.click_word("Export", region=self.button_row, label="export-button")
        time.sleep(0.5)
        self.ws.click_word(label, region=(button[0] - 80, button[1] + 10, 220, 320),
                           exact=True, label="export-menu")
        window = self.ws.wait_window(f"Export {label}", 60)
        x, y, w, h = self.ws.x.geometry(window)
        self.ws.click_word("Save", region=(x + w // 2, y + h // 2, w // 2, h // 2), exact=True,
                           label="save-dialog")
        path = self.work.file(f"client-packetseq.{kind}")
        # Exports are renamed into place when complete: existence means the whole file.
        deadline = time.time() + 90
        while not os.path.exists(path) and time.time() < deadline:
            time.sleep(0.3)
        self.assertTrue(os.path.exists(path), f"{path} not written")
        deadline = time.time() + 30  # the save dialog closes before the next menu can open
        while self.ws.x.windows(f"Export {label}") and time.time() < deadline:
            time.sleep(0.3)
        return path

    def test_export_svg_png_json(self):
        self.click_build()
        self.wait_built()
        svg = self.export("svg")
        root = ET.parse(svg).getroot()
        self.assertTrue(root.tag.endswith("svg"))
        with open(svg) as f:
            text = f.read()
        self.assertIn("[SYN]", text)
        self.assertIn("10.10.1.2", text)

        png = self.export("png")
        width, height, pixels = read_png(png)
        self.assertGreater(width, 300)
        self.assertGreater(sum(1 for r in pixels for p in r if near(p, BLUE, 30)), 50)

        with open(self.export("json")) as f:
            model = json.load(f)
        self.assertEqual(model["schema"], "packetseq-model")
        self.assertEqual(len(model["points"][0]["observations"]), 68)

        with open(self.export("txt", "Text"), encoding="utf-8") as f:
            ladder = f.read()
        self.assertTrue(ladder.startswith("packetseq\n"), ladder[:200])
        self.assertIn("10.10.1.2", ladder)
        self.assertIn("legend:", ladder)


class LongBuild(DialogTestCase):
    """A large extra capture: the GUI stays responsive, Cancel and Close stop the readers."""

    def setUp(self):
        # A build long enough by construction on any machine: the readers sleep 600 us a
        # packet, so each 65,000-packet read lasts at least 39 s however fast the machine is
        # (the checks before Cancel take a few seconds, more on a loaded machine).
        os.environ["PACKETSEQ_TEST_READ_DELAY_US"] = "600"
        self.addCleanup(os.environ.pop, "PACKETSEQ_TEST_READ_DELAY_US", None)
        super().setUp()
        self.big = [self.work.file(f"{name}.pcap") for name in ("alpha", "bravo", "charlie")]
        subprocess.run([sys.executable, os.path.join(HERE, "make_long_flow.py"), self.big[0],
                        "65000"], check=True)
        for path in self.big:
            if path != self.big[0]:
                shutil.copy(self.big[0], path)
            self.work.chown(path)
        self.add_point(self.big[0])
        self.add_point(self.big[1])  # two readers: a longer build

    def start_build(self):
        self.click_build()
        deadline = time.time() + 60
        while not reader_processes(self.work) and time.time() < deadline:
            time.sleep(0.1)
        self.assertTrue(reader_processes(self.work), "no packetseq reader was started")
        # The readers are children of Wireshark (spawned by the plugin).
        self.assertTrue(set(reader_processes(self.work)) & set(children_of(self.ws.proc.pid)))

    def wait_no_readers(self, timeout=60):
        deadline = time.time() + timeout
        while reader_processes(self.work) and time.time() < deadline:
            time.sleep(0.2)
        self.assertEqual(reader_processes(self.work), [], "reader processes left behind")

    def test_responsive_during_build_then_cancel(self):
        self.start_build()
        status_box = (self.button_row[0] + 250, self.button_row[1], 600, self.button_row[3])
        x, y, w, h = (int(v) for v in status_box)

        def crop(path):  # raw pixels of the status line; ImageMagick is fast even under load
            return subprocess.run(["convert", path, "-crop", f"{w}x{h}+{x}+{y}", "-depth", "8",
                                   "rgb:-"], capture_output=True, check=True, timeout=60).stdout

        # The progress in the status line keeps moving while the readers run (the throttled
        # readers guarantee the build is still running during these 15 s).
        before = crop(self.ws.shot("during-1"))
        deadline = time.time() + 15
        changed = False
        while not changed and time.time() < deadline:
            time.sleep(0.5)
            changed = crop(self.ws.shot("during-2")) != before
        self.assertTrue(changed, "status line froze during the build")
        self.assertTrue(reader_processes(self.work), "the build ended before Cancel")
        self.ws.click_word("Cancel", region=self.button_row, exact=True, label="cancel")
        self.wait_no_readers()
        self.ws.wait_word("Cancelled", region=self.button_row, label="cancelled")

        # Build again: Wireshark's own menus still open meanwhile, and the build completes.
        self.start_build()
        where = self.ws.open_menu("Statistics")
        self.ws.wait_word("Conversations", region=self.ws.menu_region(where, 250),
                          label="menu-open")
        self.ws.x.click(self.ws.DIALOG[0] + 600, self.diagram[1] + 200)  # closes the menu
        status = self.wait_built(timeout=180)
        self.assertIn("3 capture points", status)
        self.wait_no_readers()

    def test_close_dialog_then_quit_wireshark_during_build(self):
        self.start_build()
        self.ws.click_word("Close", region=self.button_row, exact=True, label="close")
        self.wait_no_readers()
        self.assertIsNone(self.ws.proc.poll(), "Wireshark exited when the dialog closed")

        # Again, and this time quit Wireshark itself while the readers run.
        self.ws.open_dialog()
        self.anchor_buttons()
        self.path_field = None
        self.add_point(self.big[2])
        self.start_build()
        where = self.ws.open_menu("File")
        self.ws.click_word("Quit", region=self.ws.menu_region(where, 700), exact=True,
                           label="quit")
        try:
            self.ws.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.fail("Wireshark did not quit")
        self.wait_no_readers()


if __name__ == "__main__":
    unittest.main()
