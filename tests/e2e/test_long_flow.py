"""Long flows: 20,000 arrows render without a crash; PDF paginates; PNG pages stay < 32767 px."""
import os
import re
import sys
import unittest

from e2e_support import HERE, TempDirTestCase, packetseq, png_size, run


class LongFlow(TempDirTestCase):
    def test_twenty_thousand_arrows(self):
        capture = self.path("long.pcap")
        result = run([sys.executable, os.path.join(HERE, "make_long_flow.py"), capture, "20000"])
        self.assertEqual(result.returncode, 0, result.stderr)
        result = packetseq("--no-prompt", "-i", "summary", "-t", "png,pdf,svg",
                           "-o", self.path("long"), capture)
        self.assertEqual(result.returncode, 0, result.stderr)
        pngs = sorted(f for f in self.listing() if f.endswith(".png"))
        self.assertGreater(len(pngs), 10, "20,000 rows need several PNG pages")
        self.assertTrue(all(re.fullmatch(r"long-\d+\.png", f) for f in pngs), pngs)
        for name in pngs:
            width, height = png_size(self.path(name))
            self.assertLessEqual(height, 32767, name)
            self.assertLessEqual(width, 32767, name)
        info = run(["pdfinfo", self.path("long.pdf")])
        pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
        self.assertGreater(pages, 50)
        svg = open(self.path("long.svg")).read()
        self.assertEqual(svg.count('class="arrow"'), 20000)


if __name__ == "__main__":
    unittest.main()
