"""The bench measured: its own overhead, and how far each library's ratio moves between two runs here.

Usage, from the repository root (the cells' envs are made if missing, as `dtws bench` makes them):

    .venv/bin/python benchmarks/bench.py [TARGET ...] [--levels 1,10,100,500] [--repeat 3] [--bound 0.4]
        [--messages 1000] [--level-seconds 60] [--results results] [--toxworkdir DIR]

TARGETs are what `dtws bench` takes (libraries, with their passing cells in --results, or cells);
default: the Channels and Tornado cells of Python 3.12 and Django 5.2 (and python-socketio's).

1. Overhead: the load clients' own CPU. The reference chat (dtws.bench.reference) is loaded at each
   level, in this process, and the CPU this process spent (time.process_time: the clients only, the
   server is another process) is divided by the deliveries: what one delivery costs the bench, and
   the share of the level's wall time the clients kept a core busy. A level whose clients near one
   core measures the client, not the server: the reference's figure at that level is a lower bound.
2. Stability: `dtws bench` twice, one run after the other, same targets, same settings; for every
   library and level the relative change of its ratio to the reference, |r2 - r1| / r1. The largest
   is the measured bound, printed beside the stated one (--bound); exit code 1 when it is larger.

The machine's load average is printed before and after: on shared cores, every figure is noisier.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dtws import files, procs
from dtws.bench import clients, data
from dtws.bench.load import level
from dtws.bench.run import Settings
from dtws.library import Load

DEFAULT_TARGETS = ("py312-django52-channels", "py312-django52-tornado", "py312-django52-pysocketio")


def overhead(levels: list[int], messages: int, seconds: float, scratch: Path) -> None:
    print("1. the load clients' own CPU, against the reference chat")
    port = procs.free_port()
    with (
        files.open_log(scratch / "reference.log") as log,
        procs.Server(
            [sys.executable, "-m", "dtws.bench.reference", "--port", str(port)], cwd=Path.cwd(), env=os.environ, log=log
        ) as server,
    ):
        if not server.wait_for_port(port, time.monotonic() + 30):
            sys.exit("the reference chat never listened")
        load = Load("rfc6455", "/")
        print(f"{'C':>5} {'deliveries':>11} {'msg/s':>9} {'client CPU µs/delivery':>23} {'client core share':>18}")
        for size in [1, *levels]:  # the first, a warm-up
            each = Settings(messages=messages).messages_at(size)
            cpu, wall = time.process_time(), time.perf_counter()
            figures = asyncio.run(
                level(
                    lambda p, r: clients.WebSocketClient(p, load, r), [port], [server.process.pid], size, each, seconds
                )
            )
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            per = cpu / figures.delivered * 1e6 if figures.delivered else float("nan")
            print(f"{size:>5} {figures.delivered:>11} {figures.throughput:>9.0f} {per:>23.1f} {cpu / wall:>18.0%}")


def bench_once(targets: list[str], args: argparse.Namespace, out: Path) -> data.Run:
    command = [sys.executable, "-m", "dtws", "bench", *targets, "--out", str(out), "--results", str(args.results)]
    command += ["--levels", args.levels, "--repeat", str(args.repeat), "--messages", str(args.messages)]
    command += ["--level-seconds", str(args.level_seconds)]
    if args.toxworkdir:
        command += ["--toxworkdir", str(args.toxworkdir)]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"dtws bench failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    print(f"   dtws bench took {time.monotonic() - started:.0f} s")
    run = data.read(out / data.FILENAME).latest
    assert run is not None
    return run


def stability(targets: list[str], args: argparse.Namespace, scratch: Path) -> float:
    print("\n2. each library's ratio to the reference, in two runs one after the other")
    first, second = (bench_once(targets, args, scratch / name) for name in ("first", "second"))
    worst = 0.0
    print(f"{'library':<18} {'C':>5} {'ratio 1':>8} {'ratio 2':>8} {'moved':>7}   spread within each run")
    for one, two in zip(first.libraries, second.libraries, strict=True):
        if not one.levels or not two.levels:
            print(f"{one.library:<18} not measured: {one.status}: {one.why or two.why}")
            continue
        for a, b in zip(one.levels, two.levels, strict=True):
            if a.ratio is None or b.ratio is None:
                continue
            moved = abs(b.ratio - a.ratio) / a.ratio
            worst = max(worst, moved)
            spread = f"{a.ratio_min:.3f}-{a.ratio_max:.3f} | {b.ratio_min:.3f}-{b.ratio_max:.3f}"
            print(f"{one.library:<18} {a.connections:>5} {a.ratio:>8.3f} {b.ratio:>8.3f} {moved:>7.0%}   {spread}")
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", default=list(DEFAULT_TARGETS))
    parser.add_argument("--results", type=Path, default=Path("results"))
    parser.add_argument("--toxworkdir", type=Path)
    parser.add_argument("--levels", default="1,10,100,500")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--level-seconds", type=float, default=60.0, help="each level's bound (60)")
    parser.add_argument("--bound", type=float, default=0.4, help="the stated bound on a ratio's move (0.4: 40 %%)")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="dtws-bench-benchmark-") as scratch:
        overhead([int(item) for item in args.levels.split(",")], args.messages, args.level_seconds, Path(scratch))
        worst = stability(args.targets, args, Path(scratch))
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    within = worst < args.bound
    print(f"measured bound: every ratio moved by at most {worst:.0%} between the two runs", end="")
    print(f"; stated bound {args.bound:.0%}:")
    print("  within it" if within else "  NOT within it (a loaded machine? run again on a quiet one)")
    return 0 if within else 1


if __name__ == "__main__":
    procs.begin()
    try:
        sys.exit(main())
    finally:
        procs.kill_all()
