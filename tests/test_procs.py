from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from dtws import procs

# A parent that starts a grandchild, writes the grandchild's pid, and both hang.
HANG = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
open(sys.argv[1], "w").write(str(child.pid))
time.sleep(600)
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def test_a_hanging_process_tree_is_killed_at_the_timeout(tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild.pid"
    with open(tmp_path / "step.log", "ab") as log:
        started = time.monotonic()
        finished = procs.run(
            [sys.executable, "-c", HANG, str(pidfile)], cwd=tmp_path, env=os.environ, log=log, timeout_s=2
        )
        elapsed = time.monotonic() - started
    assert finished.timed_out
    assert finished.exit_code is None
    assert 2 <= elapsed < 2 + procs.GRACE_S + 1
    assert not alive(int(pidfile.read_text()))
    assert "timeout: killed the process group" in (tmp_path / "step.log").read_text()


def test_a_finished_process_records_its_exit_code_and_leaves_nothing(tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild.pid"
    leave_behind = (
        "import subprocess, sys; child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']);"
        " open(sys.argv[1], 'w').write(str(child.pid)); sys.exit(3)"
    )
    with open(tmp_path / "step.log", "ab") as log:
        finished = procs.run(
            [sys.executable, "-c", leave_behind, str(pidfile)], cwd=tmp_path, env=os.environ, log=log, timeout_s=30
        )
    assert (finished.exit_code, finished.timed_out) == (3, False)
    assert not alive(int(pidfile.read_text()))
    text = (tmp_path / "step.log").read_text()
    assert text.startswith("[dtws] $ ")
    assert "[dtws] exit code 3 after" in text


def test_a_server_that_never_listens_is_reported(tmp_path: Path) -> None:
    with open(tmp_path / "server.log", "ab") as log:
        server = procs.Server([sys.executable, "-c", "print('no port for you')"], cwd=tmp_path, env=os.environ, log=log)
        assert not server.wait_for_port(procs.free_port(), time.monotonic() + 10)
        assert server.stop() == 0
    assert "no port for you" in (tmp_path / "server.log").read_text()
