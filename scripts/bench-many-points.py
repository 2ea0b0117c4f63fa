#!/usr/bin/env python3
"""Benchmark: packetseq on many small capture points against `tshark -r FILE -q` on each file.

Usage: scripts/bench-many-points.py [BUILD_DIR] [--points 200,800,2000] [--tshark-sample K]

For each count N, tests/e2e/make_many_points.py writes N capture points (chains of four behind
a source NAT plus a monitor; about 25 packets per file); then `packetseq --no-prompt -t json`
reads and matches all of them in one run, and the journey/pair counts are checked against the
generator's manifest. The baseline, in the same invocation, is the summed wall-clock time of
`tshark -r FILE -q` over the same files (one tshark process per file, as tshark reads one
capture). --tshark-sample K times only K evenly spaced files and scales the sum to N (printed
as "~"), because N tshark start-ups take N times ~0.5 s. CPU seconds (user + system) are
printed too: on a loaded machine they say more than wall-clock time. The figures in
docs/benchmarks.md come from this script.
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENERATOR = os.path.join(ROOT, "tests", "e2e", "make_many_points.py")


def child_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd):
    """(wall seconds, CPU seconds) of one run; fails loudly on a non-zero exit."""
    cpu = child_cpu()
    start = time.perf_counter()
    result = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, TSHARK_RUN_AS_ROOT="1"))
    wall = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"bench-many-points: {cmd[0]} failed ({result.returncode}): "
                 f"{result.stderr[-2000:]}")
    return wall, child_cpu() - cpu


def main():
    args = sys.argv[1:]
    counts, sample = [200, 800, 2000], 0
    if "--points" in args:
        i = args.index("--points")
        counts = [int(x) for x in args[i + 1].split(",")]
        del args[i:i + 2]
    if "--tshark-sample" in args:
        i = args.index("--tshark-sample")
        sample = int(args[i + 1])
        del args[i:i + 2]
    binary = os.path.join(ROOT, args[0] if args else "build", "cli", "packetseq")
    if not os.access(binary, os.X_OK):
        sys.exit(f"bench-many-points: {binary} not built (run scripts/build.sh)")
    print(f"load average before: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
    print("| points | packets | tshark -r FILE -q, summed: wall | CPU | packetseq -t json: wall "
          "| CPU | ratio (wall) | ratio (CPU) |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        for n in counts:
            folder = os.path.join(work, str(n))
            subprocess.run([sys.executable, GENERATOR, folder, str(n)], check=True)
            with open(os.path.join(folder, "manifest.json")) as f:
                truth = json.load(f)
            files = [os.path.join(folder, p) for p in truth["points"]]
            out = os.path.join(work, f"out-{n}.json")
            wall, cpu = timed([binary, "--no-prompt", "-t", "json", "-o", out, *files])
            with open(out) as f:
                counters = json.load(f)["match"]["counters"]
            for key in ("journeys", "multi_point_journeys", "connection_pairs", "nat_bindings"):
                if counters[key] != truth[key]:
                    sys.exit(f"bench-many-points: {n} points: {key} {counters[key]}, "
                             f"expected {truth[key]}")
            chosen = files
            if sample and sample < len(files):
                chosen = [files[i * len(files) // sample] for i in range(sample)]
            runs = [timed(["tshark", "-r", p, "-q"]) for p in chosen]
            scale = len(files) / len(chosen)
            base = sum(r[0] for r in runs) * scale
            base_cpu = sum(r[1] for r in runs) * scale
            approx = "~" if len(chosen) < len(files) else ""
            print(f"| {n} | {counters['observations']} | {approx}{base:.1f} s "
                  f"| {approx}{base_cpu:.1f} s | {wall:.1f} s | {cpu:.1f} s "
                  f"| {wall / base:.3f}x | {cpu / base_cpu:.3f}x |", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
