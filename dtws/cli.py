"""``python -m dtws <command>``: one module of dtws.commands per command, registered by name."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from dtws import __version__, chromium, procs
from dtws.commands import COMMANDS


def _stop_and_finish(signum: int, frame: FrameType | None) -> None:
    """Cell runners: kill every process group; the runner then records what it had and returns."""
    procs.stop_all()


def _stop_now(signum: int, frame: FrameType | None) -> None:
    procs.stop_all()
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dtws", description="Django Tests for WebSockets: the compatibility lab."
    )
    parser.add_argument("--version", action="version", version=f"dtws {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, command in COMMANDS.items():
        sub = commands.add_parser(name, help=command.help, description=command.description)
        command.add_arguments(sub)
        sub.set_defaults(handler=command.main)
    args = parser.parse_args(argv)
    handler = _stop_and_finish if COMMANDS[args.command].records_on_stop else _stop_now
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        return 130
    finally:
        chromium.close_all()
        procs.kill_all()
        for sig, before in previous.items():
            signal.signal(sig, before)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
