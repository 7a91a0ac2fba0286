"""The desk's home page: what waits for the person signed in, one section per role they
hold — the approver's queue, the duty officer's open cases and follow-ups, the analyst's
newest reports. An auditor or an admin alone goes to their own page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tearline.web.auth import Optional, app_of
from tearline.web.pages_public import home_for
from tearline.web.render import page
from tearline.workflow.home import home

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def home_page(request: Request, viewer: Optional) -> Response:
    if viewer is None:
        return RedirectResponse("/login", status_code=303)
    where = home_for(viewer.identity.roles)
    if where != "/":
        return RedirectResponse(where, status_code=303)
    sections = await run_in_threadpool(home, app_of(request), viewer.identity)
    return page(request, "home.html", viewer, home=sections)
