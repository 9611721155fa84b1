"""The cells ahead of release (dtws.ahead): list them; ``--refresh`` reads Django's pre-release from the index first.

``dtws ahead`` prints each cell ahead of release with its column (Django's
pre-release, Django main, the next Python). ``--refresh`` first writes the
snapshot of Django's pre-release (``dtws/django_next.json``) from the index's
JSON API: the newest pre-release newer than the newest final, or none. An
index that cannot be read is one line and exit code 2; the snapshot is then
left as it was.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dtws import ahead
from dtws.commands import Command
from dtws.reasons import terminal_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--refresh", action="store_true", help="write the snapshot of Django's pre-release first")
    parser.add_argument("--index", default=ahead.INDEX_JSON, help="the index's JSON API answer of Django (a URL)")
    parser.add_argument("--snapshot", type=Path, default=ahead.SNAPSHOT, help="where the snapshot is")


def main(args: argparse.Namespace) -> int:
    if args.refresh:
        try:
            found = ahead.refresh(args.snapshot, args.index)
        except ahead.Unreadable as error:
            print(terminal_text(f"dtws ahead: the index could not be read: {error}"))
            return 2
        said = f"Django {found.version} on Python {', '.join(found.pythons)}" if found else "no pre-release of Django"
        print(f"{args.snapshot}: {said}")
    pre = ahead.read(args.snapshot)
    for cell in ahead.cells(pre):
        print(f"{cell.env}  {ahead.label(cell.python, cell.django, pre)}")
    return 0


COMMAND = Command(
    name="ahead",
    help="the cells ahead of release (Django's pre-release, Django main, the next Python); --refresh the snapshot",
    description=__doc__,
    add_arguments=add_arguments,
    main=main,
)
