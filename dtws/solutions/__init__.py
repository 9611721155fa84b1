"""The libraries' probes: one module each, named as its declaration in ``dtws/libraries/``, with its ``PROBES``.

Only what talks to a library's servers (the steps, the bench, the tests)
loads them, one library's at a time: ``probes(library)``.
"""

from __future__ import annotations

import importlib

from dtws.library import Library, Probes


def probes(library: Library) -> Probes:
    """The probes of ``library``: ``PROBES`` of ``dtws.solutions.<its module>``."""
    found = importlib.import_module(f"dtws.solutions.{library.module}").PROBES
    assert isinstance(found, Probes), library.module
    return found
