"""A contact point gets its deliveries in the order they were queued, across workers.

A delivery is not sent while an earlier one to the same channel and address is pending
(waiting for a retry included) or being sent: a warning's update never overtakes the
warning, and a failing delivery holds back those queued after it until it succeeds or is
dead-lettered. Contact points of their own (a group alert's people) do not wait for each
other.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.demo.receiver import LoopbackReceiver
from tearline.settings import load_settings
from tearline.store import tables as t
from tearline.workflow.outbox import Claimed, Outcome, claim, record
from tests.conftest import START
from tests.workflow.test_delivery_kill import setup


def open_app(home: Path, database_url: str, clock: FixedClock | None = None) -> wf.App:
    settings = load_settings(
        {"home": str(home), "database_url": database_url, "sender": "Order test"}, environ={}
    )
    return wf.App(settings, clock=clock) if clock else wf.App(settings)


def queue(app: wf.App, address: str, n: int) -> list[int]:
    """``n`` more deliveries of the released warning to one webhook ``address``, queued
    one after another as approvals write them; their IDs in queued order."""
    with app.unit() as u:
        warning_id = u.session.scalar(select(t.Delivery.warning_id).limit(1))
        ids = []
        for _ in range(n):
            row = {
                "warning_id": warning_id,
                "channel": "webhook",
                "address": address,
                "idempotency_key": f"tl-{uuid.uuid4().hex}",
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": u.now,
                "created_at": u.now,
            }
            ids.append(
                u.session.execute(
                    insert(t.Delivery).values(**row).returning(t.Delivery.id)
                ).scalar_one()
            )
        return ids


def webhooks_in(claimed: Sequence[Claimed]) -> list[Claimed]:
    """The webhook deliveries claimed (the release also queues one of its own)."""
    return sorted((c for c in claimed if c.channel == "webhook"), key=lambda c: c.id)


def ids(claimed: Sequence[Claimed]) -> list[int]:
    return [c.id for c in webhooks_in(claimed)]


def test_a_contact_points_next_delivery_waits_for_the_one_before(
    tmp_path: Path, database_url: str
) -> None:
    home = tmp_path / "home"
    # a released warning to two contact points; nothing is sent (the test records outcomes)
    setup(home, "http://127.0.0.1:9", 2, database_url)
    clock = FixedClock(START)
    app = open_app(home, database_url, clock)
    try:
        with app.read() as s:
            webhooks = select(t.Delivery.id).where(t.Delivery.channel == "webhook")
            first, elsewhere = s.scalars(webhooks.order_by(t.Delivery.id)).all()
            address = s.scalar(select(t.Delivery.address).where(t.Delivery.id == first))
        later = queue(app, str(address), 2)

        claimed = webhooks_in(claim(app, "worker-a", 10))
        assert ids(claimed) == [first, elsewhere]  # one per contact point, the earliest
        assert ids(claim(app, "worker-b", 10)) == []  # the next waits while the first is sent
        by_id = {c.id: c for c in claimed}
        now = clock.now()
        record(
            app,
            [
                Outcome(by_id[first], False, "HTTP 503", ended_at=now),  # retried later
                Outcome(by_id[elsewhere], True, "HTTP 200"),
            ],
            {},
            worker_id="worker-a",
        )
        # the first waits for its retry, and what was queued after it waits behind it
        assert ids(claim(app, "worker-b", 10)) == []

        clock.advance(timedelta(hours=1))
        (got,) = webhooks_in(claim(app, "worker-b", 10))
        assert got.id == first
        record(app, [Outcome(got, True, "HTTP 200")], {}, worker_id="worker-b")
        (got,) = webhooks_in(claim(app, "worker-a", 10))
        assert got.id == later[0]  # delivered: the next goes
        record(app, [Outcome(got, False, "HTTP 410", permanent=True)], {}, worker_id="worker-a")
        (got,) = webhooks_in(claim(app, "worker-b", 10))
        assert got.id == later[1]  # dead-lettered: it holds back nothing more
    finally:
        app.close()


class OrderedReceiver(LoopbackReceiver):
    """Records every request's arrival, in order; answers 503 to the keys in ``failing``
    as many times as each one says (``None``: always)."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[tuple[str, str | None, int]] = []  # (path, key, status)
        self.failing: dict[str, int | None] = {}
        self._order = threading.Lock()

    def _accept(self, path: str, headers: Any, raw: bytes) -> int:
        key = headers.get("Idempotency-Key")
        with self._order:
            left = self.failing.get(key, 0)
            if left is None or left > 0:
                self.failing[key] = None if left is None else left - 1
                self.arrivals.append((path, key, 503))
                return 503
            status = super()._accept(path, headers, raw)
            self.arrivals.append((path, key, status))
            return status


def keys_of(app: wf.App, delivery_ids: Sequence[int]) -> list[str]:
    with app.read() as s:
        rows = dict(
            s.execute(
                select(t.Delivery.id, t.Delivery.idempotency_key).where(
                    t.Delivery.id.in_(delivery_ids)
                )
            ).all()
        )
    return [rows[i] for i in delivery_ids]


def statuses(app: wf.App, delivery_ids: Sequence[int]) -> list[str]:
    with app.read() as s:
        rows = dict(
            s.execute(
                select(t.Delivery.id, t.Delivery.status).where(t.Delivery.id.in_(delivery_ids))
            ).all()
        )
    return [rows[i] for i in delivery_ids]


@pytest.mark.slow
def test_two_workers_deliver_to_a_contact_point_in_queued_order(
    tmp_path: Path, database_url: str
) -> None:
    receiver = OrderedReceiver()
    url = receiver.start()
    home = tmp_path / "home"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        setup(home, url, 120, database_url)  # work for both workers: 120 contact points
        app = open_app(home, database_url)
        try:
            recovers = queue(app, f"{url}/recovers", 4)  # the first fails twice, then succeeds
            gives_up = queue(app, f"{url}/gives-up", 3)  # the first fails until dead-lettered
            in_order = queue(app, f"{url}/in-order", 6)  # nothing fails
            recovers_keys = keys_of(app, recovers)
            gives_up_keys = keys_of(app, gives_up)
            receiver.failing = {recovers_keys[0]: 2, gives_up_keys[0]: None}
            env = {
                **os.environ,
                "TEARLINE_HOME": str(home),
                "TEARLINE_DATABASE_URL": database_url,
                "TEARLINE_DELIVERY_BATCH": "10",  # many small claims, so the two interleave
                "TEARLINE_DELIVERY_BACKOFF_SECONDS": "0.2",
                "TEARLINE_DELIVERY_MAX_ATTEMPTS": "3",
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
            everything = [*recovers, *gives_up, *in_order]
            deadline = time.monotonic() + 600  # hang guard only: no speed is asserted
            while "pending" in statuses(app, everything) or "sending" in statuses(app, everything):
                assert all(p.poll() is None for p in procs), "a worker exited"
                assert time.monotonic() < deadline, "gave up waiting for the deliveries"
                time.sleep(0.2)
            assert statuses(app, recovers) == ["delivered"] * 4
            assert statuses(app, gives_up) == ["dead", "delivered", "delivered"]
            assert statuses(app, in_order) == ["delivered"] * 6
            in_order_keys = keys_of(app, in_order)
        finally:
            app.close()
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=60)
        receiver.stop()

    def arrived(path: str) -> list[tuple[str | None, int]]:
        return [(key, status) for p, key, status in receiver.arrivals if p == path]

    assert arrived("/in-order") == [(k, 200) for k in in_order_keys]
    first, *rest = recovers_keys
    assert arrived("/recovers") == [(first, 503), (first, 503), (first, 200)] + [
        (k, 200) for k in rest
    ]
    first, *rest = gives_up_keys
    assert arrived("/gives-up") == [(first, 503)] * 3 + [(k, 200) for k in rest]
    assert receiver.duplicates == 0
