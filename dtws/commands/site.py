"""Render results.json into the mkdocs docs folder, then ``mkdocs build --strict`` into the output folder."""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

from dtws import addresses, answers, bisect, files, locks, pages, published, questions, results, review
from dtws.bench import data as bench_data
from dtws.commands import Command
from dtws.commands.options import folder_problem
from dtws.conform import data as conform_data
from dtws.pages import runs, shell
from dtws.reasons import terminal_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "results",
        nargs="?",
        type=Path,
        default=Path("build/results"),
        help="results folder from `dtws merge` (default: build/results)",
    )
    parser.add_argument("--previous", metavar="PATH_OR_URL", help="an earlier results.json: mark what changed since")
    parser.add_argument(
        "--as-of",
        type=Path,
        action="append",
        default=[],
        metavar="RESULTS",
        help="a results folder of an as-of run (`dtws merge --as-of`): its own table, as-of/<date>/ (repeatable)",
    )
    parser.add_argument(
        "--bisect",
        type=Path,
        action="append",
        default=[],
        metavar="FOLDER",
        help="a bisect's folder (`dtws bisect`), or a folder of them: each one's page, with every probe's,"
        " linked from its library's (repeatable); the --previous site's other bisects are kept",
    )
    parser.add_argument(
        "--bench",
        type=Path,
        metavar="BENCH_JSON",
        help="a bench.json (`dtws bench`, with the published history): the bench page; when it is not given or"
        " not there, the --previous site's is kept",
    )
    parser.add_argument(
        "--conformance",
        type=Path,
        metavar="CONFORMANCE_JSON",
        help="a conformance.json (`dtws conform`, with the published history; Autobahn's reports beside it): the"
        " protocol pages; when it is not given or not there, the --previous site's is kept (without the reports)",
    )
    parser.add_argument("--project", type=Path, default=Path("."), help="folder of mkdocs.yml (default: .)")
    parser.add_argument("--out", type=Path, default=None, help="built site (default: build/site under the project)")


def _setting(project: Path, key: str) -> str | None:
    """A top-level setting of mkdocs.yml, as written (dtws's own settings are plain scalars)."""
    for line in (project / "mkdocs.yml").read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{key}:"):
            return line.split(":", 1)[1].strip()
    return None


def docs_dir(project: Path) -> Path:
    return project / (_setting(project, "docs_dir") or "docs")


def main(args: argparse.Namespace) -> int:
    """The site, built while no merge rewrites its results (dtws.locks): the results folder's lock, shared."""
    try:
        with locks.hold(locks.beside(args.results), shared=True, what=f"the results folder {args.results}"):
            return _site(args)
    except locks.LockError as error:
        print(terminal_text(f"dtws site: {error}"))
        return 2
    except published.Unreadable as error:  # building on would publish a site that lost what it could not read
        print(terminal_text(f"dtws site: the previous site could not be read in full ({error}); not built, run again"))
        return 2
    except shell.ShellError as error:
        print(terminal_text(f"dtws site: {error}"))
        return 1
    except OSError as error:  # a file of its results that is a link or no regular file; a folder it cannot write
        said = f"{error.filename}: {error.strerror}" if error.filename else str(error)
        print(terminal_text(f"dtws site: {said}"))
        return 2


def _site(args: argparse.Namespace) -> int:
    try:
        current = results.read(args.results / results.FILENAME)
    except results.ResultsError as error:
        print(f"dtws site: {error}; make it with `python -m dtws merge`")
        return 2
    previous, before = None, None
    earlier = runs.Earlier()
    if args.previous:
        # Its results.json unreadable, the site is built without it: merge said so in the results, which
        # are then never published. Read but the rest of it (runs/, bisect/) not, it is not built at all.
        try:
            before = published.load(args.previous)
            previous = before.results
        except published.NotPublished as why:
            print(terminal_text(f"dtws site: no previous results, nothing is marked as changed ({why})"))
        except (OSError, ValueError) as error:
            print(
                terminal_text(
                    f"dtws site: the previous results ({args.previous}) could not be read,"
                    f" so nothing is marked as changed: {error}"
                )
            )
        if before is not None:
            earlier = runs.earlier(before)  # read now: mkdocs may rebuild the very folder it is in
    earlier_days = []
    for folder in args.as_of:
        try:
            then = results.read(folder / results.FILENAME)
        except results.ResultsError as error:
            print(terminal_text(f"dtws site: --as-of {folder}: {error}"))
            return 2
        if then.as_of is None:
            print(
                terminal_text(f"dtws site: --as-of {folder}: today's results, not an as-of run's (dtws merge --as-of)")
            )
            return 2
        if not any(entry.record for entry in then.cells):
            print(terminal_text(f"dtws site: --as-of {folder}: no cell has a record, so it has no table"))
            continue
        earlier_days.append((folder, then))
    bisects: dict[str, tuple[Path, bisect.Bisect]] = {}
    for given in args.bisect:
        folders = (
            [given]
            if (given / bisect.FILENAME).is_file()
            else sorted(path.parent for path in given.glob(f"**/{bisect.FILENAME}"))
        )
        if not folders:
            print(terminal_text(f"dtws site: --bisect {given}: no {bisect.FILENAME} there (nothing bisected)"))
        for folder in folders:
            try:
                found = bisect.read(folder)
            except bisect.BisectError as error:  # one bad bisect never breaks the site: the others are on it
                print(terminal_text(f"dtws site: --bisect {folder}: {error}; left out"))
                continue
            bisects[bisect.name(found.cell, found.package)] = (folder, found)
    project = args.project.resolve()
    if not (project / "mkdocs.yml").is_file():
        print(f"dtws site: no mkdocs.yml in {project}; run it from the repository root or pass --project")
        return 2
    if importlib.util.find_spec("mkdocs") is None:
        print("dtws site: mkdocs is not installed: install dtws with its site extra (pip install '.[site]')")
        return 2
    out = (args.out or project / "build" / "site").resolve()
    problem = folder_problem("--out", out)
    if problem:  # found before the pages are written, not as mkdocs's traceback after
        print(f"dtws site: {problem}")
        return 2
    # One site at a time writes the project's docs folder, whatever its --out.
    with (
        locks.hold(locks.beside(docs_dir(project)), shared=False, what=f"the docs folder {docs_dir(project)}"),
        tempfile.TemporaryDirectory(prefix="dtws-bisects-") as kept,
    ):
        if before is not None:  # read now: mkdocs may rebuild the very folder it is in
            sound = [name for name, (_, found) in bisects.items() if not found.harness_errors]
            carried, problems = published.copy_bisects(before, Path(kept), leave=sound)
            for problem in problems:
                print(terminal_text(f"dtws site: {problem}"))
            for folder, found in carried:
                if folder.name in bisects:  # a harness failure never replaces a published answer
                    failed = ", ".join(bisects[folder.name][1].harness_errors)
                    print(f"dtws site: bisect {folder.name}: the harness failed probes ({failed}); kept the published")
                bisects[folder.name] = (folder, found)
        try:
            bench = _bench(args.bench, before, Path(kept))
            conformance = _conformance(args.conformance, before, Path(kept))
        except (bench_data.BenchError, conform_data.ConformanceError) as error:
            print(terminal_text(f"dtws site: {error}"))
            return 2
        return _build(args, project, out, current, previous, earlier, earlier_days, bisects, bench, conformance)


def _bench(given: Path | None, before: published.Published | None, kept: Path) -> bench_data.Bench | None:
    """This run's bench (``--bench``), else the published one (a run without a bench keeps its figures), else None.

    BenchError for a given bench.json that is not one; published.Unreadable when the published one is
    there but could not be read (building on would lose its figures).
    """
    if given is not None and given.is_file():
        return bench_data.read(given)
    target = kept / bench_data.FILENAME
    if before is None or not before.fetch(f"{pages.BENCH}/{bench_data.FILENAME}", target):
        return None
    try:
        return bench_data.read(target)
    except bench_data.BenchError as error:
        print(terminal_text(f"dtws site: the published bench is not kept: {error}"))
        return None


def _conformance(
    given: Path | None, before: published.Published | None, kept: Path
) -> tuple[conform_data.Conformance, Path | None] | None:
    """This run's conformance.json (``--conformance``) and its folder, else the published one (no reports), else None.

    ConformanceError for a given one that is not one; published.Unreadable when the published one is there but
    could not be read.
    """
    if given is not None and given.is_file():
        return conform_data.read(given), given.parent
    target = kept / conform_data.FILENAME
    if before is None or not before.fetch(f"{pages.CONFORMANCE}/{conform_data.FILENAME}", target):
        return None
    try:
        return conform_data.read(target), None
    except conform_data.ConformanceError as error:
        print(terminal_text(f"dtws site: the published conformance is not kept: {error}"))
        return None


def _build(
    args: argparse.Namespace,
    project: Path,
    out: Path,
    current: results.Results,
    previous: results.Results | None,
    earlier: runs.Earlier,
    earlier_days: list[tuple[Path, results.Results]],
    bisects: dict[str, tuple[Path, bisect.Bisect]],
    bench: bench_data.Bench | None,
    conformance: tuple[conform_data.Conformance, Path | None] | None,
) -> int:
    found_for: dict[str, list[tuple[str, str, str]]] = {}
    for name, (_, found) in sorted(bisects.items()):
        found_for.setdefault(found.library, []).append(
            (questions.ASKED.get(name, ""), found.answer, addresses.bisect(name))
        )
    if not current.libraries:  # results of an older dtws (schema 1 or 2): answered from their records here
        current.libraries = answers.gather(current.cells, project)
    answers.with_bench(current.libraries, bench)
    answers.with_conformance(current.libraries, conformance[0] if conformance else None)
    site = pages.plan(args.results, current, previous, _setting(project, "site_name") or "dtws", earlier)
    for problem in earlier.problems:
        print(terminal_text(f"dtws site: {problem}"))
    as_of_sites = [pages.plan(folder, day, site_name=site.site_name) for folder, day in earlier_days]
    as_of_pages = {str(item.results.as_of): addresses.as_of(str(item.results.as_of)) for item in as_of_sites}
    reviewed = any(item.results.as_of == review.DAY for item in as_of_sites)
    benched = bench is not None and bench.latest is not None
    conformed = conformance is not None and conformance[0].latest is not None
    pages.write_docs(site, docs_dir(project), as_of_pages, reviewed, found_for, benched, conformed)
    files.drop_links(out)  # mkdocs --clean leaves a link to a folder, and would write through it; so would dtws
    with tempfile.TemporaryFile() as log:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "mkdocs",
                "build",
                "--strict",
                "--clean",
                "-f",
                str(project / "mkdocs.yml"),
                "-d",
                str(out),
            ],
            cwd=project,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
        log.seek(0)
        output = log.read().decode("utf-8", "replace")
    if done.returncode != 0:
        print("\n".join(terminal_text(line) for line in output.splitlines()))
        print(f"dtws site: mkdocs build --strict failed (exit code {done.returncode})")
        return 1
    theme = shell.take(out)
    site = dataclasses.replace(site, shell=theme)
    as_of_sites = [dataclasses.replace(item, shell=theme) for item in as_of_sites]
    pages.write_cells(site, out)
    pages.write_runs(site, out)
    for earlier_site in as_of_sites:
        pages.write_as_of(earlier_site, out)
        if earlier_site.results.as_of == review.DAY:
            pages.write_review(earlier_site, out, [found for _, found in bisects.values()], site.results)
    written = []
    for name, (folder, found) in bisects.items():
        try:
            pages.write_bisect(folder, found, out, site.site_name, theme)
        except ValueError as error:  # a name that is no path's part: never written, and never breaks the site
            print(terminal_text(f"dtws site: bisect {name}: {error}; left out"))
            continue
        written.append(name)
    pages.write_bisect_index(written, out)
    if benched and bench is not None and pages.write_bench(bench, out, site.site_name, theme):
        print(f"bench: {out / pages.BENCH / 'index.html'}")
    if conformance is not None and pages.write_conformance(*conformance, out, site.site_name, theme):
        print(f"protocol: {out / pages.CONFORMANCE / 'index.html'}")
    print(f"site: {out / 'index.html'}  (serve it: python -m dtws preview)")
    return 0


COMMAND = Command(
    name="site",
    help="build the results site",
    description=__doc__,
    add_arguments=add_arguments,
    main=main,
)
