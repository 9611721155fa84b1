"""What the install put in the env, read by the install step right after it, for the cell's record.

Evidence for the record and the review's questions only: the cell's verdicts stand without it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from dtws import ahead, asof, declared, installed
from dtws.record import Installed
from dtws.steps.base import Context, Evidence, Installer
from dtws.versions import normalized, series_key


def read(ctx: Context, installer: Installer | None, passed: bool) -> Evidence:
    """The env's packages and the claims of its library; its tree, docs and tests too when the install ``passed``."""
    packages = _freeze(ctx, installer)
    django = _lookup(packages, "Django")
    if django is None and ctx.cell.django in (ahead.NEXT, ahead.MAIN):
        django = ahead.installed_version(installed.site_packages(ctx.env_dir))
    return Evidence(
        packages=packages,
        django_version=django,
        library_version=_lookup(packages, ctx.solution.package),
        declared=declared.read(ctx.env_dir, ctx.solution.package),
        installed=_noted(ctx) if passed else None,
    )


# uv reads the env of a Python from 3.6 on (whoever installed it); 2.7's only pip can.
_UV_READS = (3, 6)


def _freeze(ctx: Context, installer: Installer | None) -> dict[str, str]:
    """The env's packages and versions: from uv (some 30 ms) where uv can read the env, else from pip (about 1 s).

    uv gives names normalized (``django``), pip as each distribution spells
    them (``Django``); whoever reads them compares normalized names.
    """
    if not os.path.lexists(ctx.python):
        return {}
    if installer == "uv" or series_key(ctx.cell.python.removesuffix("t")) >= _UV_READS:
        freeze = ["uv", "pip", "freeze", "--python", str(ctx.python)]
    else:
        freeze = [str(ctx.python), "-m", "pip", "freeze", "--all"]
    command, env = ctx.host.wrap(freeze, ctx.project, ctx.env)
    try:
        done = subprocess.run(
            command, cwd=ctx.project, env=env, capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    packages = {}
    for line in done.stdout.splitlines():
        name, sep, version = line.partition("==")
        if sep and not line.startswith("-"):
            packages[name.strip()] = version.strip()
    return packages


def _lookup(packages: Mapping[str, str], name: str) -> str | None:
    wanted = normalized(name)
    for package, version in packages.items():
        if normalized(package) == wanted:
            return version
    return None


def _noted(ctx: Context) -> Installed | None:
    """``_installed``; its failure (an index answering nonsense, say) is noted in the install's log, not the cell's."""
    try:
        return _installed(ctx)
    except Exception as error:  # evidence for the review's questions only: the cell's verdicts stand without it
        ctx.note(f"what the install put in the env could not be read: {type(error).__name__}: {error}")
        return None


def _installed(ctx: Context) -> Installed | None:
    """What the install put in the env (dtws.installed), the library's test modules parsed by the cell's Python."""
    solution = ctx.solution
    found = installed.read(ctx.env_dir, solution.package, solution.deps, ctx.cell.python, asof.cutoff_of(ctx.as_of))
    site = installed.site_packages(ctx.env_dir)
    if found is not None and site is not None:
        _count(ctx, found, site)
    return found


# What a library's test modules count, by release and Python: the same in every cell of a run that has both.
_COUNTED: dict[tuple[str, ...], tuple[int, int, list[str]]] = {}


def _count(ctx: Context, found: Installed, site: Path) -> None:
    """The library's test modules counted by the cell's Python (dtws.installed), once a run for each release and Python.

    Parsing Tornado's 41 test modules takes its Python about 1 s; a count that failed is not kept.
    """
    library = found.packages[0] if found.packages else None
    release = (library.name, library.version) if library is not None else ("", "")
    key = (str(ctx.interpreter.executable), ctx.interpreter.version, *release, *found.test_files)
    counted = _COUNTED.get(key)
    if counted is not None:
        found.test_functions, found.assertions, found.unparsed = counted[0], counted[1], list(counted[2])
        return
    command, env = ctx.host.wrap([str(ctx.python), "-c", installed.COUNT], ctx.project, ctx.env)
    if installed.count_tests(command, env, ctx.project, found, site):
        _COUNTED[key] = (found.test_functions, found.assertions, list(found.unparsed))
