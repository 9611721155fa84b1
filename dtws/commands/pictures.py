"""Take the README's pictures of a built site: its front page and its Compare page, at 1280 px, first screen.

The site is served on 127.0.0.1 while Chromium (Debian's chromium, driven by
Playwright) takes them; nothing else is asked of the network. Writes
``front.png`` and ``compare.png`` into ``--out``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dtws import pictures
from dtws.commands import Command
from dtws.commands.options import folder_problem


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", type=Path, default=Path("build/site"), help="built site (default: build/site)")
    parser.add_argument(
        "--out", type=Path, default=Path("pictures"), help="where the two PNGs go (default: pictures, the README's)"
    )


def main(args: argparse.Namespace) -> int:
    problem = folder_problem("--out", args.out)
    if problem:
        print(f"dtws pictures: {problem}")
        return 2
    try:
        taken = pictures.take(args.site, args.out)
    except pictures.PictureError as error:
        print(f"dtws pictures: {error}")
        return 2
    for path in taken:
        print(path)
    return 0


COMMAND = Command(
    name="pictures",
    help="take the README's pictures of a built site (front page, Compare page)",
    description=__doc__,
    add_arguments=add_arguments,
    main=main,
)
