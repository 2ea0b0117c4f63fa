"""Reliability of the CLI's outputs: all-or-nothing writes, signals, output naming an input."""
import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from e2e_support import DATA, HERE, PACKETSEQ, SAMPLE, TempDirTestCase, packetseq

SAMPLE_CAPTURES = [f"{SAMPLE}/client.pcapng", f"{SAMPLE}/fw-inside.pcap",
                   f"{SAMPLE}/fw-outside.pcap", f"{SAMPLE}/relay.pcap", f"{SAMPLE}/server.pcapng"]
# The two kinds of temporary output file: unnamed O_TMPFILE files (the default) and hidden
# ".NAME.XXXXXX" files (file systems without O_TMPFILE; forced by PACKETSEQ_NAMED_TEMPS=1).
TEMP_MODES = {"unnamed": "0", "named": "1"}


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def default_signals():
    # A test runner started in the background has SIGINT ignored, and packetseq (rightly) keeps
    # an ignored signal ignored; the child must see the default dispositions.
    for signo in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signo, signal.SIG_DFL)


def env_with(**extra):
    env = dict(os.environ)
    env.update(extra)
    return env


def temp_in_use(pid, directory):
    """True once the process has a file open in `directory` or created an entry there."""
    prefix = os.path.realpath(directory) + os.sep
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}").startswith(prefix):
                    return True
            except OSError:
                pass
    except OSError:
        pass
    return False


class KillWhileWriting(TempDirTestCase):
    """SIGINT/SIGTERM/SIGHUP during a long multi-page PNG leave nothing behind anywhere."""

    @classmethod
    def setUpClass(cls):
        cls.data = tempfile.mkdtemp(prefix="psq-long-")
        cls.capture = os.path.join(cls.data, "long.pcap")
        # 6,000 packets: several 30,000 px PNG pages, seconds of writing on any machine.
        subprocess.run([sys.executable, os.path.join(HERE, "make_long_flow.py"), cls.capture,
                        "6000"], check=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.data, ignore_errors=True)

    def kill_during_write(self, signo, mode):
        out_dir = self.path("out")
        tmp_dir = self.path("tmp")
        os.mkdir(out_dir)
        os.mkdir(tmp_dir)
        old_page = os.path.join(out_dir, "long-1.png")
        with open(old_page, "wb") as f:
            f.write(b"old page from an earlier run")
        before = sorted(os.listdir(out_dir))
        proc = subprocess.Popen(
            [PACKETSEQ, "--no-prompt", "-i", "summary", "-t", "png", "-o",
             os.path.join(out_dir, "long"), self.capture],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env_with(TMPDIR=tmp_dir, PACKETSEQ_NAMED_TEMPS=TEMP_MODES[mode]),
            preexec_fn=default_signals)
        try:
            # Wait for observable state, not a fixed time: a temp output open or listed.
            deadline = time.monotonic() + 300
            while proc.poll() is None and time.monotonic() < deadline:
                if temp_in_use(proc.pid, out_dir) or sorted(os.listdir(out_dir)) != before:
                    break
                time.sleep(0.01)
            self.assertIsNone(proc.poll(), "packetseq finished before a temp file appeared")
            proc.send_signal(signo)
            _, stderr = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, 128 + signo, stderr.decode(errors="replace"))
        self.assertEqual(sorted(os.listdir(out_dir)), before, "files left next to the output")
        with open(old_page, "rb") as f:
            self.assertEqual(f.read(), b"old page from an earlier run")
        self.assertEqual(os.listdir(tmp_dir), [], "files left in $TMPDIR")

    def test_sigint_unnamed_temps(self):
        self.kill_during_write(signal.SIGINT, "unnamed")

    def test_sigterm_unnamed_temps(self):
        self.kill_during_write(signal.SIGTERM, "unnamed")

    def test_sigint_named_temps(self):
        self.kill_during_write(signal.SIGINT, "named")

    def test_sigterm_named_temps(self):
        self.kill_during_write(signal.SIGTERM, "named")

    def test_sighup_named_temps(self):
        self.kill_during_write(signal.SIGHUP, "named")

    def test_multi_page_png_is_all_or_nothing(self):
        # A directory where page 3 goes: no page at all is written, nothing is left behind.
        os.mkdir(self.path("long-3.png"))
        for mode, value in TEMP_MODES.items():
            with self.subTest(mode=mode):
                result = packetseq("--no-prompt", "-i", "summary", "-t", "png", "-o",
                                   self.path("long"), self.capture,
                                   env=env_with(PACKETSEQ_NAMED_TEMPS=value))
                self.assertEqual(result.returncode, 1, result.stderr)
                self.assertIn(self.path("long-3.png") + ": is a directory", result.stderr)
                self.assertEqual(self.listing(), ["long-3.png"])


class FailingOutputKeepsOldFiles(TempDirTestCase):
    """With several output types, one failure leaves every existing output as it was."""

    def test_second_output_a_directory(self):
        with open(self.path("out.svg"), "w") as f:
            f.write("old svg\n")
        os.mkdir(self.path("out.json"))
        for mode, value in TEMP_MODES.items():
            with self.subTest(mode=mode):
                result = packetseq("--no-prompt", "-o", self.path("out"), "-t", "svg,json",
                                   *SAMPLE_CAPTURES, env=env_with(PACKETSEQ_NAMED_TEMPS=value))
                self.assertEqual(result.returncode, 1, result.stderr)
                self.assertIn(self.path("out.json") + ": is a directory", result.stderr)
                with open(self.path("out.svg")) as f:
                    self.assertEqual(f.read(), "old svg\n")
                self.assertEqual(self.listing(), ["out.json", "out.svg"])

    def test_png_write_error_names_the_output_not_a_temp_file(self):
        # A file size limit (SIGXFSZ ignored, so write() fails with EFBIG) lets the ~180 KB SVG
        # through and stops the ~2 MB PNG.
        def limit_file_size():
            default_signals()
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (1024 * 1024, 1024 * 1024))

        with open(self.path("out.svg"), "w") as f:
            f.write("old svg\n")
        for mode, value in TEMP_MODES.items():
            with self.subTest(mode=mode):
                result = packetseq("--no-prompt", "-o", self.path("out"), "-t", "svg,png",
                                   *SAMPLE_CAPTURES, preexec_fn=limit_file_size,
                                   env=env_with(PACKETSEQ_NAMED_TEMPS=value))
                self.assertEqual(result.returncode, 1, result.stderr)
                self.assertIn(self.path("out.png") + ": write failed: File too large",
                              result.stderr)
                self.assertNotIn("/proc/self/fd", result.stderr)
                self.assertNotIn(".out.png.", result.stderr)
                with open(self.path("out.svg")) as f:
                    self.assertEqual(f.read(), "old svg\n")
                self.assertEqual(self.listing(), ["out.svg"])

    def test_all_outputs_replaced_together_on_success(self):
        for name in ("out.svg", "out.json"):
            with open(self.path(name), "w") as f:
                f.write("old\n")
        result = packetseq("--no-prompt", "-o", self.path("out"), "-t", "svg,json",
                           *SAMPLE_CAPTURES)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(self.path("out.svg")) as f:
            self.assertTrue(f.read().startswith("<?xml"))
        with open(self.path("out.json")) as f:
            self.assertTrue(f.read().startswith("{"))
        self.assertEqual(self.listing(), ["out.json", "out.svg"])


class OutputNamesAnInput(TempDirTestCase):
    """-o resolving to an input file is a usage error (exit 2) naming both; nothing is read."""

    def assert_refused(self, args, output, input_path, protected):
        before = digest(protected)
        listing = self.listing()
        result = packetseq("--no-prompt", *args)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn(f"{output}: output would overwrite the input file {input_path}",
                      result.stderr)
        self.assertIn("Try 'packetseq --help'", result.stderr)
        self.assertEqual(digest(protected), before, "input changed")
        self.assertEqual(self.listing(), listing)

    def test_csv_output_is_the_csv_input(self):
        seed = self.path("client.csv")
        shutil.copy(f"{DATA}/seed/client.csv", seed)
        self.assert_refused(["-t", "csv", "-o", seed, seed], seed, seed, seed)

    def test_output_is_a_symlink_to_the_input(self):
        capture = self.path("trace.pcapng")
        shutil.copy(f"{SAMPLE}/client.pcapng", capture)
        link = self.path("diagram.svg")
        os.symlink("trace.pcapng", link)
        self.assert_refused(["-o", link, capture], link, capture, capture)

    def test_input_given_through_a_symlink(self):
        capture = self.path("trace.svg")  # any name: the reader goes by content
        shutil.copy(f"{SAMPLE}/client.pcapng", capture)
        link = self.path("link.pcapng")
        os.symlink("trace.svg", link)
        self.assert_refused(["-o", capture, link], capture, link, capture)

    def test_names_file_is_an_input_too(self):
        hosts = self.path("hosts.diag")
        shutil.copy(f"{SAMPLE}/hosts", hosts)
        self.assert_refused(["--names", hosts, "-t", "diag", "-o", self.path("hosts"),
                             f"{SAMPLE}/client.pcapng"], hosts, hosts, hosts)

    def test_png_page_file_is_an_input(self):
        capture = self.path("out-1.png")
        shutil.copy(f"{SAMPLE}/client.pcapng", capture)
        self.assert_refused(["-o", self.path("out"), capture], self.path("out.png"), capture,
                            capture)

    def test_distinct_paths_still_work(self):
        capture = self.path("trace.pcapng")
        shutil.copy(f"{SAMPLE}/client.pcapng", capture)
        result = packetseq("--no-prompt", "-t", "svg", "-o", self.path("trace"), capture)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.listing(), ["trace.pcapng", "trace.svg"])


if __name__ == "__main__":
    unittest.main()
