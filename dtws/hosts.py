"""Where a cell's own processes run: on this machine, or inside a container of the cell's Python.

The harness itself (its steps, probes, browser and record) always runs here, on
the runner. With ``--docker IMAGE``, only the cell's processes run in the
container: its env (tox, with the image's interpreter), the Django commands and
the servers. The container shares the host's network, so the probes and the
browser on the runner reach its servers on 127.0.0.1, and it sees the project,
the tox work dir and the results at the same paths as the runner does, so every
path in a command means the same file on both sides. The record is written by
the runner user; what the container wrote is handed back to that user.

tox runs in the container too (it needs Python 3.7+, which the old images do
not have): the host's ``uv`` makes it a venv with a Python uv provides, and
installs the same tox and virtualenv releases the harness uses.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path, PurePosixPath
from typing import IO

from dtws import interpreters, procs, reaper

_ASK = "import sys; print('%d.%d.%d' % sys.version_info[:3])"
TOX_VENV = "/opt/dtws-tox"
# The official images run as root: pip's and uv's caches there, shared with the runner's.
CONTAINER_CACHE = PurePosixPath("/root", ".cache")
TOX_PYTHON = "3.12"  # what uv gives tox inside the container
_NEVER_PASSED = ("PATH", "HOME", "PWD", "SHELL", "USER", "LOGNAME", "TMPDIR")


# The Pythons whose cells run in a container of Docker Hub's official image of them, python:X.Y, where no
# other source has them (GitHub's runners: dtws.github).
IN_DOCKER = ("2.7", "3.3", "3.4", "3.5", "3.6", "3.7")


class HostError(RuntimeError):
    """dtws could not provide the cell's processes a place to run: a harness error, never the library's."""


def _tox_requirements() -> list[str]:
    return [f"tox=={version('tox')}", f"virtualenv=={version('virtualenv')}"]


class Local:
    """The cell's processes run here, with an interpreter found on this machine."""

    where = "on this machine (looked in pyenv and on PATH)"

    def interpreter(self, series: str, log: IO[bytes]) -> interpreters.Interpreter | None:
        return interpreters.find(series)

    def tox(self) -> list[str]:
        return [sys.executable, "-m", "tox"]

    def wrap(self, command: Sequence[str], cwd: Path, env: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
        return list(command), dict(env)

    def prepare(self, log: IO[bytes]) -> str | None:
        return None

    def measured(self, pids: list[int]) -> list[int]:
        """The processes whose memory is the servers' (started as ``pids``, with their descendants)."""
        return pids

    def after_step(self, log: IO[bytes], cell: str) -> None:
        """End what the step left outside its process group (a child that called setsid)."""
        for item in reaper.end(procs.RUN_ID, cell):
            procs.note(log, f"ended pid {item.pid}, which the step left running: {item.cmdline[:200]}")

    def close(self, log: IO[bytes]) -> None:
        return None


@dataclass
class Docker:
    """The cell's processes run in a container of ``image``, started once per cell."""

    image: str
    mounts: list[Path]  # folders the container sees at the same path (project, tox work dir, results)
    name: str = field(default_factory=lambda: f"dtws-{uuid.uuid4().hex[:12]}")
    docker: str = "docker"
    started: bool = False

    @property
    def where(self) -> str:
        return f"in the image {self.image}"

    def _run(
        self, args: Sequence[str], log: IO[bytes], timeout_s: float = 600, cleanup: bool = False
    ) -> tuple[procs.Finished, str]:
        """Run ``docker ARGS``; its outcome, and the first line it printed that names an error (else its last)."""
        log.flush()
        since = os.path.getsize(log.name)
        finished = procs.run(
            [self.docker, *args], cwd=Path.cwd(), env=os.environ, log=log, timeout_s=timeout_s, cleanup=cleanup
        )
        log.flush()
        with open(log.name, "rb") as written:
            written.seek(since)
            lines = [line.strip() for line in written.read().decode("utf-8", "replace").splitlines()]
        said = [line for line in lines if line and not line.startswith("[dtws]")] or ["no output"]
        return finished, next((line for line in said if "rror" in line), said[-1])[:300]

    def start(self, log: IO[bytes]) -> None:
        if shutil.which(self.docker) is None:
            raise HostError(f"docker is not on PATH, so the image {self.image} cannot run")
        if self._run(["image", "inspect", "--format", "{{.Id}}", self.image], log)[0].exit_code != 0:
            pulled, why = self._run(["pull", self.image], log)
            if pulled.exit_code != 0:
                raise HostError(f"image {self.image} could not be pulled: {why}")
        uv = shutil.which("uv")
        if uv is None:
            raise HostError("--docker needs the uv binary on PATH (pip install uv) to bring tox into the container")
        volumes = []
        for folder in dict.fromkeys(path.resolve() for path in self.mounts):
            folder.mkdir(parents=True, exist_ok=True)
            volumes += ["-v", f"{folder}:{folder}"]
        cache = Path.home() / ".cache"
        for tool in ("pip", "uv"):
            (cache / tool).mkdir(parents=True, exist_ok=True)
            volumes += ["-v", f"{cache / tool}:{CONTAINER_CACHE}/{tool}"]
        # create, then start: the same as `run --detach`, and what a wrapper of `docker run` leaves alone.
        create = [
            "create",
            "--rm",
            "--network",
            "host",
            "--name",
            self.name,
            # The run's marks: its watchdog, or the next run, removes the container if the harness dies.
            "--label",
            f"dtws.run={procs.RUN_ID}",
            "--label",
            f"dtws.harness={reaper.harness_mark()}",
            *volumes,
            "-v",
            f"{uv}:/usr/local/bin/uv:ro",
            self.image,
            "sleep",
            "infinity",
        ]
        for args in (create, ["start", self.name]):
            finished, why = self._run(args, log)
            if finished.exit_code != 0:
                raise HostError(f"a container of {self.image} could not start: {why}")
            self.started = True  # created: close() removes it, whatever comes next

    def interpreter(self, series: str, log: IO[bytes]) -> interpreters.Interpreter | None:
        if not self.started:
            self.start(log)
        executable = f"python{series}"
        try:
            done = self._ask([executable, "-c", _ASK])
            found = done.stdout.strip()
            if done.returncode != 0 or not found.startswith(series + "."):
                procs.note(log, f"{executable} in {self.image}: {(done.stderr or done.stdout).strip()[:300]}")
                return None
            where = self._ask(["sh", "-c", f"command -v {executable}"]).stdout.strip()
        except (OSError, subprocess.TimeoutExpired) as error:
            raise HostError(f"the container of {self.image} did not answer: {error}") from None
        return interpreters.Interpreter(found, Path(where or executable))

    def _ask(self, command: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.docker, "exec", self.name, *command], capture_output=True, text=True, timeout=120, check=False
        )

    def tox(self) -> list[str]:
        return [f"{TOX_VENV}/bin/python", "-m", "tox"]

    def measured(self, pids: list[int]) -> list[int]:
        """The container's processes but its keeper (``sleep``), as this machine numbers them: ``pids`` are the
        ``docker exec`` clients, whose servers are no descendants of theirs; ``pids`` when docker does not say."""
        try:
            top = [self.docker, "top", self.name, "-o", "pid,comm"]
            done = subprocess.run(top, capture_output=True, text=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return pids
        rows = [line.split(None, 1) for line in done.stdout.splitlines()[1:]]
        found = [int(row[0]) for row in rows if len(row) == 2 and row[0].isdigit() and row[1].strip() != "sleep"]
        return found if done.returncode == 0 and found else pids

    def wrap(self, command: Sequence[str], cwd: Path, env: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
        """``docker exec`` of ``command``, given the variables the harness set (not the runner's own)."""
        passed = [
            item
            for key, value in sorted(env.items())
            if key not in _NEVER_PASSED and os.environ.get(key) != value
            for item in ("-e", f"{key}={value}")
        ]
        return [self.docker, "exec", "-w", str(cwd), *passed, self.name, *command], dict(os.environ)

    def prepare(self, log: IO[bytes]) -> str | None:
        """tox in the container; None, or why it could not be had (a harness error)."""
        inner = [
            ["uv", "venv", TOX_VENV, "--python", TOX_PYTHON, "--quiet"],
            ["uv", "pip", "install", "--python", f"{TOX_VENV}/bin/python", "--quiet", *_tox_requirements()],
        ]
        for command in inner:
            finished, why = self._run(["exec", self.name, *command], log)
            if finished.exit_code != 0:
                return f"tox could not be installed in the container: {why}"
        return None

    def after_step(self, log: IO[bytes], cell: str) -> None:
        """Kill whatever the step left running in the container (``docker exec`` does not pass signals on)."""
        if self.started:
            self._run(["exec", self.name, "sh", "-c", "kill -KILL -1 2>/dev/null; true"], log, 60, cleanup=True)

    def close(self, log: IO[bytes]) -> None:
        """Hand what the container wrote back to this user, then remove it."""
        if not self.started:
            return
        owner = f"{os.getuid()}:{os.getgid()}"
        folders = [str(path.resolve()) for path in self.mounts] + [
            f"{CONTAINER_CACHE}/{tool}" for tool in ("pip", "uv")
        ]
        self.started = False
        self._run(["exec", self.name, "chown", "-R", owner, *folders], log, 300, cleanup=True)
        self._run(["rm", "--force", self.name], log, 120, cleanup=True)


Host = Local | Docker
