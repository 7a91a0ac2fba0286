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

Near, as a coin tossed for each connection: 50 clients fall 23/27 most of the time, at
times 18/32. Where the processes share a table of their loads (``Siblings``: each
process's count of connections that asked in the last second, in a small shared file),
a process with more than the least loaded of them closes, besides, some of its own
connections early, half the difference each tenth of a second (a closed connection lands
back on it half the time): the split stays within a connection or two of even.
"""

from __future__ import annotations

import mmap
import os
import struct
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_AGE_SECONDS = 2.0  # a new connection (a TCP handshake) per client every two seconds
MIN_AGE_SECONDS = 0.25  # a connection moved for balance has answered at least this long
RECOUNT_SECONDS = 0.1  # how often a process counts its clients and reads the others'
ACTIVE_SECONDS = 1.0  # a connection counts as a client while it asked this recently
_TRACKED = 10_000  # connections remembered at once; past it they start again
_SLOT = struct.Struct("=q")

# ``serve_processes`` hands each web process the shared table and its row in it.
LOADS_FILE = "TEARLINE_WEB_LOADS"
LOADS_SLOT = "TEARLINE_WEB_SLOT"


class Siblings:
    """The web processes' loads, one row each in a file they all map: a process writes
    its own row and reads the others'. A row is one aligned 8-byte integer, written and
    read whole; a process that died leaves its last count until its replacement writes."""

    def __init__(self, path: Path, slot: int) -> None:
        with path.open("r+b") as f:
            self._map = mmap.mmap(f.fileno(), 0)
        self.slot = slot
        self.count = len(self._map) // _SLOT.size
        if not 0 <= slot < self.count:
            raise ValueError(f"web process slot {slot} outside the table of {self.count}")

    @classmethod
    def from_environment(cls) -> Siblings | None:
        path, slot = os.environ.get(LOADS_FILE), os.environ.get(LOADS_SLOT)
        if not path or slot is None or not slot.isdigit():
            return None
        try:
            return cls(Path(path), int(slot))
        except (OSError, ValueError):
            return None  # balanced by age alone

    @staticmethod
    def create(path: Path, processes: int) -> None:
        """The table for ``processes`` web processes, every load 0, readable by its owner only."""
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(bytes(_SLOT.size * processes))

    def publish(self, load: int) -> None:
        _SLOT.pack_into(self._map, self.slot * _SLOT.size, load)

    def least_other(self) -> int | None:
        others = [
            _SLOT.unpack_from(self._map, i * _SLOT.size)[0]
            for i in range(self.count)
            if i != self.slot
        ]
        return min(others) if others else None


class Rebalance:
    """Pure ASGI: notes when each HTTP/1.1 client connection (its address and port, unique
    while it is open) first and last asked, and closes it with the first answer after
    ``max_age`` seconds, or earlier where ``siblings`` say this process has more clients
    than another."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_age: float = MAX_AGE_SECONDS,
        siblings: Siblings | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.max_age = max_age
        self.siblings = siblings
        self.clock = clock
        self.opened: dict[tuple[str, int], float] = {}
        self.asked: dict[tuple[str, int], float] = {}
        self.recounted = 0.0
        self.excess = 0  # connections to close early before the next count

    def _recount(self, now: float) -> None:
        """This process's clients, published; how many more it has than the least loaded."""
        self.recounted = now
        since = now - ACTIVE_SECONDS
        self.asked = {k: t for k, t in self.asked.items() if t >= since}
        assert self.siblings is not None
        mine = len(self.asked)
        self.siblings.publish(mine)
        least = self.siblings.least_other()
        self.excess = 0 if least is None else max(0, (mine - least) // 2)

    def _closes(self, key: tuple[str, int], now: float) -> bool:
        opened = self.opened.get(key)
        if opened is None:
            if len(self.opened) >= _TRACKED:
                self.opened.clear()  # connections that ended before their time
                self.asked.clear()
            self.opened[key] = now
            opened = now
        if self.siblings is not None:
            self.asked[key] = now
            if now - self.recounted >= RECOUNT_SECONDS:
                self._recount(now)
        age = now - opened
        if age >= self.max_age:
            return True
        if self.excess > 0 and age >= MIN_AGE_SECONDS:
            self.excess -= 1
            return True
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] != "http" or scope.get("http_version") != "1.1" or not client:
            await self.app(scope, receive, send)
            return
        key = (client[0], client[1])
        if not self._closes(key, self.clock()):
            await self.app(scope, receive, send)
            return
        self.opened.pop(key, None)
        self.asked.pop(key, None)

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
