"""The overview map: open cases and the registry's people, drawn and listed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from tearline.web.auth import Reader, app_of
from tearline.web.overview_map import overview
from tearline.web.render import page

router = APIRouter(include_in_schema=False)


@router.get("/map", response_class=HTMLResponse)
async def map_page(request: Request, viewer: Reader) -> Response:
    data = await run_in_threadpool(overview, app_of(request), viewer.identity)
    return page(request, "overview_map.html", viewer, m=data)
