from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from dtws import record


def sample() -> record.CellRecord:
    rec = record.CellRecord("django-socketio", "py27-django18", "2.7", "1.8", status="fail", reason="install: boom")
    rec.steps = [record.Step("install", [], verdict="fail", command=["tox"], exit_code=1, duration_s=1.5)]
    rec.provenance.packages = {"Django": "1.8.19"}
    return rec


def test_round_trip(tmp_path: Path) -> None:
    path = record.write(sample(), tmp_path)
    assert path.name == "result.json"
    assert record.read(path) == sample()
    assert list(tmp_path.iterdir()) == [path]


def test_a_record_written_before_the_fields_added_since_reads(tmp_path: Path) -> None:
    """The published site's records are older than this dtws: a field added since schema 1 is optional when read
    (here those a record of Django main added, which no record before it has)."""
    data = record.to_dict(sample())
    names = ("django_commit", "django_archive", "as_of", "installer", "project_hash")
    for name in (*names, "python_build", "browser", "tried", "kept_because"):
        del data["provenance"][name]
    (tmp_path / record.FILENAME).write_text(json.dumps(data))
    assert record.read(tmp_path / record.FILENAME) == sample()


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"", "empty"),
        (b'{"schema_version": 1, "library": "dj', "not valid JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"schema_version": 99}', "unknown schema_version 99"),
    ],
)
def test_bad_files_say_why(tmp_path: Path, content: bytes, why: str) -> None:
    path = tmp_path / "result.json"
    path.write_bytes(content)
    with pytest.raises(record.RecordError, match=why):
        record.read(path)


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(record.RecordError, match="missing"):
        record.read(tmp_path / "result.json")


def test_a_missing_field_or_a_wrong_type_is_named(tmp_path: Path) -> None:
    data = record.to_dict(sample())
    del data["provenance"]["commit"]
    path = tmp_path / "result.json"
    path.write_text(json.dumps(data))
    with pytest.raises(record.RecordError, match="missing field 'commit'"):
        record.read(path)
    data = record.to_dict(sample())
    data["steps"][0]["exit_code"] = "one"
    path.write_text(json.dumps(data))
    with pytest.raises(record.RecordError, match=r"steps\[0\]\.exit_code"):
        record.read(path)


def test_unknown_verdicts_are_refused(tmp_path: Path) -> None:
    data = record.to_dict(sample())
    data["steps"][0]["verdict"] = "maybe"
    path = tmp_path / "result.json"
    path.write_text(json.dumps(data))
    with pytest.raises(record.RecordError, match="'maybe' is not one of"):
        record.read(path)


def test_a_record_is_readable_by_another_user(tmp_path: Path) -> None:
    """A record written as root in a container is uploaded by the runner user (uid 1001 on GitHub)."""
    path = record.write(sample(), tmp_path)
    assert path.stat().st_mode & 0o777 == 0o644
    if os.getuid() != 0:
        pytest.skip("only root can read it as another user here; the mode above is what that needs")
    tmp_path.chmod(0o755)
    for parent in tmp_path.parents:  # the runner user can reach the folder, as on GitHub
        if parent.stat().st_mode & 0o001 == 0:
            parent.chmod(parent.stat().st_mode | 0o001)
    done = subprocess.run(["cat", str(path)], user=1001, group=1001, extra_groups=[], capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["cell"] == "py27-django18"
