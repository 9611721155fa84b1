"""``python -m dtws <command>``: one module of dtws.commands per command, registered by name."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from dtws import __version__, procs
from dtws.commands import COMMANDS


def _stop(signum: int, frame: FrameType | None) -> None:
    procs.stop_all()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dtws", description="Django Tests for WebSockets: the compatibility lab."
    )
    parser.add_argument("--version", action="version", version=f"dtws {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in COMMANDS.items():
        sub = commands.add_parser(name, help=module.HELP, description=module.__doc__)
        module.add_arguments(sub)
        sub.set_defaults(handler=module.main)
    args = parser.parse_args(argv)
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        return int(args.handler(args))
    finally:
        procs.kill_all()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
