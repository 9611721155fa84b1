"""The one definition of the matrix: which (library, Python, Django) cells exist.

tox.ini's envlist and the GitHub Actions matrix are proven equal to this by
the tests. A combination Django itself does not support is not a cell, except
the seven cells of the hand-written review, which stay as they were.
"""

from __future__ import annotations

from dataclasses import dataclass

LIBRARY = "django-socketio"

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


def _factor(version: str) -> str:
    return version.replace(".", "")


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


@dataclass(frozen=True, order=True)
class Cell:
    library: str
    python: str
    django: str

    @property
    def env(self) -> str:
        """The tox env name, e.g. ``py312-django52``."""
        return f"py{_factor(self.python)}-django{_factor(self.django)}"

    @property
    def django_requirement(self) -> str:
        """What pip is asked for: the newest release of the Django series."""
        major, minor = _key(self.django)
        return f"Django>={self.django},<{major}.{minor + 1}"

    @property
    def in_review(self) -> bool:
        return (self.python, self.django) in REVIEW_CELLS


def _build() -> tuple[Cell, ...]:
    pairs = set(REVIEW_CELLS)
    for django, pythons in DJANGO_PYTHONS.items():
        pairs.update((python, django) for python in pythons)
    cells = (Cell(LIBRARY, python, django) for python, django in pairs)
    return tuple(sorted(cells, key=lambda c: (_key(c.django), _key(c.python))))


CELLS: tuple[Cell, ...] = _build()


class UnknownCell(LookupError):
    pass


def get(name: str) -> Cell:
    """The cell whose tox env name is ``name``."""
    for cell in CELLS:
        if cell.env == name:
            return cell
    known = ", ".join(cell.env for cell in CELLS)
    raise UnknownCell(f"unknown cell {name!r}; the cells are: {known}")


def pythons() -> tuple[str, ...]:
    """Every Python version the matrix needs, oldest first."""
    return tuple(sorted({cell.python for cell in CELLS}, key=_key))
