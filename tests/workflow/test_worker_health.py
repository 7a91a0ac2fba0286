"""``tearline worker --health-port``: a standalone worker's /healthz and /metrics.

A worker process delivers to a loopback receiver; its /metrics, read with Prometheus's own
parser, count what it did. Its database refuses connections: /healthz says 503 with the
reason (and /metrics still answers, the worker down), then 200 again once it is back.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, make_url, text

from tearline.demo.receiver import LoopbackReceiver
from tests.conftest import fresh_postgres, postgres_url
from tests.workflow.test_worker_survives import cut_connections_from, setup, states, wait_for

pytestmark = pytest.mark.slow
WORKER = (sys.executable, "-m", "tearline", "worker")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(home: Path, database_url: str | None, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TEARLINE_HOME": str(home), "TEARLINE_DELIVERY_BATCH": "50"}
    env.pop("TEARLINE_DATABASE_URL", None)
    if database_url:
        env["TEARLINE_DATABASE_URL"] = database_url
    with (home / "worker.log").open("ab") as err:
        return subprocess.Popen(
            [*WORKER, "--poll", "0.2", "--health-port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


def metrics(url: str) -> dict[str, float]:
    """Every sample, named with its labels: ``tearline_deliveries{status=delivered}``."""
    r = httpx.get(f"{url}/metrics", timeout=10)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    got = {}
    for family in text_string_to_metric_families(r.text):
        for s in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
            got[f"{s.name}{{{labels}}}" if labels else s.name] = s.value
    return got


def healthz(url: str) -> tuple[int, dict[str, object]]:
    try:
        r = httpx.get(f"{url}/healthz", timeout=10)
    except httpx.TransportError:
        return 0, {}
    return r.status_code, r.json()


@pytest.fixture
def receiver_url() -> Iterator[str]:
    r = LoopbackReceiver()
    yield r.start()
    r.stop()


def test_a_workers_metrics_count_what_it_did(tmp_path: Path, receiver_url: str) -> None:
    home = tmp_path / "home"
    setup(home, None, receiver_url, 40)
    port = free_port()
    worker = start(home, None, port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: healthz(url)[0] == 200, "the worker's /healthz")
        wait_for(lambda: states(home, None).get("delivered") == 40, "every webhook")
        got = metrics(url)
    finally:
        worker.terminate()
        assert worker.wait(timeout=60) == 0
    assert got["tearline_worker_up"] == 1
    assert got["tearline_worker_rounds_failed_total"] == 0
    assert got["tearline_deliveries{status=delivered}"] == 41  # and the public feed's
    assert got["tearline_deliveries{status=pending}"] == 0
    assert got["tearline_deliveries_due"] == 0
    assert got["tearline_oldest_pending_delivery_seconds"] == 0
    assert got["tearline_delivery_attempts_total"] == 41
    assert got["tearline_worker_send_seconds_count{channel=webhook}"] == 40
    assert got["tearline_worker_send_seconds_bucket{channel=webhook,le=+Inf}"] == 40
    assert got["tearline_worker_send_seconds_sum{channel=webhook}"] > 0


@pytest.mark.postgres
def test_a_worker_says_503_with_the_reason_while_its_database_refuses_it(
    tmp_path: Path, receiver_url: str
) -> None:
    base = postgres_url()
    assert base is not None
    pg_url = fresh_postgres(base)
    home = tmp_path / "home"
    setup(home, pg_url, receiver_url, 40)
    name = str(make_url(pg_url).database)
    admin = create_engine(make_url(pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    worker = start(home, pg_url, port)
    try:
        wait_for(lambda: states(home, pg_url).get("delivered") == 40, "every delivery")
        assert healthz(url) == (200, {"ok": True})
        before = metrics(url)
        assert before["tearline_deliveries{status=delivered}"] == 41
        assert before["tearline_worker_up"] == 1
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        cut_connections_from(admin, name)
        wait_for(lambda: healthz(url)[0] == 503, "/healthz to say 503")
        status, body = healthz(url)
        assert status == 503
        assert body["ok"] is False
        assert "worker: database unavailable since" in str(body["reason"])
        during = metrics(url)  # still served: the worker's own families, the worker down
        assert during["tearline_worker_up"] == 0
        assert during["tearline_worker_rounds_failed_total"] >= 1
        assert "tearline_deliveries{status=delivered}" not in during
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        wait_for(lambda: healthz(url)[0] == 200, "the worker to come back")
        assert metrics(url)["tearline_worker_up"] == 1
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
        worker.terminate()
        worker.wait(timeout=60)
