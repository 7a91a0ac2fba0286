"""Users, roles and signing in (Argon2 password hashes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from tearline.errors import AuthError, InvalidState
from tearline.store.tables import User
from tearline.workflow.app import App


class Role(StrEnum):
    ANALYST = "analyst"
    DUTY_OFFICER = "duty_officer"
    APPROVER = "approver"
    AUDITOR = "auditor"
    ADMIN = "admin"


_hasher = PasswordHasher()


@dataclass(frozen=True)
class Identity:
    """Who is acting: a signed-in user, or a system process such as the worker."""

    username: str
    roles: frozenset[Role]

    def require(self, role: Role, doing: str) -> None:
        if role not in self.roles:
            raise AuthError(f"{self.username} cannot {doing}: it needs the {role.value} role")


SYSTEM = Identity("system", frozenset())
WORKER = Identity("worker", frozenset())


def add_user(
    app: App,
    username: str,
    password: str,
    roles: Iterable[Role],
    *,
    display_name: str = "",
    by: str = "system",
) -> None:
    if len(password) < 12:
        raise AuthError("a password needs at least 12 characters")
    roles = sorted({Role(r) for r in roles})
    with app.unit() as u:
        if u.session.scalar(select(User).where(User.username == username)):
            raise InvalidState(f"user {username!r} already exists")
        u.session.add(
            User(
                username=username,
                display_name=display_name or username,
                roles=[r.value for r in roles],
                compartments=[],
                password_hash=_hasher.hash(password),
                created_at=u.now,
            )
        )
        u.audit(by, "user.created", f"user:{username}", {"roles": [r.value for r in roles]})


def sign_in(app: App, username: str, password: str) -> Identity:
    """Check a password; the same message for an unknown user and a wrong password."""
    with app.unit() as u:
        user = u.session.scalar(select(User).where(User.username == username))
        ok = False
        if user is not None and user.active:
            try:
                ok = _hasher.verify(user.password_hash, password)
            except (VerificationError, InvalidHashError):
                ok = False
        if not ok or user is None:
            u.audit(username[:64], "login.failed", f"user:{username[:40]}")
        else:
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            u.audit(username, "login", f"user:{username}")
            return Identity(username, frozenset(Role(r) for r in user.roles))
    raise AuthError(f"sign-in failed for {username!r}: unknown user or wrong password")


def list_users(app: App) -> list[tuple[str, list[str]]]:
    with app.unit() as u:
        return [(x.username, x.roles) for x in u.session.scalars(select(User).order_by(User.id))]
