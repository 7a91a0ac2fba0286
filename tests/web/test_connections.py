"""A keep-alive connection is closed after a hundred answers, so that with several web
processes the clients spread over them again (``web.connections``); the client opens a
new connection and nothing it asked for is lost."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from tearline.web.connections import MAX_REQUESTS
from tests.web.desk import Desk


def test_a_connection_is_closed_after_its_hundredth_answer(sqlite_desk: Desk) -> None:
    where = urlsplit(sqlite_desk.url)
    conn = http.client.HTTPConnection(where.hostname or "", where.port, timeout=30)
    try:
        ports, closing = [], []
        for _ in range(MAX_REQUESTS + 5):
            conn.request("GET", "/healthz")
            answer = conn.getresponse()
            body = answer.read()
            assert answer.status == 200, body[:200]
            closing.append(answer.getheader("connection") == "close")
            if conn.sock is not None:
                ports.append(conn.sock.getsockname()[1])
        # the hundredth answer, and only it, says so; the client reconnects for the next
        assert closing.index(True) == MAX_REQUESTS - 1
        assert closing.count(True) == 1
        assert len(set(ports)) == 2
    finally:
        conn.close()
