"""Telling people: the gate's verdict opens, comments on and closes an issue, through a fake of GitHub's API.

The fake is real HTTP on 127.0.0.1 and answers the documented endpoints as
GitHub does (list issues by label, create an issue, create an issue comment,
update an issue), checks the token, and can answer every request with an
error. The verdicts come from real `dtws gate --verdict` runs on records.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dtws import tell
from tests.conftest import dtws, dtws_args
from tests.test_unlucky import merge, write_cell

TOKEN = "ghs_test-token"


class FakeGitHub(http.server.BaseHTTPRequestHandler):
    """The part of GitHub's REST API dtws uses, for the repository dtws/dtws."""

    issues: list[dict[str, Any]]
    failing: int | None  # answer every request with this status
    calls: list[tuple[str, str]]

    def _answer(self, status: int, data: object) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _route(self, method: str) -> None:
        self.calls.append((method, self.path))
        if self.failing:
            self._answer(self.failing, {"message": "failing on purpose"})
            return
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._answer(401, {"message": "Bad credentials"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else {}
        path, _, query = self.path.partition("?")
        found = re.fullmatch(r"/repos/dtws/dtws/issues(?:/(\d+))?(/comments)?", path)
        if found is None:
            self._answer(404, {"message": "Not Found"})
            return
        number = int(found[1]) if found[1] else None
        issue = next((item for item in self.issues if item["number"] == number), None)
        if method == "GET" and number is None:
            wanted = dict(part.split("=", 1) for part in query.split("&") if "=" in part)
            self._answer(
                200,
                [
                    item
                    for item in self.issues
                    if item["state"] == wanted.get("state", "open")
                    and wanted.get("labels", "") in [label["name"] for label in item["labels"]]
                ],
            )
        elif method == "POST" and number is None:
            made = {
                "number": len(self.issues) + 1,
                "title": body["title"],
                "body": body.get("body"),
                "state": "open",
                "labels": [{"name": name} for name in body.get("labels", [])],
                "comments": [],
            }
            self.issues.append(made)
            self._answer(201, made)
        elif method == "POST" and found[2] and issue is not None:
            issue["comments"].append(body["body"])
            self._answer(201, {"id": len(issue["comments"]), "body": body["body"]})
        elif method == "PATCH" and issue is not None and not found[2]:
            issue.update({key: body[key] for key in ("state", "state_reason", "title", "body") if key in body})
            self._answer(200, issue)
        else:
            self._answer(404, {"message": "Not Found"})

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_PATCH(self) -> None:
        self._route("PATCH")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def github() -> Iterator[type[FakeGitHub]]:
    # A pull request labelled alike: the issues endpoint lists pull requests too, and dtws must skip it.
    pull = {"number": 1, "title": "a PR", "state": "open", "labels": [{"name": tell.LABEL}], "pull_request": {}}
    handler = type("Fake", (FakeGitHub,), {"issues": [{**pull, "comments": []}], "failing": None, "calls": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    handler.base = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    yield handler
    server.shutdown()
    server.server_close()


def results_of(tmp_path: Path, name: str, statuses: dict[str, str]) -> Path:
    """Merged results of a run whose cells have these statuses."""
    run = tmp_path / f"run-{name}"
    for env, status in statuses.items():
        write_cell(run, env, status, reason=None if status == "pass" else f"check: broke in {name}")  # type: ignore[arg-type]
    out = tmp_path / f"results-{name}"
    assert merge(str(run), "--out", str(out)).returncode == 0
    return out / "results.json"


def told(tmp_path: Path, github: type[FakeGitHub], baseline: Path, now: Path) -> str:
    """`dtws gate --verdict`, then `dtws github issue`, as the workflow runs them; what the second printed."""
    verdict = tmp_path / "verdict.json"
    site = "https://dtws.github.io/dtws/"
    dtws(dtws_args("gate", str(now), "--baseline", str(baseline), "--site", site, "--verdict", str(verdict)))
    env = {
        **os.environ,
        "GITHUB_API_URL": github.base,  # type: ignore[attr-defined]
        "GITHUB_REPOSITORY": "dtws/dtws",
        "GITHUB_TOKEN": TOKEN,
    }
    done = dtws(dtws_args("github", "issue", str(verdict)), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


A, B = "py312-django52-channels", "py313-django52-channels"


def test_a_regression_opens_an_issue_again_comments_and_a_fix_closes_it(
    tmp_path: Path, github: type[FakeGitHub]
) -> None:
    passing = results_of(tmp_path, "passing", {A: "pass", B: "pass"})
    broken = results_of(tmp_path, "broken", {A: "fail", B: "pass"})

    assert told(tmp_path, github, passing, broken).splitlines()[0] == "opened issue #2"
    issue = github.issues[1]
    assert issue["title"] == "dtws: 1 cells that passed no longer pass"
    assert [label["name"] for label in issue["labels"]] == [tell.LABEL]
    assert f"[channels {A}](https://dtws.github.io/dtws/cells/channels/{A}/): pass → fail" in issue["body"]
    assert "`check: broke in broken`" in issue["body"]

    # The same regression in the next run: a comment on the open issue, no second issue.
    assert told(tmp_path, github, passing, broken).splitlines()[0] == "commented issue #2"
    assert len(github.issues) == 2 and len(issue["comments"]) == 1

    # Fixed: a comment, and the issue closed.
    fixed = results_of(tmp_path, "fixed", {A: "pass", B: "pass"})
    assert told(tmp_path, github, broken, fixed).splitlines()[0] == "closed issue #2"
    assert issue["state"] == "closed" and "No cell that passed before fails now." in issue["comments"][-1]
    assert github.issues[0]["state"] == "open", "the pull request is never touched"


def test_flaky_cells_alone_open_no_issue(tmp_path: Path, github: type[FakeGitHub]) -> None:
    passing = results_of(tmp_path, "passing", {A: "pass", B: "pass"})
    flaky = results_of(tmp_path, "flaky", {A: "pass", B: "flaky"})
    verdict = tmp_path / "verdict.json"
    dtws(dtws_args("gate", str(flaky), "--baseline", str(flaky), "--verdict", str(verdict)))
    assert [cell["cell"] for cell in json.loads(verdict.read_text())["flaky"]] == [B]
    assert told(tmp_path, github, flaky, flaky).splitlines()[0] == "no regression, and no issue open: nothing to tell"
    assert len(github.issues) == 1 and all(method == "GET" for method, _ in github.calls)
    # A flaky cell that passed before is a regression, as the gate defines it: then it opens one, listed apart.
    assert told(tmp_path, github, passing, flaky).splitlines()[0] == "opened issue #2"
    assert (
        f"channels {B}" in github.issues[1]["body"]
        and "Flaky (passed only when run again; 1)" in github.issues[1]["body"]
    )


@pytest.mark.parametrize("status", [403, 502])
def test_an_api_error_is_a_warning_never_a_failed_job(tmp_path: Path, github: type[FakeGitHub], status: int) -> None:
    passing = results_of(tmp_path, "passing", {A: "pass"})
    broken = results_of(tmp_path, "broken", {A: "fail"})
    github.failing = status
    said = told(tmp_path, github, passing, broken)
    assert (
        said.startswith("::warning title=dtws::nobody told: GET /repos/dtws/dtws/issues?") and f"HTTP {status}" in said
    )
    assert len(github.issues) == 1


MAIN = "py314-djangomain-channels"  # a cell of Django main (dtws.ahead)


def test_what_breaks_ahead_of_release_has_an_issue_of_its_own(tmp_path: Path, github: type[FakeGitHub]) -> None:
    passing = results_of(tmp_path, "passing", {MAIN: "pass", A: "pass"})
    broken = results_of(tmp_path, "broken", {MAIN: "fail", A: "pass"})
    said = told(tmp_path, github, passing, broken).splitlines()
    assert said == ["no regression, and no issue open: nothing to tell", "ahead: opened issue #2"]
    issue = github.issues[1]
    assert issue["title"] == "dtws: 1 libraries break ahead of release"
    assert [label["name"] for label in issue["labels"]] == [tell.AHEAD_LABEL]
    assert "**channels**" in issue["body"]
    assert f"- main: [channels {MAIN}](https://dtws.github.io/dtws/cells/channels/{MAIN}/): fail:" in issue["body"]
    assert "`check: broke in broken`" in issue["body"]
    # Still broken, otherwise: the same issue, its text kept current; no regression issue either way.
    again = results_of(tmp_path, "again", {MAIN: "timeout", A: "pass"})
    assert told(tmp_path, github, broken, again).splitlines()[1] == "ahead: updated issue #2"
    assert len(github.issues) == 2 and "timeout" in issue["body"] and "`check: broke in again`" in issue["body"]
    # Nothing breaks any more: a comment, and closed.
    assert told(tmp_path, github, again, passing).splitlines()[1] == "ahead: closed issue #2"
    assert issue["state"] == "closed" and "Nothing breaks ahead of release any more." in issue["comments"][-1]
    assert told(tmp_path, github, passing, passing).splitlines()[1] == (
        "nothing breaks ahead of release, and no issue open"
    )
