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
