"""A keep-alive connection is closed once it has been open two seconds, so that with
several web processes the clients spread over them again (``web.connections``); the
client opens a new connection and nothing it asked for is lost. Processes that share a
table of their loads move clients from the crowded one sooner."""

from __future__ import annotations

import asyncio
import http.client
import stat
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from starlette.types import Message, Receive, Scope, Send

from tearline.web.connections import (
    LOADS_FILE,
    LOADS_SLOT,
    MAX_AGE_SECONDS,
    MIN_AGE_SECONDS,
    RECOUNT_SECONDS,
    Rebalance,
    Siblings,
)
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


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def _answer(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def _ask(rebalance: Rebalance, port: int) -> bool:
    """One request on the client connection from ``port``; whether its answer closes it."""
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "http_version": "1.1", "client": ("127.0.0.1", port)}
    asyncio.run(rebalance(scope, receive, send))
    return (b"connection", b"close") in sent[0]["headers"]


def test_the_web_processes_share_a_table_of_their_loads(tmp_path: Path) -> None:
    table = tmp_path / "loads"
    Siblings.create(table, 3)
    assert stat.S_IMODE(table.stat().st_mode) == 0o600
    rows = [Siblings(table, i) for i in range(3)]
    rows[0].publish(30)
    rows[1].publish(20)
    rows[2].publish(25)
    assert [r.least_other() for r in rows] == [20, 25, 20]
    alone = tmp_path / "alone"
    Siblings.create(alone, 1)
    assert Siblings(alone, 0).least_other() is None
    with pytest.raises(ValueError, match="slot 3 outside the table of 3"):
        Siblings(table, 3)


def test_a_table_that_cannot_be_used_leaves_the_balance_to_age(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the environment says, the desk starts."""
    Siblings.create(tmp_path / "loads", 2)
    for path, slot in [
        ("", "0"),
        (str(tmp_path / "missing"), "0"),
        (str(tmp_path / "loads"), "2"),
        (str(tmp_path / "loads"), "-1"),
        (str(tmp_path / "loads"), "x"),
        (str(tmp_path), "0"),
    ]:
        monkeypatch.setenv(LOADS_FILE, path)
        monkeypatch.setenv(LOADS_SLOT, slot)
        assert Siblings.from_environment() is None, (path, slot)
    monkeypatch.setenv(LOADS_SLOT, "1")
    monkeypatch.setenv(LOADS_FILE, str(tmp_path / "loads"))
    found = Siblings.from_environment()
    assert found is not None
    assert found.slot == 1


def test_a_crowded_process_moves_half_its_excess_of_clients(tmp_path: Path) -> None:
    """30 clients here, 20 at the other process: this one closes five connections early
    (the first answers after MIN_AGE_SECONDS), not more, and none younger; then, with the
    loads even, none before its age."""
    table = tmp_path / "loads"
    Siblings.create(table, 2)
    here, other = Siblings(table, 0), Siblings(table, 1)
    clock = Clock()
    rebalance = Rebalance(_answer, siblings=here, clock=clock)
    other.publish(20)
    clients = list(range(40000, 40030))
    assert not any(_ask(rebalance, p) for p in clients)  # all new: none closed
    clock.now += MIN_AGE_SECONDS / 2
    assert not any(_ask(rebalance, p) for p in clients)  # too young to move
    assert other.least_other() == 30  # what this process published
    clock.now += MIN_AGE_SECONDS
    closed = [p for p in clients if _ask(rebalance, p)]
    assert len(closed) == (30 - 20) // 2
    for p in closed:  # the clients come back on new connections (here, as it happens)
        assert not _ask(rebalance, p + 100)
    other.publish(30)
    clock.now += RECOUNT_SECONDS
    kept = [p for p in clients if p not in closed]
    assert not any(_ask(rebalance, p) for p in kept)
    clock.now += MAX_AGE_SECONDS
    assert all(_ask(rebalance, p) for p in kept)  # their age: all closed
