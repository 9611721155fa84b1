"""Django's series and the Pythons each supports (dtws/django_series.json), which the matrix's cells come from.

Without options, it prints the snapshot: the day it was taken, each series'
newest release and its Pythons, and which series the matrix runs. With
``--refresh``, it reads them again from the package index (the newest
release of each series from 1.11 on, its classifiers and Requires-Python, and
a pre-release newer than the newest final, if any) and writes the snapshot;
tox.ini's env_list then needs the lines ``tests/test_matrix.py`` prints.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timezone

from dtws import django_series, files
from dtws.commands import Command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--refresh", action="store_true", help="read the series again from the index and write them")


def main(args: argparse.Namespace) -> int:
    try:
        if args.refresh:
            snapshot = django_series.read_index(datetime.now(timezone.utc).date())
            files.write_text(django_series.SNAPSHOT, django_series.dumps(snapshot))
        else:
            snapshot = django_series.load()
    except django_series.SnapshotError as error:
        print(f"dtws django-series: {error}")
        return 2
    print(django_series.told(snapshot))
    return 0


COMMAND = Command(
    name="django-series",
    help="Django's series and their Pythons, from the snapshot of the index (--refresh: read it again)",
    description=__doc__,
    add_arguments=add_arguments,
    main=main,
)
