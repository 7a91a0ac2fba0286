"""The JSON API for the record and its keepers: audit, users, grants that wait for a
second admin, service accounts, each user's own tokens — and the public verification of a
warning."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from tearline import workflow as wf
from tearline.errors import AuditChainBroken
from tearline.web.auth import Admin, AnyUser, Auditor, OneHop, Viewer, app_of
from tearline.web.pages_public import verify_text
from tearline.web.paging import Limit, Offset, json_answer, link_next, page_of
from tearline.workflow import desk, grants, sessions, users

router = APIRouter(prefix="/api", route_class=OneHop)


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=12, max_length=1000)
    roles: list[str] = Field(min_length=1)
    display_name: str = ""
    compartments: list[str] = Field(default_factory=list)


class UserChange(BaseModel):
    roles: list[str] | None = None
    add_compartments: list[str] = Field(default_factory=list)
    remove_compartments: list[str] = Field(default_factory=list)
    active: bool | None = None


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="what will use the token")
    days: int | None = Field(None, ge=1, le=3650)


class ServiceIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    token_name: str = Field(min_length=1, max_length=100, description="what will use it")
    roles: list[str] = Field(default_factory=list)
    display_name: str = ""
    compartments: list[str] = Field(default_factory=list)
    days: int | None = Field(None, ge=1, le=3650)


class VerifyIn(BaseModel):
    content: str = Field(max_length=2 * 1024 * 1024, description=".jws, webhook body or note")


@router.get(
    "/audit", summary="Audit entries, newest first, filtered", response_model=list[dict[str, Any]]
)
def audit(
    request: Request,
    response: Response,
    viewer: Auditor,
    actor: str = "",
    action: str = Query("", description="a prefix, e.g. 'release.'"),
    subject: str = "",
    before: int | None = Query(None, description="only entries before this sequence number"),
    limit: int = Query(100, ge=1, le=1000),
) -> Response:
    rows = desk.audit_search(
        app_of(request), actor=actor, action=action, subject=subject, before_seq=before, limit=limit
    )
    if len(rows) == limit:
        link_next(request, response, before=rows[-1]["seq"])
    return json_answer(rows, response)


@router.get("/audit/verify", summary="Verify the whole hash chain")
def audit_verify(request: Request, viewer: Auditor) -> dict[str, Any]:
    try:
        report = wf.audit_verify(app_of(request))
    except AuditChainBroken as exc:
        return {"intact": False, "message": str(exc), "seq": exc.seq}
    return {
        "intact": True,
        "entries": report.entries,
        "head": report.head_hash,
        "checkpoints": report.checkpoints,
    }


@router.get("/users", summary="Users, roles and compartments")
def list_users(
    request: Request, response: Response, viewer: Admin, limit: Limit = 100, offset: Offset = 0
) -> list[dict[str, Any]]:
    rows = [
        {**u.__dict__, "created_at": u.created_at.isoformat()}
        for u in users.list_users(app_of(request))
    ]
    return page_of(request, response, rows, limit=limit, offset=offset)


def _change(change: grants.Change) -> dict[str, Any]:
    return {
        "pending_grants": change.pending,
        "note": "pending grants take effect when a second admin approves them"
        if change.pending
        else "",
    }


@router.post("/users", status_code=201, summary="Create a user (some roles wait for a 2nd admin)")
def create_user(request: Request, body: UserIn, viewer: Admin) -> dict[str, Any]:
    change = grants.create_user(
        app_of(request),
        body.username,
        body.password,
        body.roles,
        display_name=body.display_name,
        compartments=body.compartments,
        by=viewer.identity,
    )
    return {"created": body.username, "roles": change.applied, **_change(change)}


@router.post("/users/{username}", summary="Change roles, compartments or activity")
def change_user(request: Request, username: str, body: UserChange, viewer: Admin) -> dict[str, Any]:
    app = app_of(request)
    users.get_user(app, username)
    pending: list[int] = []
    if body.roles is not None:
        pending += grants.change_roles(app, username, body.roles, by=viewer.identity).pending
    if body.add_compartments or body.remove_compartments:
        pending += grants.change_compartments(
            app,
            username,
            add=body.add_compartments,
            remove=body.remove_compartments,
            by=viewer.identity,
        ).pending
    if body.active is not None:
        users.set_active(app, username, body.active, by=viewer.username)
    u = users.get_user(app, username)
    return {
        **u.__dict__,
        "created_at": u.created_at.isoformat(),
        **_change(grants.Change(u.roles, pending)),
    }


@router.get("/grants", summary="Grants waiting for a second admin")
def list_grants(
    request: Request, response: Response, viewer: Admin, limit: Limit = 100, offset: Offset = 0
) -> list[dict[str, Any]]:
    rows = [_plain(g.__dict__) for g in grants.list_grants(app_of(request))]
    return page_of(request, response, rows, limit=limit, offset=offset)


@router.post("/grants/{grant_id}/approve", summary="Approve another admin's grant")
def approve_grant(request: Request, grant_id: int, viewer: Admin) -> dict[str, Any]:
    return _plain(grants.approve_grant(app_of(request), grant_id, by=viewer.identity).__dict__)


@router.post("/grants/{grant_id}/reject", summary="Reject (or withdraw) a pending grant")
def reject_grant(request: Request, grant_id: int, viewer: Admin) -> dict[str, Any]:
    return _plain(grants.reject_grant(app_of(request), grant_id, by=viewer.identity).__dict__)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in row.items()}


@router.get("/tokens", summary="API tokens (never the secret): all for an admin, else one's own")
def list_tokens(
    request: Request, response: Response, viewer: AnyUser, limit: Limit = 100, offset: Offset = 0
) -> list[dict[str, Any]]:
    owner = None if viewer.has(users.Role.ADMIN) else viewer.username
    rows = [_plain(t.__dict__) for t in sessions.list_tokens(app_of(request), owner)]
    return page_of(request, response, rows, limit=limit, offset=offset)


def _mint(request: Request, username: str, body: TokenIn, viewer: Viewer) -> dict[str, Any]:
    token_id, token = sessions.create_token(
        app_of(request), username, body.name, days=body.days, by=viewer.identity
    )
    return {"id": token_id, "token": token, "note": "shown once; store it now"}


@router.post("/tokens", status_code=201, summary="Create an API token for yourself")
def create_my_token(request: Request, body: TokenIn, viewer: AnyUser) -> dict[str, Any]:
    return _mint(request, viewer.username, body, viewer)


@router.post(
    "/users/{username}/tokens",
    status_code=201,
    summary="Create an API token (only the user themself; nobody mints one for another)",
)
def create_token(request: Request, username: str, body: TokenIn, viewer: AnyUser) -> dict[str, Any]:
    return _mint(request, username, body, viewer)


@router.post(
    "/service-accounts", status_code=201, summary="Create a service account; its token, once"
)
def create_service_account(request: Request, body: ServiceIn, viewer: Admin) -> dict[str, Any]:
    change, token_id, token = grants.create_service_account(
        app_of(request),
        body.username,
        body.token_name,
        body.roles,
        display_name=body.display_name,
        compartments=body.compartments,
        days=body.days,
        by=viewer.identity,
    )
    return {
        "created": body.username,
        "roles": change.applied,
        **_change(change),
        "token_id": token_id,
        "token": token,
        "token_note": "shown once; store it now",
    }


@router.post("/tokens/{token_id}/revoke", summary="Revoke an API token (yours; any, as admin)")
def revoke_token(request: Request, token_id: int, viewer: AnyUser) -> dict[str, int]:
    owner = None if viewer.has(users.Role.ADMIN) else viewer.username
    sessions.revoke_token(app_of(request), token_id, by=viewer.username, owner=owner)
    return {"revoked": token_id}


@router.post("/verify", summary="Is this warning authentic? (anyone may ask)")
def verify(request: Request, body: VerifyIn) -> dict[str, Any]:
    return verify_text(app_of(request), body.content)
