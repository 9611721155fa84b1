"""Render results.json into the mkdocs docs folder, then ``mkdocs build --strict`` into the output folder."""

from __future__ import annotations

import argparse
import importlib.util
import tempfile
from pathlib import Path

from dtws import locks, published, sitedata
from dtws.commands import Command
from dtws.commands.options import folder_problem
from dtws.pages import aside, publish, shell
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
    """Arguments -> the loaded data -> the built site, while no merge rewrites its results (dtws.locks: the
    results folder's lock, shared) and no other site writes the project's docs folder."""
    project = args.project.resolve()
    out = (args.out or project / "build" / "site").resolve()
    problem = _problem(project)
    if problem:
        print(f"dtws site: {problem}")
        return 2
    sources = sitedata.Sources(args.results, args.previous, args.as_of, args.bisect, args.bench, args.conformance)
    docs = docs_dir(project)
    try:
        with (
            locks.hold(locks.beside(args.results), shared=True, what=f"the results folder {args.results}"),
            locks.hold(locks.beside(docs), shared=False, what=f"the docs folder {docs}"),
            tempfile.TemporaryDirectory(prefix="dtws-site-") as kept,
        ):
            data = sitedata.load(sources, Path(kept), project)
            for said in data.problems:
                _say(said)
            problem = folder_problem("--out", out)  # made only once the inputs are read
            if problem:  # found before the pages are written, not as mkdocs's traceback after
                raise sitedata.LoadError(problem)
            publish.build(data, project, docs, out, _setting(project, "site_name") or "dtws", _say)
    except (locks.LockError, sitedata.LoadError) as error:
        _say(str(error))
        return 2
    except published.Unreadable as error:  # building on would publish a site that lost what it could not read
        _say(f"the previous site could not be read in full ({error}); not built, run again")
        return 2
    except publish.BuildError as error:
        print("\n".join(terminal_text(line) for line in error.output.splitlines()))
        _say(str(error))
        return 1
    except (shell.ShellError, aside.AsideError) as error:
        _say(str(error))
        return 1
    except OSError as error:  # a file of its results that is a link or no regular file; a folder it cannot write
        _say(f"{error.filename}: {error.strerror}" if error.filename else str(error))
        return 2
    print(f"site: {out / 'index.html'}  (serve it: python -m dtws preview)")
    return 0


def _say(said: str) -> None:
    print(terminal_text(f"dtws site: {said}"))


def _problem(project: Path) -> str | None:
    if not (project / "mkdocs.yml").is_file():
        return f"no mkdocs.yml in {project}; run it from the repository root or pass --project"
    if importlib.util.find_spec("mkdocs") is None:
        return "mkdocs is not installed: install dtws with its site extra (pip install '.[site]')"
    return None


COMMAND = Command(
    name="site",
    help="build the results site",
    description=__doc__,
    add_arguments=add_arguments,
    main=main,
)
