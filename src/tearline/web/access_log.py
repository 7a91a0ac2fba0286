"""The desk's access log (``TEARLINE_ACCESS_LOG=on``): one line per request, after it is
answered, on the ``tearline.access`` logger.

A line names the route's pattern, never the path the client sent: ``/r/{token}`` and not
the reply link itself (its token is a recipient's secret), ``/api/threats/{ref}`` and not
which case. The query string is left out too (a search may hold a protected term). So a
line says what was asked of the desk and how it went — method, route, status,
milliseconds, bytes — and nothing a request carried in.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("tearline.access")


def route_of(scope: Scope) -> str:
    """The pattern of the route that answered (``/threats/{ref}``), or a fixed word."""
    route = scope.get("route")
    pattern = getattr(route, "path_format", None) or getattr(route, "path", None)
    if isinstance(pattern, str):
        return pattern
    if str(scope.get("path", "")).startswith("/static/"):
        return "/static/{file}"
    return "(no route)"


class AccessLog:
    """Pure ASGI: times each HTTP request and logs it once its answer is sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status, sent = 500, 0

        async def counting(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting)
        finally:
            ms = round((time.perf_counter() - began) * 1000, 1)
            method, route = scope["method"], route_of(scope)
            log.info(
                "%s %s %d %.1f ms %d B",
                method,
                route,
                status,
                ms,
                sent,
                extra={"method": method, "route": route, "status": status, "ms": ms, "bytes": sent},
            )
