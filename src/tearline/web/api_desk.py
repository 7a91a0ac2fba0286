"""The desk's every step in the JSON API, through the same workflow functions as its pages
and the CLI: the home page's sections, the recipient registry (a page, one recipient),
adjusting one fact of one draft, and proposing an all-clear or a withdrawal."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from tearline import workflow as wf
from tearline.ids import Kind, parse_id
from tearline.release import FACT_LEVELS
from tearline.web.auth import DutyOfficer, OneHop, Reader, app_of
from tearline.workflow import recipient_desk
from tearline.workflow.access import ensure_visible
from tearline.workflow.home import home

router = APIRouter(prefix="/api", route_class=OneHop)


def _ref(ref: str, kind: Kind) -> str:
    k, n = parse_id(ref, kind)
    return f"{k.value}-{n}"


@router.get("/home", summary="What waits for you: approvals, open cases, follow-ups, reports")
def home_sections(request: Request, viewer: Reader) -> dict[str, Any]:
    return asdict(home(app_of(request), viewer.identity))


@router.get("/recipients", summary="A page of the recipient registry (50), searched by name")
def recipients(request: Request, viewer: Reader, q: str = "", page: int = 1) -> dict[str, Any]:
    return asdict(recipient_desk.registry_page(app_of(request), query=q, page=page))


@router.get("/recipients/{ref}", summary="One recipient: contact points (no secrets), places")
def recipient(request: Request, ref: str, viewer: Reader) -> dict[str, Any]:
    return recipient_desk.recipient_page(
        app_of(request), _ref(ref, Kind.RECIPIENT), viewer.identity
    )


class AdjustIn(BaseModel):
    fact: str = Field(description=f"one of {', '.join(FACT_LEVELS)}")
    to: str = Field(description="the level, e.g. place: venue|district|city|region|country")
    reason: str = Field(min_length=1, max_length=2000, description="kept on the record")


@router.post("/warnings/{ref}/adjust", summary="Tighten or loosen one fact for one draft")
def adjust(request: Request, ref: str, body: AdjustIn, viewer: DutyOfficer) -> dict[str, Any]:
    app, wref = app_of(request), _ref(ref, Kind.WARNING)
    ensure_visible(app, wref, viewer.identity)
    draft = wf.adjust_fact(app, wref, body.fact, body.to, viewer.identity, reason=body.reason)
    return draft.__dict__


class EndIn(BaseModel):
    ending: Literal["all-clear", "withdraw"]
    reason: str = Field(min_length=1, max_length=2000, description="kept on the record")


@router.post("/threats/{ref}/end", status_code=201, summary="Propose an all-clear or a withdrawal")
def end(request: Request, ref: str, body: EndIn, viewer: DutyOfficer) -> dict[str, Any]:
    app, tref = app_of(request), _ref(ref, Kind.THREAT)
    ensure_visible(app, tref, viewer.identity)
    p = wf.propose_end(
        app, tref, viewer.identity, all_clear=body.ending == "all-clear", reason=body.reason
    )
    return {"ref": p.ref, "threat": p.threat_ref, "drafts": [d.__dict__ for d in p.drafts]}
