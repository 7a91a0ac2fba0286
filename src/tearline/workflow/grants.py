"""Grants that need a second admin: no one gives a role or a compartment alone.

A role that takes part in the two-person rule (duty officer, approver, admin) or a
compartment, asked for by one admin, is recorded as a pending grant and takes effect only
when a *different* admin approves it — never the one who asked, never the one it is for.
Taking a role or a compartment away is the safer direction and takes effect at once.
Analyst and auditor are given at once: neither proposes nor approves a warning.

The first account of a deployment cannot wait for a second admin: ``users.add_user``
called by the operator on an empty database (``tearline users add``, ``tearline demo``)
is the bootstrap and is audited as such.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from tearline.errors import InputError, InvalidState, NotFound, TwoPersonRule
from tearline.store.tables import PendingGrant, User
from tearline.workflow.app import App, Unit
from tearline.workflow.sessions import create_service_token
from tearline.workflow.users import (
    Identity,
    Role,
    insert_user,
    normalise_compartments,
    parse_roles,
)

# Roles that act in the two-person rule or hand out roles: given only by two admins.
SECOND_ADMIN_ROLES = frozenset({Role.DUTY_OFFICER, Role.APPROVER, Role.ADMIN})


@dataclass(frozen=True)
class GrantView:
    id: int
    username: str
    kind: str  # "role" | "compartment"
    value: str
    state: str  # "pending" | "approved" | "rejected"
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None


@dataclass(frozen=True)
class Change:
    """What a change of roles or compartments did: at once, and what now waits."""

    applied: list[str]
    pending: list[int]  # grant numbers waiting for a second admin


def _admin(by: Identity, doing: str) -> None:
    by.require(Role.ADMIN, doing)


def _user(u: Unit, username: str) -> User:
    user = u.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def _ask(u: Unit, user: User, kind: str, value: str, by: Identity) -> int:
    """A pending grant (the one already waiting, if the same was asked before)."""
    waiting = u.session.scalar(
        select(PendingGrant).where(
            PendingGrant.user_id == user.id,
            PendingGrant.kind == kind,
            PendingGrant.value == value,
            PendingGrant.state == "pending",
        )
    )
    if waiting is not None:
        return waiting.id
    row = PendingGrant(
        user_id=user.id,
        kind=kind,
        value=value,
        state="pending",
        requested_by=by.username,
        requested_at=u.now,
    )
    u.session.add(row)
    u.session.flush()
    u.audit(
        by.username,
        "grant.requested",
        f"user:{user.username}",
        {"grant": row.id, kind: value, "needs": "a second admin"},
    )
    return row.id


def change_roles(app: App, username: str, roles: Iterable[Role | str], *, by: Identity) -> Change:
    """Make ``username`` hold ``roles``: removals and analyst/auditor at once, the rest
    as pending grants for a second admin."""
    _admin(by, "change roles")
    wanted = {r.value for r in parse_roles(roles)}
    with app.unit() as u:
        user = _user(u, username)
        held = set(user.roles)
        now = {r for r in held if r in wanted}
        now |= {r for r in wanted - held if Role(r) not in SECOND_ADMIN_ROLES}
        pending = [_ask(u, user, "role", r, by) for r in sorted(wanted - held - now)]
        if now != held:
            u.audit(
                by.username,
                "user.roles",
                f"user:{username}",
                {"from": sorted(held), "to": sorted(now)},
            )
            user.roles = sorted(now)
        return Change(sorted(now), pending)


def change_compartments(
    app: App, username: str, *, add: Iterable[str] = (), remove: Iterable[str] = (), by: Identity
) -> Change:
    """Take compartments away at once; ask a second admin for the ones to add."""
    _admin(by, "change compartments")
    plus, minus = normalise_compartments(add), normalise_compartments(remove)
    with app.unit() as u:
        user = _user(u, username)
        before = set(user.compartments or [])
        after = sorted(before - set(minus))
        if after != sorted(before):
            user.compartments = after
            u.audit(
                by.username,
                "user.compartments",
                f"user:{username}",
                {"added": [], "removed": sorted(before - set(after))},
            )
        pending = [_ask(u, user, "compartment", c, by) for c in plus if c not in after]
        return Change(after, pending)


def create_user(
    app: App,
    username: str,
    password: str,
    roles: Iterable[Role | str],
    *,
    display_name: str = "",
    compartments: Iterable[str] = (),
    by: Identity,
    kind: str = "person",
) -> Change:
    """A new user: analyst/auditor at once, other roles and compartments pending."""
    _admin(by, "create users")
    wanted = parse_roles(roles)
    held = normalise_compartments(compartments)
    now = [r for r in wanted if r not in SECOND_ADMIN_ROLES]
    with app.unit() as u:
        user = insert_user(
            u, username, password, now, display_name=display_name, by=by.username, kind=kind
        )
        pending = [_ask(u, user, "role", r.value, by) for r in wanted if r in SECOND_ADMIN_ROLES]
        pending += [_ask(u, user, "compartment", c, by) for c in held]
        return Change([r.value for r in now], pending)


def create_service_account(
    app: App,
    username: str,
    token_name: str,
    roles: Iterable[Role | str],
    *,
    display_name: str = "",
    compartments: Iterable[str] = (),
    days: int | None = None,
    by: Identity,
) -> tuple[Change, int, str]:
    """A machine that is its own user, with no password; its first token is returned once.

    It is given roles as a person is: approver, duty officer, admin and compartments only
    when a second admin approves."""
    _admin(by, "create service accounts")
    change = create_user(
        app,
        username,
        secrets.token_urlsafe(32),  # kept by nobody: a service account cannot sign in
        roles,
        display_name=display_name or f"{username} (service)",
        compartments=compartments,
        by=by,
        kind="service",
    )
    token_id, token = create_service_token(app, username, token_name, days=days, by=by.username)
    return change, token_id, token


def _decide(app: App, grant_id: int, by: Identity, approve: bool) -> GrantView:
    with app.unit() as u:
        row = u.session.get(PendingGrant, grant_id)
        if row is None:
            raise NotFound(f"no grant #{grant_id}")
        if row.state != "pending":
            raise InvalidState(f"grant #{grant_id} was already {row.state} by {row.decided_by}")
        user = u.session.get(User, row.user_id)
        assert user is not None
        if approve:
            if by.username == row.requested_by:
                raise TwoPersonRule(
                    f"{by.username} asked for grant #{grant_id}: a different admin must approve it"
                )
            if by.username == user.username:
                raise TwoPersonRule(
                    f"grant #{grant_id} is for {by.username}: another admin must approve it"
                )
            if row.kind == "role":
                user.roles = sorted({*user.roles, row.value})
            else:
                user.compartments = sorted({*(user.compartments or []), row.value})
        row.state = "approved" if approve else "rejected"
        row.decided_by, row.decided_at = by.username, u.now
        u.audit(
            by.username,
            f"grant.{row.state}",
            f"user:{user.username}",
            {"grant": row.id, row.kind: row.value, "requested_by": row.requested_by},
        )
        return _view(row, user.username)


def approve_grant(app: App, grant_id: int, *, by: Identity) -> GrantView:
    """The second admin's approval: the role or compartment takes effect now."""
    _admin(by, "approve grants")
    return _decide(app, grant_id, by, approve=True)


def reject_grant(app: App, grant_id: int, *, by: Identity) -> GrantView:
    """Refuse (or, by the admin who asked, withdraw) a pending grant."""
    _admin(by, "reject grants")
    return _decide(app, grant_id, by, approve=False)


def _view(row: PendingGrant, username: str) -> GrantView:
    return GrantView(
        row.id,
        username,
        row.kind,
        row.value,
        row.state,
        row.requested_by,
        row.requested_at,
        row.decided_by,
        row.decided_at,
    )


def list_grants(app: App, *, pending_only: bool = True) -> list[GrantView]:
    with app.read() as s:
        q = select(PendingGrant, User.username).join(User).order_by(PendingGrant.id)
        if pending_only:
            q = q.where(PendingGrant.state == "pending")
        return [_view(g, name) for g, name in s.execute(q).all()]


def parse_grant(text: str) -> int:
    """``7`` or ``#7`` or ``GRT-7``: the number of a grant."""
    raw = text.strip().lstrip("#").upper().removeprefix("GRT-")
    if not raw.isdigit():
        raise InputError(f"{text!r} is not a grant number (see 'tearline users grants')")
    return int(raw)


def record_break_glass(app: App, command: str, subject: str, *, by: str) -> None:
    """The operator grants without a second admin: its own audit action, for the reviewers."""
    with app.unit() as u:
        u.audit(by, "break_glass", subject, {"command": command[:200]})
