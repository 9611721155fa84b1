"""The site's theme around the pages dtws writes after mkdocs (cells, runs, as-of, bisects, bench, protocol).

A site of thousands of cells cannot wait for mkdocs to render each page, so
mkdocs renders one placeholder page (``SOURCE``, written into the docs folder
as ``PAGE``.md) in the normal build; its HTML, split at the placeholder's
content, is the shell every other page is put in: the theme's header,
navigation, search box, fonts and colours. The shell was built one folder
below the root, so each of its relative addresses starts with ``..``; a page
``depth`` folders below the root gets them with as many. Search works on
every page (its index and worker are found from the shell's base), though
only mkdocs's own pages are in the index.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import markupsafe

from dtws import addresses, files

PAGE = "dtws-shell"  # built at <PAGE>/index.html, read and removed (``take``)
TITLE = "dtws-shell"  # the placeholder's title, each page's own in its place
SOURCE = f"""---
title: {TITLE}
search:
  exclude: true
hide:
  - toc
---

<div id="{PAGE}"></div>
"""
# Material puts the page's title as its <h1> before the content that has none.
_CONTENT = re.compile(rf'<h1>{TITLE}</h1>\s*<div id="{PAGE}"></div>')
_UP = re.compile(r"""(?<=["'])\.\.(?=[/"'])""")  # the shell's way up to the root: "..", "../assets/…"


class ShellError(Exception):
    """The built placeholder page is not there, or has no placeholder content to split at."""


@dataclass(frozen=True)
class Shell:
    """A page's HTML before and after its content, as built one folder below the site's root."""

    head: str
    tail: str

    def wrap(self, address: str, title: str, content: str) -> str:
        """The page at ``address`` (relative to the root): ``content`` in the shell, titled ``title``."""
        head, tail = _at(self.head, self.tail, addresses.depth(address))
        return (
            f'{head.replace(TITLE, str(markupsafe.escape(title)))}<div class="dtws-written">\n{content}</div>\n{tail}'
        )


@functools.cache
def _at(head: str, tail: str, depth: int) -> tuple[str, str]:
    up = "/".join([".."] * max(depth, 1))
    return _UP.sub(up, head), _UP.sub(up, tail)


def plain(site_name: str) -> Shell:
    """A shell without the theme, for pages written where mkdocs did not build (a test's folder)."""
    head = (
        '<!doctype html>\n<html lang="en" class="dtws-html">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{TITLE} — {markupsafe.escape(site_name)}</title>\n"
        '<link rel="stylesheet" href="../stylesheets/dtws.css">\n</head>\n<body class="dtws-page">\n<main>\n'
    )
    return Shell(head, "</main>\n</body>\n</html>\n")


def take(out: Path) -> Shell:
    """The shell from the built site ``out``, whose placeholder page is then removed; ShellError if it is not."""
    page = out / PAGE / "index.html"
    try:
        html = page.read_text(encoding="utf-8")
    except OSError as error:
        raise ShellError(f"mkdocs built no {PAGE}/index.html, the theme's shell: {error}") from error
    found = _CONTENT.search(html)
    if found is None:
        raise ShellError(f"{PAGE}/index.html has no placeholder content to put each page's in")
    files.remove(out / PAGE)
    return Shell(html[: found.start()], html[found.end() :])
