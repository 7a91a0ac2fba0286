"""Who is asking: a browser session (cookie) or a machine (bearer API token), and what
their roles allow. Signing in and out, and the per-form CSRF token.

Cookies are HttpOnly and SameSite=Strict, and Secure whenever the request came over
https (or always, with ``TEARLINE_SECURE_COOKIES=always``); over https the session
cookie takes the ``__Host-`` prefix, which browsers bind to this exact origin.
"""

from __future__ import annotations

import functools
import hmac
import inspect
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, get_origin

from fastapi import Depends, Request, Response, params
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from tearline import workflow as wf
from tearline.workflow import sessions
from tearline.workflow.app import acting_token
from tearline.workflow.users import Identity, Role

READERS = (Role.ANALYST, Role.DUTY_OFFICER, Role.APPROVER, Role.AUDITOR)
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
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


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def _lookup(request: Request) -> Viewer | None:
    """Who is asking, read from the database (blocking: call it in a worker thread)."""
    if hasattr(request.state, "viewer"):
        cached: Viewer | None = request.state.viewer
        return cached
    application = app_of(request)
    found: Viewer | None = None
    bearer = _bearer(request)
    if bearer is not None:
        owner = sessions.token_owner(application, bearer)
        if owner is not None:
            who, token_id = owner
            found = Viewer(who, who.username, "", "token", token_id=token_id)
    else:
        token = request.cookies.get(session_cookie(request), "")
        if token:
            take = request.method == "GET" and "hx-request" not in request.headers
            info = sessions.session_info(application, token, take_flash=take)
            if info is not None:
                found = Viewer(info.identity, info.display_name, info.csrf_token, "session", token)
                request.state.flash = info.flash if take else None
    request.state.viewer = found
    return found


async def _resolve(request: Request) -> Viewer | None:
    if hasattr(request.state, "viewer"):
        cached: Viewer | None = request.state.viewer
        return cached
    if _bearer(request) is None and not request.cookies.get(session_cookie(request)):
        request.state.viewer = None  # nothing to look up: no trip to a worker thread
        return None
    return await run_in_threadpool(_lookup, request)


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


def _admit(viewer: Viewer | None, roles: tuple[Role, ...]) -> Viewer:
    if viewer is None:
        raise NotSignedIn()
    # What this request writes to the audit record names the token it acts with.
    acting_token.set(viewer.token_id)
    if roles and not viewer.has(*roles):
        names = " or ".join(r.value.replace("_", " ") for r in roles)
        raise Forbidden(f"this needs the {names} role")
    return viewer


_ROLES_OF: dict[Callable[..., Any], tuple[Role, ...]] = {}  # need()'s dependencies


def need(*roles: Role) -> Any:
    """A dependency: a signed-in viewer holding one of ``roles`` (any role if none given)."""

    async def dependency(request: Request) -> Viewer:
        viewer = _admit(await _resolve(request), roles)
        await check_csrf(request, viewer)
        return viewer

    _ROLES_OF[dependency] = roles
    return Depends(dependency)


@dataclass(frozen=True)
class SignIn:
    """``need(*roles)`` still to be checked, in the endpoint's worker thread (OneHop)."""

    request: Request
    roles: tuple[Role, ...]
    checked: Viewer | None = None  # a session's write is checked before, on the loop

    def viewer(self) -> Viewer:
        """The signed-in viewer, or NotSignedIn / Forbidden. Blocking: in a worker thread."""
        if self.checked is not None:
            acting_token.set(self.checked.token_id)
            return self.checked
        return _admit(_lookup(self.request), self.roles)


def _sign_in(roles: tuple[Role, ...]) -> Callable[[Request], Coroutine[Any, Any, SignIn]]:
    async def sign_in(request: Request) -> SignIn:
        request.state.sign_in = SignIn(request, roles)
        if request.method in UNSAFE and _bearer(request) is None:
            # A session's write: its CSRF token may be in the form, which is read here.
            viewer = _admit(await _resolve(request), roles)
            await check_csrf(request, viewer)
            request.state.sign_in = SignIn(request, roles, viewer)
        sign: SignIn = request.state.sign_in
        return sign

    return sign_in


def _roles_needed(annotation: Any) -> tuple[Role, ...] | None:
    if get_origin(annotation) is not Annotated:
        return None
    for extra in annotation.__metadata__:
        if isinstance(extra, params.Depends) and extra.dependency in _ROLES_OF:
            return _ROLES_OF[extra.dependency]
    return None


def _in_one_hop(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """``endpoint`` as an async function that runs its viewer's check (``need``) and then
    the endpoint itself in one worker thread, the response's check on the loop after."""
    if not inspect.isfunction(endpoint) or inspect.iscoroutinefunction(endpoint):
        return endpoint
    signature = inspect.signature(endpoint, eval_str=True)
    deferred: list[str] = []
    parameters = []
    for parameter in signature.parameters.values():
        roles = _roles_needed(parameter.annotation)
        if roles is not None:
            deferred.append(parameter.name)
            parameter = parameter.replace(annotation=Annotated[SignIn, Depends(_sign_in(roles))])
        parameters.append(parameter)

    def run(values: dict[str, Any]) -> Any:
        for name in deferred:
            values[name] = values[name].viewer()
        return endpoint(**values)

    @functools.wraps(endpoint)
    async def one_hop(**values: Any) -> Any:
        return await run_in_threadpool(run, values)

    one_hop.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return one_hop


class OneHop(APIRoute):
    """A route whose sync endpoint and its sign-in check (``Reader``, ``Analyst``, ...) run
    together in one worker thread.

    FastAPI runs a sync dependency and a sync endpoint in a thread each, and the check of
    what the endpoint returned in a third: a request took its turn at the thread limiter
    (TEARLINE_WEB_THREADS) three times, each time behind every request that had arrived
    meanwhile, so the slowest answers waited several queues. In one hop a request waits
    once, in arrival order. The check itself is unchanged and still made on every request.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _in_one_hop(endpoint), **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def checked_first(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError:
                # Who is asking comes before the parameters, as it did when the check ran
                # as a dependency: a stranger is told 401, not what a parameter should be.
                sign: SignIn | None = getattr(request.state, "sign_in", None)
                if sign is not None:
                    await run_in_threadpool(sign.viewer)
                raise

        return checked_first


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
