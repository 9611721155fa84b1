"""A part of a page mkdocs builds that grows with the cells, set aside from mkdocs: a library's table of its cells.

Python-Markdown parses every tag of a raw HTML block, and the search plugin
every tag of a built page: a library's table of thousands of cells was most
of mkdocs's time. Written inside an HTML comment (``OPEN`` ... ``CLOSE``),
it is passed over whole by both, and so is not in the search index;
``reveal`` then takes the comment's marks out of the built page. What is
set aside is escaped text and tags, so it holds no ``-->`` that would end
the comment early.
"""

from __future__ import annotations

from pathlib import Path

import markupsafe

from dtws import files

OPEN = markupsafe.Markup("<!--dtws-aside")  # a line of its own before what is set aside
CLOSE = markupsafe.Markup("dtws-aside-->")  # and after it


class AsideError(Exception):
    """A built page that should have a part set aside has none: mkdocs did not build it as it was written."""


def reveal(page: Path) -> None:
    """The built ``page`` with what was set aside in it shown; AsideError when it has nothing set aside."""
    html = page.read_text(encoding="utf-8")
    if f"{OPEN}\n" not in html or f"\n{CLOSE}" not in html:
        raise AsideError(f"{page}: nothing set aside from mkdocs in it (no {OPEN} ... {CLOSE})")
    files.write_text(page, html.replace(f"{OPEN}\n", "").replace(f"\n{CLOSE}", ""))
