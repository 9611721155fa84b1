"""A conformance run as the terminal shows it: per server, its counts of the suite's behaviours and its failures."""

from __future__ import annotations

from dtws.conform import data


def _endpoint(run: data.Run, item: data.Endpoint) -> list[str]:
    head = f"{item.library} ({item.package} {item.version or '?'}, cell {item.cell or '-'}, echo {item.path or '-'})"
    if item.status != "tested":
        return [f"{head}: {item.status}", f"  {item.why}"] if item.why else [f"{head}: {item.status}"]
    said = [f"{head}: {len(item.cases)} cases, {run.summary(item)}"]
    if item.failed:
        said.append("  failed: " + ", ".join(case.id for case in item.failed))
    return said


def lines(run: data.Run) -> list[str]:
    said = [f"Autobahn|Testsuite {run.suite} of {run.finished_at}: cases {', '.join(run.cases)}"]
    said.append(f"  (not run: {', '.join(run.excluded)})")
    for item in [run.reference, *run.libraries]:
        said.append("")
        said += _endpoint(run, item)
    return said
