"""What a library claims: the Python and Django versions its installed metadata names.

Read from the cell's env after the install step: the ``METADATA`` (or
``PKG-INFO``) of the installed distribution, found by its normalized name,
parsed by the harness (nothing runs in the cell). A library claims Python
X.Y when it has the classifier ``Programming Language :: Python :: X.Y`` and
its ``Requires-Python`` (if any) admits X.Y; Django X.Y, with ``Framework ::
Django :: X.Y``. A library with no classifier of the kind claims nothing
either way.
"""

from __future__ import annotations

import re
from email.parser import HeaderParser
from pathlib import Path
from typing import Literal

from dtws.record import Declared
from dtws.versions import admits, normalized, series_key

_PYTHON = re.compile(r"^Programming Language :: Python :: ([0-9]+\.[0-9]+)$")
_DJANGO = re.compile(r"^Framework :: Django :: ([0-9]+\.[0-9]+)$")
METADATA_LIMIT = 1_000_000  # bytes of a metadata file read: a bigger one is not one


def _metadata_files(env_dir: Path) -> list[Path]:
    found = []
    for site in sorted(env_dir.glob("lib/python*/site-packages")):
        found += sorted(site.glob("*.dist-info/METADATA")) + sorted(site.glob("*.egg-info/PKG-INFO"))
    return found


def read(env_dir: Path, package: str) -> Declared | None:
    """The claims of ``package`` as installed in the env at ``env_dir``; None when it is not installed there."""
    for path in _metadata_files(env_dir):
        try:
            with path.open("rb") as data:
                text = data.read(METADATA_LIMIT).decode("utf-8", "replace")
        except OSError:
            continue
        headers = HeaderParser().parsestr(text)
        if normalized(headers.get("Name", "")) != normalized(package):
            continue
        classifiers = [" ".join(str(item).split()) for item in headers.get_all("Classifier") or []]
        pythons = sorted({m[1] for c in classifiers if (m := _PYTHON.match(c))}, key=series_key)
        djangos = sorted({m[1] for c in classifiers if (m := _DJANGO.match(c))}, key=series_key)
        requires = headers.get("Requires-Python")
        return Declared(
            package=str(headers.get("Name")),
            version=str(headers.get("Version")) if headers.get("Version") else None,
            pythons=pythons,
            djangos=djangos,
            requires_python=" ".join(str(requires).split()) if requires else None,
        )
    return None


def python_claim(declared: Declared, python: str) -> str:
    """claimed, not-claimed (it names other Pythons, or Requires-Python excludes this one), or no-claim."""
    if not admits(declared.requires_python, python):
        return "not-claimed"
    if not declared.pythons:
        return "no-claim"
    return "claimed" if python in declared.pythons else "not-claimed"


def django_claim(declared: Declared, django: str) -> str:
    if not declared.djangos:
        return "no-claim"
    return "claimed" if django in declared.djangos else "not-claimed"


ClaimMark = Literal["claims-fails", "works-unclaimed"]


def mark(declared: Declared | None, python: str, django: str, status: str) -> ClaimMark | None:
    """The two cases a user must know: the library claims the cell and fails there; or works there, unclaimed."""
    if declared is None:
        return None
    claimed = python_claim(declared, python) == "claimed" and django_claim(declared, django) == "claimed"
    if claimed and status in ("fail", "timeout", "flaky"):
        return "claims-fails"
    if not claimed and status == "pass":
        return "works-unclaimed"
    return None


MARK_WORDS: dict[ClaimMark, str] = {"claims-fails": "claims support, fails", "works-unclaimed": "works, not claimed"}
