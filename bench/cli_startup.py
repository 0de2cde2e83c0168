"""Benchmark (issue 15): how long `kkrbot --help` takes, a fresh process each time.

Target: < 0.3 s (median). The floor, a bare `python -c pass`, is printed beside it, and the
machine's load: on a busy machine both grow together.

    .venv/bin/python bench/cli_startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_S = 0.3
HELP = "import sys; sys.argv = ['kkrbot', '--help']; import bot.cli; bot.cli.main()"


CPU: dict[str, list[float]] = {}  # the child's user + system CPU per run, by code


def timed(code: str, runs: int) -> list[float]:
    times, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    CPU[code] = cpu
    return times


def shown(times: list[float]) -> str:
    return f"{min(times):.3f} / {statistics.median(times):.3f} / {max(times):.3f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    load = Path("/proc/loadavg").read_text().split()[:3]
    floor = timed("pass", args.runs)
    help_times = timed(HELP, args.runs)
    met = statistics.median(help_times) < TARGET_S
    print(f"cli_startup: {args.runs} runs each, min / median / max; load {load}")
    print(f"  python -c pass   {shown(floor)} wall, {shown(CPU['pass'])} CPU")
    print(f"  kkrbot --help    {shown(help_times)} wall, {shown(CPU[HELP])} CPU")
    cpu_met = statistics.median(CPU[HELP]) < TARGET_S
    print(f"kkrbot --help < {TARGET_S} s: {'MET' if met else 'NOT MET'} (wall)")
    print(f"kkrbot --help < {TARGET_S} s of CPU: {'MET' if cpu_met else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
