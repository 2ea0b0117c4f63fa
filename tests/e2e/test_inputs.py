"""End-to-end tests of the CLI's input safety: non-regular files, bounded names files, option
text in any locale, empty option values and seqdiag-safe .diag text (issue 12, items 4-5)."""
import html
import os
import re
import shutil
import socket
import subprocess
import tempfile
import unittest

from e2e_support import DATA, PACKETSEQ, SAMPLE, TempDirTestCase

# Every run has a short timeout: a FIFO or /dev/zero that is opened must fail the test, not hang it.
TIMEOUT = 60
CLIENT = f"{SAMPLE}/client.pcapng"
SEED_CSV = f"{DATA}/seed/client.csv"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # fonts-dejavu-core
CYRILLIC = "Клиент"


def packetseq(*args, env=None, cwd=None):
    """Runs packetseq (arguments may be bytes) with stdout/stderr decoded leniently."""
    result = subprocess.run([PACKETSEQ, *args], stdin=subprocess.DEVNULL, capture_output=True,
                            timeout=TIMEOUT, env=env, cwd=cwd)
    result.stdout = result.stdout.decode("utf-8", "replace")
    result.stderr = result.stderr.decode("utf-8", "replace")
    return result


def read_text(path):
    """The file as text; strict UTF-8, so invalid bytes in an output fail the test."""
    with open(path, "rb") as f:
        return f.read().decode("utf-8")


def locale_env(name, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k != "LANG"}
    env.update(LANG=name, LC_ALL=name, **extra)
    return env


class NonRegularInputs(TempDirTestCase):
    """FIFOs, devices, sockets and directories are refused without being opened (no hang)."""

    def expect_refused(self, args, message):
        out = self.path("never.svg")
        before = self.listing()
        result = packetseq("--no-prompt", "-o", out, *args)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn(f"packetseq: {message}\n", result.stderr)
        self.assertEqual(self.listing(), before, "an output file was created")
        return result

    def fifo(self):
        path = self.path("pipe")
        os.mkfifo(path)
        return path

    def test_fifo_capture(self):
        fifo = self.fifo()
        self.expect_refused([fifo], f"{fifo}: is a FIFO, not a capture file")

    def test_fifo_capture_in_reader_mode(self):
        fifo = self.fifo()
        for mode in ("--observations-json", "--observations-stream"):
            result = packetseq(mode, fifo)
            self.assertEqual(result.returncode, 1, result.stderr)
            self.assertIn(f"{fifo}: is a FIFO, not a capture file", result.stderr)
            self.assertEqual(result.stdout, "")

    def test_device_capture(self):
        self.expect_refused(["/dev/zero"], "/dev/zero: is a device, not a capture file")

    def test_directory_capture(self):
        self.expect_refused([self.tmp], f"{self.tmp}: is a directory, not a capture file")

    def test_socket_capture(self):
        path = self.path("sock")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(server.close)
        server.bind(path)
        self.expect_refused([path], f"{path}: is a socket, not a capture file")

    def test_fifo_names_file(self):
        fifo = self.fifo()
        self.expect_refused(["--names", fifo, CLIENT], f"{fifo}: is a FIFO, not a names file")

    def test_dev_zero_names_file(self):
        self.expect_refused(["--names", "/dev/zero", CLIENT],
                            "/dev/zero: is a device, not a names file")

    def test_directory_names_file(self):
        folder = self.path("hosts.d")
        os.mkdir(folder)
        self.expect_refused(["--names", folder, CLIENT],
                            f"{folder}: is a directory, not a names file")

    def test_names_file_over_16_mb(self):
        big = self.path("hosts")
        with open(big, "wb") as f:
            f.write(b"10.10.1.2 Client\n")
            f.truncate(16 * 1024 * 1024 + 1)  # sparse: cheap to make, one byte over the cap
        self.expect_refused(["--names", big, CLIENT],
                            f"{big}: names file larger than 16 MB (the limit)")

    def test_names_file_at_16_mb_is_read(self):
        hosts = self.path("hosts")
        line = b"10.10.1.2 Client\n"
        with open(hosts, "wb") as f:
            f.write(line)
            f.write(b"#" * (16 * 1024 * 1024 - len(line) - 1) + b"\n")
        self.assertEqual(os.path.getsize(hosts), 16 * 1024 * 1024)
        out = self.path("ok.svg")
        result = packetseq("--no-prompt", "--names", hosts, "-o", out, CLIENT)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(">Client<", read_text(out))

    def test_missing_names_file(self):
        missing = self.path("nothere")
        self.expect_refused(["--names", missing, CLIENT], f"{missing}: no such file")


class OptionTextInAnyLocale(TempDirTestCase):
    """-n and FILE@NAME accept UTF-8 whatever the locale, and the locale's encoding otherwise."""

    def svg_with(self, args, env):
        out = self.path("names.svg")
        result = packetseq("--no-prompt", "-o", out, *args, env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        return read_text(out)

    def test_cyrillic_name_in_every_locale(self):
        for name in ("C", "POSIX", "C.UTF-8", "en_US.ISO-8859-1"):
            with self.subTest(locale=name):
                svg = self.svg_with(["-n", f"10.10.1.2={CYRILLIC}", CLIENT], locale_env(name))
                self.assertIn(f">{CYRILLIC}<", svg)

    def test_cyrillic_capture_name_under_lang_c(self):
        svg = self.svg_with(["--no-match", f"{CLIENT}@Точка"], locale_env("C"))
        self.assertIn("Точка", svg)

    def test_latin1_name_in_a_latin1_locale(self):
        # The locale need not be installed: its codeset is taken from LANG/LC_ALL.
        svg = self.svg_with(["-n", b"10.10.1.2=Caf\xe9", CLIENT], locale_env("en_US.ISO-8859-1"))
        self.assertIn(">Café<", svg)

    def test_latin1_name_in_an_installed_latin1_locale(self):
        locales = tempfile.mkdtemp(prefix="psq-locale-")
        self.addCleanup(shutil.rmtree, locales, True)
        made = subprocess.run(["localedef", "-i", "en_US", "-f", "ISO-8859-1",
                               os.path.join(locales, "en_US.ISO-8859-1")],
                              capture_output=True, timeout=TIMEOUT)
        if made.returncode not in (0, 1) or not os.path.isdir(
                os.path.join(locales, "en_US.ISO-8859-1")):
            self.skipTest("localedef cannot build en_US.ISO-8859-1 (no locale sources)")
        env = locale_env("en_US.ISO-8859-1", LOCPATH=locales)
        svg = self.svg_with(["-n", b"10.10.1.2=Caf\xe9", "-n", f"10.10.2.2={CYRILLIC}", CLIENT], env)
        self.assertIn(">Café<", svg)

    def test_invalid_text_in_a_utf8_locale_is_a_usage_error(self):
        out = self.path("never.svg")
        result = packetseq("--no-prompt", "-o", out, "-n", b"10.10.1.2=Caf\xe9", CLIENT,
                           env=locale_env("C.UTF-8"))
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("packetseq: -n/--name: '10.10.1.2=Caf\ufffd' is neither UTF-8 nor text in "
                      "the locale's encoding (UTF-8)", result.stderr)
        self.assertEqual(self.listing(), [])

    def test_long_bad_value_is_quoted_as_an_excerpt(self):
        result = packetseq("--no-prompt", "-o", self.path("never.svg"), "-i", "x" * 5000, CLIENT)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("-i/--info: invalid label mode '" + "x" * 200 + "... (4800 more bytes)'",
                      result.stderr)
        self.assertLess(len(result.stderr), 600)
        self.assertEqual(self.listing(), [])
        for args in (["--offset", "x" * 5000], ["--same-clock", "x" * 5000], ["--" + "x" * 5000],
                     ["-n", "x" * 5000], ["-n", "x" * 5000 + "=name"]):
            with self.subTest(option=args[0][:10]):
                result = packetseq("--no-prompt", "-o", self.path("never.svg"), *args, CLIENT)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertIn("more bytes)", result.stderr)
                self.assertLess(len(result.stderr), 800)
                self.assertEqual(self.listing(), [])


class EmptyOptionValues(TempDirTestCase):
    """An empty value is a usage error naming the option, nothing written; -f '' means no filter."""

    CASES = [
        (["-t", ""], "-t/--type"),
        (["--type="], "-t/--type"),
        (["-i", ""], "-i/--info"),
        (["--time", ""], "--time"),
        (["-o", ""], "-o/--out"),
        (["-n", ""], "-n/--name"),
        (["--names", ""], "--names"),
        (["--offset", ""], "--offset"),
        (["--same-clock", ""], "--same-clock"),
    ]

    def test_empty_values(self):
        for args, option in self.CASES:
            with self.subTest(args=args):
                # No -o: the default output (out.png) would appear in the working directory.
                result = packetseq("--no-prompt", *args, CLIENT, cwd=self.tmp)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertIn(f"packetseq: {option}: empty value\n", result.stderr)
                self.assertIn("Try 'packetseq --help'", result.stderr)
                self.assertEqual(self.listing(), [])

    def test_empty_filter_means_no_filter(self):
        # The one documented empty value: every packet read, TCP segments over IP drawn. The
        # Wireshark dialog runs `packetseq --observations-json -f FIELD` with an empty field.
        out = self.path("all.svg")
        result = packetseq("--no-prompt", "-f", "", "-o", out, CLIENT)
        self.assertEqual(result.returncode, 0, result.stderr)
        svg = read_text(out)
        self.assertIn("68 packets", svg)
        self.assertNotIn("filter:", svg)
        result = packetseq("--observations-json", "--no-prompt", "-f", "", "--", CLIENT)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn('"observations"', result.stdout)
        # The reader the plugin runs: a binary record stream (docs/architecture.md) on stdout.
        result = subprocess.run(
            [PACKETSEQ, "--observations-stream", "--no-prompt", "-f", "", "--", CLIENT],
            capture_output=True, stdin=subprocess.DEVNULL, timeout=600)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout[:12], b"\x89PSQOBS\n\x01\x00\x00\x00")
        self.assertEqual(result.stdout[-21:-16], b"\x03\x10\x00\x00\x00")  # end record
        self.assertEqual(int.from_bytes(result.stdout[-16:-8], "little"), 68)  # its count
        self.assertEqual(result.stderr, b"")

    def test_stream_reader_mode_reads_one_capture(self):
        result = packetseq("--observations-stream", "--no-prompt", CLIENT, CLIENT)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("packetseq: --observations-stream reads exactly one capture file\n",
                      result.stderr)
        self.assertEqual(result.stdout, "")
        result = packetseq("--observations-stream", "--observations-json", "--no-prompt", CLIENT)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("cannot be combined", result.stderr)

    def test_empty_capture_argument(self):
        result = packetseq("--no-prompt", "", cwd=self.tmp)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("packetseq: empty capture file name", result.stderr)
        self.assertEqual(self.listing(), [])

    def test_empty_item_in_a_type_list(self):
        result = packetseq("--no-prompt", "-t", "svg,", CLIENT, cwd=self.tmp)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("-t/--type: invalid output type ''", result.stderr)
        self.assertEqual(self.listing(), [])


class SeqdiagSafeText(TempDirTestCase):
    """Hostile labels and names still give a .diag that seqdiag3 renders."""

    # Appended to the Info column of the seed CSV's first rows (CSV quoting: "" is one quote).
    INFO_TAILS = [b" GET /caf\xe9 \xff\xfe", b' say ""hi""', b" C:\\dir\\",
                  b" \xd0\x9a \xc2\xa5 \\n", b"\\"]
    NAMES = ["-n", '192.168.1.3=Клиент "A"\\', "-n", "192.168.1.62=Proxy\\"]

    def hostile_csv(self):
        with open(SEED_CSV, "rb") as f:
            lines = f.read().split(b"\n")
        out = [lines[0]]
        for i, line in enumerate(l for l in lines[1:] if l):
            if i < len(self.INFO_TAILS):
                self.assertTrue(line.endswith(b'"'))
                line = line[:-1] + self.INFO_TAILS[i] + b'"'
            out.append(line)
        path = self.path("hostile.csv")
        with open(path, "wb") as f:
            f.write(b"\n".join(out) + b"\n")
        return path

    def seqdiag_text(self, diag):
        """Renders with seqdiag3 (a TrueType font: its built-in font is Latin-1 only); returns
        every drawn text run concatenated, spaces removed (seqdiag wraps long labels)."""
        svg = self.path("seqdiag.svg")
        result = subprocess.run(["seqdiag3", "-f", FONT, "-Tsvg", "-o", svg, diag],
                                capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        runs = re.findall(r"<text[^>]*>([^<]*)</text>", read_text(svg))
        return "".join(html.unescape(r) for r in runs).replace(" ", "")

    def test_csv_with_invalid_utf8_quotes_and_trailing_backslashes(self):
        diag = self.path("hostile.diag")
        result = packetseq("--no-prompt", "-i", "info", *self.NAMES, "-o", diag,
                           self.hostile_csv(), env=locale_env("C"))
        self.assertEqual(result.returncode, 0, result.stderr)
        text = read_text(diag)
        self.assertIn("\ufffd", text)
        self.assertIn('"Клиент \\"A\\"\\\\ ";', text)
        drawn = self.seqdiag_text(diag)
        for expected in ['Клиент"A"\\', "Proxy\\", 'say"hi"', "C:\\dir\\", "GET/caf\ufffd",
                         "К\uffe5\\n"]:
            self.assertIn(expected, drawn)

    def test_capture_file_name_not_utf8(self):
        # The point name comes from the file name, which may be any bytes: every text output
        # stays valid UTF-8 (read_text decodes strictly) and the .diag still renders.
        capture = os.path.join(os.fsencode(self.tmp), b"cli\xe9nt.pcapng")
        shutil.copyfile(CLIENT, capture)
        base = self.path("all")
        result = packetseq("--no-prompt", "-t", "csv,diag,svg,json", "-o", base, capture,
                           env=locale_env("C"))
        self.assertEqual(result.returncode, 0, result.stderr)
        for kind in ("csv", "diag", "svg", "json"):
            with self.subTest(kind=kind):
                text = read_text(f"{base}.{kind}")
                if kind != "diag":
                    self.assertIn("cli\ufffdnt.pcapng", text)
        self.assertIn("[SYN]", self.seqdiag_text(f"{base}.diag"))

    def test_capture_with_hostile_names(self):
        diag = self.path("sample.diag")
        result = packetseq("--no-prompt", "-n", '10.10.1.2=Клиент "A"\\', "-n",
                           "10.10.2.2=\\", "-o", diag, CLIENT, env=locale_env("C"))
        self.assertEqual(result.returncode, 0, result.stderr)
        drawn = self.seqdiag_text(diag)
        self.assertIn('Клиент"A"\\', drawn)
        self.assertIn("[SYN]", drawn)


if __name__ == "__main__":
    unittest.main()
