"""Several workers on one database: each delivery sent once, and a channel's rate limit
held by one worker at a time (PostgreSQL: an advisory lock; SQLite: a lock file)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tearline import workflow as wf
from tearline.deliver import TokenBucket
from tearline.demo.receiver import LoopbackReceiver
from tearline.settings import load_settings
from tearline.store import tables as t
from tearline.workflow.channel_locks import ChannelLocks
from tearline.workflow.worker import Worker, channels_for
from tests.workflow.test_delivery_kill import setup
from tests.workflow.test_delivery_outbox import partners, release, variant


def test_a_limited_channel_is_claimed_by_one_worker_at_a_time(
    app: wf.App, people: tuple[wf.Identity, wf.Identity], receiver: tuple[LoopbackReceiver, str]
) -> None:
    _, url = receiver
    partners(app, url, 5)
    release(app, people)
    limited = variant(app, delivery_rate_limits="webhook=2")
    first = Worker(limited, channels_for(limited))
    second = Worker(limited, channels_for(limited))
    for w in (first, second):  # clocks that stand still: no refill between the claims
        w.buckets = {"webhook": TokenBucket(2, clock=lambda: 0.0)}
    running = [first, second]
    try:
        by_first = [c for c in first._claim() if c.channel == "webhook"]
        by_second = [c for c in second._claim() if c.channel == "webhook"]
        assert len(by_first) == 2  # the limit's burst
        assert by_second == []  # the channel is the first worker's: no second budget
        running.remove(first)
        first.close()  # it stops: the other takes the channel over at its next claim
        assert len([c for c in second._claim() if c.channel == "webhook"]) == 2
    finally:
        for w in running:
            w.close()


def delivered(app: wf.App) -> tuple[int, int]:
    """(webhook deliveries delivered, their attempts recorded)."""
    with app.read() as s:
        done = s.scalar(
            select(func.count())
            .select_from(t.Delivery)
            .where(t.Delivery.channel == "webhook", t.Delivery.status == "delivered")
        )
        attempts = s.scalar(
            select(func.count())
            .select_from(t.DeliveryAttempt)
            .join(t.Delivery, t.Delivery.id == t.DeliveryAttempt.delivery_id)
            .where(t.Delivery.channel == "webhook")
        )
    return int(done or 0), int(attempts or 0)


@pytest.mark.slow
def test_two_worker_processes_send_each_delivery_once(tmp_path: Path, database_url: str) -> None:
    receiver = LoopbackReceiver()
    url = receiver.start()
    home = tmp_path / "home"
    n = 400
    procs: list[subprocess.Popen[bytes]] = []
    try:
        setup(home, url, n, database_url)
        env = {
            **os.environ,
            "TEARLINE_HOME": str(home),
            "TEARLINE_DATABASE_URL": database_url,
            "TEARLINE_DELIVERY_BATCH": "20",  # many small claims, so the two interleave
            "TEARLINE_DELIVERY_RATE_LIMITS": "sms=5",
        }
        for i in range(2):
            with (tmp_path / f"worker{i}.log").open("wb") as log:
                procs.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "tearline", "worker", "--poll", "0.2"],
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        settings = load_settings({"home": str(home), "database_url": database_url}, environ={})
        app = wf.App(settings)
        try:
            deadline = time.monotonic() + 600  # against a hang only: no speed is asserted
            while delivered(app)[0] < n and time.monotonic() < deadline:
                assert all(p.poll() is None for p in procs), "a worker exited"
                time.sleep(0.2)
            # one of the two holds the limited channel; nobody else can take it meanwhile
            mine = ChannelLocks(app, ["sms"])
            assert not mine.held("sms")
            mine.close()
            assert delivered(app) == (n, n)  # each delivered, each with one attempt
        finally:
            app.close()
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=60)
        receiver.stop()
    assert len(receiver.unique) == n
    assert receiver.duplicates == 0
