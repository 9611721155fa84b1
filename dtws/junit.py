"""JUnit XML, the format CI reporters read: one test suite per cell, one test case per step.

A passing step is a plain test case; a step that failed or timed out has a
``failure`` (its first error line as the message, the lines of its log
around that error as the text); a harness error is an ``error``; a step that
was skipped, unavailable or not run is ``skipped`` with why. A flaky cell's
suite says so in its properties, and the step that passed only when run
again lists its earlier attempts in ``system-out``. Written next to each
cell's result.json by the runner, and for a whole run next to results.json
by ``dtws merge``; both from the records (and the failed steps' logs), valid
against Jenkins' JUnit schema (junit-10.xsd, as pytest validates its own).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import timezone
from pathlib import Path

from dtws import files, reasons
from dtws.record import CellRecord, Step
from dtws.shapes import moment

FILENAME = "junit.xml"
EXCERPT_LINES = 40  # lines of a failed step's log in its failure element, around its first error
EXCERPT_BYTES = 16_000
# Characters XML 1.0 cannot carry, even escaped (and lone surrogates, which UTF-8 cannot).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: object) -> str:
    return _NOT_XML.sub("", "" if value is None else str(value))


def excerpt(log: Path) -> str:
    """The lines of a log around its first error (else its last lines), cleaned; never the whole log read at once."""
    try:
        with log.open("rb") as data:
            size = data.seek(0, 2)
            data.seek(max(size - 2_000_000, 0))
            lines = reasons.clean(data.read()).splitlines()
    except OSError:
        return ""
    found = reasons.first_error(lines)
    end = found.index + 1 if found is not None else len(lines)
    text = "\n".join(lines[max(end - EXCERPT_LINES, 0) : end])
    return text[-EXCERPT_BYTES:]


def _case(rec: CellRecord, step: Step, folder: Path | None) -> ET.Element:
    case = ET.Element(
        "testcase",
        name=_text(step.name),
        classname=_text(f"dtws.{rec.library}.{rec.cell}"),
        time=f"{step.duration_s or 0:.3f}",
    )
    message = _text(step.error_line or step.detail or step.verdict)
    if step.verdict in ("fail", "timeout"):
        failure = ET.SubElement(case, "failure", message=message, type=step.verdict)
        if folder is not None and step.log:
            failure.text = _text(excerpt(folder / step.log))
    elif step.verdict == "error":
        ET.SubElement(case, "error", message=message, type="harness error")
    elif step.verdict != "pass":
        ET.SubElement(case, "skipped", message=_text(step.detail or step.verdict))
    if step.attempts:
        earlier = "; ".join(
            f"attempt {number}: {attempt.verdict}: {attempt.error_line or attempt.detail or ''}"
            for number, attempt in enumerate(step.attempts, 1)
        )
        ET.SubElement(case, "system-out").text = _text(f"run again after {earlier}")
    return case


def suite(rec: CellRecord, folder: Path | None) -> ET.Element:
    """The cell's test suite; ``folder`` is its record's, where the failed steps' logs are (None: no excerpts)."""
    counted = {
        "failures": sum(step.verdict in ("fail", "timeout") for step in rec.steps),
        "errors": sum(step.verdict == "error" for step in rec.steps),
        "skipped": sum(step.verdict not in ("pass", "fail", "timeout", "error") for step in rec.steps),
    }
    element = ET.Element("testsuite", name=_text(f"{rec.library} {rec.cell}"), tests=str(len(rec.steps)))
    for key, count in counted.items():
        element.set(key, str(count))
    element.set("time", f"{sum(step.duration_s or 0 for step in rec.steps):.3f}")
    if rec.provenance.started_at:
        element.set(
            "timestamp", moment(rec.provenance.started_at).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        )
    properties = ET.SubElement(element, "properties")
    facts: tuple[tuple[str, str | None], ...] = (
        ("status", rec.status),
        ("reason", rec.reason),
        ("python", rec.provenance.python_version),
        ("django", rec.provenance.django_version),
        ("library_version", rec.provenance.library_version),
    )
    for name, value in facts:
        if value:
            ET.SubElement(properties, "property", name=name, value=_text(value))
    for step in rec.steps:
        element.append(_case(rec, step, folder))
    return element


def write(suites: Iterable[ET.Element], target: Path) -> Path:
    root = ET.Element("testsuites", name="dtws")
    for item in suites:
        root.append(item)
    ET.indent(root)
    return files.write_text(target, '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n")
