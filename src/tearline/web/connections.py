"""Keep-alive connections spread over the desk's web processes.

With ``tearline serve --workers N`` each connection stays with the process that accepted
it for as long as the client keeps it open. The kernel hands each new connection to one
of the processes' sockets by the hash of its addresses (``server._OneSocketEach``), so an
unlucky draw can leave one process with more clients than another, for as long as they
stay connected. Like a web server's ``keepalive_time``, a connection is closed once it has
been open ``MAX_AGE_SECONDS`` (its next answer says ``Connection: close``); the client
opens a new one, drawn anew, so no process stays crowded.

By age, not by count: closed after a hundred answers, the connections of the less busy
process, answered faster, reached their hundredth sooner and were drawn anew more often,
while those of the crowded one stayed. Connections left each process at the same rate
whatever their number, so nothing pulled the split back to even, and it wandered: under
50 clients, 13 and 37 connections, at times 6 and 44, and the crowded process's clients
waited three times as long. Closed by age, a process's connections leave it in
proportion to their number: the split stays near half and half.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_AGE_SECONDS = 2.0  # a new connection (a TCP handshake) per client every two seconds
_TRACKED = 10_000  # connections remembered at once; past it they start again


class Rebalance:
    """Pure ASGI: notes when each HTTP/1.1 client connection (its address and port, unique
    while it is open) first asked, and closes it with the first answer after ``max_age``
    seconds."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_age: float = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.max_age = max_age
        self.clock = clock
        self.opened: dict[tuple[str, int], float] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] != "http" or scope.get("http_version") != "1.1" or not client:
            await self.app(scope, receive, send)
            return
        key, now = (client[0], client[1]), self.clock()
        opened = self.opened.get(key)
        if opened is None:
            if len(self.opened) >= _TRACKED:
                self.opened.clear()  # connections that ended before their time
            self.opened[key] = now
        if opened is None or now - opened < self.max_age:
            await self.app(scope, receive, send)
            return
        del self.opened[key]

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
