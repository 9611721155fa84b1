"""The CLI's commands: each module declares its own typed entry, ``COMMAND``; this lists them in order."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    name: str
    help: str  # one line, in `python -m dtws --help`
    description: str | None  # the module's docstring, in `python -m dtws NAME --help`
    add_arguments: Callable[[argparse.ArgumentParser], None]
    main: Callable[[argparse.Namespace], int]
    # Stopped by SIGTERM or Ctrl-C, it kills the cells' processes and still writes their records.
    records_on_stop: bool = False


def _all() -> dict[str, Command]:
    from dtws.commands import (
        ahead,
        bench,
        bisect,
        cell,
        conform,
        django_series,
        gate,
        github,
        merge,
        pictures,
        preview,
        run,
        site,
    )

    modules = (cell, run, bisect, bench, conform, merge, site, preview, pictures, github, gate, django_series, ahead)
    commands = [module.COMMAND for module in modules]
    return {command.name: command for command in commands}


COMMANDS: dict[str, Command] = _all()
