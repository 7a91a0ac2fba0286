"""``tearline serve --workers N``: several web processes on one port, on PostgreSQL, with
the delivery worker run apart.

Both processes answer (each names its process in ``/metrics``); an API list comes a page
at a time with a link to the next; no delivery is sent while only the desk runs — a
queued delivery stays pending until ``tearline worker`` runs, then it arrives.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from tearline import workflow as wf
from tearline.demo.receiver import LoopbackReceiver
from tearline.demo.scenario import report_text
from tearline.settings import load_settings
from tearline.store import tables as t
from tearline.web.connections import LOADS_FILE
from tearline.workflow import sessions
from tests.conftest import fresh_postgres, postgres_url
from tests.test_cli import run
from tests.web.desk import PEOPLE, Desk
from tests.workflow.conftest import PROVENANCE
from tests.workflow.test_delivery_kill import setup as release_to_webhooks

PASSWORD = "dana-kill-test-1"  # the user release_to_webhooks makes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 180.0) -> None:
    """Poll until ``condition()`` is true; a generous deadline, for progress only."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.1)


def environment(home: Path, database_url: str) -> dict[str, str]:
    env = {**os.environ, "TEARLINE_HOME": str(home), "TEARLINE_DATABASE_URL": database_url}
    env.pop("TEARLINE_CONFIG", None)
    return env


def prepare(home: Path, database_url: str, webhook: str) -> str:
    """Three reports, one released warning with three deliveries queued to ``webhook``,
    and an API token for dana; returns the token."""
    release_to_webhooks(home, webhook, 3, database_url)
    app = wf.App(load_settings({"home": str(home), "database_url": database_url}, environ={}))
    try:
        for n in (1, 2):
            text = report_text() + f"\n\nFollow-up note {n}: the same, resent.\n".encode()
            wf.ingest_bytes(app, text, f"follow-up-{n}.txt", PROVENANCE, actor="dana")
        dana = wf.sign_in(app, "dana", PASSWORD)
        _, token = sessions.create_token(app, "dana", "serve test", by=dana)
        return token
    finally:
        app.close()


def deliveries(home: Path, database_url: str) -> dict[str, int]:
    app = wf.App(load_settings({"home": str(home), "database_url": database_url}, environ={}))
    try:
        with app.read() as s:
            rows = s.execute(
                select(t.Delivery.status, func.count())
                .where(t.Delivery.channel == "webhook")
                .group_by(t.Delivery.status)
            ).all()
        return {str(status): int(n) for status, n in rows}
    finally:
        app.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str, Path, str, LoopbackReceiver]]:
    """The desk in two processes on PostgreSQL: (url, token, home, database URL, receiver)."""
    url = postgres_url()
    assert url is not None
    database_url = fresh_postgres(url)
    home = tmp_path / "home"
    receiver = LoopbackReceiver()
    token = prepare(home, database_url, receiver.start())
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tearline", "serve", "--workers", "2", "--port", str(port)],
        env=environment(home, database_url),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert proc.poll() is None, (tmp_path / "serve.log").read_text()
        try:
            return httpx.get(f"{base}/healthz", timeout=10).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(up, "the desk to answer")
        yield base, token, home, database_url, receiver
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        receiver.stop()


def listening_sockets(port: int) -> int:
    """How many sockets listen on ``port`` on this machine (Linux: /proc/net/tcp)."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    local_and_state = [(row.split()[1], row.split()[3]) for row in rows]
    return sum(1 for local, st in local_and_state if local.endswith(f":{port:04X}") and st == "0A")


def loads_table(pid: int) -> Path:
    """The table of loads a web process was started with (its environment)."""
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    found = next(v for v in environ if v.startswith(f"{LOADS_FILE}=".encode()))
    return Path(found.split(b"=", 1)[1].decode())


def process_of(base: str, client: httpx.Client | None = None) -> int:
    """The process that answered: ``/metrics`` names it (served to this machine)."""
    r = (client or httpx).get(f"{base}/metrics", timeout=30)
    assert r.status_code == 200, r.text
    line = next(x for x in r.text.splitlines() if x.startswith("tearline_web_process_id "))
    return int(float(line.split()[1]))


@pytest.mark.postgres
@pytest.mark.slow
def test_two_web_processes_answer_page_by_page_and_send_nothing_themselves(
    served: tuple[str, str, Path, str, LoopbackReceiver],
) -> None:
    base, token, home, database_url, receiver = served
    auth = {"Authorization": f"Bearer {token}"}

    health = httpx.get(f"{base}/healthz", timeout=30).json()
    assert health["ok"] is True
    assert health["delivery_worker"] == "not in this process"
    app = wf.App(load_settings({"home": str(home), "database_url": database_url}, environ={}))
    try:  # the chain's length, from its head, as counting every entry would say
        assert health["audit_entries"] == wf.counts(app)["audit_entries"] > 0
    finally:
        app.close()

    seen: set[int] = set()
    with ThreadPoolExecutor(8) as pool:
        for _ in range(50):
            seen |= set(pool.map(lambda _: process_of(base), range(8)))
            if len(seen) >= 2:
                break
    assert len(seen) == 2, f"only process {seen} answered"

    # Connections are spread over the processes, not taken by whichever wakes first
    # (with one shared socket, 47 of 50 clients' connections sat on one process under
    # load): each process listens on a socket of its own, and of 40 connections open at
    # once, each process holds a fair share.
    assert listening_sockets(int(base.rsplit(":", 1)[1])) == 2
    clients = [httpx.Client() for _ in range(40)]
    try:
        with ThreadPoolExecutor(8) as pool:
            held = Counter(pool.map(lambda c: process_of(base, c), clients))
    finally:
        for c in clients:
            c.close()
    assert len(held) == 2, f"connections per process: {held}"
    assert min(held.values()) >= 8, f"connections per process: {held}"
    # They share a table of their loads, where each has counted its clients
    # (``connections.Siblings``): a private file, a row each.
    tables = {loads_table(pid) for pid in held}
    assert len(tables) == 1
    (table,) = tables
    assert stat.S_IMODE(table.stat().st_mode) == 0o600
    rows = [int.from_bytes(table.read_bytes()[i : i + 8], sys.byteorder) for i in (0, 8)]
    assert table.stat().st_size == 16
    assert min(rows) >= 1, rows

    # Every API request answers, whichever process takes it.
    with ThreadPoolExecutor(8) as pool:
        codes = list(
            pool.map(
                lambda path: httpx.get(f"{base}{path}", headers=auth, timeout=60).status_code,
                ["/api/reports", "/api/threats", "/api/deliveries", "/api/tokens"] * 6,
            )
        )
    assert codes == [200] * 24

    # A page of two reports, then the rest by the link the first page gives.
    first = httpx.get(f"{base}/api/reports?limit=2", headers=auth, timeout=60)
    assert first.status_code == 200
    assert len(first.json()) == 2
    assert first.links["next"]["url"].startswith("/api/reports?")
    rest = httpx.get(f"{base}{first.links['next']['url']}", headers=auth, timeout=60)
    assert rest.status_code == 200
    assert "next" not in rest.links
    refs = [r["ref"] for r in first.json() + rest.json()]
    assert len(refs) == len(set(refs)) == 3
    too_many = httpx.get(f"{base}/api/reports?limit=501", headers=auth, timeout=60)
    assert too_many.status_code == 422
    assert "limit" in too_many.json()["error"]

    # Nothing was sent while only the desk ran; `tearline worker` sends it.
    assert deliveries(home, database_url) == {"pending": 3}
    assert receiver.posts == []
    worker = subprocess.run(
        [sys.executable, "-m", "tearline", "worker", "--once"],
        env=environment(home, database_url),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert worker.returncode == 0, worker.stderr
    assert deliveries(home, database_url) == {"delivered": 3}
    assert len(receiver.unique) == 3

    # A web process killed outright is replaced on its own socket. Meanwhile the
    # connections the kernel hands to that socket wait for the replacement: every
    # request made just after the kill is answered, none refused.
    victim = held.most_common(1)[0][0]
    os.kill(victim, signal.SIGKILL)
    with ThreadPoolExecutor(8) as pool:
        after = list(pool.map(lambda _: process_of(base), range(40)))
    assert victim not in after
    wait_for(lambda: len({process_of(base) for _ in range(20)}) == 2, "a replacement process")
    assert listening_sockets(int(base.rsplit(":", 1)[1])) == 2


def test_the_worker_cannot_be_embedded_in_several_processes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "--home", str(tmp_path), "serve", "--workers", "2", "--worker")
    assert code == 65
    assert "run `tearline worker`" in err


def test_serve_says_how_it_runs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "serve", "--help")
    assert code == 0
    assert "--workers" in out


def test_lists_come_a_page_at_a_time_with_a_link_to_the_next(sqlite_desk: Desk) -> None:
    admin = sqlite_desk.client("root")
    seen: list[str] = []
    path = "/api/users?limit=4"
    while path:
        r = admin.api("GET", path)
        assert r.status_code == 200, r.text
        assert len(r.json()) <= 4
        seen += [u["username"] for u in r.json()]
        path = r.links.get("next", {}).get("url", "")
    assert sorted(seen) == sorted(PEOPLE)  # every user once, over two pages

    auditor = sqlite_desk.client("aude")
    first = auditor.api("GET", "/api/audit?limit=3")
    older = auditor.api("GET", first.links["next"]["url"])
    assert [e["seq"] for e in first.json()] == sorted(
        (e["seq"] for e in first.json()), reverse=True
    )
    assert max(e["seq"] for e in older.json()) < min(e["seq"] for e in first.json())

    assert admin.api("GET", "/api/users?limit=0").status_code == 422
    assert auditor.api("GET", "/api/threats?offset=-1").status_code == 422
