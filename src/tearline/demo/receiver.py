"""A real HTTP receiver on loopback: stands in for a partner's webhook or an alert gateway.

It keeps what it receives and drops repeats by ``Idempotency-Key``, as a careful
receiver would, counting them; given the endpoint's secret it also checks the
``Tearline-Signature`` header and refuses a request that does not verify (401). The demo
starts one; so do the tests. ``python -m tearline.demo.receiver PORT`` runs a faster one
(aiohttp) in its own process, for the benchmarks and the kill test.
"""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tearline.deliver.signature import SIGNATURE_HEADER, verify_body


class _Server(ThreadingHTTPServer):
    # A worker opens up to ``delivery_concurrency`` (64) connections at once. The standard
    # library listens with a backlog of 5: the rest had their SYN dropped and retried a
    # second later, and on a loaded machine a post could wait out its whole time limit
    # and be retried later, so ``worker --once`` ended with some not yet delivered.
    request_queue_size = 1024


@dataclass
class Received:
    path: str
    idempotency_key: str | None
    body: dict[str, Any]
    signature: str | None = None


@dataclass
class LoopbackReceiver:
    status: int = 200  # what to answer; a test can make it fail
    secret: str | None = None  # when set, unsigned or badly signed requests get 401
    headers: dict[str, str] = field(default_factory=dict)  # added to every answer
    posts: list[Received] = field(default_factory=list)
    refused: int = 0
    _server: _Server | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def unique(self) -> dict[str, Received]:
        with self._lock:
            return {p.idempotency_key or str(i): p for i, p in enumerate(self.posts)}

    @property
    def duplicates(self) -> int:
        """Requests that repeated an Idempotency-Key already received."""
        with self._lock:
            return len(self.posts) - len({p.idempotency_key for p in self.posts})

    def _accept(self, path: str, headers: Any, raw: bytes) -> int:
        signature = headers.get(SIGNATURE_HEADER)
        if self.secret is not None and not verify_body(self.secret, raw, signature):
            with self._lock:
                self.refused += 1
            return 401
        try:
            body = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            return 400
        if self.status < 300:
            with self._lock:
                self.posts.append(Received(path, headers.get("Idempotency-Key"), body, signature))
        return self.status

    def start(self) -> str:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: one connection serves many posts

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                status = receiver._accept(self.path, self.headers, self.rfile.read(length))
                self.send_response(status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: the demo prints what matters

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def serve_fast(port: int) -> None:
    """An aiohttp receiver in this process: counts posts and duplicate keys, answers 200.

    ``GET /stats`` returns {"posts": n, "unique": n, "duplicates": n}; ``POST /reset``
    forgets everything. Used by bench/fanout.py and the kill test.
    """
    from aiohttp import web

    seen: set[str] = set()
    counts = {"posts": 0, "duplicates": 0}

    async def receive(request: web.Request) -> web.Response:
        await request.read()
        key = request.headers.get("Idempotency-Key", "")
        counts["posts"] += 1
        if key in seen:
            counts["duplicates"] += 1
        else:
            seen.add(key)
        return web.Response(status=200)

    async def stats(_request: web.Request) -> web.Response:
        return web.json_response({**counts, "unique": len(seen)})

    async def reset(_request: web.Request) -> web.Response:
        seen.clear()
        counts.update(posts=0, duplicates=0)
        return web.Response(status=204)

    app = web.Application()
    app.router.add_get("/stats", stats)
    app.router.add_post("/reset", reset)
    app.router.add_post("/{tail:.*}", receive)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    serve_fast(int(sys.argv[1]))
