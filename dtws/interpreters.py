"""Finding the Python executables the cells need.

Candidates come from pyenv (``$PYENV_ROOT`` or ``pyenv root``) and from PATH.
Each candidate is asked for its own version, so a pyenv shim that would fail
or a ``python3.X`` that is really something else is never taken on its name.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Its version, and "t" for a free-threaded build (sysconfig's Py_GIL_DISABLED), as a series names it: "3.14t";
# then its build, as sys.version says it (its version, build date and compiler), on one line.
_ASK = (
    "import sys, sysconfig; "
    "print('%d.%d.%d' % sys.version_info[:3] + ('t' if sysconfig.get_config_var('Py_GIL_DISABLED') else '')); "
    "print(' '.join(sys.version.split()))"
)


@dataclass(frozen=True)
class Interpreter:
    version: str  # "2.7.18"
    executable: Path
    build: str = ""  # its sys.version: "2.7.18 (default, Nov 2 2026, 10:00:00) [GCC 12.2.0]"

    @property
    def series(self) -> str:
        return ".".join(self.version.split(".")[:2])


def _pyenv_root() -> Path | None:
    root = os.environ.get("PYENV_ROOT")
    if root:
        return Path(root)
    pyenv = shutil.which("pyenv")
    if pyenv is None:
        return None
    done = subprocess.run([pyenv, "root"], capture_output=True, text=True, check=False)
    return Path(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None


def _candidates(series: str) -> list[Path]:
    found: list[Path] = []
    root = _pyenv_root()
    if root is not None:
        found.extend(sorted(root.glob(f"versions/*/bin/python{series}")))
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if directory and (root is None or not Path(directory).is_relative_to(root / "shims")):
            exe = Path(directory) / f"python{series}"
            if exe.is_file() and os.access(exe, os.X_OK):
                found.append(exe)
    return found


def _ask_version(executable: Path) -> tuple[str, str] | None:
    """Its version ("3.14t" for a free-threaded build) and its build."""
    try:
        done = subprocess.run([str(executable), "-c", _ASK], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    said = done.stdout.strip().splitlines()
    return (said[0].strip(), said[-1].strip()) if done.returncode == 0 and len(said) == 2 else None


def _patch_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


@cache
def find(series: str) -> Interpreter | None:
    """The newest interpreter of ``series`` (e.g. "3.12") on this machine, or None."""
    best: Interpreter | None = None
    for executable in _candidates(series):
        asked = _ask_version(executable)
        if asked is None or asked[0].endswith("t") != series.endswith("t"):
            continue
        version = asked[0].removesuffix("t")
        if not version.startswith(series.removesuffix("t") + "."):
            continue
        if best is None or _patch_key(version) > _patch_key(best.version):
            best = Interpreter(version, executable, asked[1])
    return best
