"""The cells ahead of release (dtws.ahead): Django's pre-release, Django main, the next Python; each with its column.

Which pre-release is the snapshot of the index's (``django-series --refresh`` takes it again).
"""

from __future__ import annotations

import argparse

from dtws import ahead
from dtws.commands import Command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def main(args: argparse.Namespace) -> int:
    for cell in ahead.CELLS:
        print(f"{cell.env}  {ahead.label(cell.python, cell.django)}")
    return 0


COMMAND = Command(
    name="ahead",
    help="the cells ahead of release (Django's pre-release, Django main, the next Python)",
    description=__doc__,
    add_arguments=add_arguments,
    main=main,
)
