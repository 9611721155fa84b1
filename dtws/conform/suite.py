"""The Autobahn|Testsuite: installed once into a cache folder, run as a fuzzing client, its report read.

``autobahntestsuite`` is Python 2.7 code: pip of this machine's 2.7 installs it
with ``--target`` into ``<cache>/autobahntestsuite-<version>/lib`` (made aside,
then renamed, so a half-made install is never used), and its ``wstest`` runs with
a ``sitecustomize`` that adds that folder as a site folder (its zope namespace
needs the ``.pth`` files). No Python 2.7 here, or an install that fails, is a
harness error (SuiteError), never a library's failure. Where this machine has no
Python 2.7 (GitHub's runners), the suite runs in a container of an image that has
it (``python:2.7``, through dtws.hosts.Docker, which sees the cache folder and the
run's folder at the same paths).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from dtws import files, procs
from dtws.conform.data import BEHAVIOURS, Behaviour, Case, Dropped, case_key
from dtws.hosts import Host, HostError

VERSION = "25.10.1"
PYTHON = "2.7"
# Cases 1-7 and 10; 9 is a performance series of minutes, 12 and 13 are permessage-deflate (as websockets' own
# compliance/ README runs it).
CASES = ["*"]
EXCLUDED = ["9.*", "12.*", "13.*"]
INSTALL_S = 600.0
SECTIONS_S = 60.0
_SECTIONS = (
    "import json\n"
    "from autobahntestsuite.case import CaseCategories, CaseSubCategories\n"
    "found = dict(CaseCategories)\n"
    "found.update(CaseSubCategories)\n"
    "print(json.dumps(found))\n"
)


class SuiteError(RuntimeError):
    """The suite could not be installed or run here: a harness error (one line)."""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dtws" / f"autobahntestsuite-{VERSION}"


@dataclass(frozen=True)
class Suite:
    """An installed suite: the 2.7 interpreter that runs it, where it runs (here, or in a container), its folder."""

    python: Path
    home: Path
    host: Host

    @property
    def wstest(self) -> Path:
        return self.home / "lib" / "bin" / "wstest"

    def env(self) -> dict[str, str]:
        return dict(os.environ, PYTHONPATH=str(self.home / "site"), PYTHONDONTWRITEBYTECODE="1")

    def _run(self, command: list[str], work: Path, log: IO[bytes], timeout_s: float) -> procs.Finished:
        spawn, env = self.host.wrap(command, work, self.env())
        return procs.run(spawn, cwd=work, env=env, log=log, timeout_s=timeout_s)

    def sections(self, work: Path, log: IO[bytes]) -> dict[str, str]:
        """The suite's own section titles ("1": "Framing", "7.9": "Close frame structure: ..."); ``work``: a
        folder the suite's host sees at the same path."""
        out = work / "autobahn-sections.json"
        script = _SECTIONS.replace("print(json.dumps(found))", f"open({str(out)!r}, 'w').write(json.dumps(found))")
        finished = self._run([str(self.python), "-c", script], work, log, SECTIONS_S)
        try:
            found = json.loads(out.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            found = None
        if finished.exit_code != 0 or not isinstance(found, dict):
            raise SuiteError("the suite's section titles could not be read (see the log)")
        return {str(key): str(value) for key, value in found.items()}

    def run(self, agent: str, url: str, outdir: Path, log: IO[bytes], timeout_s: float, cases: list[str]) -> bool:
        """The fuzzing client against one server, on ``cases`` (the spec's patterns, less EXCLUDED); False when
        it did not finish in time (its group is then killed)."""
        outdir.mkdir(parents=True, exist_ok=True)
        spec = {
            "outdir": str(outdir),
            "servers": [{"agent": agent, "url": url}],
            "cases": cases,
            "exclude-cases": EXCLUDED,
            "exclude-agent-cases": {},
        }
        spec_file = files.write_json(outdir / "spec.json", spec)
        command = [str(self.python), str(self.wstest), "-m", "fuzzingclient", "-s", str(spec_file)]
        finished = self._run(command, outdir, log, timeout_s)
        self.host.after_step(log, agent)  # in a container: what the suite left running there
        return not finished.timed_out


def install(log: IO[bytes], host: Host, cache: Path | None = None) -> Suite:
    """The suite, from the cache folder, or installed there from the package index first (where ``host`` runs it;
    a container sees the cache folder at the same path)."""
    home = cache or cache_dir()
    try:
        interpreter = host.interpreter(PYTHON, log)
    except HostError as error:
        raise SuiteError(str(error)) from None
    if interpreter is None:
        raise SuiteError(f"no Python {PYTHON} {host.where}, which the Autobahn|Testsuite {VERSION} needs")
    suite = Suite(interpreter.executable, home, host)
    if suite.wstest.is_file():
        return suite
    home.parent.mkdir(parents=True, exist_ok=True)
    making = Path(tempfile.mkdtemp(prefix=f".{home.name}-", dir=home.parent))
    try:
        command = [str(interpreter.executable), "-m", "pip", "install", "--disable-pip-version-check", "--no-input"]
        command += ["--target", str(making / "lib"), f"autobahntestsuite=={VERSION}"]
        procs.note(log, f"installing the Autobahn|Testsuite {VERSION} into {home}")
        spawn, env = host.wrap(command, making, dict(os.environ))
        finished = procs.run(spawn, cwd=making, env=env, log=log, timeout_s=INSTALL_S)
        if finished.exit_code != 0 or not (making / "lib" / "bin" / "wstest").is_file():
            raise SuiteError(f"pip of Python {PYTHON} could not install autobahntestsuite=={VERSION} (see the log)")
        files.write_text(making / "site" / "sitecustomize.py", f"import site\nsite.addsitedir({str(home / 'lib')!r})\n")
        making.rename(home)
    finally:
        shutil.rmtree(making, ignore_errors=True)
    return suite


def _shown(events: list[Any]) -> list[Any]:
    return [event[1] for event in events if len(event) > 1]


def _dropped(report: dict[str, Any]) -> Dropped:
    """What the echo did to a failed case's messages: an empty one never came back, or a long one came back changed."""
    expected = [event for event in (report.get("expected") or {}).get("OK", []) if event and event[0] == "message"]
    received = [event for event in report.get("received") or [] if event and event[0] == "message"]
    if not expected:
        return ""
    if len(received) < len(expected) and any(len(event) > 1 and event[1] == "" for event in expected):
        return "empty"
    # The reports abbreviate a long payload to its first octets: the same shown text, yet failed, was cut further on.
    if len(received) == len(expected) and _shown(received) == _shown(expected):
        if any(str(event[1]).endswith(" ...") for event in expected if len(event) > 1):
            return "cut"
    return ""


def _behaviour(value: object) -> Behaviour:
    for behaviour in BEHAVIOURS:
        if value == behaviour:
            return behaviour
    return "FAILED"  # a case the suite could not judge (a crash of the client on it) is no pass


def cases(outdir: Path, agent: str, relative_to: Path) -> list[Case]:
    """The cases of ``agent`` in the suite's report folder; SuiteError when it wrote none."""
    try:
        index = json.loads((outdir / "index.json").read_text(encoding="utf-8"))[agent]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SuiteError(f"the suite wrote no report for {agent} ({type(error).__name__})") from None
    found = []
    for case_id, entry in index.items():
        report_file = outdir / str(entry.get("reportfile", ""))
        try:
            report = json.loads(report_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            report = {}
        behaviour = _behaviour(entry.get("behavior"))
        html = report_file.with_suffix(".html")
        found.append(
            Case(
                id=str(case_id),
                behavior=behaviour,
                behavior_close=str(entry.get("behaviorClose", "")),
                description=str(report.get("description", "")),
                expectation=str(report.get("expectation", "")),
                result=str(report.get("result", "")),
                report=str(html.relative_to(relative_to)) if html.is_file() else None,
                dropped=_dropped(report) if behaviour == "FAILED" else "",
            )
        )
    return sorted(found, key=lambda case: case_key(case.id))
