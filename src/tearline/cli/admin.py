"""Administration and the demo: users, roles, compartments and API tokens; ``tearline demo``.

With ``--user ADMIN`` (signed in by password) a command is that admin's: approver, duty
officer, admin and compartments wait for a second admin. Without it, whoever runs the
command holds the database and acts as the operator (``cli:<login>``): the first user of
an empty database is the bootstrap; any later grant is the break-glass path, warned on
standard error and audited as ``break_glass``. A token is only ever created by its owner,
signed in with their own password.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from tearline.cli._common import ClosedSet, UserOpt, cli, err, open_app, os_user, out, signed_in
from tearline.errors import ConfigError, InputError
from tearline.settings import load_settings, public_url_for

if TYPE_CHECKING:  # the workflow loads only when a command runs: --help stays quick
    from tearline import workflow as wf
    from tearline.workflow import grants

users_cli = typer.Typer(help="Users, roles, compartments and API tokens.", no_args_is_help=True)
cli.add_typer(users_cli, name="users")

ROLES_HELP = "analyst, duty_officer, approver, auditor, admin (repeatable)"


def _roles() -> tuple[str, ...]:
    from tearline.workflow.users import Role

    return tuple(r.value for r in Role)


ROLES = ClosedSet(_roles)


def _desk_users() -> dict[str, tuple[str, list[wf.Role], str]]:
    """Desk users the demo adds beside the scenario's dana and avery (passwords are public)."""
    from tearline import workflow as wf

    return {
        "ari": ("ari-analyst-demo", [wf.Role.ANALYST], "Ari (analyst)"),
        "aude": ("aude-auditor-demo", [wf.Role.AUDITOR], "Aude (auditor)"),
        "root": ("root-admin-demo", [wf.Role.ADMIN], "Administrator"),
        # A second admin: a role or compartment root asks for waits for rhea's approval.
        "rhea": ("rhea-admin-demo", [wf.Role.ADMIN], "Rhea (second admin)"),
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


def _prepare_desk(home: Path, public_url: str | None) -> tuple[wf.App, list[tuple[str, str, str]]]:
    """Give the demo's people the compartment of its report and add the other desk roles."""
    from sqlalchemy import func, select

    from tearline import workflow as wf
    from tearline.demo.scenario import USERS
    from tearline.store import tables as t
    from tearline.workflow import users

    settings = load_settings(
        {
            "home": str(home),
            "database_url": f"sqlite:///{home / 'tearline.db'}",
            "sender": "Tearline demo agency",  # as the scenario signs its warnings
            "public_url": public_url,
        }
    )
    probe = wf.App(settings)
    with probe.read() as s:
        last = s.scalar(select(func.max(t.AuditEntry.at)))
    probe.close()
    app = wf.App(settings, clock=ReplayClock(last or datetime.now().astimezone()))
    for name in USERS:
        users.grant_compartments(app, name, add=DEMO_COMPARTMENTS, by="demo")
    desk_users = _desk_users()
    for name, (password, roles, display) in desk_users.items():
        held = [] if wf.Role.ADMIN in roles else DEMO_COMPARTMENTS
        wf.add_user(app, name, password, roles, display_name=display, compartments=held, by="demo")
    people = [(n, p, ", ".join(r.value for r in roles)) for n, (p, roles) in USERS.items()]
    people += [(n, p, ", ".join(r.value for r in roles)) for n, (p, roles, _) in desk_users.items()]
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
    from tearline.web.server import free_port, port_free

    # The port is checked before the case runs, not after: a busy one fails at once.
    if serve and port == 0:
        port = free_port(host)
    elif serve and not port_free(host, port):
        raise ConfigError(
            f"the demo's desk cannot listen on {host}:{port}: the port is in use. Choose "
            "another with --port (0: any free port), or stop what holds it."
        )
    # Reply and feed links point at the desk the demo opens, unless TEARLINE_PUBLIC_URL says.
    public_url = None if "TEARLINE_PUBLIC_URL" in os.environ else public_url_for(host, port)
    result = run_demo(home, out, public_url)
    app, people = _prepare_desk(result.home, public_url)
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


AdminOpt = Annotated[
    str | None,
    typer.Option(
        "--user",
        "-u",
        help="Act as this admin (password: TEARLINE_PASSWORD or prompt): approver, duty "
        "officer, admin and compartments then wait for a second admin. Without it the "
        "change is the operator's break-glass, applied at once, warned and audited.",
    ),
]


def _break_glass(app: wf.App, command: str, subject: str) -> str:
    """The operator (a shell with the database) acts without a second admin: loud, audited."""
    from tearline.workflow import grants

    by = os_user()
    err.print(
        f"BREAK-GLASS: {by} runs '{command}' as the operator, with no second admin; "
        "this is recorded in the audit as break_glass. Use --user ADMIN for the two-admin path.",
        markup=False,
    )
    grants.record_break_glass(app, command, subject, by=by)
    return by


def _pending(change: grants.Change) -> None:
    if change.pending:
        numbers = ", ".join(f"#{n}" for n in change.pending)
        out.print(
            f"grant(s) {numbers} wait for a second admin: "
            "tearline users approve-grant N --user ADMIN"
        )


@users_cli.command("add")
def users_add(
    ctx: typer.Context,
    username: str,
    role: Annotated[list[str], typer.Option(help=ROLES_HELP, callback=ROLES.check)],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    compartment: Annotated[
        list[str] | None, typer.Option(help="A compartment the user holds (repeatable).")
    ] = None,
    user: AdminOpt = None,
) -> None:
    """Create a user (password: TEARLINE_NEW_PASSWORD or prompt); the first user of an
    empty database is the bootstrap."""
    from tearline import workflow as wf
    from tearline.workflow import grants, users

    app = open_app(ctx)
    held_wanted = compartment or []
    if user:
        who = signed_in(app, user)
        change = grants.create_user(
            app,
            username,
            _new_password(username),
            role,
            display_name=name,
            compartments=held_wanted,
            by=who,
        )
        out.print(f"user {username} created with roles {', '.join(change.applied) or 'none yet'}")
        _pending(change)
        return
    by = os_user()
    if wf.list_users(app):
        by = _break_glass(app, f"users add {username}", f"user:{username}")
    wf.add_user(
        app,
        username,
        _new_password(username),
        role,
        display_name=name,
        compartments=held_wanted,
        by=by,
    )
    held = users.get_user(app, username).compartments
    extra = f"; compartments {', '.join(held)}" if held else ""
    out.print(f"user {username} created with roles {', '.join(role)}{extra}")


@users_cli.command("list")
def users_list(ctx: typer.Context) -> None:
    """List users, their roles and compartments."""
    from tearline import workflow as wf

    for u in wf.list_users(open_app(ctx)):
        state = "" if u.active else " (deactivated)"
        held = f" [{' '.join(u.compartments)}]" if u.compartments else ""
        kind = " (service account)" if u.kind == "service" else ""
        out.print(f"{u.username}: {', '.join(u.roles)}{held}{kind}{state}", markup=False)


@users_cli.command("compartments")
def users_compartments(
    ctx: typer.Context,
    username: str,
    add: Annotated[list[str] | None, typer.Option(help="Grant this compartment.")] = None,
    remove: Annotated[list[str] | None, typer.Option(help="Take this compartment away.")] = None,
    user: AdminOpt = None,
) -> None:
    """Grant or take away compartments: a user sees only what they hold every mark of."""
    from tearline.workflow import grants, users

    if not add and not remove:
        raise InputError("say what to change: --add NAME and/or --remove NAME")
    app = open_app(ctx)
    if user:
        change = grants.change_compartments(
            app, username, add=add or [], remove=remove or [], by=signed_in(app, user)
        )
        out.print(f"{username} holds: {' '.join(change.applied) or 'no compartments'}")
        _pending(change)
        return
    by = os_user()
    if add:
        by = _break_glass(app, f"users compartments {username}", f"user:{username}")
    held = users.grant_compartments(app, username, add=add or [], remove=remove or [], by=by)
    out.print(f"{username} holds: {' '.join(held) or 'no compartments'}", markup=False)


@users_cli.command("roles")
def users_roles(
    ctx: typer.Context,
    username: str,
    role: Annotated[list[str], typer.Option(help=ROLES_HELP, callback=ROLES.check)],
    user: AdminOpt = None,
) -> None:
    """Replace a user's roles."""
    from tearline.workflow import grants, users

    app = open_app(ctx)
    if user:
        change = grants.change_roles(app, username, role, by=signed_in(app, user))
        out.print(f"{username}: {', '.join(change.applied) or 'no roles yet'}")
        _pending(change)
        return
    by = _break_glass(app, f"users roles {username}", f"user:{username}")
    roles = users.set_roles(app, username, role, by=by)
    out.print(f"{username}: {', '.join(roles)}")


@users_cli.command("grants")
def users_grants(
    ctx: typer.Context,
    every: Annotated[bool, typer.Option("--all", help="Decided grants too.")] = False,
) -> None:
    """Roles and compartments waiting for a second admin."""
    from tearline.workflow import grants

    for g in grants.list_grants(open_app(ctx), pending_only=not every):
        decided = f" by {g.decided_by}" if g.decided_by else ""
        out.print(
            f"#{g.id} {g.kind} {g.value} for {g.username}, asked by {g.requested_by}: "
            f"{g.state}{decided}",
            markup=False,
        )


@users_cli.command("approve-grant")
def users_approve_grant(ctx: typer.Context, grant: str, user: UserOpt) -> None:
    """Approve a grant another admin asked for (never your own, never one for you)."""
    from tearline.workflow import grants

    app = open_app(ctx)
    g = grants.approve_grant(app, grants.parse_grant(grant), by=signed_in(app, user))
    out.print(f"grant #{g.id} approved: {g.username} now holds {g.kind} {g.value}", markup=False)


@users_cli.command("reject-grant")
def users_reject_grant(ctx: typer.Context, grant: str, user: UserOpt) -> None:
    """Reject (or, if you asked for it, withdraw) a pending grant."""
    from tearline.workflow import grants

    app = open_app(ctx)
    g = grants.reject_grant(app, grants.parse_grant(grant), by=signed_in(app, user))
    out.print(f"grant #{g.id} rejected", markup=False)


@users_cli.command("service")
def users_service(
    ctx: typer.Context,
    username: str,
    token_name: Annotated[str, typer.Option("--name", help="What will use its token.")],
    user: UserOpt,
    role: Annotated[list[str] | None, typer.Option(help=ROLES_HELP, callback=ROLES.check)] = None,
    compartment: Annotated[
        list[str] | None, typer.Option(help="A compartment it holds (repeatable).")
    ] = None,
    days: Annotated[int | None, typer.Option(help="Token lifetime in days.")] = None,
) -> None:
    """Create a service account (a machine that is its own user) and print its token once."""
    from tearline.workflow import grants

    app = open_app(ctx)
    change, token_id, token = grants.create_service_account(
        app,
        username,
        token_name,
        role or [],
        compartments=compartment or [],
        days=days,
        by=signed_in(app, user),
    )
    out.print(f"service account {username}: {', '.join(change.applied) or 'no roles yet'}")
    _pending(change)
    out.print(f"API token #{token_id} for {username} (shown once):")
    out.print(token, markup=False)


@users_cli.command("deactivate")
def users_deactivate(ctx: typer.Context, username: str) -> None:
    """Stop a user signing in; their sessions end at once, their tokens stop working."""
    from tearline.workflow import users

    users.set_active(open_app(ctx), username, False, by=os_user())
    out.print(f"{username} deactivated")


@users_cli.command("activate")
def users_activate(ctx: typer.Context, username: str) -> None:
    """Let a deactivated user sign in again."""
    from tearline.workflow import users

    users.set_active(open_app(ctx), username, True, by=os_user())
    out.print(f"{username} activated")


@users_cli.command("password")
def users_password(ctx: typer.Context, username: str) -> None:
    """Set a new password (TEARLINE_NEW_PASSWORD or prompt); ends the user's sessions."""
    from tearline.workflow import users

    app = open_app(ctx)
    # Whoever sets another's password can sign in as them: the operator's break-glass.
    by = _break_glass(app, f"users password {username}", f"user:{username}")
    users.set_password(app, username, _new_password(username), by=by)
    out.print(f"password of {username} changed; their sessions have ended")


@users_cli.command("token")
def users_token(
    ctx: typer.Context,
    username: str,
    name: Annotated[str, typer.Option("--name", help="What will use the token.")],
    days: Annotated[int | None, typer.Option(help="Lifetime in days (default: none).")] = None,
) -> None:
    """Create your own API token, as USERNAME (password: TEARLINE_PASSWORD or prompt);
    printed once, kept only as a hash. Nobody creates a token for someone else."""
    from tearline.workflow import sessions

    app = open_app(ctx)
    token_id, token = sessions.create_token(
        app, username, name, days=days, by=signed_in(app, username)
    )
    out.print(
        f"API token #{token_id} for {username} (shown once; send as 'Authorization: Bearer'):"
    )
    out.print(token, markup=False)


@users_cli.command("tokens")
def users_tokens(
    ctx: typer.Context, username: Annotated[str | None, typer.Argument()] = None
) -> None:
    """List API tokens (never their secret)."""
    from tearline.workflow import sessions

    for tok in sessions.list_tokens(open_app(ctx), username):
        state = f"revoked {tok.revoked_at:%Y-%m-%d}" if tok.revoked_at else "active"
        expires = f", expires {tok.expires_at:%Y-%m-%d}" if tok.expires_at else ""
        out.print(
            f"#{tok.id} {tok.username} '{tok.name}' {tok.prefix}… {state}{expires}"
            f" (created by {tok.created_by})",
            markup=False,
        )


@users_cli.command("revoke-token")
def users_revoke_token(ctx: typer.Context, token_id: int) -> None:
    """Revoke an API token by its number."""
    from tearline.workflow import sessions

    sessions.revoke_token(open_app(ctx), token_id, by=os_user())
    out.print(f"API token #{token_id} revoked")
