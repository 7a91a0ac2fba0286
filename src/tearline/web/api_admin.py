"""The JSON API for the record and its keepers: audit, users, tokens — and the public
verification of a warning."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from tearline import workflow as wf
from tearline.errors import AuditChainBroken
from tearline.web.auth import Admin, Auditor, app_of
from tearline.web.pages_public import verify_text
from tearline.workflow import desk, sessions, users

router = APIRouter(prefix="/api")


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


class VerifyIn(BaseModel):
    content: str = Field(max_length=2 * 1024 * 1024, description=".jws, webhook body or note")


@router.get("/audit", summary="Audit entries, newest first, filtered")
def audit(
    request: Request,
    viewer: Auditor,
    actor: str = "",
    action: str = Query("", description="a prefix, e.g. 'release.'"),
    subject: str = "",
    before: int | None = Query(None, description="only entries before this sequence number"),
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    return desk.audit_search(
        app_of(request), actor=actor, action=action, subject=subject, before_seq=before, limit=limit
    )


@router.get("/audit/verify", summary="Verify the whole hash chain")
def audit_verify(request: Request, viewer: Auditor) -> dict[str, Any]:
    try:
        report = wf.audit_verify(app_of(request))
    except AuditChainBroken as exc:
        return {"intact": False, "message": str(exc), "seq": exc.seq}
    return {"intact": True, "entries": report.entries, "head": report.head_hash}


@router.get("/users", summary="Users, roles and compartments")
def list_users(request: Request, viewer: Admin) -> list[dict[str, Any]]:
    return [
        {**u.__dict__, "created_at": u.created_at.isoformat()}
        for u in users.list_users(app_of(request))
    ]


@router.post("/users", status_code=201, summary="Create a user")
def create_user(request: Request, body: UserIn, viewer: Admin) -> dict[str, str]:
    users.add_user(
        app_of(request),
        body.username,
        body.password,
        body.roles,
        display_name=body.display_name,
        compartments=body.compartments,
        by=viewer.username,
    )
    return {"created": body.username}


@router.post("/users/{username}", summary="Change roles, compartments or activity")
def change_user(request: Request, username: str, body: UserChange, viewer: Admin) -> dict[str, Any]:
    app = app_of(request)
    users.get_user(app, username)
    if body.roles is not None:
        users.set_roles(app, username, body.roles, by=viewer.username)
    if body.add_compartments or body.remove_compartments:
        users.grant_compartments(
            app,
            username,
            add=body.add_compartments,
            remove=body.remove_compartments,
            by=viewer.username,
        )
    if body.active is not None:
        users.set_active(app, username, body.active, by=viewer.username)
    u = users.get_user(app, username)
    return {**u.__dict__, "created_at": u.created_at.isoformat()}


@router.get("/tokens", summary="API tokens (never the secret)")
def list_tokens(request: Request, viewer: Admin) -> list[dict[str, Any]]:
    return [
        {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in t.__dict__.items()}
        for t in sessions.list_tokens(app_of(request))
    ]


@router.post("/users/{username}/tokens", status_code=201, summary="Create an API token")
def create_token(request: Request, username: str, body: TokenIn, viewer: Admin) -> dict[str, Any]:
    token_id, token = sessions.create_token(
        app_of(request), username, body.name, days=body.days, by=viewer.username
    )
    return {"id": token_id, "token": token, "note": "shown once; store it now"}


@router.post("/tokens/{token_id}/revoke", summary="Revoke an API token")
def revoke_token(request: Request, token_id: int, viewer: Admin) -> dict[str, int]:
    sessions.revoke_token(app_of(request), token_id, by=viewer.username)
    return {"revoked": token_id}


@router.post("/verify", summary="Is this warning authentic? (anyone may ask)")
def verify(request: Request, body: VerifyIn) -> dict[str, Any]:
    return verify_text(app_of(request), body.content)
