"""Telling people when a run breaks something: one issue in the repository, opened, commented on, closed.

The gate's verdict (``gate.Verdict``, as ``verdict_data`` writes it) decides:
a regression (a cell that passed and now fails, times out or is flaky) opens
an issue titled with the count, listing each cell with its reason and links to
its page and its run, or comments on the one already open (found by LABEL,
which the workflow owns); a run with no regression comments on an open one
and closes it. Flaky cells are listed apart, and never open an issue alone.

The cells ahead of release (dtws.ahead: Django main, its pre-release, the
next Python) never open that issue: they keep one of their own (AHEAD_LABEL),
"ahead of release", listing each library that breaks there with its first
error: opened when something breaks, its text kept current while it does,
commented on and closed when nothing does any more.

It talks to GitHub's REST API (``Api``: GITHUB_API_URL, GITHUB_REPOSITORY,
GITHUB_TOKEN) with the documented endpoints only: list a repository's issues
by label, create an issue, create an issue comment, update an issue. An
answer that is an error (a 403 for a token without ``issues: write``, a 5xx),
or not what the endpoint documents (a ``null``, a list for an issue), is
``ApiError``: the command makes it a warning, never a failed run.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from dtws import addresses, ahead, files, gate, shapes
from dtws.conform import data as conform_data
from dtws.github import markdown_code

LABEL = "dtws-regression"
AHEAD_LABEL = "dtws-ahead"
TIMEOUT_S = 30
Said = Literal["opened", "commented", "updated", "closed", "nothing"]


class ApiError(Exception):
    """GitHub's API answered with an error, or did not answer; the message says which, in one line."""


@dataclass(frozen=True)
class Cell:
    library: str
    cell: str
    before: str
    after: str
    reason: str | None
    column: str | None = None  # a cell ahead of release: its column ("main", "6.2 (pre-release)")


@dataclass(frozen=True)
class Grown:
    """A library whose failing cases of the protocol's conformance suite grew between its two newest runs."""

    library: str
    was: int
    now: int
    new: list[str]


@dataclass(frozen=True)
class Told:
    """What a run has to tell: its regressions, its flaky cells, what breaks ahead of release, and where to look.

    ``protocol``: information, never a regression (it opens no issue): libraries whose failing conformance
    cases grew (dtws conform).
    """

    regressions: list[Cell]
    flaky: list[Cell]
    run_url: str | None = None
    site: str | None = None  # the published site's root, ending in "/"
    protocol: list[Grown] = field(default_factory=list)
    ahead: list[Cell] = field(default_factory=list)


def protocol(conformance: conform_data.Conformance | None) -> list[Grown]:
    """The libraries (and the reference) whose failing cases grew since the run before their newest."""
    latest = conformance.latest if conformance is not None else None
    if conformance is None or latest is None:
        return []
    grown = []
    for endpoint in [latest.reference, *latest.libraries]:
        change = conform_data.change(conformance, endpoint.library)
        if change is not None and change.now > change.was:
            grown.append(Grown(endpoint.library, change.was, change.now, change.new))
    return grown


def _grown_line(item: Grown, told: Told) -> str:
    name = f"[{item.library}]({told.site}{addresses.conformance(item.library)})" if told.site else item.library
    new = ", ".join(item.new[:20]) + (" …" if len(item.new) > 20 else "")
    return f"- {name}: {item.was} → {item.now} failed cases" + (f" (failing now: {new})" if new else "")


def information(told: Told) -> list[str]:
    """The protocol's lines of an issue or a comment: information, apart from the regressions."""
    if not told.protocol:
        return []
    said = [
        "",
        "Information, not a regression: the protocol's conformance suite (dtws conform) fails more cases of:",
        "",
    ]
    return said + [_grown_line(item, told) for item in told.protocol]


def of(
    verdict: gate.Verdict,
    run_url: str | None,
    site: str | None,
    conformance: conform_data.Conformance | None = None,
) -> Told:
    """What the gate's verdict has to tell, and what the newest conformance run has as information."""
    regressions = [Cell(f.library, f.cell, f.before, f.after, f.reason) for f in verdict.of("regression")]
    flaky = [
        Cell(e.library, e.cell, "", "flaky", e.record.reason if e.record is not None else None) for e in verdict.flaky
    ]
    broken = [
        Cell(e.library, e.cell, "", e.status, e.record.reason if e.record else None, ahead.label(e.python, e.django))
        for e in verdict.broken_ahead
    ]
    return Told(regressions, flaky, run_url, site, protocol(conformance), broken)


def read(data: Any) -> Told:
    """The gate's verdict as written (``--verdict``); shapes.ShapeError when it is not one."""
    return shapes.build(Told, data, "verdict")


def as_data(told: Told) -> dict[str, Any]:
    return asdict(told)


@dataclass(frozen=True)
class Api:
    base: str  # GITHUB_API_URL, e.g. https://api.github.com
    repository: str  # OWNER/NAME
    token: str

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            self.base.rstrip("/") + path,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {self.token}",
                "X-GitHub-Api-Version": "2022-11-28",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
                return files.parse_json(answer.read() or b"null", "its answer")
        except urllib.error.HTTPError as error:
            raise ApiError(f"{method} {path}: HTTP {error.code}") from None
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            raise ApiError(f"{method} {path}: {getattr(error, 'reason', None) or error}") from None

    def open_issue(self, label: str = LABEL) -> int | None:
        """The number of the open issue with ``label`` (pull requests are issues too: those are not), or None."""
        query = urllib.parse.urlencode({"labels": label, "state": "open", "per_page": 100})
        path = f"/repos/{self.repository}/issues"
        found = self.call("GET", f"{path}?{query}")
        if not isinstance(found, list):
            raise ApiError(f"GET {path}: answered {type(found).__name__}, not a list of issues")
        numbers = [item.get("number") for item in found if isinstance(item, dict) and "pull_request" not in item]
        return min(_issue_number(item, f"GET {path}") for item in numbers) if numbers else None


def _issue_number(value: Any, said: str) -> int:
    """An issue's number as the API gave it; ApiError when the answer holds none."""
    if type(value) is not int or value < 1:
        raise ApiError(f"{said}: answered no issue number ({shapes.shown(value)})")
    return value


def _page(cell: Cell, told: Told) -> str:
    name = f"{cell.library} {cell.cell}"
    return f"[{name}]({told.site}{addresses.cell(cell.library, cell.cell)})" if told.site else name


def _reason(cell: Cell) -> str:
    return markdown_code(cell.reason[:300]) if cell.reason else "no reason given"


def _line(cell: Cell, told: Told) -> str:
    return f"- {_page(cell, told)}: {cell.before} → {cell.after}: {_reason(cell)}"


def body(told: Told) -> str:
    """The issue's text, or a comment's: each regression with its reason and links, the flaky cells apart."""
    lines = []
    if told.regressions:
        lines += [f"{len(told.regressions)} cells that passed before do not pass now:", ""]
        lines += [_line(cell, told) for cell in told.regressions]
    else:
        lines.append("No cell that passed before fails now.")
    if told.flaky:
        lines += ["", f"Flaky (passed only when run again; {len(told.flaky)}):", ""]
        lines += [_line(cell, told) for cell in told.flaky]
    lines += information(told)
    if told.run_url:
        lines += ["", f"Run: {told.run_url}"]
    return "\n".join(lines) + "\n"


def title(told: Told) -> str:
    return f"dtws: {len(told.regressions)} cells that passed no longer pass"


def tell(told: Told, api: Api) -> tuple[Said, int | None]:
    """Open, comment on or close the run's issue; what was done, and the issue's number."""
    number = api.open_issue()
    issues = f"/repos/{api.repository}/issues"
    if told.regressions:
        if number is not None:
            api.call("POST", f"{issues}/{number}/comments", {"body": body(told)})
            return "commented", number
        made = api.call("POST", issues, {"title": title(told), "body": body(told), "labels": [LABEL]})
        return "opened", _issue_number(made.get("number") if isinstance(made, dict) else made, f"POST {issues}")
    if number is None:
        return "nothing", None
    return _close(api, number, body(told))


def _close(api: Api, number: int, text: str) -> tuple[Said, int]:
    """Comment ``text`` on the issue, and close it."""
    issues = f"/repos/{api.repository}/issues"
    api.call("POST", f"{issues}/{number}/comments", {"body": text})
    api.call("PATCH", f"{issues}/{number}", {"state": "closed", "state_reason": "completed"})
    return "closed", number


def ahead_body(told: Told) -> str:
    """The ahead issue's text: each library that breaks ahead of release, each such cell with its first error."""
    if not told.ahead:
        lines = ["Nothing breaks ahead of release any more."]
    else:
        libraries = list(dict.fromkeys(cell.library for cell in told.ahead))
        lines = [f"{len(libraries)} libraries break ahead of release (Django main, its pre-release, the next Python):"]
        for library in libraries:
            lines += ["", f"**{library}**", ""]
            for cell in told.ahead:
                if cell.library == library:
                    lines.append(f"- {cell.column}: {_page(cell, told)}: {cell.after}: {_reason(cell)}")
    if told.run_url:
        lines += ["", f"Run: {told.run_url}"]
    return "\n".join(lines) + "\n"


def tell_ahead(told: Told, api: Api) -> tuple[Said, int | None]:
    """Open, keep current or close the issue of what breaks ahead of release; what was done, and its number."""
    number = api.open_issue(AHEAD_LABEL)
    issues = f"/repos/{api.repository}/issues"
    if told.ahead:
        libraries = len({cell.library for cell in told.ahead})
        text = {"title": f"dtws: {libraries} libraries break ahead of release", "body": ahead_body(told)}
        if number is not None:
            api.call("PATCH", f"{issues}/{number}", text)
            return "updated", number
        made = api.call("POST", issues, {**text, "labels": [AHEAD_LABEL]})
        return "opened", _issue_number(made.get("number") if isinstance(made, dict) else made, f"POST {issues}")
    if number is None:
        return "nothing", None
    return _close(api, number, ahead_body(told))
