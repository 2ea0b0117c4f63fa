"""Helpers for tests that load the packetseq plugin into tshark or Wireshark.

Wireshark loads no plugins for root, so as root these helpers run the programs as an
unprivileged user (setpriv, uid/gid 65534) with a writable HOME and WIRESHARK_PLUGIN_DIR set
to the build tree's plugin folder (<dir>/4.0/epan/packetseq.so). They also drive Wireshark under
Xvfb: screenshots with ImageMagick's `import`, mouse clicks with xdotool, text with tesseract.
"""
import atexit
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from e2e_support import PACKETSEQ, SAMPLE, SOURCE_DIR, read_png

BUILT_PLUGIN_DIR = os.environ.get("PACKETSEQ_WS_PLUGIN_DIR",
                                  os.path.join(SOURCE_DIR, "build", "wsplugins"))
NOBODY = 65534


def _stage_for_unprivileged_user(plugin_dir, packetseq):
    """As root, copies the plugin folder and the CLI into a world-readable temporary folder:
    the unprivileged user may not be able to reach the build tree (e.g. a clone under /root)."""
    if os.geteuid() != 0 or not os.path.isdir(plugin_dir):
        return plugin_dir, packetseq
    stage = tempfile.mkdtemp(prefix="psq-stage-")
    os.chmod(stage, 0o755)
    staged_plugins = os.path.join(stage, "wsplugins")
    shutil.copytree(plugin_dir, staged_plugins)
    staged_cli = os.path.join(stage, "packetseq")
    if os.path.exists(packetseq):
        shutil.copy2(packetseq, staged_cli)
    for root, dirs, files in os.walk(stage):
        for n in dirs:
            os.chmod(os.path.join(root, n), 0o755)
        for n in files:
            os.chmod(os.path.join(root, n), 0o755)
    atexit.register(shutil.rmtree, stage, True)
    return staged_plugins, staged_cli


PLUGIN_DIR, PACKETSEQ = _stage_for_unprivileged_user(BUILT_PLUGIN_DIR, PACKETSEQ)
PLUGIN_SO = os.path.join(PLUGIN_DIR, "4.0", "epan", "packetseq.so")
QT_MODULE = os.path.join(PLUGIN_DIR, "4.0", "epan", "packetseq", "packetseq-qt.so")
SAMPLE_FILES = ["client.pcapng", "fw-inside.pcap", "fw-outside.pcap", "relay.pcap",
                "server.pcapng", "hosts"]


def is_root():
    return os.geteuid() == 0


def user_prefix():
    """Command prefix that drops root to an unprivileged user (empty when not root)."""
    if not is_root():
        return []
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


def require_programs(test, *programs):
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        test.skipTest("not installed: " + ", ".join(missing) +
                      " (scripts/install-deps.sh installs them)")


def require_plugin(test):
    if not os.path.exists(PLUGIN_SO):
        test.skipTest(f"{PLUGIN_SO} not built (set PACKETSEQ_WS_PLUGIN_DIR)")
    probe = subprocess.run(user_prefix() + ["test", "-r", PLUGIN_SO], capture_output=True)
    if probe.returncode != 0:
        test.skipTest(f"{PLUGIN_SO} is not readable by uid {NOBODY}: the build tree must be "
                      "world-readable for this test")


class UserWorkdir:
    """A temporary folder owned by the unprivileged user, with HOME inside and the sample."""

    def __init__(self, with_sample=True):
        self.path = tempfile.mkdtemp(prefix="psq-plugin-")
        os.chmod(self.path, 0o755)
        self.home = os.path.join(self.path, "home")
        os.mkdir(self.home)
        if with_sample:
            for name in SAMPLE_FILES:
                shutil.copy(os.path.join(SAMPLE, name), self.path)
        if is_root():
            for root, dirs, files in os.walk(self.path):
                for n in dirs + files:
                    os.chown(os.path.join(root, n), NOBODY, NOBODY)
            os.chown(self.path, NOBODY, NOBODY)

    def file(self, name):
        return os.path.join(self.path, name)

    def chown(self, path):
        if is_root():
            os.chown(path, NOBODY, NOBODY)

    def env(self, **extra):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.home,
            "LANG": "C.UTF-8",
            "WIRESHARK_PLUGIN_DIR": PLUGIN_DIR,
            "PACKETSEQ_BIN": PACKETSEQ,
            "XDG_RUNTIME_DIR": os.path.join(self.home, "runtime"),
        }
        # Test-only reader throttle (docs/testing.md), inherited by the plugin's reader child.
        if os.environ.get("PACKETSEQ_TEST_READ_DELAY_US"):
            env["PACKETSEQ_TEST_READ_DELAY_US"] = os.environ["PACKETSEQ_TEST_READ_DELAY_US"]
        env.update(extra)
        return env

    def cleanup(self):
        shutil.rmtree(self.path, ignore_errors=True)


def run_as_user(args, workdir, timeout=300, **env):
    """Runs args as the unprivileged user in workdir; returns CompletedProcess (text)."""
    return subprocess.run(user_prefix() + list(args), cwd=workdir.path, env=workdir.env(**env),
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def processes_named(name):
    """PIDs of running processes whose executable base name is `name`."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv0 = f.read().split(b"\0")[0].decode(errors="replace")
        except OSError:
            continue
        if os.path.basename(argv0) == name:
            pids.append(int(entry))
    return pids


def reader_processes(workdir):
    """packetseq reader subprocesses working on files of this work folder."""
    pids = []
    for pid in processes_named("packetseq"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if workdir.path.encode() in f.read():
                    pids.append(pid)
        except OSError:
            pass
    return pids


def children_of(pid):
    """Direct child PIDs of a process."""
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(entry))
    return kids


class Xvfb:
    """A private X server on a free display number, no window manager."""

    def __init__(self, width=1600, height=1000):
        # Xvfb picks a free display itself and writes its number to a pipe (-displayfd): two
        # test runs at once can never race for the same number.
        read_end, write_end = os.pipe()
        try:
            self.proc = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{width}x{height}x24",
                 "-ac", "-nolisten", "tcp"], stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, pass_fds=(write_end,))
        finally:
            os.close(write_end)
        number = b""
        deadline = time.time() + 30
        try:
            while not number.endswith(b"\n") and time.time() < deadline:
                ready, _, _ = select.select([read_end], [], [], 0.5)
                if ready:
                    chunk = os.read(read_end, 16)
                    if not chunk:
                        break
                    number += chunk
        finally:
            os.close(read_end)
        if not number.strip().isdigit():
            self.stop()
            raise RuntimeError("Xvfb did not start")
        self.display = ":" + number.strip().decode()

    def env(self):
        return {"DISPLAY": self.display}

    def run(self, *args):
        env = dict(os.environ, DISPLAY=self.display)
        return subprocess.run(list(args), env=env, capture_output=True, text=True, timeout=60)

    def click(self, x, y, button=1, double=False):
        self.run("xdotool", "mousemove", str(int(x)), str(int(y)))
        time.sleep(0.15)
        if double:
            self.run("xdotool", "click", "--repeat", "2", "--delay", "80", str(button))
        else:
            self.run("xdotool", "click", str(button))
        time.sleep(0.3)

    def move(self, x, y):
        self.run("xdotool", "mousemove", str(int(x)), str(int(y)))

    def key(self, *keys):
        self.run("xdotool", "key", *keys)

    def type_text(self, text):
        """Types through XTEST into whatever has focus (click the field first)."""
        self.run("xdotool", "type", "--delay", "15", text)

    def screenshot(self, path):
        result = self.run("import", "-window", "root", path)
        if result.returncode != 0:
            raise RuntimeError("import failed: " + result.stderr)
        return read_png(path)

    def windows(self, name):
        result = self.run("xdotool", "search", "--onlyvisible", "--name", name)
        return [int(w) for w in result.stdout.split()]

    def geometry(self, window):
        out = self.run("xdotool", "getwindowgeometry", "--shell", str(window)).stdout
        values = dict(line.split("=", 1) for line in out.split() if "=" in line)
        return (int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"]))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def ocr_words(png_path, scale=3, region=None, passes=("threshold", "gray")):
    """Words tesseract finds in a screenshot: list of (text, x, y, w, h) in screen pixels.

    The image is upscaled `scale` times first (menu fonts are small). `region` = (x, y, w, h)
    crops before OCR; returned coordinates are still screen coordinates."""
    work = png_path + ".ocr.png"
    crop = []
    ox, oy = 0, 0
    if region:
        ox, oy, w, h = region
        crop = ["-crop", f"{w}x{h}+{ox}+{oy}", "+repage"]
    words = []
    # Thresholding reads button captions that plain grey misses (and vice versa).
    options = {"threshold": ["-threshold", "60%"], "gray": []}
    for extra in (options[p] for p in passes):
        subprocess.run(["convert", png_path, *crop, "-resize", f"{scale * 100}%", "-colorspace",
                        "Gray", *extra, work], check=True, capture_output=True)
        tsv = subprocess.run(["tesseract", work, "-", "--psm", "11", "tsv"],
                             capture_output=True, text=True).stdout
        for line in tsv.splitlines()[1:]:
            parts = line.split("\t")
            if len(parts) < 12 or not parts[11].strip():
                continue
            left, top, width, height = (int(v) for v in parts[6:10])
            words.append((parts[11].strip(), ox + left / scale, oy + top / scale, width / scale,
                          height / scale))
    return words


def find_words(words, text, exact=False):
    """Centres (x, y) of OCR words equal to / starting with `text` (case-insensitive)."""
    found = []
    for word, x, y, w, h in words:
        if (word.lower() == text.lower()) if exact else word.lower().startswith(text.lower()):
            found.append((x + w / 2, y + h / 2))
    return found


def find_word(words, text, exact=False):
    """Centre (x, y) of the first OCR word matching `text`, or None."""
    found = find_words(words, text, exact)
    return found[0] if found else None


def terminate_tree(proc, timeout=15):
    """Stops a process started with start_new_session=True, and its group."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class PluginTestCase(unittest.TestCase):
    """Base: a fresh unprivileged work folder with the sample for every test."""

    def setUp(self):
        require_programs(self, "tshark")
        require_plugin(self)
        if is_root():
            require_programs(self, "setpriv")
        self.work = UserWorkdir()

    def tearDown(self):
        self.work.cleanup()


class WiresharkSession:
    """Wireshark (as the unprivileged user) on one capture under a private Xvfb.

    The main window is moved to the left part of the screen and the dialog, once opened, to
    the right, so both are visible in screenshots and their widgets have stable positions."""

    SCREEN = (2000, 1100)
    MAIN = (0, 0, 760, 1060)
    DIALOG = (770, 0, 1220, 1060)

    def __init__(self, work, capture, shots_dir=None, extra_args=()):
        self.work = work
        self.capture = capture
        self.shots = shots_dir or work.path
        self.shot_count = 0
        self.x = Xvfb(*self.SCREEN)
        self.log_path = os.path.join(work.path, "wireshark.log")
        self.log = open(self.log_path, "w")
        env = work.env(**self.x.env())
        self.proc = None
        self.dialog = None
        try:
            self.proc = subprocess.Popen(user_prefix() + ["wireshark", *extra_args, "-r", capture],
                                         cwd=work.path, env=env, stdout=self.log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
            self.main = self.wait_window(os.path.basename(capture), 90)
            self.place(self.main, self.MAIN)
            # Loaded when the status bar counts the displayed packets.
            mx, my, mw, mh = self.MAIN
            self.wait_word("Displayed", region=(mx, my + mh - 60, mw, 60), timeout=90,
                           label="loaded")
        except BaseException:
            self.stop()  # the caller never gets an object to clean up
            raise

    def wait_window(self, name, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("wireshark exited: " + self.log_text())
            found = self.x.windows(name)
            if found:
                return found[-1]
            time.sleep(0.3)
        raise RuntimeError(f"no window '{name}' after {timeout} s: " + self.log_text())

    def place(self, window, geometry, timeout=5):
        """Moves and resizes a window and waits (briefly: a minimum size may win) until X
        reports the new size; callers then wait for what they look for on screen."""
        x, y, w, h = geometry
        self.x.run("xdotool", "windowmove", str(window), str(x), str(y))
        self.x.run("xdotool", "windowsize", str(window), str(w), str(h))
        deadline = time.time() + timeout
        while self.x.geometry(window)[2:] != (w, h) and time.time() < deadline:
            time.sleep(0.2)
        time.sleep(0.3)  # one repaint after the resize

    def log_text(self):
        self.log.flush()
        with open(self.log_path, errors="replace") as f:
            return f.read()[-3000:]

    def shot(self, label="shot"):
        self.shot_count += 1
        path = os.path.join(self.shots, f"{self.shot_count:02d}-{label}.png")
        self.x.run("import", "-window", "root", path)
        return path

    def words(self, region=None, label="ocr", passes=("threshold", "gray")):
        return ocr_words(self.shot(label), region=region, passes=passes)

    def wait_word(self, text, region=None, timeout=30, label="find", exact=False):
        """Centre of the first OCR word matching `text` in `region`; retries until found."""
        deadline = time.time() + timeout
        while True:
            shot = self.shot(label)
            words = ocr_words(shot, region=region, passes=("threshold",))
            where = find_word(words, text, exact)
            if not where:
                words += ocr_words(shot, region=region, passes=("gray",))
                where = find_word(words, text, exact)
            if where:
                return where
            if time.time() > deadline:
                raise AssertionError(f"'{text}' not found on screen; saw: " +
                                     " ".join(w[0] for w in words)[:800])
            time.sleep(0.5)

    def click_word(self, text, region=None, timeout=30, label="find", exact=False):
        """Clicks the first OCR word matching `text` inside `region`; retries until found."""
        where = self.wait_word(text, region, timeout, label, exact)
        self.x.click(*where)
        return where

    def open_menu(self, title):
        """Opens a menu of the main window's menu bar; returns the title's centre."""
        mx, my, mw, _ = self.MAIN
        where = self.click_word(title, region=(mx, my, mw, 36), label="menubar", exact=True)
        time.sleep(0.5)
        return where

    def menu_region(self, title_xy, height=760):
        """Where the menu under a menu-bar title shows its item texts."""
        return (max(0, int(title_xy[0]) - 40), int(title_xy[1]) + 10, 300, height)

    def open_dialog(self):
        where = self.open_menu("Statistics")
        self.click_word("Multi-Point", region=self.menu_region(where), label="statistics-menu")
        self.dialog = self.wait_window("Multi-Point Sequence", 60)
        self.place(self.dialog, self.DIALOG)
        return self.dialog

    def dialog_region(self, top=0, height=None):
        x, y, w, h = self.DIALOG
        return (x, y + top, w, height if height is not None else h - top)

    def stop(self):
        if self.proc is not None:
            terminate_tree(self.proc)
        self.x.stop()
        if not self.log.closed:
            self.log.close()
