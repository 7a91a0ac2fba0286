"""Administration and the demo: users, roles, compartments and API tokens; ``tearline demo``.

Whoever runs these commands holds the database, so they act without signing in; every
change is audited under the operating-system user's name (``cli:<login>``).
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import func, select

from tearline import workflow as wf
from tearline.cli._common import cli, open_app, os_user, out
from tearline.errors import InputError
from tearline.settings import load_settings
from tearline.store import tables as t
from tearline.workflow import sessions, users

users_cli = typer.Typer(help="Users, roles, compartments and API tokens.", no_args_is_help=True)
cli.add_typer(users_cli, name="users")

ROLES_HELP = "analyst, duty_officer, approver, auditor, admin (repeatable)"
# Desk users the demo adds beside the scenario's dana and avery (passwords are public).
DESK_USERS = {
    "ari": ("ari-analyst-demo", [wf.Role.ANALYST], "Ari (analyst)"),
    "aude": ("aude-auditor-demo", [wf.Role.AUDITOR], "Aude (auditor)"),
    "root": ("root-admin-demo", [wf.Role.ADMIN], "Administrator"),
}
DEMO_COMPARTMENTS = ["CT"]


class ReplayClock:
    """Simulated time that goes on at the real pace from where the demo stopped."""

    def __init__(self, start: datetime) -> None:
        self._start, self._t0 = start, time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._t0)


def _new_password(username: str) -> str:
    password = os.environ.get("TEARLINE_NEW_PASSWORD")
    if password is None:
        password = typer.prompt(
            f"New password for {username}", hide_input=True, confirmation_prompt=True, err=True
        )
    return password


def _prepare_desk(home: Path) -> tuple[wf.App, list[tuple[str, str, str]]]:
    """Give the demo's people the compartment of its report and add the other desk roles."""
    from tearline.demo.scenario import USERS

    settings = load_settings(
        {
            "home": str(home),
            "database_url": f"sqlite:///{home / 'tearline.db'}",
            "sender": "Tearline demo agency",  # as the scenario signs its warnings
        }
    )
    probe = wf.App(settings)
    with probe.read() as s:
        last = s.scalar(select(func.max(t.AuditEntry.at)))
    probe.close()
    app = wf.App(settings, clock=ReplayClock(last or datetime.now().astimezone()))
    for name in USERS:
        users.grant_compartments(app, name, add=DEMO_COMPARTMENTS, by="demo")
    for name, (password, roles, display) in DESK_USERS.items():
        held = [] if wf.Role.ADMIN in roles else DEMO_COMPARTMENTS
        wf.add_user(app, name, password, roles, display_name=display, compartments=held, by="demo")
    people = [(n, p, ", ".join(r.value for r in roles)) for n, (p, roles) in USERS.items()]
    people += [(n, p, ", ".join(r.value for r in roles)) for n, (p, roles, _) in DESK_USERS.items()]
    return app, people


@cli.command()
def demo(
    home: Annotated[
        Path | None,
        typer.Option("--home", help="Fresh directory for the demo (default: a new temporary one)."),
    ] = None,
    serve: Annotated[
        bool,
        typer.Option("--serve/--no-serve", help="Afterwards, keep the desk open on the case."),
    ] = True,
    host: Annotated[str, typer.Option(help="Address for the desk.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port for the desk (0: any free port).")] = 8000,
) -> None:
    """Run the Moscow 2024 case end to end, then serve the desk on it (--no-serve: exit)."""
    from tearline.demo.scenario import run_demo

    result = run_demo(home, out)
    app, people = _prepare_desk(result.home)
    table = Table("user", "password", "roles", title="Demo users", title_justify="left")
    for row in people:
        table.add_row(*row)
    out.print()
    out.print(table)
    if not serve:
        app.close()
        out.print(f"Open the desk on this case: tearline --home {result.home} serve")
        return
    from tearline.web.server import DeskServer

    server = DeskServer(app, host=host, port=port, worker=True)
    url = server.start()
    out.print(
        f"The desk is open on the demo case at {url}/threats/{result.threat_ref} "
        "(simulated clock, running on from the demo's last step). Ctrl-C stops it."
    )
    server.wait()
    app.close()


@users_cli.command("add")
def users_add(
    ctx: typer.Context,
    username: str,
    role: Annotated[list[str], typer.Option(help=ROLES_HELP)],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    compartment: Annotated[
        list[str] | None, typer.Option(help="A compartment the user holds (repeatable).")
    ] = None,
) -> None:
    """Create a user (password: TEARLINE_NEW_PASSWORD or prompt)."""
    password = _new_password(username)
    wf.add_user(
        open_app(ctx),
        username,
        password,
        role,
        display_name=name,
        compartments=compartment or [],
        by=os_user(),
    )
    held = users.get_user(open_app(ctx), username).compartments
    extra = f"; compartments {', '.join(held)}" if held else ""
    out.print(f"user {username} created with roles {', '.join(role)}{extra}")


@users_cli.command("list")
def users_list(ctx: typer.Context) -> None:
    """List users, their roles and compartments."""
    for u in wf.list_users(open_app(ctx)):
        state = "" if u.active else " (deactivated)"
        held = f" [{' '.join(u.compartments)}]" if u.compartments else ""
        out.print(f"{u.username}: {', '.join(u.roles)}{held}{state}", markup=False)


@users_cli.command("compartments")
def users_compartments(
    ctx: typer.Context,
    username: str,
    add: Annotated[list[str] | None, typer.Option(help="Grant this compartment.")] = None,
    remove: Annotated[list[str] | None, typer.Option(help="Take this compartment away.")] = None,
) -> None:
    """Grant or take away compartments: a user sees only what they hold every mark of."""
    if not add and not remove:
        raise InputError("say what to change: --add NAME and/or --remove NAME")
    held = users.grant_compartments(
        open_app(ctx), username, add=add or [], remove=remove or [], by=os_user()
    )
    out.print(f"{username} holds: {' '.join(held) or 'no compartments'}", markup=False)


@users_cli.command("roles")
def users_roles(
    ctx: typer.Context, username: str, role: Annotated[list[str], typer.Option(help=ROLES_HELP)]
) -> None:
    """Replace a user's roles."""
    roles = users.set_roles(open_app(ctx), username, role, by=os_user())
    out.print(f"{username}: {', '.join(roles)}")


@users_cli.command("deactivate")
def users_deactivate(ctx: typer.Context, username: str) -> None:
    """Stop a user signing in; their sessions end at once, their tokens stop working."""
    users.set_active(open_app(ctx), username, False, by=os_user())
    out.print(f"{username} deactivated")


@users_cli.command("activate")
def users_activate(ctx: typer.Context, username: str) -> None:
    """Let a deactivated user sign in again."""
    users.set_active(open_app(ctx), username, True, by=os_user())
    out.print(f"{username} activated")


@users_cli.command("password")
def users_password(ctx: typer.Context, username: str) -> None:
    """Set a new password (TEARLINE_NEW_PASSWORD or prompt); ends the user's sessions."""
    users.set_password(open_app(ctx), username, _new_password(username), by=os_user())
    out.print(f"password of {username} changed; their sessions have ended")


@users_cli.command("token")
def users_token(
    ctx: typer.Context,
    username: str,
    name: Annotated[str, typer.Option("--name", help="What will use the token.")],
    days: Annotated[int | None, typer.Option(help="Lifetime in days (default: none).")] = None,
) -> None:
    """Create an API token acting as USERNAME; printed once, kept only as a hash."""
    token_id, token = sessions.create_token(open_app(ctx), username, name, days=days, by=os_user())
    out.print(
        f"API token #{token_id} for {username} (shown once; send as 'Authorization: Bearer'):"
    )
    out.print(token, markup=False)


@users_cli.command("tokens")
def users_tokens(
    ctx: typer.Context, username: Annotated[str | None, typer.Argument()] = None
) -> None:
    """List API tokens (never their secret)."""
    for tok in sessions.list_tokens(open_app(ctx), username):
        state = f"revoked {tok.revoked_at:%Y-%m-%d}" if tok.revoked_at else "active"
        expires = f", expires {tok.expires_at:%Y-%m-%d}" if tok.expires_at else ""
        out.print(
            f"#{tok.id} {tok.username} '{tok.name}' {tok.prefix}… {state}{expires}", markup=False
        )


@users_cli.command("revoke-token")
def users_revoke_token(ctx: typer.Context, token_id: int) -> None:
    """Revoke an API token by its number."""
    sessions.revoke_token(open_app(ctx), token_id, by=os_user())
    out.print(f"API token #{token_id} revoked")
