"""The README a newcomer reads, and the site's guide that holds the rest: short, linked, true to the code."""

from __future__ import annotations

import re
import shutil
import struct
from pathlib import Path

import yaml

from dtws import pages, pictures
from dtws.commands import COMMANDS
from tests.conftest import PROJECT, dtws, dtws_args

README = PROJECT / "README.md"
DOCS = PROJECT / "site"
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """A heading's anchor, as mkdocs' toc and GitHub make it for the headings these pages have."""
    text = re.sub(r"[^\w\s-]", "", heading.strip().lower().replace("`", ""))
    return re.sub(r"\s+", "-", text)


def anchors(page: Path) -> set[str]:
    return {slug(line.lstrip("#")) for line in page.read_text(encoding="utf-8").splitlines() if line.startswith("#")}


def nav_pages(nav: list[object]) -> list[str]:
    found: list[str] = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        found.extend(nav_pages(value) if isinstance(value, list) else [str(value)])
    return found


def hand_written() -> list[str]:
    """The site's pages written by hand: every Markdown file of the docs folder that `dtws site` does not write."""
    generated = {DOCS / name for name in pages.GENERATED}
    return sorted(
        str(path.relative_to(DOCS))
        for path in DOCS.rglob("*.md")
        if not any(path == made or made in path.parents for made in generated)
    )


def test_the_readme_is_short() -> None:
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 300


def test_every_link_of_the_readme_leads_to_a_file_and_heading_of_the_repository() -> None:
    targets = [target for target in LINK.findall(README.read_text(encoding="utf-8")) if "://" not in target]
    assert len(targets) > 10
    for target in targets:
        path, _, anchor = target.partition("#")
        assert (PROJECT / path).is_file(), target
        if anchor:
            assert anchor in anchors(PROJECT / path), target


def test_the_readme_names_every_command_and_make_target_it_gives() -> None:
    text = README.read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([a-z-]+)[ `]", text, re.MULTILINE)
    assert sorted(name for name in listed if name in COMMANDS) == sorted(COMMANDS)
    targets = set(re.findall(r"^([a-z]+):", (PROJECT / "Makefile").read_text(encoding="utf-8"), re.MULTILINE))
    assert set(re.findall(r"`make ([a-z]+)", text)) <= targets
    assert "make run     # the main job" in text and "make test    # the tests" in text


def test_the_readmes_pictures_are_what_the_pictures_command_takes() -> None:
    text = README.read_text(encoding="utf-8")
    for name in pictures.PAGES:
        assert f"](pictures/{name})" in text
        head = (PROJECT / "pictures" / name).read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", head[16:24]) == (pictures.WIDTH, pictures.HEIGHT)


def test_every_hand_written_page_is_in_the_guide() -> None:
    nav = yaml.safe_load((PROJECT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    listed = nav_pages(nav)
    assert sorted(page for page in listed if page not in ("index.md",)) == hand_written()
    guide = next(item["Guide"] for item in nav if isinstance(item, dict) and "Guide" in item)
    assert len(nav_pages(guide)) == len(hand_written())


def test_a_broken_link_of_the_guide_fails_the_sites_build(tmp_path: Path) -> None:
    """`dtws site` runs mkdocs build --strict, which checks every link of the hand-written pages."""
    (tmp_path / "none").mkdir()
    merged = dtws(dtws_args("merge", str(tmp_path / "none"), "--allow-empty", "--out", str(tmp_path / "results")))
    assert merged.returncode == 0, merged.stdout + merged.stderr
    project = tmp_path / "project"
    shutil.copytree(DOCS, project / "site", ignore=shutil.ignore_patterns(*pages.GENERATED))
    shutil.copy(PROJECT / "mkdocs.yml", project)
    with (project / "site" / "guide" / "code.md").open("a", encoding="utf-8") as page:
        page.write("\nSee [the bench](bench.md#no-such-heading).\n")
    built = dtws(dtws_args("site", str(tmp_path / "results"), "--project", str(project)))
    assert built.returncode == 1
    warnings = [line for line in built.stdout.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 1, warnings  # the one planted: every other link of the guide leads somewhere
    assert "'guide/code.md' contains a link 'bench.md#no-such-heading'" in built.stdout
    assert "mkdocs build --strict failed" in built.stdout
