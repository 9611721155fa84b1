from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dtws import interpreters


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    interpreters.find.cache_clear()
    yield
    interpreters.find.cache_clear()


def series() -> str:
    return f"{sys.version_info[0]}.{sys.version_info[1]}"


def test_found_on_path_by_asking_its_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / f"python{series()}").symlink_to(sys.executable)
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    monkeypatch.setenv("PATH", str(tmp_path))
    found = interpreters.find(series())
    assert found is not None
    assert found.series == series()
    assert found.version.startswith(series() + ".")


def test_a_name_that_lies_is_not_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "python3.99").symlink_to(sys.executable)
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert interpreters.find("3.99") is None


def test_found_in_pyenv_versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "versions" / "x" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / f"python{series()}").symlink_to(sys.executable)
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setenv("PATH", "")
    found = interpreters.find(series())
    assert found is not None and found.executable == bin_dir / f"python{series()}"
