#!/usr/bin/env python3
"""Takes the user guide's Wireshark screenshots (docs/screenshots/*.png) under Xvfb.

Usage (from the build tree's environment, as for test_gui.py):
  PACKETSEQ_BIN=build/cli/packetseq PACKETSEQ_WS_PLUGIN_DIR=build/wsplugins \\
      python3 tests/e2e/gui_docs_screenshots.py [OUTDIR] [--follow]
--follow: Wireshark opened with the display filter "tcp.stream eq 1" (as after Follow > TCP
Stream); only the dialog is shot, as dialog-follow.png.
Drives the real Wireshark with the plugin on the bundled five-point sample: the Statistics
menu, the dialog after Build (all five capture points, node names from the sample's hosts
file), a hover tooltip and the per-hop table.
"""
import os
import subprocess
import sys
import time

from gui_support import UserWorkdir, WiresharkSession, find_word, ocr_words

HERE = os.path.dirname(os.path.abspath(__file__))
FOLLOW = "--follow" in sys.argv[1:]
ARGS = [a for a in sys.argv[1:] if a != "--follow"]
OUT = ARGS[0] if ARGS else os.path.join(HERE, "..", "..", "docs", "screenshots")
POINTS = [("fw-inside.pcap", "FW-inside"), ("fw-outside.pcap", "FW-outside"),
          ("relay.pcap", "Relay"), ("server.pcapng", "Server")]


def crop(src, region, dest):
    x, y, w, h = (int(v) for v in region)
    subprocess.run(["convert", src, "-crop", f"{w}x{h}+{x}+{y}", "+repage", dest], check=True)
    print("wrote", dest)


def main():
    os.makedirs(OUT, exist_ok=True)
    work = UserWorkdir()
    shots = os.path.join(work.path, "shots")
    os.mkdir(shots)
    work.chown(shots)
    ws = WiresharkSession(work, work.file("client.pcapng"), shots,
                          ("-Y", "tcp.stream eq 1") if FOLLOW else ())
    try:
        mx, my, mw, mh = ws.MAIN
        where = ws.open_menu("Statistics")
        menu_word = ws.wait_word("Multi-Point", region=ws.menu_region(where), label="menu")
        ws.x.move(menu_word[0] - 2, menu_word[1])
        ws.x.move(*menu_word)  # highlight the entry
        time.sleep(0.6)
        if not FOLLOW:
            crop(ws.shot("menu"), (0, 0, 760, 700), os.path.join(OUT, "statistics-menu.png"))
        ws.x.click(*menu_word)
        ws.dialog = ws.wait_window("Multi-Point Sequence", 15)
        ws.place(ws.dialog, ws.DIALOG)
        dx, dy, dw, dh = ws.DIALOG

        path_field = ws.wait_word("type", region=(dx + 80, dy + 150, 500, 200), label="path")
        for name, _ in POINTS:
            ws.x.click(*path_field)
            ws.x.type_text(work.file(name))
            ws.x.key("Return")
            time.sleep(0.4)

        # Point names: double-click each Name cell and type the name.
        words = ocr_words(ws.shot("table"), region=(dx, dy + 30, dw, 200))
        for base, point in [("client.pcapng", "Client")] + POINTS:
            cell = [w for w in words if w[0].startswith(base[:8]) and w[1] > dx + 600]
            if not cell:
                print("name cell not found for", base, file=sys.stderr)
                continue
            _, x, y, w, h = cell[0]
            ws.x.click(x + w / 2, y + h / 2, double=True)
            ws.x.key("ctrl+a")
            ws.x.type_text(point)
            ws.x.key("Return")
            time.sleep(0.3)

        ws.click_word("Load", region=(dx + 500, dy + 150, dw - 500, 300), label="load-names")
        dialog = ws.wait_window("Load node names", 15)
        time.sleep(0.8)
        ws.x.type_text(work.file("hosts"))
        ws.x.key("Return")
        time.sleep(1)

        combo = ws.wait_word("Info", region=(dx, dy + 150, 600, 350), exact=True, label="labels")
        ws.x.click(*combo)
        time.sleep(0.5)
        ws.click_word("Flags", region=(dx, dy + 150, 600, 450), label="flags-only")

        build = ws.wait_word("Build", region=(dx, dy + 250, 260, 350), exact=True, label="build")
        ws.x.click(*build)
        deadline = time.time() + 90
        while time.time() < deadline:
            words = ocr_words(ws.shot("status"), region=(dx, build[1] - 20, dw, 40),
                              passes=("threshold",))
            if "arrows," in " ".join(w[0] for w in words):
                break
            time.sleep(1)
        ws.x.move(dx + dw - 20, dy + dh - 20)  # mouse out of the way
        time.sleep(1)
        crop(ws.shot("dialog"), ws.DIALOG,
             os.path.join(OUT, "dialog-follow.png" if FOLLOW else "dialog.png"))
        if FOLLOW:
            return

        # Hover over the first blue SYN arrow near its head for the tooltip.
        from e2e_support import read_png
        _, _, pixels = read_png(ws.shot("for-hover"))
        top = int(build[1] + 30)
        blue = [(x, y) for y in range(top, top + 500) for x in range(dx, dx + dw - 30)
                if pixels[y][x] == (0, 0, 255)]
        if blue:
            x, y = max(blue)  # arrow head (rightmost), then back along the shaft
            ws.x.move(x - 40, y)
            ws.x.move(x - 35, y)
            time.sleep(1.5)
            crop(ws.shot("tooltip"), (dx, top - 10, dw, 420), os.path.join(OUT, "tooltip.png"))
        else:
            print("no blue arrow found for the tooltip", file=sys.stderr)
    finally:
        ws.stop()
        work.cleanup()


if __name__ == "__main__":
    main()
