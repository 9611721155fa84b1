"""dtws.addresses is the one place that spells the site's addresses."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from dtws import addresses

PACKAGE = Path(addresses.__file__).parent

# An address spelled as a literal: a folder of the site followed by a "/" and something put in it
# (cells/{library}, runs/{key}, as-of/{day}, libraries/django-socketio, ../bisect/{{ name }}); not GitHub's
# actions/runs/<id>, nor a data file a help text names (bench/bench.json).
SPELLED = re.compile(
    r"""(?<![\w.-])(?<!actions/)(cells|libraries|runs|as-of|bisect|bench|conformance|review)/(?![\w-]+\.json)[{\w]"""
)


def _strings(source: str) -> list[tuple[int, str]]:
    """The string literals of a module's code (f-strings as written), not its docstrings."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found.append((node.lineno, node.value))
    return found


def _spelled(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    lines = enumerate(text.splitlines(), 1) if path.suffix == ".j2" else _strings(text)
    return [f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}" for number, line in lines if SPELLED.search(line)]


def test_the_module_is_the_only_place_that_spells_an_address() -> None:
    found = [
        place
        for path in sorted([*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.j2")])
        if path.name != "addresses.py"
        for place in _spelled(path)
    ]
    assert not found, "\n".join(found)


def test_the_check_finds_an_address_spelled(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('"""cells/<library>/<cell>/ in a docstring."""\nX = f"{site}cells/{library}/{cell}/"\n')
    assert [line.split(": ", 1)[1] for line in _spelled_at(module)] == ["f'{site}cells/{library}/{cell}/'"]


def _spelled_at(path: Path) -> list[str]:
    return [f"{number}: {line}" for number, line in _strings(path.read_text(encoding="utf-8")) if SPELLED.search(line)]


def test_each_address_is_relative_to_the_root() -> None:
    assert addresses.cell("channels", "py312-django52") == "cells/channels/py312-django52/"
    log = addresses.step_log("channels", "py312-django52", "install")
    assert log == "cells/channels/py312-django52/logs/install.log"
    assert addresses.root(addresses.cell("channels", "py312-django52")) == "../../../"
    assert addresses.root(addresses.conformance("channels")) == "../"
    assert addresses.root(addresses.as_of("2016-04-19") + addresses.cell("x", "y")) == "../" * 5
    assert addresses.bench("channels") == "bench/#channels"
