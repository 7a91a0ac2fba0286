"""Administration and the demo: users and their roles."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from tearline import workflow as wf
from tearline.cli._common import (
    cli,
    open_app,
    os_user,
    out,
)
from tearline.errors import InputError

users_cli = typer.Typer(help="Users and their roles.", no_args_is_help=True)
cli.add_typer(users_cli, name="users")


@cli.command()
def demo(
    home: Annotated[
        Path | None,
        typer.Option("--home", help="Fresh directory for the demo (default: a new temporary one)."),
    ] = None,
) -> None:
    """Run the Moscow 2024 case end to end on the embedded default and print the chain."""
    from tearline.demo.scenario import run_demo

    run_demo(home, out)


@users_cli.command("add")
def users_add(
    ctx: typer.Context,
    username: str,
    role: Annotated[
        list[str], typer.Option(help="analyst, duty_officer, approver, auditor, admin")
    ],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
) -> None:
    """Create a user (password: TEARLINE_NEW_PASSWORD or prompt)."""
    password = os.environ.get("TEARLINE_NEW_PASSWORD") or typer.prompt(
        f"New password for {username}", hide_input=True, confirmation_prompt=True, err=True
    )
    try:
        roles = [wf.Role(r) for r in role]
    except ValueError:
        raise InputError(
            f"unknown role in {role}; use analyst, duty_officer, approver, auditor, admin"
        ) from None
    wf.add_user(open_app(ctx), username, password, roles, display_name=name, by=os_user())
    out.print(f"user {username} created with roles {', '.join(r.value for r in roles)}")


@users_cli.command("list")
def users_list(ctx: typer.Context) -> None:
    """List users and their roles."""
    for username, roles in wf.list_users(open_app(ctx)):
        out.print(f"{username}: {', '.join(roles)}")
