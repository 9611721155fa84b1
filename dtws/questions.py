"""The bisects dtws runs beside the matrix, as data: the review's questions, and each library's first one.

A library that declares ``bisect_python`` (the newest Python that installs it)
gets the question a user asks first: the last Django release under which its
Django server still starts. It is a bisect of Django on the library's cell of
that Python with the newest Django series the matrix runs there, judged by the
django-server step, over the Django releases of the series the matrix runs the
library on. ``make review`` and ``make bisects`` run them here, the workflow
on its full runs, and each answer is on its library's page.
"""

from __future__ import annotations

from dtws import matrix, review
from dtws.libraries import LIBRARIES
from dtws.library import Library

FIRST_STEP = "django-server"


def first_question(lib: Library) -> review.Question | None:
    """``lib``'s first question, from its declaration; None when it declares no ``bisect_python``."""
    if lib.bisect_python is None:
        return None
    series = matrix.djangos(lib.name, lib.bisect_python)
    if not series:
        raise ValueError(f"{lib.name} declares bisect_python {lib.bisect_python}, on which it has no cell")
    cell = matrix.Cell(lib.name, lib.bisect_python, series[-1])
    return review.Question(
        f"What is the last Django release under which {lib.name}'s Django server still starts?",
        cell.env,
        "Django",
        FIRST_STEP,
        "",
        every=False,
    )


FIRST: dict[str, review.Question] = {
    lib.name: question for lib in LIBRARIES if (question := first_question(lib)) is not None
}
# Every bisect a full run makes: the review's, then each library's first question.
QUESTIONS: tuple[review.Question, ...] = review.BISECTS + tuple(FIRST.values())
# What each asks, by the bisect's name (its folder): a library's page shows it beside the answer.
ASKED: dict[str, str] = {question.name: question.asks for question in QUESTIONS}
