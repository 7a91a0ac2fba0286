"""The after-action review in the desk: a page per case and per period, its PDF (audited)
and its JSON under /api/review; the figures come from ``workflow/after_action.py``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from tearline.ids import Kind, parse_id
from tearline.review import render_body
from tearline.web.auth import Reader, app_of
from tearline.web.render import page
from tearline.workflow import after_action as aa

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api")
_FROM = Query("", alias="from", description="start of the period (included)")
_TO = Query("", alias="to", description="end of the period (not included)")


def _case(ref: str) -> str:
    k, n = parse_id(ref, Kind.THREAT)
    return f"{k.value}-{n}"


def _period(request: Request, start: str, end: str) -> dict[str, Any]:
    app = app_of(request)
    begin, until = aa.period_bounds(start, end, app.clock.now())
    return {"app": app, "start": begin, "end": until}


def _pdf(content: bytes, name: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/review", response_class=HTMLResponse)
async def period_page(
    request: Request, viewer: Reader, start: str = _FROM, end: str = _TO
) -> Response:
    p = _period(request, start, end)
    data = await run_in_threadpool(
        aa.period_review, p["app"], viewer.identity, p["start"], p["end"]
    )
    return page(
        request,
        "review.html",
        viewer,
        review=data,
        body=render_body(data),
        filters={"start": start, "end": end},
    )


@router.get("/review.pdf")
async def period_pdf(
    request: Request, viewer: Reader, start: str = _FROM, end: str = _TO
) -> Response:
    p = _period(request, start, end)
    content = await run_in_threadpool(
        lambda: aa.export_review(
            p["app"], viewer.identity, "pdf", by=viewer.username, start=p["start"], end=p["end"]
        )
    )
    return _pdf(content, "tearline-review.pdf")


@router.get("/threats/{ref}/review", response_class=HTMLResponse)
async def case_page(request: Request, ref: str, viewer: Reader) -> Response:
    data = await run_in_threadpool(aa.case_review, app_of(request), _case(ref), viewer.identity)
    return page(request, "review.html", viewer, review=data, body=render_body(data), filters={})


@router.get("/threats/{ref}/review.pdf")
async def case_pdf(request: Request, ref: str, viewer: Reader) -> Response:
    case = _case(ref)
    content = await run_in_threadpool(
        lambda: aa.export_review(
            app_of(request), viewer.identity, "pdf", by=viewer.username, threat_ref=case
        )
    )
    return _pdf(content, f"tearline-review-{case}.pdf")


@api.get("/review", summary="After-action review of a period (from/to: ISO 8601 or '1 Mar')")
def period_json(
    request: Request, viewer: Reader, start: str = _FROM, end: str = _TO
) -> dict[str, Any]:
    p = _period(request, start, end)
    return aa.period_review(p["app"], viewer.identity, p["start"], p["end"])


@api.get("/review/{ref}", summary="After-action review of one case, every figure with its audit")
def case_json(request: Request, ref: str, viewer: Reader) -> dict[str, Any]:
    return aa.case_review(app_of(request), _case(ref), viewer.identity)
