"""The ``tearline`` command: a thin face on the workflow, one module per area.

Every error a user can cause ends as one line on standard error and a non-zero exit
status (see ``tearline.errors`` for the codes); nothing is half-stored.
"""

from __future__ import annotations

import importlib
import sys

from tearline.cli._common import cli, err
from tearline.errors import TearlineError

# Every module that registers commands. Importing one registers its commands.
MODULES = (
    "admin",
    "cases",
    "delivery",
    "extracting",
    "feeds",
    "knowledge",
    "operations",
    "releasing",
    "review",
    "sharing",
    "trust",
    "web",
)


def register() -> None:
    """Import every module that registers commands. Each is cheap: a command imports the
    workflow, the database and the release stage inside its function, when it runs, so
    ``--help`` and a command's start load only Typer and the model."""
    for name in MODULES:
        importlib.import_module(f"tearline.cli.{name}")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run a command, turn errors into one line and an exit status."""
    register()
    try:
        cli(args=argv, prog_name="tearline")
    except SystemExit as exc:  # Typer ends every run this way, errors in usage included
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except TearlineError as exc:
        err.print(f"error: {exc}", markup=False)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
