"""The desk's outer wall: security headers on every response, a cap on request size, and
a refusal of cross-site writes before any route runs.

CSRF is stopped twice: here, for every state-changing request, by the browser's own
``Sec-Fetch-Site``/``Origin`` headers (this covers every form, including the public reply
pages); and per form by a token bound to the session (``auth.check_csrf``).
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script or style anywhere: templates use classes, behaviour lives in /static.
CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
]
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Slack above the largest document for the other form fields and multipart framing.
FORM_OVERHEAD = 256 * 1024


class DeskMiddleware:
    """Pure ASGI (no buffering of bodies): headers, size limit, cross-site write refusal."""

    def __init__(self, app: ASGIApp, *, max_body: int) -> None:
        self.app = app
        self.max_body = max_body + FORM_OVERHEAD

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        secure = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in HEADERS if k not in names]
                if secure:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                if scope["path"].startswith(("/api/", "/login", "/logout")):
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        refusal = self._refuse(scope, headers)
        if refusal is not None:
            status, text = refusal
            await _plain(send_with_headers, status, text)
            return
        await self.app(scope, self._limited(receive), send_with_headers)

    def _refuse(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        if scope["method"] not in UNSAFE:
            return None
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            return 413, f"request too large: the limit is {self.max_body} bytes"
        if headers.get("sec-fetch-site") == "cross-site":
            return 403, "cross-site request refused"
        origin = headers.get("origin")
        if origin and origin != "null":
            host = headers.get("host", "")
            if urlsplit(origin).netloc != host:
                return 403, "cross-origin request refused"
        elif origin == "null":
            return 403, "request from an opaque origin refused"
        return None

    def _limited(self, receive: Receive) -> Receive:
        """Count body bytes as they arrive: a chunked upload cannot dodge the limit."""
        seen = 0
        limit = self.max_body

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        return wrapped


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"request too large: the limit is {limit} bytes")


async def _plain(send: Send, status: int, text: str) -> None:
    body = json.dumps({"error": text}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
