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
# Commands that need no store: run first in the argument list, they load only their own
# module - not the database, web and signing stacks - so `tearline extract` prints its
# first document a second sooner.
STANDALONE = {
    "extract": "extracting",
    "eval": "extracting",
    "names": "knowledge",
    "doctor": "knowledge",
}


def register(argv: list[str]) -> None:
    """Import the command modules this command line needs (all of them unless its first
    word is a standalone command)."""
    words = [a for a in argv if not a.startswith("-")]
    wanted = [STANDALONE[words[0]]] if words and words[0] in STANDALONE else MODULES
    for name in wanted:
        importlib.import_module(f"tearline.cli.{name}")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run a command, turn errors into one line and an exit status."""
    register(sys.argv[1:] if argv is None else argv)
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
