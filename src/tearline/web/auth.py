"""Who is asking: a browser session (cookie) or a machine (bearer API token), and what
their roles allow. Signing in and out, and the per-form CSRF token.

Cookies are HttpOnly and SameSite=Strict, and Secure whenever the request came over
https (or always, with ``TEARLINE_SECURE_COOKIES=always``); over https the session
cookie takes the ``__Host-`` prefix, which browsers bind to this exact origin.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from tearline import workflow as wf
from tearline.workflow import sessions
from tearline.workflow.app import acting_token
from tearline.workflow.users import Identity, Role

READERS = (Role.ANALYST, Role.DUTY_OFFICER, Role.APPROVER, Role.AUDITOR)
ANTI_FORGERY = "tearline_csrf"  # double-submit cookie for forms shown before sign-in


@dataclass(frozen=True)
class Viewer:
    identity: Identity
    display_name: str
    csrf: str  # empty for token (machine) requests: they carry no ambient credential
    via: str  # "session" | "token"
    session_token: str = ""
    token_id: int | None = None  # the API token a machine request acts with

    @property
    def username(self) -> str:
        return self.identity.username

    def has(self, *roles: Role) -> bool:
        return self.identity.has(*roles)


class NotSignedIn(Exception):
    """No valid session or token: pages redirect to sign-in, the API answers 401."""


class Forbidden(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)


class BadCsrf(Exception):
    """A state-changing request without this session's CSRF token."""


def app_of(request: Request) -> wf.App:
    application: wf.App = request.app.state.tearline
    return application


def is_secure(request: Request) -> bool:
    return request.url.scheme == "https" or app_of(request).settings.secure_cookies == "always"


def session_cookie(request: Request) -> str:
    return "__Host-tearline_session" if is_secure(request) else "tearline_session"


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _resolve(request: Request) -> Viewer | None:
    if hasattr(request.state, "viewer"):
        cached: Viewer | None = request.state.viewer
        return cached
    application = app_of(request)
    found: Viewer | None = None
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        owner = await run_in_threadpool(sessions.token_owner, application, header[7:].strip())
        if owner is not None:
            who, token_id = owner
            found = Viewer(who, who.username, "", "token", token_id=token_id)
    else:
        token = request.cookies.get(session_cookie(request), "")
        if token:
            take = request.method == "GET" and "hx-request" not in request.headers
            info = await run_in_threadpool(
                lambda: sessions.session_info(application, token, take_flash=take)
            )
            if info is not None:
                found = Viewer(info.identity, info.display_name, info.csrf_token, "session", token)
                request.state.flash = info.flash if take else None
    request.state.viewer = found
    return found


async def optional_viewer(request: Request) -> Viewer | None:
    return await _resolve(request)


async def check_csrf(request: Request, viewer: Viewer) -> None:
    """Session requests that change state must carry the session's CSRF token."""
    if viewer.via != "session" or request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    sent = request.headers.get("x-csrf-token", "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        limit = app_of(request).settings.max_document_bytes + 1024
        form = await request.form(max_part_size=limit)
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else ""
    if not sent or not hmac.compare_digest(sent.encode(), viewer.csrf.encode()):
        raise BadCsrf()


def need(*roles: Role) -> Any:
    """A dependency: a signed-in viewer holding one of ``roles`` (any role if none given)."""

    async def dependency(request: Request) -> Viewer:
        viewer = await _resolve(request)
        if viewer is None:
            raise NotSignedIn()
        # What this request writes to the audit record names the token it acts with.
        acting_token.set(viewer.token_id)
        if roles and not viewer.has(*roles):
            names = " or ".join(r.value.replace("_", " ") for r in roles)
            raise Forbidden(f"this needs the {names} role")
        await check_csrf(request, viewer)
        return viewer

    return Depends(dependency)


AnyUser = Annotated[Viewer, need()]
Reader = Annotated[Viewer, need(*READERS)]
Analyst = Annotated[Viewer, need(Role.ANALYST)]
Ingester = Annotated[Viewer, need(Role.ANALYST, Role.DUTY_OFFICER)]
DutyOfficer = Annotated[Viewer, need(Role.DUTY_OFFICER)]
Approver = Annotated[Viewer, need(Role.APPROVER)]
Auditor = Annotated[Viewer, need(Role.AUDITOR)]
Admin = Annotated[Viewer, need(Role.ADMIN)]
Optional = Annotated[Viewer | None, Depends(optional_viewer)]


def anti_forgery_token(request: Request) -> str:
    """The double-submit token for forms shown to someone not (yet) signed in."""
    existing = request.cookies.get(ANTI_FORGERY, "")
    if 20 <= len(existing) <= 100:
        return existing
    token: str = getattr(request.state, "new_anti_forgery", "") or secrets.token_urlsafe(24)
    request.state.new_anti_forgery = token
    return token


def anti_forgery_ok(request: Request, sent: str) -> bool:
    cookie = request.cookies.get(ANTI_FORGERY, "")
    return bool(cookie) and bool(sent) and hmac.compare_digest(cookie.encode(), sent.encode())
