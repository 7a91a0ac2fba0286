"""Users: roles, compartments, Argon2 passwords, signing in — every change on the record.

A role says what a person may do (``Identity.require``); a compartment says what they
may see: a report or case marked with compartments is visible only to a user who holds
every one of them (``workflow.access`` puts that rule into the queries).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tearline.errors import AuthError, InputError, InvalidState, NotFound
from tearline.store.tables import User, WebSession
from tearline.workflow.app import App, Unit


class Role(StrEnum):
    ANALYST = "analyst"
    DUTY_OFFICER = "duty_officer"
    APPROVER = "approver"
    AUDITOR = "auditor"
    ADMIN = "admin"


ROLE_HELP = {
    Role.ANALYST: "triages reports, corrects extracted facts, merges and splits cases, grades",
    Role.DUTY_OFFICER: "makes the determination, proposes releases, records responses",
    Role.APPROVER: "the second person: approves releases and waivers",
    Role.AUDITOR: "reads the whole audit record and verifies the chain",
    Role.ADMIN: "manages users, compartments and API tokens",
}
MIN_PASSWORD = 12
_COMPARTMENT = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,39}$")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")

_hasher = PasswordHasher()


@dataclass(frozen=True)
class Identity:
    """Who is acting: a signed-in user, or a system process such as the worker."""

    username: str
    roles: frozenset[Role]
    compartments: frozenset[str] = field(default_factory=frozenset)

    def require(self, role: Role, doing: str) -> None:
        if role not in self.roles:
            raise AuthError(f"{self.username} cannot {doing}: it needs the {role.value} role")

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))


SYSTEM = Identity("system", frozenset())
WORKER = Identity("worker", frozenset())


@dataclass(frozen=True)
class UserView:
    username: str
    display_name: str
    roles: list[str]
    compartments: list[str]
    active: bool
    created_at: datetime
    kind: str = "person"


def normalise_compartments(names: Iterable[str]) -> list[str]:
    """Compartment names are upper-case words ("CT", "HUMINT-7"); anything else is refused."""
    out = set()
    for raw in names:
        name = raw.strip().upper()
        if not name:
            continue
        if not _COMPARTMENT.match(name):
            raise InputError(
                f"{raw!r} is not a compartment name: use letters, digits, '-' or '_' (max 40)"
            )
        out.add(name)
    return sorted(out)


def parse_roles(roles: Iterable[Role | str]) -> list[Role]:
    try:
        return sorted({Role(r) for r in roles})
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise InputError(f"unknown role in {list(roles)}; use {names}") from None


def identity_of(user: User) -> Identity:
    return identity_from(user.username, user.roles, user.compartments)


def identity_from(
    username: str, roles: Iterable[str], compartments: Iterable[str] | None
) -> Identity:
    """An identity from a user's stored columns (read as a plain row)."""
    return Identity(username, frozenset(Role(r) for r in roles), frozenset(compartments or []))


def add_user(
    app: App,
    username: str,
    password: str,
    roles: Iterable[Role | str],
    *,
    display_name: str = "",
    compartments: Iterable[str] = (),
    by: str = "system",
) -> None:
    """A user with these roles and compartments at once: the operator's path (setup, the
    demo, the first admin). The faces use ``grants.create_user``, which asks a second
    admin for approver, duty officer, admin and compartments."""
    with app.unit() as u:
        insert_user(
            u,
            username,
            password,
            roles,
            display_name=display_name,
            compartments=compartments,
            by=by,
        )


def insert_user(
    u: Unit,
    username: str,
    password: str,
    roles: Iterable[Role | str],
    *,
    display_name: str = "",
    compartments: Iterable[str] = (),
    by: str,
    kind: str = "person",
) -> User:
    """Add a user in this unit, audited (the first user of a database as the bootstrap)."""
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"a password needs at least {MIN_PASSWORD} characters")
    if not _USERNAME.match(username):
        raise InputError(
            f"{username!r} is not a user name: lower-case letters, digits, '.', '_' or '-'"
        )
    role_list = [r.value for r in parse_roles(roles)]
    held = normalise_compartments(compartments)
    if u.session.scalar(select(User).where(User.username == username)):
        raise InvalidState(f"user {username!r} already exists")
    first = u.session.scalar(select(User.id).limit(1)) is None
    user = User(
        username=username,
        display_name=display_name or username,
        roles=role_list,
        compartments=held,
        password_hash=_hasher.hash(password),
        created_at=u.now,
        kind=kind,
        created_by=by,
    )
    u.session.add(user)
    u.session.flush()
    details: dict[str, object] = {"roles": role_list, "compartments": held}
    if kind != "person":
        details["kind"] = kind
    if first:
        details["bootstrap"] = "the first user of this database"
    u.audit(by, "user.created", f"user:{username}", details)
    return user


def verify_password(app: App, username: str, password: str) -> str | None:
    """The stored hash this password matches, or None — the same for every failure.

    Checked outside any write transaction: Argon2 takes tens of milliseconds by design,
    and holding SQLite's write lock for it stalled the whole desk (sign-in p99 18 s under
    50 clients). ``password_holder`` then takes the user under the lock."""
    with app.read() as session:
        row = session.execute(
            select(User.password_hash, User.active, User.kind).where(User.username == username)
        ).first()
    if row is None or not row.active or row.kind == "service":
        # A service account has only tokens. Spend the same time as a real check so
        # timing does not say who exists.
        _hasher.hash(password)
        return None
    try:
        _hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return str(row.password_hash)


def password_holder(session: Session, username: str, matched: str, password: str) -> User | None:
    """The active user whose stored hash is still the one ``verify_password`` matched (not
    changed or deactivated meanwhile); its hash is renewed when the parameters moved."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or user.kind == "service":
        return None
    if user.password_hash != matched:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def sign_in(app: App, username: str, password: str) -> Identity:
    """Check a password; the same message for an unknown user and a wrong password."""
    matched = verify_password(app, username, password)
    with app.unit() as u:
        user = password_holder(u.session, username, matched, password) if matched else None
        if user is None:
            u.audit(username[:64], "login.failed", f"user:{username[:40]}")
        else:
            u.audit(username, "login", f"user:{username}")
            return identity_of(user)
    raise AuthError(f"sign-in failed for {username!r}: unknown user or wrong password")


def _user(u: Unit, username: str) -> User:
    user = u.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def _view(x: User) -> UserView:
    return UserView(
        x.username,
        x.display_name,
        list(x.roles),
        list(x.compartments),
        x.active,
        x.created_at,
        x.kind or "person",
    )


def list_users(app: App) -> list[UserView]:
    with app.read() as session:
        return [_view(x) for x in session.scalars(select(User).order_by(User.id))]


def get_user(app: App, username: str) -> UserView:
    with app.read() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"no user {username!r}")
        return _view(user)


def grant_compartments(
    app: App, username: str, *, add: Iterable[str] = (), remove: Iterable[str] = (), by: str
) -> list[str]:
    """Give or take compartments at once, no second admin: the operator's break-glass path
    (``grants`` for the faces); returns what the user holds afterwards."""
    plus, minus = normalise_compartments(add), normalise_compartments(remove)
    with app.unit() as u:
        user = _user(u, username)
        before = set(user.compartments or [])
        after = sorted((before | set(plus)) - set(minus))
        if after != sorted(before):
            user.compartments = after
            u.audit(
                by,
                "user.compartments",
                f"user:{username}",
                {"added": sorted(set(after) - before), "removed": sorted(before - set(after))},
            )
        return after


def set_roles(app: App, username: str, roles: Iterable[Role | str], *, by: str) -> list[str]:
    """Roles at once, no second admin: the operator's break-glass path (``grants`` for
    the faces)."""
    role_list = [r.value for r in parse_roles(roles)]
    with app.unit() as u:
        user = _user(u, username)
        if sorted(user.roles) != role_list:
            u.audit(
                by, "user.roles", f"user:{username}", {"from": sorted(user.roles), "to": role_list}
            )
            user.roles = role_list
        return role_list


def set_active(app: App, username: str, active: bool, *, by: str) -> None:
    """Deactivate (or reactivate) a user: a deactivated user's sessions stop at once."""
    with app.unit() as u:
        user = _user(u, username)
        if user.username == by and not active:
            raise InvalidState("you cannot deactivate yourself; ask another administrator")
        if user.active != active:
            user.active = active
            u.audit(by, "user.activated" if active else "user.deactivated", f"user:{username}")


def set_password(app: App, username: str, password: str, *, by: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"a password needs at least {MIN_PASSWORD} characters")
    with app.unit() as u:
        user = _user(u, username)
        user.password_hash = _hasher.hash(password)
        # A new password ends every session signed in with the old one.
        u.session.execute(delete(WebSession).where(WebSession.user_id == user.id))
        u.audit(by, "user.password_set", f"user:{username}")


def answerable_person(session: Session, username: str) -> str:
    """The person answerable for ``username``'s acts: a service account acts for whoever
    created it (and so on up), so the two-person rule compares people, not accounts."""
    seen = {username}
    while True:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or user.kind != "service" or not user.created_by:
            return username
        if user.created_by in seen:
            return username  # a loop of service accounts: the account answers for itself
        username = user.created_by
        seen.add(username)


def same_person(session: Session, first: str, second: str) -> bool:
    """Whether two accounts answer to one person (the two-person rule's test)."""
    return answerable_person(session, first) == answerable_person(session, second)
