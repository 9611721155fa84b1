"""Serve the built site on 127.0.0.1 until Ctrl-C."""

from __future__ import annotations

import argparse
import functools
import http.server
from pathlib import Path

from dtws.commands import Command


def port(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = -1
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0 to 65535; 0 picks a free one)")
    return number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", type=Path, default=Path("build/site"), help="built site (default: build/site)")
    parser.add_argument("--port", type=port, default=8000, help="port on 127.0.0.1 (default: 8000; 0: a free one)")


def main(args: argparse.Namespace) -> int:
    if not (args.site / "index.html").is_file():
        print(f"dtws preview: no built site in {args.site}; build it with `python -m dtws site`")
        return 2
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(args.site))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    except OSError as error:
        print(f"dtws preview: cannot listen on 127.0.0.1:{args.port}: {error.strerror}; pick another with --port")
        return 2
    with server:
        print(f"serving {args.site} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("stopped")
    return 0


COMMAND = Command(
    name="preview",
    help="serve the built site locally",
    description=__doc__,
    add_arguments=add_arguments,
    main=main,
)
