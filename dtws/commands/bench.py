"""How fast each library's chat is: a bounded load on its servers, beside the bare protocol's, into bench.json.

Each LIBRARY gets its newest passing cell in --results (a cell's name picks that
cell); none: every library of the site. Its servers start as the cell starts
them; C clients (each of --levels) each send messages that the chat gives to every
client, against the library and against a minimal `websockets` chat (the
reference), in turn, --repeat times. The figures, with the ratio to the reference,
are printed and written to OUT/bench.json, after the history of --previous.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dtws import results
from dtws.bench import data, report
from dtws.bench.run import Settings, bench, previous
from dtws.commands import Command, targets
from dtws.commands.options import positive_int
from dtws.reasons import terminal_text


def _levels(text: str) -> tuple[int, ...]:
    try:
        levels = tuple(int(item) for item in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected connection counts such as 1,10,100: {text!r}") from None
    if not levels or min(levels) < 1 or max(levels) > 2000:
        raise argparse.ArgumentTypeError(f"each level is 1 to 2000 connections: {text!r}")
    return levels


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"seconds, more than 0 and at most 3600: {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = Settings()
    targets.add_arguments(parser)
    parser.add_argument("--out", type=Path, default=Path("bench"), help="where bench.json goes (default: bench)")
    parser.add_argument(
        "--previous",
        metavar="PATH_OR_URL",
        help="an earlier bench.json, or a site (URL or folder) whose bench/bench.json this run's history carries on",
    )
    parser.add_argument("--levels", type=_levels, default=defaults.levels, help="connections per level (1,10,100,500)")
    parser.add_argument(
        "--messages", type=positive_int, default=defaults.messages, help="each client sends, at most (1000)"
    )
    parser.add_argument(
        "--budget", type=positive_int, default=defaults.budget, help="deliveries a level asks for, at most (20000)"
    )
    parser.add_argument("--repeat", type=positive_int, default=defaults.repeat, help="repetitions (3)")
    parser.add_argument("--level-seconds", type=_seconds, default=defaults.level_s, help="each level's bound (60)")


def main(args: argparse.Namespace) -> int:
    """Bad input is one line and exit code 2; a library the bench failed to measure (its status ``error``), 1.

    A library it has no load client or no passing cell for is reported as such, and is no failure.
    """
    try:
        before = previous(args.previous) if args.previous else None
    except (data.BenchError, OSError, results.ResultsError) as error:
        print(terminal_text(f"dtws bench: --previous: {error}"))
        return 2
    chosen = targets.chosen(args, "bench")
    if chosen is None:
        return 2
    settings = Settings(args.levels, args.messages, args.budget, args.repeat, args.level_seconds)
    project = args.project.resolve()
    written = bench(
        chosen,
        settings,
        project=project,
        toxworkdir=(args.toxworkdir or project / ".tox").resolve(),
        out=args.out.resolve(),
        previous=before,
        say=lambda line: print(terminal_text(line), flush=True),
    )
    run = written.latest
    assert run is not None
    for line in report.lines(run):
        print(terminal_text(line))
    print(f"\nbench.json: {args.out / data.FILENAME}")
    return 1 if any(lib.status == "error" for lib in run.libraries) else 0


COMMAND = Command(
    name="bench",
    help="measure each library's chat under load, beside the bare protocol",
    description=__doc__,
    add_arguments=add_arguments,
    main=main,
)
