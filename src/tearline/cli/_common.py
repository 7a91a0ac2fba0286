"""What every command shares: the root app, consoles, options, signing in, reading files.

Every error a user can cause ends as one line on standard error and a non-zero exit
status (see ``tearline.errors`` for the codes); nothing is half-stored.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from tearline.dates import read_when
from tearline.errors import InputError, NotFound
from tearline.settings import load_settings

if TYPE_CHECKING:  # the workflow (a database, a web stack) loads only for commands that use it
    from tearline import workflow as wf

out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

cli = typer.Typer(
    name="tearline",
    help="Duty to warn: from threat reporting to a signed, delivered, tracked warning.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

HomeOpt = Annotated[
    Path | None, typer.Option("--home", help="Data directory (default: TEARLINE_HOME or per-user).")
]
UserOpt = Annotated[
    str,
    typer.Option(
        "--user", "-u", help="Sign in as this user (password: TEARLINE_PASSWORD or prompt)."
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


class ClosedSet:
    """An option's callback that refuses a value outside a closed set (exit status 2, the
    valid values listed), for sets that live in data or in a module too heavy to import
    for ``--help``: the values are read only when the option is given. Fixed sets from
    the model are Enum types instead; ``tests/cli/test_choices.py`` checks both kinds.

        fact: Annotated[str, typer.Option(callback=ClosedSet(lambda: FACT_LEVELS).check)]
    """

    def __init__(self, values: Callable[[], Iterable[str]], *, upper: bool = False) -> None:
        self._values = values
        self._upper = upper  # the values are upper case and a value is read as upper case

    def values(self) -> tuple[str, ...]:
        return tuple(self._values())

    def check(self, value: Any) -> Any:
        values = value if isinstance(value, list | tuple) else [value]
        given = [v for v in values if v is not None]
        if not given:  # not given: nothing to read the values for
            return value
        valid = self.values()
        for one in given:
            if (one.upper() if self._upper else one) not in valid:
                raise typer.BadParameter(f"{one!r} is not one of {', '.join(valid)}")
        return value


def _reliability_grades() -> tuple[str, ...]:
    from tearline.workflow.reports import RELIABILITY_GRADES

    return tuple(RELIABILITY_GRADES)


def _tlp_levels() -> tuple[str, ...]:
    from tearline.intake import TLP_LEVELS

    return TLP_LEVELS


def language_tag(value: str | None) -> str | None:
    """An option's callback: a language tag (ru, en, fa-IR) or a usage error (exit 2)."""
    if value is None:
        return None
    from tearline.errors import InputError
    from tearline.intake import language_code

    try:
        language_code(value)
    except InputError as exc:
        raise typer.BadParameter(str(exc)) from None
    return value


# Options more than one command takes.
RELIABILITY = ClosedSet(_reliability_grades, upper=True)
TLP = ClosedSet(_tlp_levels, upper=True)


def overrides(ctx: typer.Context) -> dict[str, Any]:
    obj = ctx.find_root().obj
    return dict(obj) if isinstance(obj, dict) else {}


def open_app(ctx: typer.Context, home: Path | None = None) -> wf.App:
    from tearline import workflow as wf

    given = overrides(ctx)
    if home is not None:
        given["home"] = str(home)
    app = wf.App(load_settings(given))
    ctx.call_on_close(app.close)  # the database's connections end with the command
    return app


def _password(user: str) -> str:
    password = os.environ.get("TEARLINE_PASSWORD")
    if password is None:
        password = typer.prompt(f"Password for {user}", hide_input=True, err=True)
    return password


def signed_in(app: wf.App, user: str) -> wf.Identity:
    from tearline import workflow as wf

    return wf.sign_in(app, user, _password(user))


# The help every option that takes a document's date shows (rules: tearline/dates.py).
DATE_HELP = (
    "ISO 8601 or as you would say it: '11 Dec', '11 December 2026', 'yesterday 18:00'."
    " Times are UTC unless given; relative forms count from now; a date without a year is"
    " the latest one not after now."
)


def parse_date(value: str | None, option: str = "--date") -> datetime | None:
    """A document's date as typed (see ``DATE_HELP``), or None when the option is not given."""
    if value is None:
        return None
    return read_when(value, reference=datetime.now(UTC), prefer="past", what=option)


@cli.callback()
def _root(
    ctx: typer.Context,
    home: HomeOpt = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="SQLAlchemy URL (TEARLINE_DATABASE_URL).")
    ] = None,
) -> None:
    ctx.obj = {"home": str(home) if home else None, "database_url": database_url}
    from tearline.logs import configure_from_environment

    configure_from_environment(str(home) if home else None)  # TEARLINE_LOG_FORMAT, _LEVEL


def os_user() -> str:
    try:
        return f"cli:{os.getlogin()}"
    except OSError:
        return f"cli:{os.environ.get('USER', 'unknown')}"


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a document") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
