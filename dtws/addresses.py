"""Every address of the site, relative to its root: the one place that spells them.

A page links another with ``root + address`` (``root``: ``"../"`` once per
folder the linking page is below the root), a file is written at
``out / address``, and a message outside the site (a gate's, a tell's) links
``site + address``. Nothing here reads or writes: plain strings, at the
bottom layer, for every other module to import.

What an answer rests on (dtws.answers) is a reference (``Ref``): a thing of
the site by what it is (a cell, a step's log, a part of a library's
integration), or a page of the web; never an address. A page turns it into a
link where it renders it (``link``), so no address is stored in the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

CELLS = "cells"
LOGS = "logs"  # beside each cell page: its logs and screenshots
LIBRARIES = "libraries"
RUNS = "runs"
AS_OF = "as-of"
BISECT = "bisect"
BENCH = "bench"
CONFORMANCE = "conformance"
REVIEW = "review"
COMPARE = "compare/"


def cell(library: str, cell: str) -> str:
    """A cell's page: its permalink, with its logs beside it."""
    return f"{CELLS}/{library}/{cell}/"


def cell_log(library: str, cell_name: str, name: str) -> str:
    """A file of a cell's logs folder (a step's log, a screenshot), by its file name."""
    return f"{cell(library, cell_name)}{LOGS}/{name}"


def step_log(library: str, cell_name: str, step: str) -> str:
    return cell_log(library, cell_name, f"{step}.log")


def library(name: str) -> str:
    return f"{LIBRARIES}/{name}/"


def code(name: str, index: int) -> str:
    """The index-th file of a library's integration, on its page."""
    return f"{library(name)}#code-{index}"


def run(key: str) -> str:
    return f"{RUNS}/{key}/"


def as_of(day: str) -> str:
    """An as-of run's table; its cells' pages are below it, at ``as_of(day) + cell(...)``."""
    return f"{AS_OF}/{day}/"


def bisect(name: str) -> str:
    """A bisect's page; each probe's cell page is below it, at ``bisect(name) + version + "/" + cell(...)``."""
    return f"{BISECT}/{name}/"


def bench(library_name: str | None = None) -> str:
    """The bench's page, or a library's section of it."""
    return f"{BENCH}/" + (f"#{library_name}" if library_name else "")


def conformance(library_name: str | None = None) -> str:
    """The protocol pages: their index, or a library's (or the reference's) cases."""
    return f"{CONFORMANCE}/" + (f"{library_name}.html" if library_name else "")


def review() -> str:
    return f"{REVIEW}/"


def depth(address: str) -> int:
    """How many folders below the root a page at ``address`` is (``cells/a/b/``: 3; ``conformance/x.html``: 1)."""
    return address.count("/")


def root(address: str) -> str:
    """The relative way back to the site's root from the page at ``address``."""
    return "../" * depth(address)


@dataclass(frozen=True)
class CellRef:
    """A cell's page, or (``installed``) its section of what the cell's install put in the env."""

    library: str
    cell: str
    kind: Literal["cell", "installed"] = "cell"


@dataclass(frozen=True)
class LogRef:
    """A step's log, beside its cell's page."""

    library: str
    cell: str
    step: str
    kind: Literal["log"] = field(default="log", init=False)


@dataclass(frozen=True)
class CodeRef:
    """The index-th part of a library's integration (a file of its app, or a command), shown on its page."""

    library: str
    index: int
    kind: Literal["code"] = field(default="code", init=False)


@dataclass(frozen=True)
class MeasuredRef:
    """A library's part of what is measured apart from the cells: its bench figures, or its conformance cases."""

    kind: Literal["bench", "protocol"]
    library: str


@dataclass(frozen=True)
class WebRef:
    """A page outside the site (a library's home, its releases on the index): linked only when http(s)."""

    url: str
    kind: Literal["web"] = field(default="web", init=False)


SiteRef = CellRef | LogRef | CodeRef | MeasuredRef
Ref = SiteRef | WebRef


def of(ref: SiteRef) -> str:
    """The address of what ``ref`` refers to."""
    match ref:
        case CellRef(kind="installed"):
            return f"{cell(ref.library, ref.cell)}#installed"
        case CellRef():
            return cell(ref.library, ref.cell)
        case LogRef():
            return step_log(ref.library, ref.cell, ref.step)
        case CodeRef():
            return code(ref.library, ref.index)
        case MeasuredRef(kind="bench"):
            return bench(ref.library)
        case MeasuredRef():
            return conformance(ref.library)


def link(ref: Ref, root: str) -> str | None:
    """``ref`` as a page at ``root`` links it: its address below ``root``; a web page's URL as it is, when it is
    http(s), else None (no link: a ``javascript:`` or ``//`` URL from a package's metadata stays text)."""
    if isinstance(ref, WebRef):
        return ref.url if ref.url.lower().startswith(("https://", "http://")) else None
    return root + of(ref)
