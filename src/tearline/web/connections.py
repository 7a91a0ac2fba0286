"""Keep-alive connections spread over the desk's web processes.

With ``tearline serve --workers N`` each connection stays with the process that accepted
it for as long as the client keeps it open. The kernel hands each new connection to one
of the processes' sockets by the hash of its addresses (``server._OneSocketEach``), so an
unlucky draw can still leave one process with more clients than another, for as long as
they stay connected. Like a web server's ``keepalive_requests``, a connection is closed
after ``MAX_REQUESTS`` answers (the last one says ``Connection: close``); the client opens
a new one, drawn anew, so no process stays crowded. A new connection costs a TCP
handshake every hundred requests.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_REQUESTS = 100
_TRACKED = 10_000  # connections counted at once; past it the counts start again


class Rebalance:
    """Pure ASGI: counts HTTP/1.1 requests per client connection (its address and port,
    unique while it is open) and closes the connection after ``max_requests``."""

    def __init__(self, app: ASGIApp, *, max_requests: int = MAX_REQUESTS) -> None:
        self.app = app
        self.max_requests = max_requests
        self.counts: dict[tuple[str, int], int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] != "http" or scope.get("http_version") != "1.1" or not client:
            await self.app(scope, receive, send)
            return
        key = (client[0], client[1])
        served = self.counts.get(key, 0) + 1
        if served < self.max_requests:
            if len(self.counts) >= _TRACKED:
                self.counts.clear()  # connections that ended without reaching the count
            self.counts[key] = served
            await self.app(scope, receive, send)
            return
        self.counts.pop(key, None)

        async def closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"connection", b"close")]
            await send(message)

        await self.app(scope, receive, closing)


class RetryRead:
    """Pure ASGI: a read (GET or HEAD) whose database connection turned out dead is asked
    again, once, before anything was sent; a write is answered 503, try again.

    The pool lends a connection used in the last half second untested
    (``store.db.PING_AFTER_IDLE_SECONDS``). After a failover or an administrator ends the
    desk's connections, the first statement on each fails; every pooled connection is
    then tested before its next loan, and the read runs again on a live one, so the
    client sees its answer, not a 500. A write is never repeated here (its form may be
    read already): the client is told to try again.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        read = scope.get("method") in ("GET", "HEAD")
        state = dict(scope.get("state") or {})
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except DBAPIError as exc:
            if started or not exc.connection_invalidated:
                raise
            if not read:
                await _lost(send)
                return
            await self.app({**scope, "state": dict(state)}, receive, send)


async def _lost(send: Send) -> None:
    """503: the database connection was lost under a write, which is not repeated here."""
    body = b'{"error":"the connection to the database was lost: try again"}'
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", b"1"),
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})
