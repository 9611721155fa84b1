"""results folder -> generated mkdocs pages in the docs folder (never committed).

Generated: ``index.md`` (the table), ``cells/<library>/<cell>/index.md`` (one
page per cell, with its logs beside it), ``results.json`` and
``badges/<library>.json`` (shields.io endpoints). Templates autoescape: every
text that came from a record or a log is escaped before it reaches a page.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import jinja2
import markupsafe

from dtws.pages import logs, view
from dtws.results import FILENAME, Entry, Results

GENERATED = ("index.md", "cells", "badges", FILENAME)


@dataclass(frozen=True)
class Change:
    entry: Entry
    before: str
    after: str


def escape(value: object) -> markupsafe.Markup:
    """HTML-escape, and also the characters Markdown acts on before raw HTML is set aside.

    Python-Markdown's fenced-code preprocessor runs on the whole page before
    raw HTML blocks are stashed, so a log line of three backticks or tildes
    would open a code block inside our <pre>. Entities keep them inert.
    """
    if isinstance(value, markupsafe.Markup):
        return value
    text = markupsafe.escape("" if value is None else value)
    return markupsafe.Markup(str(text).replace("`", "&#96;").replace("~", "&#126;"))


def link(url: str | None) -> str | None:
    """A URL from a record, if it is one a link may point at (http or https), else None."""
    if url and url.lower().startswith(("https://", "http://")):
        return url
    return None


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        finalize=escape,
        loader=jinja2.PackageLoader("dtws.pages", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["link"] = link
    return env


def changes(current: Results, previous: Results | None) -> list[Change]:
    if previous is None:
        return []
    before = {(e.library, e.cell): view.status(e) for e in previous.cells}
    found = []
    for entry in current.cells:
        old = before.get((entry.library, entry.cell), "no-result")
        if old != view.status(entry):
            found.append(Change(entry, old, view.status(entry)))
    return found


def badge(library: str, entries: list[Entry]) -> dict[str, object]:
    ran = [e for e in entries if e.record is not None and e.record.status != "unavailable"]
    working = sum(e.record is not None and e.record.status == "pass" for e in ran)
    color = "red" if working == 0 else "brightgreen" if working == len(ran) else "orange"
    return {"schemaVersion": 1, "label": library, "message": f"works on {working} of {len(ran)} cells", "color": color}


def _clear(docs: Path) -> None:
    for name in GENERATED:
        target = docs / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def build(results_dir: Path, docs: Path, results: Results, previous: Results | None = None) -> None:
    """Write the generated pages of ``results`` (read from ``results_dir``) into ``docs``."""
    _clear(docs)
    env = _environment()
    changed = changes(results, previous)
    changed_cells = {(c.entry.library, c.entry.cell): c for c in changed}
    libraries: dict[str, list[Entry]] = {}
    for entry in results.cells:
        libraries.setdefault(entry.library, []).append(entry)

    for entry in results.cells:
        page_dir = docs / view.url(entry)
        page_dir.mkdir(parents=True, exist_ok=True)
        shown: dict[str, logs.ShownLog | None] = {}
        screenshots: dict[str, str] = {}
        if entry.record is not None and entry.record_dir is not None:
            folder = (results_dir / entry.record_dir).resolve()
            for step in entry.record.steps:
                if step.log:
                    source = (folder / step.log).resolve()
                    if not source.is_relative_to(folder):  # a record names only its own files
                        shown[step.name] = None
                        continue
                    shown[step.name] = logs.load(source)
                    for evidence in (
                        source,
                        source.with_suffix(".png"),
                    ):  # the log, and a screenshot if the step took one
                        if evidence.is_file():
                            (page_dir / "logs").mkdir(exist_ok=True)
                            shutil.copyfile(evidence, page_dir / "logs" / evidence.name)
                            if evidence.suffix == ".png":
                                screenshots[step.name] = evidence.name
        page = env.get_template("cell.md.j2").render(
            entry=entry,
            screenshots=screenshots,
            rec=entry.record,
            shown=shown,
            view=view,
            change=changed_cells.get((entry.library, entry.cell)),
        )
        (page_dir / "index.md").write_text(page, encoding="utf-8")

    counts = {library: Counter(view.status(e) for e in entries) for library, entries in libraries.items()}
    front = env.get_template("index.md.j2").render(
        results=results,
        libraries=libraries,
        djangos=sorted({e.django for e in results.cells}, key=view.series_key),
        counts=counts,
        changed=changed,
        changed_cells=changed_cells,
        view=view,
        previous=previous,
    )
    (docs / "index.md").write_text(front, encoding="utf-8")
    (docs / FILENAME).write_text(json.dumps(json.loads((results_dir / FILENAME).read_text()), indent=2) + "\n")
    (docs / "badges").mkdir()
    for library, entries in libraries.items():
        (docs / "badges" / f"{library}.json").write_text(json.dumps(badge(library, entries)) + "\n")
