"""The CLI's commands by name; each module has HELP, add_arguments(parser) and main(args) -> int."""

from __future__ import annotations

from types import ModuleType

from dtws.commands import cell, github, merge, preview, run, site

COMMANDS: dict[str, ModuleType] = {
    "cell": cell,
    "run": run,
    "merge": merge,
    "site": site,
    "preview": preview,
    "github": github,
}
