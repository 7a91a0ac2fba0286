"""A real HTTP receiver on loopback: stands in for a partner's webhook or an alert gateway.

It keeps what it receives and drops repeats by ``Idempotency-Key``, as a careful
receiver would. The demo starts one; so do the tests.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    idempotency_key: str | None
    body: dict[str, Any]


@dataclass
class LoopbackReceiver:
    status: int = 200  # what to answer; a test can make it fail
    posts: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def unique(self) -> dict[str, Received]:
        with self._lock:
            return {p.idempotency_key or str(i): p for i, p in enumerate(self.posts)}

    def start(self) -> str:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except json.JSONDecodeError:
                    self.send_response(400)
                    self.end_headers()
                    return
                if receiver.status < 300:
                    with receiver._lock:
                        receiver.posts.append(
                            Received(self.path, self.headers.get("Idempotency-Key"), body)
                        )
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: the demo prints what matters

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
