"""The one definition of the matrix: which (library, Python, Django) cells exist.

tox.ini's envlist and the GitHub Actions matrix are proven equal to this by
the tests. A combination Django itself does not support is not a cell, except
the seven cells of the hand-written review, which stay as they were.
"""

from __future__ import annotations

from dataclasses import dataclass

from dtws.versions import series_key

# Python versions each Django series officially supports, from Django's
# "What Python version can I use with Django?" FAQ and the Python classifiers
# of its newest release of the series.
DJANGO_PYTHONS: dict[str, tuple[str, ...]] = {
    "1.11": ("2.7", "3.4", "3.5", "3.6", "3.7"),
    "2.2": ("3.5", "3.6", "3.7", "3.8", "3.9"),
    "3.2": ("3.6", "3.7", "3.8", "3.9", "3.10"),
    "4.2": ("3.8", "3.9", "3.10", "3.11", "3.12"),
    "5.2": ("3.10", "3.11", "3.12", "3.13", "3.14"),
    "6.0": ("3.12", "3.13", "3.14"),
    "6.1": ("3.12", "3.13", "3.14", "3.15"),
}

# The cells of shared/reference/django-socketio-review.rst, as they were.
REVIEW_CELLS: tuple[tuple[str, str], ...] = (
    ("2.7", "1.8"),
    ("2.7", "1.9"),
    ("3.3", "1.8"),
    ("3.3", "1.9"),
    ("3.4", "1.8"),
    ("3.4", "1.9"),
    ("3.5", "1.9"),
)


@dataclass(frozen=True)
class Library:
    """A library (or a variant of one) under test: the solution axis of the matrix."""

    name: str
    factor: str  # the tox env factor after py{XY}-django{AB}; "" for the first library
    djangos: tuple[str, ...] | None  # the Django series its own docs claim; None: every series here
    pythons: tuple[str, ...] | None  # the Pythons its own docs claim; None: every one Django supports
    # Only dtws's own tests run it: its cells are selectable by name, but no cell of the matrix
    # (not in CELLS, the workflow or the site).
    test_only: bool = False


LIBRARIES: tuple[Library, ...] = (
    Library("django-socketio", "", None, None),
    # The review's workaround: gevent-socketio==0.2.1 and gevent==0.13.6 pinned
    # beside django-socketio. It was tried on the review's cells only.
    Library("django-socketio-workaround", "workaround", (), ()),
    # Channels 4.3 served by daphne; its classifiers claim Django 4.2, 5.1,
    # 5.2 and 6.0 on Python 3.9 to 3.14.
    Library("channels", "channels", ("4.2", "5.2", "6.0"), ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14")),
    # python-socketio 5 (Requires-Python >=3.8) wrapping Django's ASGI app, served
    # by uvicorn; Django has ASGI from 3.0, so the series from 3.2 on.
    Library(
        "python-socketio",
        "pysocketio",
        ("3.2", "4.2", "5.2", "6.0", "6.1"),
        ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15"),
    ),
    # The harness's own fault drills (faults_app): hangs, floods, crashes, escapes.
    Library("faults", "faults", ("5.2",), ("3.12",), test_only=True),
)
LIBRARY = LIBRARIES[0].name


def library(name: str) -> Library:
    for item in LIBRARIES:
        if item.name == name:
            return item
    raise KeyError(name)


def _factor(version: str) -> str:
    return version.replace(".", "")


@dataclass(frozen=True, order=True)
class Cell:
    library: str
    python: str
    django: str

    @property
    def env(self) -> str:
        """The tox env name, e.g. ``py312-django52`` or ``py312-django52-channels``."""
        factor = library(self.library).factor
        return f"py{_factor(self.python)}-django{_factor(self.django)}" + (f"-{factor}" if factor else "")

    @property
    def django_requirement(self) -> str:
        """What pip is asked for: the newest release of the Django series."""
        major, minor = series_key(self.django)
        return f"Django>={self.django},<{major}.{minor + 1}"

    @property
    def in_review(self) -> bool:
        return (self.python, self.django) in REVIEW_CELLS


def _build(test_only: bool) -> tuple[Cell, ...]:
    cells: list[Cell] = []
    for lib in LIBRARIES:
        if lib.test_only != test_only:
            continue
        pairs = set() if lib.test_only else set(REVIEW_CELLS)
        for django, pythons in DJANGO_PYTHONS.items():
            if lib.djangos is None or django in lib.djangos:
                pairs.update((python, django) for python in pythons if lib.pythons is None or python in lib.pythons)
        ordered = sorted(pairs, key=lambda pair: (series_key(pair[1]), series_key(pair[0])))
        cells.extend(Cell(lib.name, python, django) for python, django in ordered)
    return tuple(cells)


CELLS: tuple[Cell, ...] = _build(test_only=False)
TEST_CELLS: tuple[Cell, ...] = _build(test_only=True)


class UnknownCell(LookupError):
    pass


def get(name: str) -> Cell:
    """The cell whose tox env name is ``name``."""
    for cell in CELLS + TEST_CELLS:
        if cell.env == name:
            return cell
    known = ", ".join(cell.env for cell in CELLS)
    raise UnknownCell(f"unknown cell {name!r}; the cells are: {known}")


def djangos(name: str, python: str) -> tuple[str, ...]:
    """The Django series of the library ``name``'s cells on Python ``python``, oldest first: those the project runs."""
    found = {cell.django for cell in CELLS + TEST_CELLS if (cell.library, cell.python) == (name, python)}
    return tuple(sorted(found, key=series_key))


def pythons() -> tuple[str, ...]:
    """Every Python version the matrix needs, oldest first."""
    return tuple(sorted({cell.python for cell in CELLS}, key=series_key))
