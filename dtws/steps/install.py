"""install: ``tox run -e <cell> --notest``, a fresh env with the cell's deps from the package index.

A failure before the library's own install (no env made, or, where pip installs,
an env whose pip does not run) is a harness error, not the library's failure.

A library whose page needs an npm package (python-socketio's JS client) also
gets the project's npm packages (``npm ci``), once per dtws process.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time

from dtws import ahead, installed, procs, tried
from dtws.record import Tried
from dtws.steps import evidence
from dtws.steps.base import Context, Installer, Outcome, StepSpec, from_finished

_NPM = threading.Lock()
# virtualenv 20.21 seeds no pip, setuptools or wheel that run on Python 3.3 or
# 3.4; these are the last releases that do, downloaded when the env is made.
# Unproven here: this machine has no 3.3 or 3.4 interpreter to try them on.
SEED_PINS: dict[str, dict[str, str]] = {
    "3.3": {"VIRTUALENV_PIP": "9.0.3", "VIRTUALENV_SETUPTOOLS": "39.2.0", "VIRTUALENV_WHEEL": "0.29.0"},
    "3.4": {"VIRTUALENV_PIP": "19.1.1", "VIRTUALENV_SETUPTOOLS": "43.0.0", "VIRTUALENV_WHEEL": "0.33.6"},
}


def _npm(ctx: Context) -> Outcome | None:
    """None when the npm file is there (or was made); otherwise a harness error (npm is dtws's, not the library's)."""
    assert ctx.solution.npm_file is not None
    with _NPM:
        if (ctx.project / ctx.solution.npm_file).is_file():
            ctx.note(f"{ctx.solution.npm_file} is there")
            return None
        npm = shutil.which("npm")
        if npm is None:
            return Outcome("error", None, None, f"npm is not on PATH, and the page needs {ctx.solution.npm_file}")
        command = [npm, "ci", "--no-audit", "--no-fund"]
        finished = procs.run(
            command, cwd=ctx.project, env=ctx.env, log=ctx.log, timeout_s=ctx.deadline - time.monotonic()
        )
    outcome = from_finished(command, finished)
    if outcome.verdict == "fail":
        outcome.verdict, outcome.detail = "error", f"npm ci failed, and the page needs {ctx.solution.npm_file}"
    return None if outcome.verdict == "pass" else outcome


# Run by the cell's interpreter (Python 2.7 too): the C compiler a build of it calls (CC, which tox passes on,
# else its sysconfig's), where that compiler is, whether its headers (Python.h) are there, the preprocessor a build
# asks where headers are (cpp, clang's with a clang), then for each header its arguments name whether it is there.
# They are looked for as uWSGI's build looks for the optional ones (its ssl = auto): in the folders `cpp -v` lists
# ("#include <...> search starts here:"), else in /usr/include and /usr/local/include.
_BUILD_TOOLS = (  # its strings in double quotes: the log shows the command in single quotes, with nothing escaped
    "import os, shutil, subprocess, sys, sysconfig; "
    'which = getattr(shutil, "which", None) or __import__("distutils.spawn", fromlist=["spawn"]).find_executable; '
    'cc = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split(); found = which(cc[0]) or ""; '
    'header = os.path.join(sysconfig.get_paths()["include"], "Python.h"); '
    'cpp = ["clang", "-x", "c", "-E"] if "clang" in " ".join(cc) else ["cpp"]; '
    "print(cc[0]); print(found); print(header); print(os.path.isfile(header)); print(cpp[0]); "
    'said = subprocess.Popen(cpp + ["-v", os.devnull], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)'
    '.communicate()[0] if sys.argv[1:] and which(cpp[0]) else b""; '
    'folders = said.decode("utf-8", "replace").partition("<...> search starts here:")[2]'
    '.partition("End of search list")[0].split() or ["/usr/include", "/usr/local/include"]; '
    'sys.stdout.write("".join("%s\\n" % any(os.path.isfile(os.path.join(f, h)) for f in folders) '
    "for h in sys.argv[1:]))"
)
_ASKED = 5  # the lines it prints before the headers'


def _build_tools(ctx: Context) -> Outcome | None:
    """None when the cell's machine can build C for its Python; else a harness error (the machine's, not the library's).

    Checked before the install: without a compiler, uWSGI's build fails with an error that names none; without
    OpenSSL's headers where its preprocessor looks, it builds, and fails every handshake.
    """
    builds = " and ".join(ctx.solution.builds)
    headers = ctx.solution.build_headers
    command = [str(ctx.interpreter.executable), "-c", _BUILD_TOOLS, *(header.path for header in headers)]
    *asked, last = ["its C compiler", "Python.h", *(header.path for header in headers)]
    ctx.note(f"{builds} is built from source: asking the cell's Python where {', '.join(asked)} and {last} are")
    ctx.log.flush()
    since = os.path.getsize(ctx.log.name)
    finished = ctx.run(command, timeout_s=max(min(ctx.deadline - time.monotonic(), 60), 1))
    said = _said_since(ctx, since).splitlines()
    answer = [line for line in said if not line.startswith("[dtws]")][-_ASKED - len(headers) :]
    if finished.exit_code != 0 or len(answer) != _ASKED + len(headers):
        return Outcome("error", command, finished.exit_code, "could not ask the cell's Python for its C compiler")
    compiler, found, python_h, has_python_h, preprocessor = answer[:_ASKED]
    if not found:
        why = f"no C compiler ({compiler}) on this machine, and {builds} is built from source (apt-get install gcc)"
        return Outcome("error", command, 0, why)
    if has_python_h != "True":
        return Outcome("error", command, 0, f"no Python headers ({python_h}), and {builds} is built from source")
    for header, has in zip(headers, answer[_ASKED:], strict=True):
        if has != "True":
            why = f"no {header.path} where the C preprocessor ({preprocessor}) looks: {header.why}"
            return Outcome("error", command, 0, f"{why} (apt-get install {header.package})")
    found_headers = "".join(f"; {preprocessor} finds {header.path}" for header in headers)
    ctx.note(f"{builds} will be built with {found} against {python_h}{found_headers}")
    return None


def seed_env(python: str) -> dict[str, str]:
    """What virtualenv is told to seed an env of ``python`` with, when its own wheels do not run there."""
    pins = SEED_PINS.get(python)
    return dict(pins, VIRTUALENV_DOWNLOAD="1") if pins else {}


def _said_since(ctx: Context, since: int) -> str:
    """What the step's log got from ``since`` on (the install's output, tox's and the installer's)."""
    with open(ctx.log.name, "rb") as log:
        log.seek(since)
        return log.read().decode("utf-8", "replace")


def _tox_said(ctx: Context, said: str) -> tuple[Installer | None, str | None]:
    """From tox's output: the installer it ran, and its own failure, if it had one.

    tox prints ``<env>: install_deps> <install command> ...`` before it installs,
    and ``<env>: failed with <why>`` when it failed itself (a command it may not
    run, an interpreter it cannot find), as opposed to the install failing.
    """
    installer: Installer | None = None
    failure = None
    for raw in said.splitlines():
        name, _, rest = raw.strip().partition(": ")
        if name != ctx.cell.env:
            continue
        if rest.startswith("install_deps> ") and installer is None:
            installer = "uv" if rest.split()[1] == "uv" else "pip"
        elif rest.startswith("failed with ") and failure is None:
            failure = rest
    return installer, failure


def _tried(ctx: Context, said: str, passed: bool) -> list[Tried]:
    """What the install resolved (the env's metadata) or, when it failed, what its log says it tried."""
    site = installed.site_packages(ctx.env_dir)
    if passed and site is not None:
        return tried.from_env(site, tried.direct(said, ctx.cell.env), ctx.cell.python)
    return tried.from_log(said)


# What pip prints of each requirement it takes up (pip 6 on; virtualenv seeds pip 9 and later): pip ran.
_PIP_RAN = re.compile(r"^Collecting ", re.MULTILINE)


def _pip_runs(ctx: Context, said: str) -> bool:
    """Whether the env's pip runs on the cell's Python: it printed what it collected, else it is asked (``--version``).

    Asking costs a failed pip cell some 0.3-0.8 s; its own output already says so for nearly every one.
    """
    if _PIP_RAN.search(said):
        return True
    pip = ctx.run([str(ctx.python), "-m", "pip", "--version"], timeout_s=max(ctx.deadline - time.monotonic(), 30))
    return pip.exit_code == 0


def run(ctx: Context) -> Outcome:
    """The install, and the evidence of what it put in the env (whatever its verdict)."""
    outcome = make(ctx)
    outcome.evidence = evidence.read(ctx, outcome.installer, outcome.verdict == "pass")
    return outcome


def make(ctx: Context) -> Outcome:
    """The env, made by tox with the cell's deps (and the npm packages its page needs)."""
    problem = ctx.host.prepare(ctx.log)
    if problem is not None:
        return Outcome("error", None, None, problem)
    tools = _build_tools(ctx) if ctx.solution.builds else None
    if tools is not None:
        return tools
    command = [*ctx.host.tox(), "run", "-e", ctx.cell.env, *ahead.tox_args(ctx.cell), "--notest", "--recreate"]
    # tox 4.5 builds the config of every env its env_list names (some 280) before it runs the one asked for: told
    # that its list is this env alone, it builds this one's (the same config) for 0.1 s less CPU a cell.
    command += ["-x", f"tox.env_list={ctx.cell.env}", "--workdir", str(ctx.toxworkdir)]
    ctx.log.flush()
    since = os.path.getsize(ctx.log.name)
    # uv logs what its resolver tried (tox passes RUST_LOG on): a failed install still says what it tried.
    finished = ctx.run(command, env=dict(ctx.env, **seed_env(ctx.cell.python), RUST_LOG=tried.LOG))
    outcome = from_finished(command, finished)
    said = _said_since(ctx, since)
    outcome.installer, failure = _tox_said(ctx, said)
    outcome.tried = _tried(ctx, said, outcome.verdict == "pass")
    if outcome.verdict == "timeout":
        return outcome
    # What failed before the library's own install is dtws's, tox's or virtualenv's: a harness error.
    if failure is not None:
        return Outcome("error", command, finished.exit_code, f"tox {failure}", installer=outcome.installer)
    if not os.path.lexists(ctx.python):
        return Outcome("error", command, finished.exit_code, f"tox made no env (no {ctx.python.name} in {ctx.env_dir})")
    # The env's pip is asked only where pip installed: uv's env has one that nothing ran (and starting it, its 490
    # modules never compiled, costs a failed cell some 0.9 s of CPU).
    if outcome.verdict == "fail" and outcome.installer != "uv" and not _pip_runs(ctx, said):
        why = f"the env's pip does not run on Python {ctx.cell.python}"
        return Outcome("error", command, finished.exit_code, why, installer=outcome.installer)
    if outcome.verdict == "fail":
        return outcome
    npm = _npm(ctx) if ctx.solution.npm_file is not None else None
    if npm is not None:
        npm.installer, npm.tried = outcome.installer, outcome.tried
    return npm or outcome


# A cell's services start once its env is made.
STEP = StepSpec(name="install", needs=(), timeout_s=900.0, services=False, run=run)
