"""Running a deployment: the database's schema, backups and restores.

Migrations run only when an operator asks (`tearline db upgrade`); every other command
refuses a database at an older schema and says what to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tearline.cli._common import cli, open_app, os_user, out, overrides
from tearline.settings import load_settings

db_cli = typer.Typer(help="The database's schema: status and upgrade.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")


def _url(ctx: typer.Context) -> str:
    return load_settings(overrides(ctx)).database


def _names(revisions: frozenset[str]) -> str:
    return ", ".join(sorted(revisions)) or "none"


@db_cli.command("status")
def db_status(ctx: typer.Context) -> None:
    """Say which schema revision the database is at, and whether it needs an upgrade."""
    from tearline.workflow.operations import database_state

    state = database_state(_url(ctx))
    if state.up_to_date:
        verdict = "up to date"
    elif state.newer:
        verdict = "made by a newer Tearline: run that version"
    elif not state.current and state.empty:
        verdict = "empty: the schema is created on first use"
    else:
        verdict = "needs `tearline db upgrade` (back it up first)"
    out.print(
        f"schema {_names(state.current)}; this version needs {_names(state.heads)}: {verdict}",
        markup=False,
        soft_wrap=True,
    )
    fresh = not state.current and state.empty
    if not state.up_to_date and not fresh:
        raise typer.Exit(3)


@db_cli.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Apply the migrations this version brings (in one transaction per run)."""
    from tearline.workflow.operations import record_operation, upgrade_database

    before, after = upgrade_database(_url(ctx))
    if before.up_to_date:
        out.print(
            f"schema {_names(after.current)}: already up to date", markup=False, soft_wrap=True
        )
    else:
        record_operation(
            open_app(ctx),
            "upgraded",
            {"from": sorted(before.current), "to": sorted(after.current)},
            by=os_user(),
        )
        out.print(
            f"schema upgraded from {_names(before.current)} to {_names(after.current)}",
            markup=False,
            soft_wrap=True,
        )


@cli.command("backup")
def backup(
    ctx: typer.Context,
    target: Annotated[Path, typer.Argument(help="A new file for the copy (created 0600).")],
) -> None:
    """Copy the SQLite database while it runs (SQLite's online backup); PostgreSQL: pg_dump."""
    from tearline.workflow.operations import backup_database

    size = backup_database(_url(ctx), target)
    out.print(f"backed up to {target} ({size:,} bytes)", markup=False, soft_wrap=True)


@cli.command("restore")
def restore(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(help="A file `tearline backup` wrote.")],
) -> None:
    """Replace the SQLite database with a backup (stop the desk and workers first)."""
    from tearline.workflow.operations import record_operation, restore_database

    state = restore_database(source, _url(ctx))
    if state.up_to_date:  # an older schema is recorded by the upgrade that follows
        record_operation(open_app(ctx), "restored", {"from_file": source.name}, by=os_user())
    note = "" if state.up_to_date else "; run `tearline db upgrade` before using it"
    out.print(
        f"restored {source} (schema {_names(state.current)}){note}; "
        "check it with `tearline audit verify`",
        markup=False,
        soft_wrap=True,
    )
