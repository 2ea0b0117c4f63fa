#!/usr/bin/env python3
"""Benchmark: packetseq against plain `tshark -r FILE -q` on the same files, same invocation.

Usage: scripts/benchmark.py [BUILD_DIR]
Prints best-of-3 wall-clock seconds and the ratio to the tshark baseline; the figures recorded
in docs/benchmarks.md come from this script.
"""
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, sys.argv[1] if len(sys.argv) > 1 else "build", "cli", "packetseq")
SAMPLE = os.path.join(ROOT, "tests", "data", "sample")
FIVE = [f"{SAMPLE}/client.pcapng@Client", f"{SAMPLE}/fw-inside.pcap@FW-inside",
        f"{SAMPLE}/fw-outside.pcap@FW-outside", f"{SAMPLE}/relay.pcap@Relay",
        f"{SAMPLE}/server.pcapng@Server"]


def best(*cmd, runs=3):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                       env=dict(os.environ, TSHARK_RUN_AS_ROOT="1"))
        times.append(time.perf_counter() - start)
    return min(times)


def row(name, base, ours):
    print(f"| {name} | {base:.3f} s | {ours:.3f} s | {ours / base:.2f}x |", flush=True)


def main():
    if not os.access(BIN, os.X_OK):
        sys.exit(f"benchmark: {BIN} not built (run scripts/build.sh)")
    with tempfile.TemporaryDirectory() as work:
        flows = {}
        for n in (20000, 100000):
            flows[n] = os.path.join(work, f"long-{n}.pcap")
            subprocess.run([sys.executable, os.path.join(ROOT, "tests/e2e/make_long_flow.py"),
                            flows[n], str(n)], check=True)
        out = os.path.join(work, "o")
        print("| case | tshark -r FILE -q | packetseq | ratio |")
        print("|---|---|---|---|")
        base = best("tshark", "-r", flows[20000], "-q")
        row("20k packets: read + JSON", base,
            best(BIN, "--no-prompt", "-t", "json", "-o", out + ".json", flows[20000]))
        row("20k packets: read + layout + SVG", base,
            best(BIN, "--no-prompt", "-i", "summary", "-t", "svg", "-o", out + ".svg", flows[20000]))
        row("20k packets: read + layout + PNG pages", base,
            best(BIN, "--no-prompt", "-i", "summary", "-t", "png", "-o", out + ".png", flows[20000]))
        base = best("tshark", "-r", flows[100000], "-q")
        row("100k packets: read + JSON", base,
            best(BIN, "--no-prompt", "-t", "json", "-o", out + ".json", flows[100000]))
        base = sum(best("tshark", "-r", p.split("@")[0], "-q") for p in FIVE)
        names = ["--names", f"{SAMPLE}/hosts"]
        row("sample, 5 points: read + match + JSON", base,
            best(BIN, "--no-prompt", *names, "-t", "json", "-o", out + ".json", *FIVE))
        row("sample, 5 points: read + match + PNG", base,
            best(BIN, "--no-prompt", *names, "-t", "png", "-o", out + ".png", *FIVE))


if __name__ == "__main__":
    main()
