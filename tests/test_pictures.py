"""The README's pictures are taken by a command, from a built site, in a real Chromium."""

from __future__ import annotations

import struct
from pathlib import Path

from tests.conftest import dtws, dtws_args
from tests.test_site import site_project


def png_size(path: Path) -> tuple[int, int]:
    """A PNG's width and height, from its IHDR chunk."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", path
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_the_pictures_of_a_small_built_site(chromium_path: str, tmp_path: Path) -> None:
    """A site of no records (every cell "no result") is still a site: its front page and Compare page, first screen."""
    (tmp_path / "none").mkdir()
    merged = dtws(dtws_args("merge", str(tmp_path / "none"), "--allow-empty", "--out", str(tmp_path / "results")))
    assert merged.returncode == 0, merged.stdout + merged.stderr
    project = site_project(tmp_path)
    built = dtws(dtws_args("site", str(tmp_path / "results"), "--project", str(project)))
    assert built.returncode == 0, built.stdout + built.stderr
    out = tmp_path / "pictures"
    taken = dtws(dtws_args("pictures", "--site", str(project / "build" / "site"), "--out", str(out)))
    assert taken.returncode == 0, taken.stdout + taken.stderr
    assert sorted(path.name for path in out.iterdir()) == ["compare.png", "front.png"]
    assert {png_size(path) for path in out.iterdir()} == {(1280, 800)}
    assert taken.stdout.splitlines() == [str(out / "front.png"), str(out / "compare.png")]


def test_no_site_no_pictures(tmp_path: Path) -> None:
    taken = dtws(dtws_args("pictures", "--site", str(tmp_path / "nothing"), "--out", str(tmp_path / "pictures")))
    assert taken.returncode == 2
    nothing = tmp_path / "nothing"
    why = "no built site with a front page and a Compare page (run `make run` first)"
    assert taken.stdout == f"dtws pictures: {nothing}: {why}\n"
    assert not list((tmp_path / "pictures").iterdir())
