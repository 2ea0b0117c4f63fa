"""Shared helpers for end-to-end tests: running binaries, reading PNG pixels, paths."""
import os
import shutil
import struct
import subprocess
import tempfile
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(SOURCE_DIR, "tests", "data")
SAMPLE = os.path.join(DATA, "sample")
SHARED = os.path.normpath(os.path.join(SOURCE_DIR, "..", "shared", "captures"))
PACKETSEQ = os.environ.get("PACKETSEQ_BIN", os.path.join(SOURCE_DIR, "build", "cli", "packetseq"))


def run(args, **kwargs):
    """Runs a command, returns CompletedProcess with text output; never raises on exit code."""
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)


def packetseq(*args, **kwargs):
    return run([PACKETSEQ, *args], **kwargs)


def read_png(path):
    """Decodes an 8-bit RGB/RGBA non-interlaced PNG: returns (width, height, rows of (r,g,b))."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG"
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, "unsupported PNG"
            channels = 4 if colour == 6 else 3
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    i = 0
    for _ in range(height):
        ftype = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 0xFF
            elif ftype == 2:
                line[x] = (line[x] + b) & 0xFF
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 0xFF
        rows.append(line)
        prev = line
    pixels = []
    for line in rows:
        row = []
        for x in range(width):
            px = line[x * channels:(x + 1) * channels]
            if channels == 4:  # cairo writes premultiplied-then-unpremultiplied RGBA; treat as RGB
                row.append((px[0], px[1], px[2]))
            else:
                row.append(tuple(px))
        pixels.append(row)
    return width, height, pixels


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    return struct.unpack(">II", head[16:24])


def count_colour(pixels, rgb, tolerance=40):
    """Pixels within `tolerance` (per channel) of rgb."""
    r0, g0, b0 = rgb
    return sum(1 for row in pixels for (r, g, b) in row
               if abs(r - r0) <= tolerance and abs(g - g0) <= tolerance and abs(b - b0) <= tolerance)


class TempDirTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="psq-e2e-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def listing(self):
        return sorted(os.listdir(self.tmp))
