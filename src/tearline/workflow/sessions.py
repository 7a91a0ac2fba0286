"""Signed-in browsers and machines: sessions, API tokens and sign-in throttling.

Tokens are random (``secrets``); the store keeps only their SHA-256, so a copy of the
database does not let anyone sign in. Throttling counts failed attempts in the database,
so it holds across processes and restarts.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select

from tearline.errors import AuthError, InputError, NotFound, TooManyAttempts
from tearline.store.tables import ApiToken, LoginAttempt, User, WebSession
from tearline.workflow.app import App, Unit
from tearline.workflow.users import (
    Identity,
    identity_from,
    identity_of,
    password_holder,
    verify_password,
)

TOKEN_PREFIX = "tl_"  # noqa: S105 (a marker that says what the token is, not a secret)
CLIENT_FACTOR = 4  # one address may fail this many times more than one user name


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class SessionInfo:
    identity: Identity
    display_name: str
    csrf_token: str
    expires_at: datetime
    flash: str | None


def _throttled(app: App, username: str, client: str, now: datetime) -> int:
    """Seconds until another attempt is allowed (0 when it is allowed now)."""
    window = timedelta(minutes=app.settings.login_window_minutes)
    limit = app.settings.login_max_failures
    since = now - window
    with app.read() as s:
        for column, value, allowed in (
            (LoginAttempt.username, username, limit),
            (LoginAttempt.client, client, limit * CLIENT_FACTOR),
        ):
            last_ok = s.scalar(
                select(func.max(LoginAttempt.at)).where(column == value, LoginAttempt.ok)
            )
            start = max(since, last_ok) if last_ok else since
            failures = s.scalars(
                select(LoginAttempt.at)
                .where(column == value, ~LoginAttempt.ok, LoginAttempt.at > start)
                .order_by(LoginAttempt.at)
            ).all()
            if len(failures) >= allowed:
                # Allowed again when the oldest counted failure leaves the window.
                oldest = failures[len(failures) - allowed]
                return max(1, int((oldest + window - now).total_seconds()))
    return 0


def sign_in_throttled(app: App, username: str, password: str, client: str) -> Identity:
    """Sign in, refusing without a password check after too many recent failures."""
    username, client = username.strip()[:64], client[:64]
    now = app.clock.now()
    wait = _throttled(app, username, client, now)
    matched = None if wait else verify_password(app, username, password)  # no lock held
    with app.unit() as u:
        if wait:
            u.session.add(LoginAttempt(username=username, client=client, at=u.now, ok=False))
            u.audit(username, "login.throttled", f"user:{username[:40]}", {"client": client})
        else:
            user = password_holder(u.session, username, matched, password) if matched else None
            ok = user is not None
            u.session.add(LoginAttempt(username=username, client=client, at=u.now, ok=ok))
            if user is not None:
                u.audit(username, "login", f"user:{username}", {"client": client})
                return identity_of(user)
            u.audit(username, "login.failed", f"user:{username[:40]}", {"client": client})
    if wait:
        minutes = max(1, round(wait / 60))
        raise TooManyAttempts(
            f"too many failed sign-ins; try again in about {minutes} minute(s)",
            retry_after_seconds=wait,
        )
    raise AuthError("sign-in failed: unknown user or wrong password")


def open_session(app: App, who: Identity, client: str) -> str:
    """A new session for a signed-in user; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    with app.unit() as u:
        user = u.session.scalar(select(User).where(User.username == who.username))
        if user is None:
            raise NotFound(f"no user {who.username!r}")
        u.session.add(
            WebSession(
                id=_digest(token),
                user_id=user.id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=u.now,
                last_seen_at=u.now,
                expires_at=u.now + timedelta(hours=app.settings.session_max_hours),
                client=client[:64],
            )
        )
        # Old sessions of this user that have ended are of no further use.
        u.session.execute(
            delete(WebSession).where(WebSession.user_id == user.id, WebSession.expires_at < u.now)
        )
    return token


# The cookie check every page and desk request makes: the session and its user, one row.
_SESSION_OWNER = (
    select(
        WebSession.csrf_token,
        WebSession.last_seen_at,
        WebSession.expires_at,
        WebSession.flash,
        User.username,
        User.display_name,
        User.roles,
        User.compartments,
        User.active,
    )
    .join(User, User.id == WebSession.user_id)
    .where(WebSession.id == bindparam("digest"))
)


def session_info(app: App, token: str, *, take_flash: bool = False) -> SessionInfo | None:
    """The live session for a cookie token, or None (ended, idle too long, user inactive).
    Read afresh on every call, like ``token_owner``."""
    if not token or len(token) > 200:
        return None
    idle = timedelta(minutes=app.settings.session_idle_minutes)
    now = app.clock.now()
    with app.read_rows() as conn:
        row = conn.execute(_SESSION_OWNER, {"digest": _digest(token)}).first()
    if row is None or not row.active:
        return None
    if not (row.expires_at > now and row.last_seen_at + idle > now):
        return None
    who = identity_from(row.username, row.roles, row.compartments)
    info = SessionInfo(who, row.display_name, row.csrf_token, row.expires_at, row.flash)
    touch = now - row.last_seen_at > timedelta(seconds=60)
    if touch or (take_flash and info.flash):
        with app.unit() as u:
            live = u.session.get(WebSession, _digest(token))
            if live is not None:
                live.last_seen_at = u.now
                if take_flash:
                    live.flash = None
    return info


def set_flash(app: App, token: str, message: str) -> None:
    """A one-line message shown on the next page this browser opens."""
    with app.unit() as u:
        row = u.session.get(WebSession, _digest(token))
        if row is not None:
            row.flash = message[:2000]


def close_session(app: App, token: str, username: str) -> None:
    with app.unit() as u:
        row = u.session.get(WebSession, _digest(token))
        if row is not None:
            u.session.delete(row)
            u.audit(username, "logout", f"user:{username}")


@dataclass(frozen=True)
class TokenView:
    id: int
    username: str
    name: str
    prefix: str
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


def create_token(
    app: App, username: str, name: str, *, days: int | None = None, by: Identity
) -> tuple[int, str]:
    """A bearer token for the signed-in user themself; returned once and never again.

    Nobody mints a token for someone else — an admin neither: a token acting as another
    person would let one person both propose and approve. A machine that needs its own
    token is a service account (``grants.create_service_account``)."""
    if by.username != username:
        raise AuthError(
            f"{by.username} cannot create a token for {username}: a token is created only "
            "by the user it acts as (a machine gets a service account of its own)"
        )
    return _mint(app, username, name, days=days, by=by.username, person=True)


def create_service_token(
    app: App, username: str, name: str, *, days: int | None = None, by: str
) -> tuple[int, str]:
    """A token for a service account, shown once to the admin creating it."""
    return _mint(app, username, name, days=days, by=by, person=False)


def _mint(
    app: App, username: str, name: str, *, days: int | None, by: str, person: bool
) -> tuple[int, str]:
    name = name.strip()
    if not name or len(name) > 100:
        raise InputError("a token needs a name of 1-100 characters saying what uses it")
    if days is not None and days <= 0:
        raise InputError("a token's lifetime must be a positive number of days")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with app.unit() as u:
        user = u.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"no user {username!r}")
        if not person and (user.kind != "service" or user.created_by != by):
            raise AuthError(f"{by} cannot create a token for {username}: not its service account")
        row = ApiToken(
            user_id=user.id,
            name=name,
            token_hash=_digest(token),
            prefix=token[:10],
            created_by=by,
            created_at=u.now,
            expires_at=u.now + timedelta(days=days) if days else None,
        )
        u.session.add(row)
        u.session.flush()
        u.audit(
            by,
            "token.created",
            f"user:{username}",
            {
                "token": row.id,
                "name": name,
                "expires_at": row.expires_at.isoformat() if row.expires_at else None,
            },
        )
        return row.id, token


def token_identity(app: App, token: str) -> Identity | None:
    """The user a bearer token acts as, or None if it is unknown, revoked or expired."""
    found = token_owner(app, token)
    return found[0] if found else None


# The bearer check every API request makes: the token and its user, one joined row. Built
# once: building the statement cost more than running it.
_TOKEN_OWNER = (
    select(
        ApiToken.id,
        ApiToken.revoked_at,
        ApiToken.expires_at,
        ApiToken.last_used_at,
        User.username,
        User.roles,
        User.compartments,
        User.active,
    )
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("digest"))
)


def token_owner(app: App, token: str) -> tuple[Identity, int] | None:
    """The user a bearer token acts as and the token's number (for the audit record).
    Read afresh on every call: a revoked token or a disabled user stops at once."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    now = app.clock.now()
    with app.read_rows() as conn:
        row = conn.execute(_TOKEN_OWNER, {"digest": _digest(token)}).first()
    if row is None or row.revoked_at is not None or not row.active:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    stale = row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5)
    token_id = row.id
    who = identity_from(row.username, row.roles, row.compartments)
    if stale:
        with app.unit() as u:
            live = u.session.get(ApiToken, token_id)
            if live is not None:
                live.last_used_at = u.now
    return who, token_id


def list_tokens(app: App, username: str | None = None) -> list[TokenView]:
    with app.read() as s:
        q = select(ApiToken, User.username).join(User).order_by(ApiToken.id)
        if username:
            q = q.where(User.username == username)
        return [
            TokenView(
                t.id,
                name,
                t.name,
                t.prefix,
                t.created_by,
                t.created_at,
                t.expires_at,
                t.last_used_at,
                t.revoked_at,
            )
            for t, name in s.execute(q).all()
        ]


def revoke_token(app: App, token_id: int, *, by: str, owner: str | None = None) -> None:
    """Revoke a token at once (the safe direction: an admin may revoke anyone's). With
    ``owner``, only that user's token: a user revoking their own."""
    with app.unit() as u:
        row = u.session.get(ApiToken, token_id)
        mine = row is not None and (owner is None or _owner_of(u, row.user_id) == owner)
        if row is None or not mine:
            raise NotFound(f"no API token #{token_id}")
        if row.revoked_at is None:
            row.revoked_at = u.now
            user = u.session.get(User, row.user_id)
            who = user.username if user else "?"
            u.audit(by, "token.revoked", f"user:{who}", {"token": token_id, "name": row.name})


def _owner_of(u: Unit, user_id: int) -> str:
    user = u.session.get(User, user_id)
    return user.username if user else ""
