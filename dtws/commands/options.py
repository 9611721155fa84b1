"""Options shared by the commands that run cells."""

from __future__ import annotations

import argparse
from pathlib import Path

from dtws.steps import NAMES


def _timeout(text: str) -> tuple[str, float]:
    name, sep, seconds = text.partition("=")
    if not sep or name not in NAMES:
        raise argparse.ArgumentTypeError(f"expected STEP=SECONDS with STEP one of {', '.join(NAMES)}; got {text!r}")
    try:
        value = float(seconds)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {seconds!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"a timeout must be positive: {text!r}")
    return name, value


def add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--results", type=Path, default=Path("results"), help="folder of the cell records (default: results)"
    )
    parser.add_argument("--project", type=Path, default=Path("."), help="folder of manage.py and tox.ini (default: .)")
    parser.add_argument(
        "--toxworkdir", type=Path, default=None, help="tox's work dir for the cell envs (default: .tox of the project)"
    )
    parser.add_argument(
        "--timeout",
        type=_timeout,
        action="append",
        default=[],
        metavar="STEP=SECONDS",
        help="override a step's timeout (repeatable)",
    )
