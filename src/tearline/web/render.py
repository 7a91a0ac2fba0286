"""Rendering pages: one Jinja2 environment that escapes everything by default, the filters
the templates share, flash messages, and answering a form with "done" or "refused".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from tearline.errors import TearlineError
from tearline.web.auth import ANTI_FORGERY, Viewer, anti_forgery_token, app_of, is_secure
from tearline.workflow import sessions
from tearline.workflow.users import ROLE_HELP, Role


def _when(value: str | datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if not value:
        return "—"
    d = datetime.fromisoformat(value) if isinstance(value, str) else value
    return d.astimezone(UTC).strftime(fmt) + " UTC"


def _hours(value: float | None) -> str:
    if value is None:
        return "—"
    sign = "−" if value < 0 else ""
    h = abs(value)
    if h >= 48:
        return f"{sign}{int(h // 24)} d {int(h % 24)} h"
    if h >= 1:
        return f"{sign}{int(h)} h {int(h * 60 % 60)} min"
    return f"{sign}{int(h * 60)} min"


def _label(value: object) -> str:
    return str(value or "").replace("_", " ")


def _pretty(value: object) -> str:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return str(value)
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


env = Environment(
    loader=PackageLoader("tearline.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters.update(when=_when, hours=_hours, label=_label, pretty=_pretty)
env.globals.update(Role=Role, ROLE_HELP=ROLE_HELP)


def page(
    request: Request,
    template: str,
    viewer: Viewer | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a template with what every page needs (viewer, CSRF token, flash, nav)."""
    flash_raw = getattr(request.state, "flash", None)
    flash = json.loads(flash_raw) if flash_raw else None
    form_token = viewer.csrf if viewer is not None else anti_forgery_token(request)
    html = env.get_template(template).render(
        request=request,
        viewer=viewer,
        csrf=form_token,
        flash=flash,
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    fresh = getattr(request.state, "new_anti_forgery", "")
    if viewer is None and fresh:
        response.set_cookie(
            ANTI_FORGERY,
            fresh,
            httponly=True,
            samesite="strict",
            secure=is_secure(request),
            path="/",
        )
    return response


def partial(request: Request, template: str, viewer: Viewer | None, **context: Any) -> str:
    return env.get_template(template).render(
        request=request, viewer=viewer, csrf=viewer.csrf if viewer else "", **context
    )


async def flash(request: Request, viewer: Viewer, kind: str, text: str) -> None:
    if viewer.via == "session":
        message = json.dumps({"kind": kind, "text": text})
        await run_in_threadpool(sessions.set_flash, app_of(request), viewer.session_token, message)


async def act(
    request: Request,
    viewer: Viewer,
    back: str,
    action: Callable[[], str],
    *,
    failed_back: str | None = None,
) -> RedirectResponse:
    """Run a workflow action; come back to ``back`` with what happened, or why not."""
    try:
        message = await run_in_threadpool(action)
    except TearlineError as exc:
        await flash(request, viewer, "error", str(exc))
        return RedirectResponse(failed_back or back, status_code=303)
    await flash(request, viewer, "ok", message)
    return RedirectResponse(back, status_code=303)
