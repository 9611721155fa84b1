"""The one place that reads package names and versions: normalized names, X.Y series, releases, Requires-Python."""

from __future__ import annotations

import functools
import re

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version


def normalized(name: str) -> str:
    """A distribution's name as the index compares it (PEP 503): ``Zope.Interface`` -> ``zope-interface``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def series_key(version: str) -> tuple[int, ...]:
    """The order of a Python or Django series, ``3.9`` before ``3.10``."""
    return tuple(int(part) for part in version.split("."))


def release_key(version: str | None) -> Version:
    """A release's order; one that is not a version sorts first."""
    try:
        return Version(version or "0")
    except InvalidVersion:
        return Version("0")


@functools.lru_cache(maxsize=4096)  # a site asks it of every cell, of a few releases' Requires-Python
def admits(requires: str | None, python: str) -> bool:
    """Whether a Requires-Python admits the series ``python`` (X.Y); one nobody can read excludes nothing."""
    if not requires:
        return True
    try:
        return SpecifierSet(requires).contains(f"{python}.0", prereleases=True)
    except InvalidSpecifier:
        return True
