"""The one definition of the matrix: which (library, Python, Django) cells exist.

Plain data: Django's series and their Pythons come from the snapshot of the
package index (dtws/django_series.json, dtws.django_series), the libraries
from their declarations, which load no probe. Every library gets the seven
cells of the hand-written review and every (Python, Django series) Django
itself supports; what a library claims is an overlay on its cells
(dtws.declared), never a filter. A library may keep to the review's seven
(``review_only``: the review's workaround). tox.ini's envlist and the GitHub
Actions matrix are proven equal to this by the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from dtws import django_series
from dtws.libraries import LIBRARIES, library
from dtws.versions import series_key

SNAPSHOT = django_series.load()
# Python versions each Django series the matrix runs supports: the classifiers of its newest release
# that its Requires-Python admits (the snapshot's), oldest series first.
DJANGO_PYTHONS: dict[str, tuple[str, ...]] = {item.series: item.pythons for item in SNAPSHOT.matrix()}

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


def _build(test_only: bool) -> tuple[Cell, ...]:
    cells: list[Cell] = []
    for lib in LIBRARIES:
        if lib.test_only != test_only:
            continue
        if lib.test_only:  # its claims are its cells: dtws's own tests select them by name
            assert lib.djangos is not None and lib.pythons is not None
            pairs = {(python, django) for django in lib.djangos for python in lib.pythons}
        else:
            pairs = set(REVIEW_CELLS)
            if not lib.review_only:
                pairs.update((python, django) for django, pythons in DJANGO_PYTHONS.items() for python in pythons)
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


def tox_envlist() -> list[str]:
    """tox.ini's ``env_list``: one line per Django series (the review's, then the snapshot's), its Pythons with
    the factors of the libraries that have it (``{,-channels,...}``); then the test-only cells."""
    listed = [lib for lib in LIBRARIES if not lib.test_only]
    every = "{" + ",".join(f"-{lib.factor}" if lib.factor else "" for lib in listed) + "}"
    grid = "{" + ",".join(f"-{lib.factor}" if lib.factor else "" for lib in listed if not lib.review_only) + "}"
    review: dict[str, list[str]] = {}
    for python, django in REVIEW_CELLS:
        review.setdefault(django, []).append(python)
    series = [(django, pythons, every) for django, pythons in review.items()]
    series += [(django, list(pythons), grid) for django, pythons in DJANGO_PYTHONS.items()]
    lines = [
        f"py{{{','.join(map(_factor, pythons))}}}-django{_factor(django)}{libs}" for django, pythons, libs in series
    ]
    return lines + [cell.env for cell in TEST_CELLS]
