from __future__ import annotations

import importlib.util
import json
import socket
from pathlib import Path

import pytest

from dtws import record
from dtws.cli import main


def test_an_unknown_cell_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cell", "py99-django99"]) == 2
    assert "unknown cell 'py99-django99'; the cells are: py27-django18" in capsys.readouterr().out


def test_a_bad_timeout_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["cell", "py27-django18", "--timeout", "nostep=3"])
    assert "STEP=SECONDS" in capsys.readouterr().err


def test_github_report_of_a_passing_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rec = record.CellRecord("django-socketio", "py312-django52", "3.12", "5.2", status="pass")
    rec.steps = [record.Step("install", [], verdict="pass")]
    record.write(rec, tmp_path)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert main(["github", "report", str(tmp_path / "result.json")]) == 0
    assert capsys.readouterr().out == "::notice title=django-socketio py312-django52: pass::every step passed\n"
    assert summary.read_text() == "- ✓ **django-socketio py312-django52** pass (install pass)\n"


def test_github_report_without_a_record_fails_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["github", "report", str(tmp_path / "result.json")]) == 1
    assert capsys.readouterr().out.startswith("::error title=dtws::no record: ")


def test_preview_without_a_site_or_port_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", "--site", str(tmp_path)]) == 2
    assert "no built site" in capsys.readouterr().out
    (tmp_path / "index.html").write_text("<p>site</p>")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert main(["preview", "--site", str(tmp_path), "--port", str(taken.getsockname()[1])]) == 2
    assert "cannot listen on 127.0.0.1:" in capsys.readouterr().out


def empty_results(tmp_path: Path) -> Path:
    results_dir = tmp_path / "results"
    results_dir.mkdir()
    (results_dir / "results.json").write_text(
        json.dumps(
            {"schema_version": 1, "generated_at": "2026-11-29T12:00:00+00:00", "run": {}, "cells": [], "problems": []}
        )
    )
    return results_dir


def test_site_outside_the_repository_says_where_to_run_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["site", str(empty_results(tmp_path)), "--project", str(tmp_path)]) == 2
    assert "no mkdocs.yml" in capsys.readouterr().out


def test_site_without_mkdocs_says_to_install_the_site_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The cell jobs install dtws without its site extra; a site built there says what is missing."""
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n")
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "mkdocs" else find_spec(name))
    assert main(["site", str(empty_results(tmp_path)), "--project", str(tmp_path)]) == 2
    assert capsys.readouterr().out == (
        "dtws site: mkdocs is not installed: install dtws with its site extra (pip install '.[site]')\n"
    )
