"""Pages for the record and its keepers: the audit (filter, verify the chain, after-action
timelines), administration (users, roles and compartments that wait for a second admin,
service accounts) and each user's own API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from tearline import workflow as wf
from tearline.errors import AuditChainBroken, InputError, TearlineError
from tearline.ids import Kind, parse_id
from tearline.review.charts import timeline as timeline_chart
from tearline.web.auth import Admin, AnyUser, Auditor, Reader, Viewer, app_of
from tearline.web.render import act, flash, page
from tearline.workflow import desk, grants, sessions, users
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
        chain = {
            "ok": True,
            "entries": report.entries,
            "head": report.head_hash,
            "checkpoints": report.checkpoints,
        }
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
    chart = timeline_chart(
        "case-timeline",
        f"{data['ref']}: each step on a time axis",
        [(datetime.fromisoformat(e["at"]), e["stage"], e["label"]) for e in data["entries"]],
    )
    return page(request, "timeline.html", viewer, timeline=data, chart=chart)


def _change_message(username: str, change: grants.Change) -> str:
    if not change.pending:
        return f"user {username} saved"
    numbers = ", ".join(f"#{n}" for n in change.pending)
    return f"user {username} saved; grant(s) {numbers} wait for a second admin's approval"


async def _users(request: Request, viewer: Viewer, **shown: Any) -> Response:
    app = app_of(request)
    people = await run_in_threadpool(users.list_users, app)
    tokens = await run_in_threadpool(sessions.list_tokens, app)
    waiting = await run_in_threadpool(grants.list_grants, app)
    context: dict[str, Any] = {"new_token": None, **shown}
    return page(
        request,
        "users.html",
        viewer,
        people=people,
        tokens=tokens,
        grants=waiting,
        roles=[r.value for r in users.Role],
        **context,
    )


@router.get("/admin/users", response_class=HTMLResponse)
async def users_page(request: Request, viewer: Admin) -> Response:
    return await _users(request, viewer)


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
        change = grants.create_user(
            app,
            username.strip(),
            password,
            roles,
            display_name=display_name.strip(),
            compartments=compartments.replace(",", " ").split(),
            by=viewer.identity,
        )
        return _change_message(username.strip(), change)

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
        by = viewer.identity
        change = grants.change_roles(app, username, roles, by=by)
        wanted = set(users.normalise_compartments(compartments.replace(",", " ").split()))
        held = set(current.compartments)
        held_change = grants.change_compartments(
            app, username, add=wanted - held, remove=held - wanted, by=by
        )
        users.set_active(app, username, bool(active), by=viewer.username)
        both = grants.Change(change.applied, change.pending + held_change.pending)
        return _change_message(username, both)

    return await act(request, viewer, "/admin/users", run)


@router.post("/admin/grants/{grant_id}/{decision}")
async def grant_decide(request: Request, grant_id: int, decision: str, viewer: Admin) -> Response:
    app = app_of(request)

    def run() -> str:
        if decision not in ("approve", "reject"):
            raise InputError("a grant is approved or rejected")
        decide = grants.approve_grant if decision == "approve" else grants.reject_grant
        g = decide(app, grant_id, by=viewer.identity)
        return f"grant #{g.id} ({g.kind} {g.value} for {g.username}) {g.state}"

    return await act(request, viewer, "/admin/users", run)


@router.post("/admin/service-accounts", response_class=HTMLResponse)
async def service_account_create(
    request: Request,
    viewer: Admin,
    username: Annotated[str, Form()],
    name: Annotated[str, Form()],
    roles: Annotated[list[str] | None, Form()] = None,
    compartments: Annotated[str, Form()] = "",
    days: Annotated[str, Form()] = "",
) -> Response:
    app = app_of(request)
    try:
        lifetime = int(days) if days.strip() else None
        change, token_id, token = await run_in_threadpool(
            lambda: grants.create_service_account(
                app,
                username.strip(),
                name,
                roles or [],
                compartments=compartments.replace(",", " ").split(),
                days=lifetime,
                by=viewer.identity,
            )
        )
    except (TearlineError, ValueError) as exc:
        await flash(request, viewer, "error", str(exc))
        return await _users(request, viewer)
    # Shown once, on this page only (never stored in clear, never in a redirect).
    shown = {"id": token_id, "token": token, "username": username.strip()}
    return await _users(request, viewer, new_token=shown, change=change)


@router.post("/admin/tokens/{token_id}/revoke")
async def token_revoke(request: Request, token_id: int, viewer: Admin) -> Response:
    app = app_of(request)

    def run() -> str:
        sessions.revoke_token(app, token_id, by=viewer.username)
        return f"API token #{token_id} revoked"

    return await act(request, viewer, "/admin/users", run)


async def _my_tokens(request: Request, viewer: Viewer, new_token: object = None) -> Response:
    mine = await run_in_threadpool(sessions.list_tokens, app_of(request), viewer.username)
    return page(request, "my_tokens.html", viewer, tokens=mine, new_token=new_token)


@router.get("/tokens", response_class=HTMLResponse)
async def my_tokens_page(request: Request, viewer: AnyUser) -> Response:
    return await _my_tokens(request, viewer)


@router.post("/tokens", response_class=HTMLResponse)
async def my_token_create(
    request: Request,
    viewer: AnyUser,
    name: Annotated[str, Form()],
    days: Annotated[str, Form()] = "",
) -> Response:
    app = app_of(request)
    try:
        lifetime = int(days) if days.strip() else None
        token_id, token = await run_in_threadpool(
            lambda: sessions.create_token(
                app, viewer.username, name, days=lifetime, by=viewer.identity
            )
        )
    except (TearlineError, ValueError) as exc:
        await flash(request, viewer, "error", str(exc))
        return await _my_tokens(request, viewer)
    # Shown once, on this page only (never stored in clear, never in a redirect).
    return await _my_tokens(request, viewer, {"id": token_id, "token": token})


@router.post("/tokens/{token_id}/revoke")
async def my_token_revoke(request: Request, token_id: int, viewer: AnyUser) -> Response:
    app = app_of(request)

    def run() -> str:
        sessions.revoke_token(app, token_id, by=viewer.username, owner=viewer.username)
        return f"API token #{token_id} revoked"

    return await act(request, viewer, "/tokens", run)
