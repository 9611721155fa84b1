"""The cell record: ``result.json`` (schema below), written atomically, read with validation.

A record is data only. It knows nothing of pages.

Schema (``schema_version`` 1)::

    {
      "schema_version": 1,
      "library": "django-socketio", "cell": "py27-django18",
      "python": "2.7", "django": "1.8",
      "status": "pass" | "flaky" | "fail" | "timeout" | "unavailable" | "error" | "incomplete",
      "reason": one line naming the first real error, or null,
      "coverage_percent": number or null,
      "steps": [ {"name", "needs", "verdict", "command", "exit_code",
                  "duration_s", "timeout_s", "started_at", "log",
                  "error_line", "detail", "log_dropped_bytes",
                  "attempts": [{"verdict", "exit_code", "duration_s", "started_at",
                                "log", "error_line", "detail"} ...]} ... ],
      "services": [ {"name", "version", "address", "log", "error"} ... ],
      "provenance": {"python_version", "python_executable", "platform",
                     "packages": {name: version}, "django_version",
                     "library_version", "commit", "commit_dirty", "run_id",
                     "run_attempt", "job_url", "dtws_version",
                     "started_at", "finished_at", "installer",
                     "project_hash", "checked_at", "as_of",
                     "django_commit", "django_archive",
                     "python_build", "browser", "kept_because",
                     "tried": [{"name", "version", "wants"} ...],
                     "declared": {"package", "version", "pythons", "djangos",
                                  "requires_python"} or null},
      "installed": {"packages": [{"name", "version", "bytes", "built"} ...],
                    "env_packages", "env_bytes", "urls": {label: URL},
                    "description_chars", "doc_files", "test_files",
                    "test_functions", "assertions", "unparsed",
                    "release": {"newest", "newest_at", "recent", "total",
                                "requires_python", "problem"}} or null
    }

Step verdicts: pass, fail, timeout, skipped (a step it needs did not pass),
unavailable (no interpreter), error (dtws, tox, docker or the CI plumbing
failed, not the library: a harness error), and not-run (the run was stopped
before it). A cell's status ``error`` is a harness error too, never the
library's failure.

``attempts``: the earlier attempts of a step that failed or timed out and was
run again (``--retries``), oldest first; the step's own fields are its last
attempt's. A cell whose steps all passed, one of them only when run again, is
``flaky``: never counted as passing.

``installer``: what installed the env's packages, ``uv`` or ``pip`` (tox.ini's
install_command for the cell's Python), from the install step's log.

``project_hash``: sha256 of the files the cell ran or was probed with, when it
ran (dtws.changed.cell_hash: the project's shared files, its library's app and
probes, the harness that runs the steps). ``checked_at``: the last time ``run
--changed`` found the cell unchanged and kept this record instead of running it
again; ``kept_because``: what it compared then, one line.

``python_build``: the interpreter's build, as its ``sys.version`` says it
(version, build date, compiler). ``browser``: the Chromium the browser step
drives (its ``--version``).

``tried``: every distribution the install resolved or tried to (a failed
install's too), its version and ``wants``, the specifiers that asked for it
(PEP 440, "" for any): from the env's metadata after an install that passed,
from pip's or uv's log after one that failed (dtws.tried). ``run --changed``
asks the index whether any has a newer release these allow.

``as_of``: the date (YYYY-MM-DD) of a ``--as-of`` run, whose packages are
the newest the index had before that day (dtws.asof); null for today's.

``django_commit``, ``django_archive``: for a cell of Django's main branch
(dtws.ahead), the commit of Django it tested, read from the archive of the
branch it was installed from (its pax header), and where that archive came
from; null for any other cell.

``declared``: what the installed library's own metadata claims (its Python
and Django classifiers, its Requires-Python), read after the install step;
null when the library was not installed.

``services``: the servers dtws ran beside the cell's processes for its
library (dtws.services: a Redis), each with its version, its address, its
log (``logs/<name>.log``) and, when it could not be had or died, why (a
harness error of every step that needed it); empty for a library that
declares none, or when no step needed them.

``installed``: what the install step put in the env, read from it after
the step (dtws.installed): the library's dependency tree as installed (each
distribution's bytes on disk, and whether it was built from source here),
the whole env's size, the library's own metadata URLs, the documentation and
test modules its distribution ships (test functions and assertions counted
by parsing them with the cell's Python), and its releases on the index up to
the run; null when the env has no library installed.

``log_dropped_bytes``: how many bytes of the step's output were not written
to its log (a process may write its first 2 MiB in full, then only its last
512 KiB are kept); 0 when none were. Fields added after the first records
(this one) may be missing from a record and read as their default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast, get_args

from dtws import files, shapes
from dtws.shapes import Count, Day, Name, Timestamp

SCHEMA_VERSION = 1
FILENAME = "result.json"

StepVerdict = Literal["pass", "fail", "timeout", "skipped", "unavailable", "error", "not-run"]
Status = Literal["pass", "flaky", "fail", "timeout", "unavailable", "error", "incomplete"]
STEP_VERDICTS: tuple[StepVerdict, ...] = get_args(StepVerdict)
STATUSES: tuple[Status, ...] = get_args(Status)


class RecordError(ValueError):
    """A result.json that cannot be read as a record; the message says why."""


@dataclass
class Attempt:
    """An earlier attempt of a step, which failed or timed out before the step was run again."""

    verdict: StepVerdict
    exit_code: int | None = None
    duration_s: float | None = None
    started_at: Timestamp | None = None
    log: str | None = None
    error_line: str | None = None
    detail: str | None = None


@dataclass
class Step:
    name: str
    needs: list[str]
    verdict: StepVerdict = "not-run"
    command: list[str] | None = None
    exit_code: int | None = None
    duration_s: float | None = None
    timeout_s: float | None = None
    started_at: Timestamp | None = None
    log: str | None = None
    error_line: str | None = None
    detail: str | None = None
    log_dropped_bytes: Count = 0
    attempts: list[Attempt] = field(default_factory=list)


@dataclass
class Declared:
    """What the installed library's metadata claims (dtws.declared)."""

    package: str
    version: str | None = None
    pythons: list[str] = field(default_factory=list)  # from its Python X.Y classifiers
    djangos: list[str] = field(default_factory=list)  # from its Framework :: Django :: X.Y classifiers
    requires_python: str | None = None


@dataclass
class Service:
    """A server dtws ran beside the cell's processes (dtws.services)."""

    name: str  # as the library declares it: "redis"
    version: str | None = None  # the server's own, e.g. "7.0.15"
    address: str | None = None  # as the cell's processes got it: "redis://127.0.0.1:<port>/0"
    log: str | None = None  # its output, beside the steps' logs
    error: str | None = None  # why it could not be had, or that it died (a harness error); null while it served


@dataclass
class Package:
    """A distribution of the library's dependency tree, as installed in the cell's env (dtws.installed)."""

    name: str
    version: str
    bytes: Count  # the files its RECORD (or installed-files.txt) lists, as on disk
    built: bool | None = None  # built from source here: the index has no wheel of it for this env; None: not known


@dataclass
class Release:
    """The library's releases on the index (dtws.pypi), up to when the cell ran (or its --as-of day)."""

    newest: str | None = None
    newest_at: Timestamp | None = None
    recent: Count = 0  # releases in the two years before
    total: Count = 0
    requires_python: str | None = None  # of the newest release's files
    problem: str | None = None  # why the index could not be read


@dataclass
class Installed:
    """What the install step put in the env, read from it after the step (dtws.installed)."""

    packages: list[Package] = field(default_factory=list)  # the library's tree, the library first; not Django's own
    env_packages: Count = 0  # distributions in the env's site-packages
    env_bytes: Count = 0  # the env's site-packages on disk
    urls: dict[str, str] = field(default_factory=dict)  # the library's METADATA: Home-page, Project-URL (label: URL)
    description_chars: Count = 0  # its long description (mostly its README) in its METADATA
    doc_files: list[str] = field(default_factory=list)  # documentation files its distribution ships
    test_files: list[str] = field(default_factory=list)  # test modules its distribution ships
    test_functions: Count = 0  # test* functions in them, counted by parsing with the cell's Python
    assertions: Count = 0  # assert statements and self.assert*/fail* calls in them
    unparsed: list[str] = field(default_factory=list)  # test modules the cell's Python could not parse
    release: Release = field(default_factory=Release)


@dataclass
class Tried:
    """A distribution an install resolved or tried to (dtws.tried)."""

    name: str  # normalized
    version: str
    wants: str = ""  # the specifiers that asked for it (PEP 440), "" for any


@dataclass
class Provenance:
    python_version: str | None = None
    python_executable: str | None = None
    platform: str | None = None
    packages: dict[str, str] = field(default_factory=dict)
    django_version: str | None = None
    library_version: str | None = None
    commit: str | None = None
    commit_dirty: bool | None = None
    run_id: str | None = None
    run_attempt: int | None = None
    job_url: str | None = None
    dtws_version: str | None = None
    started_at: Timestamp | None = None
    finished_at: Timestamp | None = None
    installer: str | None = None
    project_hash: str | None = None
    checked_at: Timestamp | None = None
    declared: Declared | None = None
    as_of: Day | None = None
    django_commit: str | None = None  # the commit of Django main a cell of it installed (dtws.ahead)
    django_archive: str | None = None  # the archive of Django main it was fetched from
    python_build: str | None = None  # the interpreter's sys.version: its version, build date and compiler
    browser: str | None = None  # the Chromium the browser step drives: its --version
    tried: list[Tried] = field(default_factory=list)  # what the install resolved or tried to (dtws.tried)
    kept_because: str | None = None  # what run --changed compared when it last kept the record


@dataclass
class CellRecord:
    library: Name
    cell: Name
    python: str
    django: str
    status: Status = "incomplete"
    reason: str | None = None
    coverage_percent: float | None = None
    steps: list[Step] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    provenance: Provenance = field(default_factory=Provenance)
    installed: Installed | None = None
    schema_version: int = SCHEMA_VERSION

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)


def to_dict(record: CellRecord) -> dict[str, Any]:
    return cast(dict[str, Any], shapes.plain(record))


def write(record: CellRecord, directory: Path) -> Path:
    """Write ``directory/result.json`` atomically, readable by everyone (dtws.files)."""
    return files.write_json(directory / FILENAME, to_dict(record))


# Fields added since schema_version 1 first shipped: optional when read.
_ADDED = (
    "log_dropped_bytes",
    "installer",
    "project_hash",
    "checked_at",
    "attempts",
    "declared",
    "as_of",
    "services",
    "installed",
    "django_commit",
    "django_archive",
    "python_build",
    "browser",
    "tried",
    "kept_because",
)


def logs(rec: CellRecord) -> list[str]:
    """Every log a record names: each step's (its earlier attempts' first), then each service's."""
    named = [log for step in rec.steps for log in [*(attempt.log for attempt in step.attempts), step.log]]
    return [log for log in named + [service.log for service in rec.services] if log]


def from_dict(data: Any) -> CellRecord:
    """A record as read, every field of the shape its dataclass declares (dtws.shapes); RecordError otherwise."""
    if not isinstance(data, dict):
        raise RecordError("not a JSON object")
    if shapes.version(data, (SCHEMA_VERSION,)) is None:
        said = shapes.shown(data.get("schema_version"))
        raise RecordError(f"unknown schema_version {said} (this dtws reads {SCHEMA_VERSION})")
    try:
        return shapes.build(CellRecord, data, "record", optional=_ADDED)
    except shapes.ShapeError as error:
        raise RecordError(str(error)) from None


def read(path: Path) -> CellRecord:
    """Read and validate a result.json; any problem is a RecordError that says what."""
    return files.read_as(path, from_dict, RecordError)
