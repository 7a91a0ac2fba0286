"""Pages for the record and its keepers: the audit (filter, verify the chain, after-action
timelines) and administration (users, roles, compartments, API tokens)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from tearline import workflow as wf
from tearline.errors import AuditChainBroken, InputError, TearlineError
from tearline.ids import Kind, parse_id
from tearline.web.auth import Admin, Auditor, Reader, app_of
from tearline.web.render import act, flash, page
from tearline.workflow import desk, sessions, users
from tearline.workflow.timeline import case_timeline

router = APIRouter(include_in_schema=False)


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(
    request: Request,
    viewer: Auditor,
    actor: str = "",
    action: str = "",
    subject: str = "",
    before: int | None = None,
) -> Response:
    rows = await run_in_threadpool(
        lambda: desk.audit_search(
            app_of(request), actor=actor, action=action, subject=subject, before_seq=before
        )
    )
    filters = {"actor": actor, "action": action, "subject": subject}
    return page(request, "audit.html", viewer, rows=rows, filters=filters, chain=None)


@router.get("/audit/verify", response_class=HTMLResponse)
async def audit_verify(request: Request, viewer: Auditor) -> Response:
    try:
        report = await run_in_threadpool(wf.audit_verify, app_of(request))
        chain = {"ok": True, "entries": report.entries, "head": report.head_hash}
    except AuditChainBroken as exc:
        chain = {"ok": False, "message": str(exc), "seq": exc.seq}
    rows = await run_in_threadpool(desk.audit_search, app_of(request))
    filters = {"actor": "", "action": "", "subject": ""}
    return page(request, "audit.html", viewer, rows=rows, filters=filters, chain=chain)


@router.get("/threats/{ref}/timeline", response_class=HTMLResponse)
async def timeline_page(request: Request, ref: str, viewer: Reader) -> Response:
    k, n = parse_id(ref, Kind.THREAT)
    data = await run_in_threadpool(
        case_timeline, app_of(request), f"{k.value}-{n}", viewer.identity
    )
    return page(request, "timeline.html", viewer, timeline=data)


@router.get("/admin/users", response_class=HTMLResponse)
async def users_page(request: Request, viewer: Admin) -> Response:
    app = app_of(request)
    people = await run_in_threadpool(users.list_users, app)
    tokens = await run_in_threadpool(sessions.list_tokens, app)
    return page(
        request,
        "users.html",
        viewer,
        people=people,
        tokens=tokens,
        roles=[r.value for r in users.Role],
        new_token=None,
    )


@router.post("/admin/users")
async def user_create(
    request: Request,
    viewer: Admin,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    display_name: Annotated[str, Form()] = "",
    roles: Annotated[list[str] | None, Form()] = None,
    compartments: Annotated[str, Form()] = "",
) -> Response:
    app = app_of(request)

    def run() -> str:
        if not roles:
            raise InputError("give the new user at least one role")
        users.add_user(
            app,
            username.strip(),
            password,
            roles,
            display_name=display_name.strip(),
            compartments=compartments.replace(",", " ").split(),
            by=viewer.username,
        )
        return f"user {username.strip()} created"

    return await act(request, viewer, "/admin/users", run)


@router.post("/admin/users/{username}")
async def user_update(
    request: Request,
    username: str,
    viewer: Admin,
    roles: Annotated[list[str] | None, Form()] = None,
    compartments: Annotated[str, Form()] = "",
    active: Annotated[str, Form()] = "",
) -> Response:
    app = app_of(request)

    def run() -> str:
        current = users.get_user(app, username)
        if not roles:
            raise InputError("a user keeps at least one role; deactivate them instead")
        users.set_roles(app, username, roles, by=viewer.username)
        wanted = set(users.normalise_compartments(compartments.replace(",", " ").split()))
        held = set(current.compartments)
        users.grant_compartments(
            app, username, add=wanted - held, remove=held - wanted, by=viewer.username
        )
        users.set_active(app, username, bool(active), by=viewer.username)
        return f"user {username} updated"

    return await act(request, viewer, "/admin/users", run)


@router.post("/admin/users/{username}/tokens", response_class=HTMLResponse)
async def token_create(
    request: Request,
    username: str,
    viewer: Admin,
    name: Annotated[str, Form()],
    days: Annotated[str, Form()] = "",
) -> Response:
    app = app_of(request)
    try:
        lifetime = int(days) if days.strip() else None
        token_id, token = await run_in_threadpool(
            lambda: sessions.create_token(app, username, name, days=lifetime, by=viewer.username)
        )
    except (TearlineError, ValueError) as exc:
        await flash(request, viewer, "error", str(exc))
        return await users_page(request, viewer)
    people = await run_in_threadpool(users.list_users, app)
    tokens = await run_in_threadpool(sessions.list_tokens, app)
    # Shown once, on this page only (never stored in clear, never in a redirect).
    return page(
        request,
        "users.html",
        viewer,
        people=people,
        tokens=tokens,
        roles=[r.value for r in users.Role],
        new_token={"id": token_id, "token": token, "username": username},
    )


@router.post("/admin/tokens/{token_id}/revoke")
async def token_revoke(request: Request, token_id: int, viewer: Admin) -> Response:
    app = app_of(request)

    def run() -> str:
        sessions.revoke_token(app, token_id, by=viewer.username)
        return f"API token #{token_id} revoked"

    return await act(request, viewer, "/admin/users", run)
