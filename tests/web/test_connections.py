"""A keep-alive connection is closed once it has been open two seconds, so that with
several web processes the clients spread over them again (``web.connections``); the
client opens a new connection and nothing it asked for is lost."""

from __future__ import annotations

import http.client
import time
from urllib.parse import urlsplit

from tearline.web.connections import MAX_AGE_SECONDS
from tests.web.desk import Desk


def test_a_connection_is_closed_with_its_first_answer_after_two_seconds(
    sqlite_desk: Desk,
) -> None:
    where = urlsplit(sqlite_desk.url)
    conn = http.client.HTTPConnection(where.hostname or "", where.port, timeout=30)
    try:
        ports: list[int] = []
        asked: list[tuple[float, float, bool]] = []  # (sent, answered, said close)
        while sum(closed for *_, closed in asked) < 2:
            sent = time.monotonic()
            conn.request("GET", "/healthz")
            answer = conn.getresponse()
            body = answer.read()
            assert answer.status == 200, body[:200]
            asked.append((sent, time.monotonic(), answer.getheader("connection") == "close"))
            if conn.sock is not None:
                ports.append(conn.sock.getsockname()[1])
            time.sleep(MAX_AGE_SECONDS / 20)
        # The desk took the time of each connection's first request (between its client's
        # sending it and getting its answer): the closing answer was the first asked once
        # MAX_AGE_SECONDS had gone by, none before it; the next connection was timed anew.
        first = 0
        for _ in range(2):
            last = next(i for i in range(first, len(asked)) if asked[i][2])
            opened_after, opened_before = asked[first][0], asked[first][1]
            assert asked[last][1] - opened_after >= MAX_AGE_SECONDS
            assert all(asked[i][0] - opened_before < MAX_AGE_SECONDS for i in range(first, last))
            first = last + 1
        assert len(set(ports)) == 2  # a new connection after the first close
    finally:
        conn.close()
