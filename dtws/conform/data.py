"""``conformance.json``: the Autobahn|Testsuite's runs, newest last, each with every library's cases.

Schema (``schema_version`` 1), documented in the site's guide (site/guide/conformance.md):

- ``runs``: the history, oldest first, at most HISTORY_LIMIT; each run has ``started_at``,
  ``finished_at``, ``commit``, ``run_id``, ``job_url``, ``platform``, ``suite`` (the
  autobahntestsuite version), ``cases`` and ``excluded`` (the spec's case patterns), ``sections``
  (the suite's own section titles, "1" and "1.1" alike), ``reference`` (the bare ``websockets`` echo)
  and ``libraries``;
- an endpoint: ``library``, ``cell``, ``package``, ``version``, ``path`` (the echo's), ``status``
  (``tested``, ``no echo``, ``no passing cell``, ``error``), ``why`` (one line: why it was not tested, or
  why the suite stopped before its last case),
  ``report`` (Autobahn's HTML report, relative to conformance.json's folder) and ``cases``;
- a case: ``id``, ``behavior`` (OK, NON-STRICT, INFORMATIONAL, UNIMPLEMENTED, FAILED),
  ``behavior_close``, ``description``, ``expectation``, ``result``, ``report`` (its HTML page,
  relative to conformance.json's folder) and ``dropped`` (the echo never came back, or came back
  cut: what an empty or long message met).

Data only: nothing here runs a server or the suite (dtws.conform.run does).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from dtws import addresses, files, history
from dtws.shapes import Name

SCHEMA_VERSION = 1
FILENAME = "conformance.json"
SITE = addresses.CONFORMANCE  # the site's folder of the pages, conformance.json and Autobahn's reports
HISTORY_LIMIT = 104  # two years of weekly runs
REFERENCE = "websockets"  # the bare protocol library whose echo runs beside the libraries'
Behaviour = Literal["OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED"]
BEHAVIOURS: tuple[Behaviour, ...] = ("OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED")
Status = Literal["tested", "no echo", "no passing cell", "error"]
# What the echo did to the case's messages, where the case's own report shows it.
Dropped = Literal["", "empty", "cut"]


class ConformanceError(ValueError):
    """A conformance.json that is not one (one line)."""


@dataclass(frozen=True)
class Case:
    id: str
    behavior: Behaviour
    behavior_close: str
    description: str
    expectation: str
    result: str
    report: str | None = None
    dropped: Dropped = ""

    @property
    def section(self) -> str:
        """The suite's section of the case: "7.9" of "7.9.1", "1" of "1.1"'s cases when it names no subsection."""
        return self.id.rsplit(".", 1)[0]


@dataclass(frozen=True)
class Endpoint:
    library: Name  # the site links its page: conformance/<library>/
    cell: Name | None
    package: str
    version: str | None
    path: str | None
    status: Status
    why: str | None = None
    report: str | None = None
    cases: list[Case] = field(default_factory=list)

    def counts(self) -> dict[Behaviour, int]:
        found = Counter(case.behavior for case in self.cases)
        return {behaviour: found[behaviour] for behaviour in BEHAVIOURS if found[behaviour]}

    @property
    def failed(self) -> list[Case]:
        return [case for case in self.cases if case.behavior == "FAILED"]

    def by_section(self, behaviour: Behaviour) -> dict[str, list[Case]]:
        """Its cases of ``behaviour``, grouped by the suite's section ("7.9"), in the suite's order."""
        grouped: dict[str, list[Case]] = {}
        for case in self.cases:
            if case.behavior == behaviour:
                grouped.setdefault(case.section, []).append(case)
        return grouped

    def summary(self, sections: dict[str, str]) -> str:
        """ "230 OK, 4 failed: empty messages dropped": its counts, and what its failures have in common."""
        counts = ", ".join(f"{n} {b if b == 'OK' else b.lower()}" for b, n in self.counts().items())
        why = failures_why(self.failed, sections)
        said = f"{counts}: {why}" if why else counts
        return f"{said} ({self.why})" if self.why else said


@dataclass(frozen=True)
class Run:
    started_at: str
    finished_at: str
    commit: str | None
    run_id: str | None
    job_url: str | None
    platform: str
    suite: str
    cases: list[str]
    excluded: list[str]
    sections: dict[str, str]
    reference: Endpoint
    libraries: list[Endpoint]

    def summary(self, endpoint: Endpoint) -> str:
        return endpoint.summary(self.sections)

    def section_title(self, section: str) -> str:
        """ "Close Handling › Close frame structure: invalid close codes (fuzzer initiated)" of "7.9"."""
        top = section.split(".", 1)[0]
        titles = [self.sections.get(top, f"section {top}")]
        if section != top and section in self.sections:
            titles.append(self.sections[section])
        return " › ".join(titles)


@dataclass(frozen=True)
class Conformance:
    runs: list[Run]
    schema_version: int = SCHEMA_VERSION

    @property
    def latest(self) -> Run | None:
        return self.runs[-1] if self.runs else None


def failures_why(failed: list[Case], sections: dict[str, str]) -> str:
    """What the failures have in common, from the cases' own reports ("empty messages dropped"), else their
    sections as the suite titles them ("invalid close codes (fuzzer initiated)")."""
    parts = [said for what, said in _DROPPED if any(case.dropped == what for case in failed)]
    rest = list(dict.fromkeys(case.section for case in failed if not case.dropped))
    parts += [sections.get(section, f"section {section}") for section in rest]
    return "; ".join(parts)


_DROPPED: tuple[tuple[Dropped, str], ...] = (("empty", "empty messages dropped"), ("cut", "long messages cut"))


def newest(conformance: Conformance, library: str) -> tuple[Run, Endpoint] | None:
    """``library`` (or the reference) in the newest run that tested it, with that run."""
    for run in reversed(conformance.runs):
        for endpoint in [run.reference, *run.libraries]:
            if endpoint.library == library and endpoint.status == "tested":
                return run, endpoint
    return None


@dataclass(frozen=True)
class Change:
    """Between a library's two newest tested runs: the cases that fail now and did not, and the reverse."""

    before: str  # the earlier run's started_at
    was: int  # failing cases then
    now: int  # and now
    new: list[str]
    fixed: list[str]


def change(conformance: Conformance, library: str) -> Change | None:
    """The change of ``library``'s failing cases since the run before its newest; None when it has no two runs."""
    tested = [
        (run, endpoint)
        for run in conformance.runs
        for endpoint in [run.reference, *run.libraries]
        if endpoint.library == library and endpoint.status == "tested"
    ]
    if len(tested) < 2:
        return None
    (before_run, before), (_, now) = tested[-2], tested[-1]
    was, is_ = {case.id for case in before.failed}, {case.id for case in now.failed}
    return Change(
        before_run.started_at, len(was), len(is_), sorted(is_ - was, key=case_key), sorted(was - is_, key=case_key)
    )


def case_key(case_id: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in case_id.split("."))


def with_history(run: Run, previous: Conformance | None) -> Conformance:
    """``previous``'s runs, then ``run``: in place of a run of the same ``run_id`` (a job run again), never twice."""
    return Conformance(runs=history.joined(previous.runs if previous else [], run, HISTORY_LIMIT))


def to_dict(conformance: Conformance) -> dict[str, Any]:
    return {"schema_version": conformance.schema_version, "runs": [asdict(run) for run in conformance.runs]}


def write(conformance: Conformance, path: Path) -> None:
    files.write_json(path, to_dict(conformance))


def from_dict(data: object) -> Conformance:
    return history.build(Conformance, data, SCHEMA_VERSION, FILENAME, ConformanceError)


def read(path: Path) -> Conformance:
    return files.read_as(path, from_dict, ConformanceError)
