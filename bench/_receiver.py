"""The benches' webhook receiver: an asyncio protocol that reads just enough HTTP/1.1.

``python bench/_receiver.py PORT`` answers every POST 200 with an empty body and counts it
by its ``Idempotency-Key`` (unique keys and repeats, exactly, as the demo's receiver does);
``GET /stats`` returns {"posts": n, "unique": n, "duplicates": n} and ``POST /reset``
forgets everything (``_loopback.receiver_stats`` and ``reset_receiver``). Keep-alive as
HTTP/1.1 has it; a request's body is read by its ``Content-Length`` (a chunked one is
refused, 501: neither the worker nor aiohttp sends one for a body it has whole).

Why not the demo's receiver (``python -m tearline.demo.receiver``, aiohttp's web server):
on a 2-core machine the receiver shares the cores with what is measured, and aiohttp's
routing, request and response objects cost it 70–100 µs of CPU per post — as much as
PostgreSQL spends on recording a delivery. This one costs 20–30 µs (on uvloop, where it
is installed), and every bench compares against a peer posting to the same receiver, so
the comparison stays fair.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

_OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
_NO_CONTENT = b"HTTP/1.1 204 No Content\r\n\r\n"
_CLOSE = b"Connection: close\r\n"


class Counts:
    def __init__(self) -> None:
        self.seen: set[bytes] = set()
        self.posts = 0
        self.duplicates = 0

    def reset(self) -> None:
        self.seen.clear()
        self.posts = self.duplicates = 0

    def post(self, key: bytes) -> None:
        self.posts += 1
        if key in self.seen:
            self.duplicates += 1
        else:
            self.seen.add(key)

    def json(self) -> bytes:
        return json.dumps(
            {"posts": self.posts, "unique": len(self.seen), "duplicates": self.duplicates}
        ).encode()


def _header(head: bytes, lower: bytes, name: bytes) -> bytes | None:
    """The value of header ``name`` (given lower-case, with its CRLF and colon)."""
    at = lower.find(name)
    if at < 0:
        return None
    start = at + len(name)
    end = head.find(b"\r\n", start)
    return head[start : end if end >= 0 else len(head)].strip()


class Receiver(asyncio.Protocol):
    def __init__(self, counts: Counts) -> None:
        self.counts = counts
        self.buffer = bytearray()
        self.transport: Any = None  # a writable transport (asyncio's or uvloop's)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        out: list[bytes] = []
        close = False
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = bytes(self.buffer[:end])
            lower = head.lower()
            length = _header(head, lower, b"\r\ncontent-length:")
            size = int(length) if length else 0
            if size + end + 4 > len(self.buffer):
                break  # the body is still coming
            del self.buffer[: end + 4 + size]
            close = b"\r\nconnection: close" in lower
            if b"\r\ntransfer-encoding:" in lower:
                out.append(b"HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\n%s\r\n" % _CLOSE)
                close = True
            elif head.startswith(b"POST "):
                if head.startswith(b"POST /reset "):
                    self.counts.reset()
                    out.append(_NO_CONTENT)
                else:
                    self.counts.post(_header(head, lower, b"\r\nidempotency-key:") or b"")
                    out.append(_OK)
            elif head.startswith(b"GET /stats "):
                body = self.counts.json()
                out.append(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                )
            else:
                out.append(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            if close:
                break
        if out:
            self.transport.write(b"".join(out))
        if close:
            self.transport.close()


async def serve(port: int) -> None:
    counts = Counts()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Receiver(counts), "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:  # uvloop, where installed (uvicorn's standard extras): less CPU per post again
        import uvloop
    except ImportError:
        asyncio.run(serve(int(sys.argv[1])))
    else:
        uvloop.run(serve(int(sys.argv[1])))
