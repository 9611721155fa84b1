from __future__ import annotations

import pytest

from dtws.cli import main


def test_an_unknown_cell_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cell", "py99-django99"]) == 2
    assert "unknown cell 'py99-django99'; the cells are: py27-django18" in capsys.readouterr().out


def test_a_bad_timeout_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["cell", "py27-django18", "--timeout", "nostep=3"])
    assert "STEP=SECONDS" in capsys.readouterr().err
