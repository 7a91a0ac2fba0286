"""The duty officer's desk: ``create_app(workflow.App) -> FastAPI``.

Pages (Jinja2 + HTMX) and the JSON API under /api/ call the same workflow functions as
the CLI. Every error a user can cause becomes a page or ``{"error": ...}`` with a
status that says what kind it was; nothing is half-stored (the workflow's units).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from tearline import __version__
from tearline import workflow as wf
from tearline.errors import (
    AuthError,
    InputError,
    LeakDetected,
    NotFound,
    RuleViolation,
    SignatureError,
    TearlineError,
    TooManyAttempts,
)
from tearline.web import (
    api,
    api_admin,
    api_desk,
    metrics,
    pages_admin,
    pages_cases,
    pages_decide,
    pages_home,
    pages_map,
    pages_public,
    pages_recipients,
    pages_released,
    pages_review,
    taxii,
)
from tearline.web.access_log import AccessLog
from tearline.web.auth import BadCsrf, Forbidden, NotSignedIn, optional_viewer
from tearline.web.connections import Rebalance, RetryRead, Siblings
from tearline.web.render import env, page
from tearline.web.security import BodyTooLarge, DeskMiddleware

log = logging.getLogger("tearline.web")


def status_of(exc: TearlineError) -> int:
    if isinstance(exc, TooManyAttempts):
        return 429
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, AuthError):
        return 403
    if isinstance(exc, RuleViolation | LeakDetected):
        return 409
    if isinstance(exc, InputError | SignatureError):
        return 422
    return 500


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def _error(request: Request, status: int, message: str) -> Response:
    if _wants_json(request) or "hx-request" in request.headers:
        return JSONResponse({"error": message}, status_code=status)
    viewer = await optional_viewer(request)
    return page(request, "error.html", viewer, status, status=status, message=message)


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(TearlineError)
    async def domain_error(request: Request, exc: TearlineError) -> Response:
        return await _error(request, status_of(exc), str(exc))

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if _wants_json(request) or request.method != "GET":
            return JSONResponse(
                {"error": "sign in first (session) or send an API token (Bearer)"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="tearline"'},
            )
        return pages_public.login_redirect(request)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return await _error(request, 403, str(exc))

    @app.exception_handler(BadCsrf)
    async def bad_csrf(request: Request, exc: BadCsrf) -> Response:
        message = "the form's security token is missing or stale: reload the page and try again"
        return await _error(request, 403, message)

    @app.exception_handler(BodyTooLarge)
    async def too_large(request: Request, exc: BodyTooLarge) -> Response:
        return await _error(request, 413, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body')}: {e.get('msg')}"
            for e in exc.errors()
        )
        return await _error(request, 422, f"invalid request: {problems}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return await _error(request, exc.status_code, str(exc.detail))


def _public_router(app: FastAPI) -> None:
    """Recipients' pages (feed, reply links) live in web/public.py, built with delivery."""
    try:
        public = importlib.import_module("tearline.web.public")
    except ModuleNotFoundError as exc:
        if exc.name != "tearline.web.public":
            raise
        log.warning("tearline.web.public is not present: no feed or reply pages")
        return
    app.include_router(public.router)


def create_app(application: wf.App) -> FastAPI:
    """The desk as an ASGI app, on the given workflow App (database, clock, keys)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Requests' database work runs in threads: a few at a time, the rest waiting
        # their turn in arrival order. Forty threads taking turns at one interpreter
        # lock made every answer as slow as the slowest (TEARLINE_WEB_THREADS).
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = application.settings.web_threads
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="Tearline desk API",
        version=__version__,
        description=(api.__doc__ or "").strip(),
        openapi_url="/api/openapi.json",
        docs_url=None,  # the stock docs pages load scripts from a CDN; ours is /api/docs
        redoc_url=None,
    )
    app.state.tearline = application
    app.add_middleware(RetryRead)  # a read whose pooled connection had died, once more
    app.add_middleware(DeskMiddleware, max_body=application.settings.max_document_bytes)
    # keep-alive connections even over the web processes
    app.add_middleware(Rebalance, siblings=Siblings.from_environment())
    if application.settings.access_log == "on":
        app.add_middleware(AccessLog)  # outermost: it times and counts what is sent
    static = resources.files("tearline.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    _handlers(app)
    # The API first: routes are tried in order, and machine clients ask the most often.
    for module in (api, api_admin, pages_public, pages_cases, pages_decide, pages_admin, metrics):
        app.include_router(module.router)
    for desk_module in (pages_home, pages_recipients, pages_released, api_desk):
        app.include_router(desk_module.router)
    app.include_router(pages_map.router)  # the overview map of open cases and people
    app.include_router(pages_review.router)  # after-action review: pages, PDF and JSON
    app.include_router(pages_review.api)
    app.include_router(taxii.router)  # partners' TAXII 2.1 collections (docs/sharing.md)
    _public_router(app)
    _api_docs(app)
    return app


def _api_docs(app: FastAPI) -> None:
    @app.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
    async def api_docs(request: Request) -> Response:
        viewer = await optional_viewer(request)
        spec: dict[str, Any] = app.openapi()
        operations = [
            {
                "method": method.upper(),
                "path": path,
                "summary": op.get("summary", ""),
                "params": [p["name"] for p in op.get("parameters", [])],
                "body": bool(op.get("requestBody")),
            }
            for path, methods in spec["paths"].items()
            for method, op in methods.items()
        ]
        return page(request, "api_docs.html", viewer, operations=operations, spec=spec)


__all__ = ["create_app", "env"]
