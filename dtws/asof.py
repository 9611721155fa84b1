"""``--as-of DATE``: a cell's packages as the package index had them before a date.

Envs whose deps uv installs (Python 3.8 on) get ``UV_EXCLUDE_NEWER``: uv
considers only the files uploaded before the date. Envs that pip installs
(2.7, 3.3-3.7) get ``PIP_INDEX_URL`` pointing at an index the harness serves
on 127.0.0.1 for the run: each project's page of the real index (its JSON
simple API, which gives every file's upload time, PEP 700) with only the
files uploaded before the date, as the HTML simple API old pips read (PEP
503, with ``data-requires-python`` and ``data-yanked``). The files
themselves come from the real index's file host. So every package either
installer resolves, dependencies included, is one that existed then.
"""

from __future__ import annotations

import html
import re
import threading
import urllib.error
import urllib.request
from datetime import date, datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from dtws import files
from dtws.versions import normalized

UPSTREAM = "https://pypi.org/simple/"
TIMEOUT_S = 60
_PROJECT = re.compile(r"^/simple/([A-Za-z0-9._-]+)/?$")


class AsOfError(ValueError):
    pass


def parse(text: str) -> date:
    """An ``--as-of`` date: YYYY-MM-DD, not in the future."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise AsOfError(f"not a date (YYYY-MM-DD): {text!r}") from None
    if day > datetime.now(timezone.utc).date():
        raise AsOfError(f"{text} is in the future")
    return day


def said(day: str | None) -> str:
    """How the day of records is told: "as of <day>", or "of today" (``None``: today's releases)."""
    return f"as of {day}" if day else "of today"


def cutoff(day: date) -> str:
    """The instant the run looks back from: the start of that day, UTC (uploads before it count)."""
    return f"{day.isoformat()}T00:00:00Z"


def cutoff_of(day: str | None) -> str | None:
    """The cutoff of a record's ``as_of`` (YYYY-MM-DD), or None for today's."""
    return cutoff(date.fromisoformat(day)) if day else None


def _instant(text: str) -> datetime | None:
    """An upload time of the index (ISO 8601, "Z" or an offset, with or without fractions of a second)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def page(project: dict[str, Any], before: str) -> str:
    """A project's PEP 503 page with only the files uploaded before ``before`` (ISO, UTC)."""
    limit = _instant(before)
    assert limit is not None
    links = []
    for item in project.get("files", []):
        uploaded = _instant(str(item.get("upload-time") or ""))
        if uploaded is None or uploaded >= limit:
            continue
        url = str(item.get("url", ""))
        digest = (item.get("hashes") or {}).get("sha256")
        href = f"{url}#sha256={digest}" if digest else url
        attributes = f'href="{html.escape(href)}"'
        if item.get("requires-python"):
            attributes += f' data-requires-python="{html.escape(str(item["requires-python"]))}"'
        yanked = item.get("yanked")
        if yanked:
            attributes += f' data-yanked="{html.escape(yanked if isinstance(yanked, str) else "")}"'
        links.append(f"<a {attributes}>{html.escape(str(item.get('filename', '')))}</a><br>")
    name = html.escape(str(project.get("name", "")))
    return f"<!DOCTYPE html><html><body><h1>Links for {name}</h1>\n" + "\n".join(links) + "\n</body></html>\n"


class Index:
    """The index as of a date, served on 127.0.0.1 for as long as a run needs it."""

    def __init__(self, day: date, upstream: str = UPSTREAM) -> None:
        self.day, self.before, self.upstream = day, cutoff(day), upstream
        self._cache: dict[str, bytes | None] = {}
        self._lock = threading.Lock()
        index = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                found = _PROJECT.match(self.path.split("?", 1)[0])
                body = index.project_page(found.group(1)) if found else None
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="as-of index")
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/simple/"

    def project_page(self, name: str) -> bytes | None:
        key = normalized(name)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        request = urllib.request.Request(
            f"{self.upstream}{key}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
                body: bytes | None = page(files.parse_json(answer.read(), request.full_url), self.before).encode()
        except urllib.error.HTTPError as error:
            if error.code != 404:
                return None  # not cached: the next request asks again
            body = None
        except (OSError, ValueError):
            return None
        with self._lock:
            self._cache[key] = body
        return body

    def env(self) -> dict[str, str]:
        """What a cell's processes get: uv and pip both look back to the date."""
        return {"UV_EXCLUDE_NEWER": self.before, "PIP_INDEX_URL": self.url}

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
