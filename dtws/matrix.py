"""The one definition of the matrix: which (library, Python, Django) cells exist.

Each library's cells come from its declaration (dtws.solutions: the Django
series and Pythons it claims). tox.ini's envlist and the GitHub Actions
matrix are proven equal to this by the tests. A combination Django itself does not support is not a cell, except
the seven cells of the hand-written review, which stay as they were.
"""

from __future__ import annotations

from dataclasses import dataclass

from dtws.solutions import LIBRARIES, library
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


LIBRARY = LIBRARIES[0].name


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
    from dtws import ahead  # the cells ahead of release (Django main, its pre-release, the next Python) build on these

    found = ahead.parse(name)
    if found is not None:
        return found
    known = ", ".join(cell.env for cell in CELLS)
    raise UnknownCell(f"unknown cell {name!r}; the cells are: {known}")


def djangos(name: str, python: str) -> tuple[str, ...]:
    """The Django series of the library ``name``'s cells on Python ``python``, oldest first: those the project runs."""
    found = {cell.django for cell in CELLS + TEST_CELLS if (cell.library, cell.python) == (name, python)}
    return tuple(sorted(found, key=series_key))


def pythons() -> tuple[str, ...]:
    """Every Python version the matrix needs, oldest first."""
    return tuple(sorted({cell.python for cell in CELLS}, key=series_key))
