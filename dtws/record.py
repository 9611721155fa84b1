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
      "provenance": {"python_version", "python_executable", "platform",
                     "packages": {name: version}, "django_version",
                     "library_version", "commit", "commit_dirty", "run_id",
                     "run_attempt", "job_url", "dtws_version",
                     "started_at", "finished_at", "installer",
                     "project_hash", "checked_at", "as_of",
                     "declared": {"package", "version", "pythons", "djangos",
                                  "requires_python"} or null}
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

``project_hash``: sha256 of the project's cell files when the cell ran
(dtws.changed). ``checked_at``: the last time ``run --changed`` found the cell
unchanged and kept this record instead of running it again.

``as_of``: the date (YYYY-MM-DD) of a ``--as-of`` run, whose packages are
the newest the index had before that day (dtws.asof); null for today's.

``declared``: what the installed library's own metadata claims (its Python
and Django classifiers, its Requires-Python), read after the install step;
null when the library was not installed.

``log_dropped_bytes``: how many bytes of the step's output were not written
to its log (a process may write its first 2 MiB in full, then only its last
512 KiB are kept); 0 when none were. Fields added after the first records
(this one) may be missing from a record and read as their default.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args

from dtws import files

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

    verdict: str
    exit_code: int | None = None
    duration_s: float | None = None
    started_at: str | None = None
    log: str | None = None
    error_line: str | None = None
    detail: str | None = None


@dataclass
class Step:
    name: str
    needs: list[str]
    verdict: str = "not-run"
    command: list[str] | None = None
    exit_code: int | None = None
    duration_s: float | None = None
    timeout_s: float | None = None
    started_at: str | None = None
    log: str | None = None
    error_line: str | None = None
    detail: str | None = None
    log_dropped_bytes: int = 0
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
    started_at: str | None = None
    finished_at: str | None = None
    installer: str | None = None
    project_hash: str | None = None
    checked_at: str | None = None
    declared: Declared | None = None
    as_of: str | None = None


@dataclass
class CellRecord:
    library: str
    cell: str
    python: str
    django: str
    status: str = "incomplete"
    reason: str | None = None
    coverage_percent: float | None = None
    steps: list[Step] = field(default_factory=list)
    provenance: Provenance = field(default_factory=Provenance)
    schema_version: int = SCHEMA_VERSION

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)


def to_dict(record: CellRecord) -> dict[str, Any]:
    return asdict(record)


def write(record: CellRecord, directory: Path) -> Path:
    """Write ``directory/result.json`` atomically, readable by everyone (dtws.files)."""
    return files.write_json(directory / FILENAME, to_dict(record))


# Fields added since schema_version 1 first shipped: optional when read.
_ADDED = ("log_dropped_bytes", "installer", "project_hash", "checked_at", "attempts", "declared", "as_of")

_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "str | None": (str, type(None)),
    "int": (int,),
    "int | None": (int, type(None)),
    "float | None": (int, float, type(None)),
    "bool | None": (bool, type(None)),
    "list[str]": (list,),
    "list[str] | None": (list, type(None)),
    "dict[str, str]": (dict,),
}


def _build(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise RecordError(f"{where}: expected an object, found {type(data).__name__}")
    kwargs: dict[str, Any] = {}
    for spec in fields(cls):
        if spec.name not in data:
            if spec.name in _ADDED:
                continue
            raise RecordError(f"{where}: missing field {spec.name!r}")
        value = data[spec.name]
        if spec.name == "steps":
            if not isinstance(value, list):
                raise RecordError(f"{where}.steps: expected a list")
            value = [_build(Step, item, f"{where}.steps[{i}]") for i, item in enumerate(value)]
        elif spec.name == "attempts":
            if not isinstance(value, list):
                raise RecordError(f"{where}.attempts: expected a list")
            value = [_build(Attempt, item, f"{where}.attempts[{i}]") for i, item in enumerate(value)]
        elif spec.name == "declared":
            value = None if value is None else _build(Declared, value, f"{where}.declared")
        elif spec.name == "provenance":
            value = _build(Provenance, value, f"{where}.provenance")
        else:
            allowed = _TYPES[str(spec.type)]
            if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
                raise RecordError(f"{where}.{spec.name}: unexpected value {value!r}")
        kwargs[spec.name] = value
    return cls(**kwargs)


def from_dict(data: Any) -> CellRecord:
    if not isinstance(data, dict):
        raise RecordError("not a JSON object")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise RecordError(f"unknown schema_version {version!r} (this dtws reads {SCHEMA_VERSION})")
    record: CellRecord = _build(CellRecord, data, "record")
    if record.status not in STATUSES:
        raise RecordError(f"record.status: unknown status {record.status!r}")
    for step in record.steps:
        for verdict in [step.verdict, *(attempt.verdict for attempt in step.attempts)]:
            if verdict not in STEP_VERDICTS:
                raise RecordError(f"step {step.name!r}: unknown verdict {verdict!r}")
    return record


def read(path: Path) -> CellRecord:
    """Read and validate a result.json; any problem is a RecordError that says what."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RecordError(f"{path}: missing") from None
    except OSError as error:
        raise RecordError(f"{path}: unreadable ({error.strerror})") from None
    if not raw.strip():
        raise RecordError(f"{path}: empty")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise RecordError(f"{path}: not UTF-8") from None
    except RecursionError:
        raise RecordError(f"{path}: nested too deeply to be a record") from None
    except json.JSONDecodeError as error:
        raise RecordError(f"{path}: not valid JSON (truncated?): {error.msg} at line {error.lineno}") from None
    try:
        return from_dict(data)
    except RecordError as error:
        raise RecordError(f"{path}: {error}") from None
