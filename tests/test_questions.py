"""Each library's first question, derived from its declaration: the bisect that answers it, and where it runs."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from dtws import bisect, github, matrix, pages, questions, review
from dtws.libraries import LIBRARIES, library
from tests.conftest import PROJECT, dtws, dtws_args


def test_gevent_socketios_first_question_is_a_bisect_of_django_on_python_27() -> None:
    question = questions.FIRST["gevent-socketio"]
    # The newest Python that installs it, with the newest Django series the matrix runs there.
    assert (question.cell, question.package, question.step) == (
        "py27-django111-geventsocketio",
        "Django",
        "django-server",
    )
    assert (question.releases, question.every) == ("", False)
    assert "last Django release" in question.asks and question.name == "py27-django111-geventsocketio-Django"


def test_the_cell_is_the_librarys_newest_django_series_on_its_python() -> None:
    for name, question in questions.FIRST.items():
        lib, cell = library(name), matrix.get(question.cell)
        assert (cell.library, cell.python) == (name, lib.bisect_python)
        assert cell.django == matrix.djangos(name, cell.python)[-1]


def test_a_library_without_bisect_python_asks_nothing_and_a_python_without_cells_is_refused() -> None:
    assert questions.first_question(replace(library("channels"), bisect_python=None)) is None
    with pytest.raises(ValueError, match="has no cell"):
        questions.first_question(replace(library("channels"), bisect_python="3.2"))
    assert set(questions.FIRST) == {lib.name for lib in LIBRARIES if lib.bisect_python is not None}


def test_a_full_run_bisects_the_reviews_questions_then_each_first_question() -> None:
    assert questions.QUESTIONS == review.BISECTS + tuple(questions.FIRST.values())
    jobs = github.plan(event="schedule").bisects
    assert [job["cell"] for job in jobs] == [question.cell for question in questions.QUESTIONS]
    assert github.plan(event="push").bisects == []


@pytest.mark.cells
@pytest.mark.network
def test_gevent_socketios_first_question_answered_on_three_releases_and_shown_on_its_page(tmp_path: Path) -> None:
    """The first question's bisect over three Django releases: real probes; the answer and question on its page."""
    question = questions.FIRST["gevent-socketio"]
    args = ["bisect", question.cell, "--package", question.package, "--step", question.step]
    folder = tmp_path / "bisect"
    done = dtws(
        dtws_args(*args, "--releases", "1.8.19,1.9,1.11.29", "--results", str(folder), "--toxworkdir", str(tmp_path))
    )
    assert done.returncode == 0, done.stdout + done.stderr
    found = json.loads((folder / bisect.FILENAME).read_text())
    assert (found["good"], found["bad"]) == ("1.8.19", "1.9")
    assert found["answer"].startswith("Django: last good 1.8.19, first bad 1.9")
    assert "django.utils.importlib was removed in Django 1.9" in found["why"]

    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(PROJECT / "mkdocs.yml", project)
    shutil.copytree(PROJECT / "site", project / "site", ignore=shutil.ignore_patterns(*pages.GENERATED))
    merged = dtws(dtws_args("merge", str(folder / "1.8.19"), "--out", str(tmp_path / "merged")))
    assert merged.returncode == 0, merged.stdout
    built = dtws(dtws_args("site", str(tmp_path / "merged"), "--project", str(project), "--bisect", str(folder)))
    assert built.returncode == 0, built.stdout
    page = (project / "build" / "site" / "libraries" / "gevent-socketio" / "index.html").read_text()
    assert '<span class="dtws-asks">What is the last Django release under which gevent-socketio' in page
    assert f'<a href="../../bisect/{question.name}/">Django: last good 1.8.19, first bad 1.9' in page
