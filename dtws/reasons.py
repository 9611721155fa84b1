"""The first real error of a log, in one line, and its known cause.

"Real" means an exception line that closes a traceback (or pip's and
Python's own ``SyntaxError`` report), not a warning or a line that merely
mentions an error.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_EXCEPTION = re.compile(
    r"^\s*(?P<type>(?:[A-Za-z_][\w]*\.)*[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Warning|NotFound|DoesNotExist|Failure))(?::\s*(?P<message>.*))?$"
)
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A C compiler's error (``error:``, or ``fatal error:``), as pip shows it while building an extension.
_COMPILER = re.compile(
    r"^\s*(?P<file>[^\s:]+\.(?:c|h|cc|cpp)):(?P<line>\d+):(?:\d+:)? (?P<kind>(?:fatal )?error): (?P<message>.+)$"
)
_FILE = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)')
_MARKERS = ("site-packages/", "dist-packages/")
MESSAGE_WIDTH = 160


@dataclass(frozen=True)
class ErrorLine:
    exception: str
    message: str
    file: str | None
    line: int | None
    why: str | None
    index: int = 0  # the line of the text it was found on, from 0

    def __str__(self) -> str:
        message = self.message if len(self.message) <= MESSAGE_WIDTH else self.message[: MESSAGE_WIDTH - 1] + "…"
        text = f"{self.exception}: {message}" if message else self.exception
        if self.file:
            text += f" ({self.file} line {self.line})"
        if self.why:
            text += f" — {self.why}"
        return text


def short_path(path: str) -> str:
    """A path as a reader knows it: from the package on, not from this machine's folders."""
    for marker in _MARKERS:
        if marker in path:
            return path.split(marker, 1)[1]
    parts = path.replace("\\", "/").strip("/").split("/")
    return "/".join(parts[-2:])


@dataclass(frozen=True)
class Cause:
    exception: str
    message: re.Pattern[str] | None
    file: re.Pattern[str] | None
    why: str


@cache
def causes() -> tuple[Cause, ...]:
    data = tomllib.loads(resources.files("dtws").joinpath("reasons.toml").read_text(encoding="utf-8"))
    return tuple(
        Cause(
            exception=item["exception"],
            message=re.compile(item["message"]) if "message" in item else None,
            file=re.compile(item["file"]) if "file" in item else None,
            why=item["why"],
        )
        for item in data["cause"]
    )


def explain(exception: str, message: str, file: str | None) -> str | None:
    short = exception.rsplit(".", 1)[-1]
    for cause in causes():
        if cause.exception != short:
            continue
        if cause.message is not None and not cause.message.search(message):
            continue
        if cause.file is not None and (file is None or not cause.file.search(file)):
            continue
        return cause.why
    return None


# What str(ErrorLine) puts after the message: where it was raised, and its known cause.
_WHERE = re.compile(r" \([^()]+ line \d+\)$")
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]+\b")


def cause_of(error: str) -> str | None:
    """The known cause an error line (``str(ErrorLine)``, as a record keeps it) ends with, or None."""
    return next((cause.why for cause in causes() if error.endswith(f" — {cause.why}")), None)


def bare(error: str) -> str:
    """An error line as two runs of the same error say it alike: no known cause, no file and line, no address."""
    why = cause_of(error)
    if why is not None:
        error = error.removesuffix(f" — {why}")
    return _ADDRESS.sub("0x…", _WHERE.sub("", error)).strip()


def clean(data: bytes) -> str:
    """A log as text: bad UTF-8 replaced, ANSI escape codes and other control characters removed."""
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", _ANSI.sub("", text))


def first_error_in(path: Path) -> ErrorLine | None:
    """first_error of a log file, read a line at a time: a log is never read into memory whole."""
    with path.open("rb") as log:
        return first_error(text for raw in log for text in clean(raw).splitlines())


def first_error(text: str | Iterable[str]) -> ErrorLine | None:
    """The first exception line closing a traceback or a ``File ..., line N`` report, or a C compiler's error."""
    last_file: tuple[str, int] | None = None
    seen_context = False
    lines = text.splitlines() if isinstance(text, str) else text
    for index, raw in enumerate(lines):
        line = raw.rstrip()
        compiler = _COMPILER.match(line) if "error: " in line else None  # a line the pattern can match has it
        if compiler:
            said, kind = compiler["message"].strip(), compiler["kind"]
            source = short_path(compiler["file"])
            return ErrorLine(kind, said, source, int(compiler["line"]), explain(kind, said, source), index)
        located = _FILE.match(line) if 'File "' in line else None
        if located:
            last_file = (short_path(located["file"]), int(located["line"]))
            seen_context = True
            continue
        if "Traceback (most recent call last)" in line:
            seen_context = True
            continue
        match = _EXCEPTION.match(line) if seen_context else None
        if match and not match["type"].endswith("Warning"):
            message = (match["message"] or "").strip()
            file, number = last_file if last_file else (None, None)
            return ErrorLine(match["type"], message, file, number, explain(match["type"], message, file), index)
    return None


# Whatever breaks a line (in a terminal or for str.splitlines), and tabs: one space each run.
_LINE_BREAKS = re.compile(r"[\t\n\x0b\x0c\r\x1c-\x1e\x85\u2028\u2029]+")
# Every C0 and C1 control character and DEL, and the bidi overrides that reorder what a terminal shows,
# once reasons.clean has taken the escape sequences out.
_NOT_FOR_TERMINALS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str) -> str:
    """``text`` from a record or a log, safe to print as one line: no escape sequence, no control character.

    A record can come from anywhere (a downloaded artifact, a library's
    output quoted in a reason): printed raw, its escape sequences could clear
    the screen, retitle the terminal or forge lines of the output.
    """
    one_line = _LINE_BREAKS.sub(" ", text)
    return _NOT_FOR_TERMINALS.sub("", clean(one_line.encode("utf-8", "replace")))
